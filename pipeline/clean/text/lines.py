"""Plain-text / Markdown capture -> units (heading, paragraph, item) with their raw text.

Handles what text captures look like in the wild: Markdown headings (ATX and setext),
bullets of many shapes (``* - + • ·`` and numbered ``1.``/``1)``/``(1)``), indented
continuation lines under a bullet, paragraphs hard-wrapped at a fixed width (re-joined),
brackets wrapped over two lines, inline Markdown links/images/emphasis, and lynx-style
dumps with a mix of all of these.

Not markdown-it-py: its inline parser alone takes 5.6x strip_markdown's time (0.56 vs 0.10 s,
10,100 lines of 30 WCXB pages as Markdown), its block parser 2x all of split_units, and being
CommonMark-strict it leaves wild syntax as text (javascript: links, • bullets, quoted data URIs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from pipeline.clean.text.signals import ends_sentence

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-{2,})\s*$")
_HR = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_BULLET = re.compile(r"^(\s*)(?:[*+•·▪◦‣●○■□➢➤►–-]|\(?\d{1,3}[.)]|\(?[a-z]\))\s+(?=\S)")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")

_IMAGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_IMAGE_LINE = re.compile(r"^(?:\[?!\[[^\]]*\]\([^)]*\)\]?(?:\([^)]*\))?\s*)+$")
_LINK = re.compile(
    r"\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)|\[([^\]]+)\]\[[^\]]*\]"
)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,200})?/?>")
_EMPHASIS = re.compile(
    r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"
)
_CODE = re.compile(r"`([^`]*)`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")

# A line leaving "[" or "(" open takes in at most this many following lines (a link or
# image split by a line break); brackets open longer are stray ones.
MAX_BRACKET_JOINS = 3
# Hard wrapping is read from at least this many lines that end before the next text line.
MIN_WRAP_SAMPLES = 3
# The wrap width is this percentile of those line lengths (a high one: hand edits vary).
WRAP_WIDTH_PERCENTILE = 0.8
# A wrapped line fills at least this share of the width ...
WRAP_NEAR_SHARE = 0.7
# ... and at least this share of the lines do so in a hard-wrapped capture.
WRAP_MIN_NEAR_LINES = 0.5
# Narrower "widths" are runs of short lines (menus, lists), not wrapping.
MIN_WRAP_WIDTH = 30


@dataclass
class Unit:
    """One block of a text capture before classification."""

    kind: str  # "heading" | "paragraph" | "item"
    text: str  # display text: Markdown syntax and link targets removed
    raw_lines: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # Markdown images cut from the text
    link_chars: int = 0  # characters of ``text`` that were link anchors
    group: int = 0  # index of the blank-line-separated group it came from
    table_row: bool = False  # a Markdown table row (cells joined by "; ")

    @property
    def raw(self) -> str:
        """The capture's own lines for this unit (what a Removal records)."""
        return "\n".join(line.strip() for line in self.raw_lines)

    @property
    def link_density(self) -> float:
        """Share of the display text that was link anchors."""
        return self.link_chars / max(1, len(self.text))


def normalise_newlines(text: str) -> str:
    """Unix newlines, no control characters, tabs as spaces, no-break spaces as spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _CONTROL.sub("", text).replace("\xa0", " ")


def strip_markdown(text: str) -> tuple[str, list[str], int]:
    """``(display_text, images, link_chars)``: inline Markdown reduced to plain text."""
    images = [m.group(0) for m in _IMAGE.finditer(text)]
    text = _IMAGE.sub(" ", text)
    link_chars = 0

    def _anchor(match: re.Match[str]) -> str:
        nonlocal link_chars
        anchor = match.group(1) if match.group(1) is not None else match.group(2)
        link_chars += len(anchor.strip())
        return anchor

    text = _LINK.sub(_anchor, text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = _CODE.sub(r"\1", text)
    text = _EMPHASIS.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(3), text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split()), images, link_chars


def _join_open_brackets(lines: list[str]) -> list[str]:
    """Join a line that leaves ``[`` or ``(`` open with the lines that close it (max 3)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        joins = 0
        while (
            joins < MAX_BRACKET_JOINS
            and i + 1 < len(lines)
            and lines[i + 1].strip()
            and (line.count("[") > line.count("]") or line.count("(") > line.count(")"))
            and not _BULLET.match(lines[i + 1])
            and not _ATX.match(lines[i + 1])
        ):
            i += 1
            joins += 1
            line = line.rstrip() + " " + lines[i].strip()
        out.append(line)
        i += 1
    return out


def estimate_wrap_width(lines: list[str], max_width: int) -> int | None:
    """The column a hard-wrapped capture was wrapped at, or None if it was not wrapped.

    Looks at lines followed by another text line: in a wrapped capture most of them end
    near one width (at most ``max_width``); in a line-per-paragraph capture they do not.
    """
    lengths = [
        len(a.strip())
        for a, b in pairwise(lines)
        if a.strip()
        and b.strip()
        and not _BULLET.match(b)
        and not _ATX.match(b)
        and not _BULLET.match(a)
        and not _ATX.match(a)
    ]
    fitting = sorted(n for n in lengths if n <= max_width)
    if len(fitting) < MIN_WRAP_SAMPLES:
        return None
    width = fitting[int(WRAP_WIDTH_PERCENTILE * (len(fitting) - 1))]
    near = sum(1 for n in lengths if WRAP_NEAR_SHARE * width <= n <= width)
    return width if width >= MIN_WRAP_WIDTH and near >= WRAP_MIN_NEAR_LINES * len(lengths) else None


def _continues(previous: str, following: str, width: int | None) -> bool:
    """Whether ``following`` continues the wrapped line ``previous`` (same paragraph)."""
    prev, nxt = previous.strip(), following.strip()
    if not prev or not nxt or _IMAGE_LINE.match(prev) or _IMAGE_LINE.match(nxt):
        return False
    if nxt[0].islower() and not ends_sentence(prev):
        return True
    if width is None:
        return False
    first_word = nxt.split()[0]
    return len(prev) + 1 + len(first_word) > width - 1


def _line_kind(line: str, in_fence: bool) -> str:
    if in_fence:
        return "text"
    if not line.strip():
        return "blank"
    if _HR.match(line) or _TABLE_RULE.match(line) or _SETEXT.match(line):
        return "rule"
    if _ATX.match(line):
        return "heading"
    if _LINK_DEF.match(line):
        return "linkdef"
    if _BULLET.match(line):
        return "bullet"
    return "text"


def split_units(text: str, max_wrap_width: int) -> tuple[list[Unit], list[str]]:
    """Split a capture into units; also return lines dropped as pure formatting/link defs."""
    lines = _join_open_brackets(normalise_newlines(text).split("\n"))
    width = estimate_wrap_width(lines, max_wrap_width)
    units: list[Unit] = []
    link_defs: list[str] = []
    group, in_fence = 0, False
    current: Unit | None = None
    item_indent = 0

    def new_unit(kind: str, body: str, raw: str) -> Unit:
        unit = Unit(kind, body, [raw], group=group)
        units.append(unit)
        return unit

    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
            current = None
            continue
        line = _QUOTE.sub("", line) if not in_fence else line
        kind = _line_kind(line, in_fence)
        if kind == "blank":
            group += 1 if current is not None else 0
            current = None
            continue
        if kind == "rule":
            if (
                _SETEXT.match(line)
                and current is not None
                and current.kind == "paragraph"
                and len(current.raw_lines) == 1
            ):
                current.kind = "heading"
            current = None
            continue
        if kind == "linkdef":
            link_defs.append(line.strip())
            current = None
            continue
        if kind == "heading":
            match = _ATX.match(line)
            current = new_unit("heading", match.group(2) if match else line, line)
            current = None
            continue
        if kind == "bullet":
            match = _BULLET.match(line)
            item_indent = len(match.group(1)) if match else 0
            current = new_unit("item", line[match.end() :] if match else line, line)
            continue
        if _TABLE_ROW.match(line):  # a Markdown table row: one paragraph, cells kept apart
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            new_unit("paragraph", "; ".join(c for c in cells if c), line).table_row = True
            current = None
            continue
        # plain text line: continuation or a new paragraph
        indent = len(line) - len(line.lstrip())
        if current is not None and current.kind == "item":
            last = current.raw_lines[-1]
            if indent > item_indent or _continues(last, line, width):
                sep = " "
                if (
                    indent > item_indent
                    and not ends_sentence(current.text)
                    and not _continues(last, line, width)
                    and line.strip()[:1].isupper()
                ):
                    sep = ": "
                current.text = current.text.rstrip() + sep + line.strip()
                current.raw_lines.append(line)
                continue
        elif (
            current is not None
            and current.kind == "paragraph"
            and _continues(current.raw_lines[-1], line, width)
        ):
            current.text += " " + line.strip()
            current.raw_lines.append(line)
            continue
        current = new_unit("paragraph", line.strip(), line)
    for unit in units:
        unit.text, unit.images, unit.link_chars = strip_markdown(unit.text)
    return units, link_defs
