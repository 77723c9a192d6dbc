"""Cheap recall extraction from the DOM, for pages where the extractor keeps too little.

Listings, shop categories, product pages and forum threads are built of many short,
link-heavy items that article extractors drop. When the extractor's output is short
beside the page's visible text, the page's own text (after the DOM boilerplate rules,
and without page-frame regions: header, aside, form, dialog) is the better answer. It is
read straight from the already-parsed tree: no second extractor run.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from pipeline.blocks import Block
from pipeline.html_blocks import text_segments
from pipeline.settings import CleanSettings

# Page-frame regions: site header, sidebars, forms and dialogs rarely hold main content.
_FRAME_TAGS = frozenset(("header", "aside", "form", "dialog", "nav", "footer"))
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_ITEM_TAGS = frozenset(("li", "dt", "dd"))


def _in_frame(el: HtmlElement, stop: HtmlElement) -> bool:
    for anc in [el, *el.iterancestors()]:
        if anc is stop:
            return False
        if anc.tag in _FRAME_TAGS:
            return True
    return False


def _main_root(body: HtmlElement) -> HtmlElement:
    """``<main>`` (or role=main) when the page marks one and it holds text, else ``body``."""
    for el in body.iter("main"):
        return el
    for el in body.xpath(".//*[@role='main']"):
        return el
    return body


def page_text_blocks(body: HtmlElement, settings: CleanSettings) -> list[Block]:
    """Visible text blocks of ``body`` outside page-frame regions, in document order.

    Segments that are nearly all link text and at most ``region_link_item_max_words``
    words long (menu entries, tag clouds) are skipped; headings and list items keep
    their kind.
    """
    root = _main_root(body)
    blocks: list[Block] = []
    for el, text, link_share in text_segments(root):
        if _in_frame(el, root):
            continue
        n_words = len(text.split())
        if link_share >= 0.9 and n_words <= settings.region_link_item_max_words:
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        kind = "heading" if tag in _HEADING_TAGS else "item" if tag in _ITEM_TAGS else "paragraph"
        blocks.append(Block(kind, text))
    return blocks
