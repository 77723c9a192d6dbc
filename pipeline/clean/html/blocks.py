"""Turning trees into Blocks: the extractor's output, and the page's visible text segments."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from pipeline.clean.blocks import Block

# Elements that start a new line of visible text in a browser.
BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
        "br",
        "html",
    )
)
INVISIBLE_TAGS = frozenset(
    ("script", "style", "template", "svg", "head", "title", "iframe", "select")
)


def _squash(text: str) -> str:
    return " ".join(text.split())


def extractor_blocks(body: etree._Element | None) -> list[Block]:
    """Blocks from trafilatura's XML body (``head``, ``p``, ``list/item``, ``table``, ...)."""
    blocks: list[Block] = []
    if body is None:
        return blocks
    for lb in body.iter("lb"):  # line breaks: text on either side must not fuse
        lb.text = "\n"
    if body.text and body.text.strip():
        blocks.append(Block("paragraph", _squash(body.text)))
    for el in body:
        tag = el.tag
        if not isinstance(tag, str):
            tag = ""
        if tag == "head":
            blocks.append(Block("heading", _squash("".join(el.itertext()))))
        elif tag == "list":
            for item in el.iter("item"):
                if item.find(".//item") is not None:  # parent of a nested list: own text only
                    own = [item.text or ""] + [
                        "".join(c.itertext()) + (c.tail or "") for c in item if c.tag != "list"
                    ]
                    text = _squash("".join(own))
                else:
                    text = _squash("".join(item.itertext()))
                blocks.append(Block("item", text))
        elif tag == "table":
            for row in el.iter("row"):
                cells = [_squash("".join(c.itertext())) for c in row]
                blocks.append(Block("paragraph", " ".join(c for c in cells if c)))
        elif tag:
            for line in "".join(el.itertext()).split("\n"):
                blocks.append(Block("paragraph", _squash(line)))
        if el.tail and el.tail.strip():  # loose text the extractor kept between blocks
            blocks.append(Block("paragraph", _squash(el.tail)))
    return [b for b in blocks if b.text]


def text_segments(root: etree._Element) -> Iterator[tuple[etree._Element, str, float]]:
    """Visible text of a page as (block element, text, share of text inside links).

    One segment per run of text between block boundaries, in document order; the walk
    is iterative (no recursion), so any depth the parser accepted is safe.
    """
    stack: list[list] = [[root, [], 0]]
    in_link = 0

    def flush(frame: list) -> tuple[etree._Element, str, float] | None:
        text = _squash("".join(frame[1]))
        link_chars = frame[2]
        frame[1], frame[2] = [], 0
        if not text:
            return None
        return frame[0], text, min(1.0, link_chars / max(1, len(text)))

    def add(text: str | None) -> None:
        if text:
            stack[-1][1].append(text)
            if in_link:
                stack[-1][2] += len(text.strip())

    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event in ("comment", "pi"):
            add(el.tail)
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in INVISIBLE_TAGS:
                walker.skip_subtree()  # its end event still comes, with the visible tail
                continue
            if tag in BLOCK_TAGS:
                seg = flush(stack[-1])
                if seg:
                    yield seg
                stack.append([el, [], 0])
            if tag == "a":
                in_link += 1
            add(el.text)
        else:
            if tag not in INVISIBLE_TAGS:
                if tag == "a":
                    in_link -= 1
                if tag in BLOCK_TAGS and len(stack) > 1:
                    seg = flush(stack.pop())
                    if seg:
                        yield seg
            add(el.tail)
    seg = flush(stack[0])
    if seg:
        yield seg
