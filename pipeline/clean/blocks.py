"""The shapes the clean stage works in: blocks of kept text and removed spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item"]


@dataclass(frozen=True)
class Block:
    """One unit of kept text: a heading, a paragraph or a list item."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Removal:
    """A span cut out of a document, with why (``reason``) and which rule did it."""

    text: str
    reason: str
    rule: str


@dataclass
class Cleaned:
    """What a cleaner returns for one document."""

    blocks: list[Block] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def render_text(blocks: list[Block]) -> str:
    """Blocks as the contract's text: blank line between paragraphs, ``- `` list items.

    Headings are ``# `` lines of their own; consecutive list items form one block.
    """
    parts: list[str] = []
    previous: BlockKind | None = None
    for block in blocks:
        text = " ".join(block.text.split())
        if not text:
            continue
        if block.kind == "item":
            line = f"- {text}"
            if previous == "item":
                parts[-1] += "\n" + line
            else:
                parts.append(line)
        elif block.kind == "heading":
            parts.append(f"# {text}")
        else:
            parts.append(text)
        previous = block.kind
    return "\n\n".join(parts)


def parse_text(text: str) -> list[Block]:
    """Inverse of :func:`render_text`: the blocks of a clean text."""
    blocks: list[Block] = []
    for para in text.split("\n\n"):
        for line in para.split("\n"):
            line = line.strip()
            if not line:
                continue
            if line.startswith("- "):
                blocks.append(Block("item", line[2:]))
            elif line.startswith("# "):
                blocks.append(Block("heading", line[2:]))
            else:
                blocks.append(Block("paragraph", line))
    return blocks
