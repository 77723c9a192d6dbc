"""Cheap recall extraction from the DOM, for pages where the extractor keeps too little.

Listings, shop categories, product pages and forum threads are built of many short,
link-heavy items that article extractors drop. When the extractor's output is short
beside the page's visible text, the page's own text (after the DOM boilerplate rules,
and without page-frame regions: header, aside, form, dialog) is the better answer. It is
read straight from the already-parsed tree: no second extractor run.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree
from lxml.html import HtmlElement

from pipeline.clean.blocks import Block, BlockKind
from pipeline.clean.html.blocks import text_segments
from pipeline.settings import CleanSettings

# Page-frame regions: site header, sidebars, forms and dialogs rarely hold main content.
_FRAME_TAGS = frozenset(("header", "aside", "form", "dialog", "nav", "footer"))
_CHARS = etree.XPath("string-length(normalize-space())")
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_ITEM_TAGS = frozenset(("li", "dt", "dd"))


def _in_frame(el: HtmlElement, stop: HtmlElement) -> bool:
    for anc in [el, *el.iterancestors()]:
        if anc is stop:
            return False
        if anc.tag in _FRAME_TAGS:
            return True
    return False


def _common_ancestor(elements: list[HtmlElement], body: HtmlElement) -> HtmlElement:
    """The deepest element holding all of ``elements`` (``body`` when there are none)."""
    if not elements:
        return body
    chain = [elements[0], *elements[0].iterancestors()]
    depth = {id(el): i for i, el in enumerate(chain)}
    lowest = 0
    for el in elements[1:]:
        for anc in [el, *el.iterancestors()]:
            i = depth.get(id(anc))
            if i is not None:
                lowest = max(lowest, i)
                break
        else:
            return body
    return chain[lowest]


def region_text_blocks(
    body: HtmlElement, kept: list[HtmlElement], settings: CleanSettings
) -> list[Block] | None:
    """Visible text blocks of the region around ``kept`` elements, in document order.

    The region is the deepest element holding every element the extractor kept (whole
    ``body`` when it kept none): a listing's item container, a thread's post list.
    None when that region holds less than ``region_min_share`` of the page's text: the
    extractor found one compact block (a short article among comments and teasers), and
    the page's text around it is no better answer. Page-frame regions inside the region
    (header, aside, form, dialog) are skipped.

    Segments that are nearly all link text and at most ``region_link_item_max_words``
    words long (menu entries, tag clouds) are skipped; headings and list items keep
    their kind.
    """
    root = _common_ancestor(kept, body)
    if _CHARS(root) < settings.region_min_share * _CHARS(body):
        return None
    blocks: list[Block] = []
    for el, text, link_share in text_segments(root):
        if _in_frame(el, root):
            continue
        if not _menu_entry(text, link_share, settings):
            blocks.append(_block(el, text))
    return blocks


# A menu entry is link text all but a separator or a count ("News (12)", "Home |").
MENU_ENTRY_LINK_SHARE = 0.9


def _menu_entry(text: str, link_share: float, settings: CleanSettings) -> bool:
    """A segment that is nearly all link text and at most ``region_link_item_max_words``
    words long: a menu entry, a tag, a "Reply" link."""
    return (
        link_share >= MENU_ENTRY_LINK_SHARE
        and len(text.split()) <= settings.region_link_item_max_words
    )


def _block(el: HtmlElement, text: str) -> Block:
    """A segment as a Block: headings and list items keep their kind."""
    tag = el.tag if isinstance(el.tag, str) else ""
    kind: BlockKind = (
        "heading" if tag in _HEADING_TAGS else "item" if tag in _ITEM_TAGS else "paragraph"
    )
    return Block(kind, text)


def _word_counts(
    segments: list[tuple[HtmlElement, str, float]],
) -> tuple[dict[HtmlElement, int], dict[HtmlElement, float]]:
    """Words and link words of every element, summed over the text segments inside it."""
    words: dict[HtmlElement, int] = {}
    links: dict[HtmlElement, float] = {}
    for el, text, link_share in segments:
        n = len(text.split())
        for anc in [el, *el.iterancestors()]:
            words[anc] = words.get(anc, 0) + n
            links[anc] = links.get(anc, 0.0) + n * link_share
    return words, links


def _sibling_runs(parent: HtmlElement, words: dict[HtmlElement, int]) -> list[list[HtmlElement]]:
    """Children of ``parent`` that hold text, grouped by tag and first class."""
    runs: dict[tuple[str, str], list[HtmlElement]] = {}
    for child in parent:
        if isinstance(child.tag, str) and child in words:
            first_class = (child.get("class") or "").split()[:1]
            runs.setdefault((child.tag, "".join(first_class)), []).append(child)
    return list(runs.values())


def _wordiest_run(
    words: dict[HtmlElement, int],
    min_words: float,
    qualifies: Callable[[list[HtmlElement], int], bool],
) -> tuple[list[HtmlElement] | None, int]:
    """The run of like siblings (:func:`_sibling_runs`) with the most words, at least
    ``min_words``, for which ``qualifies(items, words)`` holds; with its word count."""
    best_words = 0
    best: list[HtmlElement] | None = None
    for parent, total in words.items():
        if total < min_words or total <= best_words:
            continue
        for items in _sibling_runs(parent, words):
            n = sum(words[item] for item in items)
            if n >= min_words and n > best_words and qualifies(items, n):
                best_words, best = n, items
    return best, best_words


def repeated_items(
    segments: list[tuple[HtmlElement, str, float]], min_words: float, settings: CleanSettings
) -> list[HtmlElement] | None:
    """The wordiest run of sibling elements of one kind: a thread's posts, a listing's
    entries. Siblings are of one kind when they share their tag and first class; a run
    needs ``repeat_min_items`` items of ``repeat_item_words`` words or more, at most
    ``repeat_max_link_share`` of its words in links (not a menu) and ``min_words`` words.
    None when no run qualifies. ``segments`` are :func:`text_segments` of the page."""
    words, links = _word_counts(segments)

    def qualifies(items: list[HtmlElement], n: int) -> bool:
        big = sum(1 for item in items if words[item] >= settings.repeat_item_words)
        linked = sum(links[item] for item in items)
        return big >= settings.repeat_min_items and linked <= settings.repeat_max_link_share * n

    return _wordiest_run(words, min_words, qualifies)[0]


def item_grid(
    segments: list[tuple[HtmlElement, str, float]],
    kept: list[HtmlElement],
    kept_words: int,
    settings: CleanSettings,
) -> list[HtmlElement] | None:
    """The wordiest run of short like siblings next to the ``kept`` elements: a shop's
    product cards under its category text, a news index's teasers under its intro.

    A run is ``grid_min_items`` or more siblings of one kind (tag and first class), at
    least ``grid_min_short_share`` of them ``grid_item_min_words`` to
    ``grid_item_max_words`` words long, ``grid_min_words`` words in all.
    It must share one region with what the extractor kept: the smallest element holding
    both has at most ``grid_max_region`` times their words, so a product grid in a
    sidebar or a shipping banner carousel across the page does not count. None when no
    run qualifies or nothing was kept."""
    if not kept:
        return None
    words, _links = _word_counts(segments)
    low, high = settings.grid_item_min_words, settings.grid_item_max_words

    def qualifies(items: list[HtmlElement], _n: int) -> bool:
        short = sum(1 for item in items if low <= words[item] <= high)
        return short >= max(settings.grid_min_items, settings.grid_min_short_share * len(items))

    best, best_words = _wordiest_run(words, settings.grid_min_words, qualifies)
    if best is None:
        return None
    parent = best[0].getparent()
    region = _common_ancestor([parent, *kept], parent.getroottree().getroot())
    if words.get(region, 0) > settings.grid_max_region * (best_words + kept_words):
        return None
    return best


def item_blocks(items: list[HtmlElement], settings: CleanSettings) -> list[Block]:
    """Visible text blocks of ``items`` in document order, short all-link segments
    (menu entries, "Reply", "Share") skipped; headings and list items keep their kind."""
    blocks: list[Block] = []
    for item in items:
        for el, text, link_share in text_segments(item):
            if not _menu_entry(text, link_share, settings):
                blocks.append(_block(el, text))
    return blocks
