"""HTML side of the clean stage: our DOM rules, then main-content extraction.

1. Guards: empty pages give no blocks; oversized pages are shrunk (scripts, styles and
   comments dropped) or refused with ValueError; absurdly deep nesting is flattened.
2. ``html_rules.strip_boilerplate_elements`` cuts chat widgets, cookie notices, newsletter
   boxes, share rows, phone/WhatsApp calls to action, navigation, footers, ads, ...
3. trafilatura (fast mode) extracts the main content from what is left; when its output
   is short beside the page's remaining visible text (listings, products, forums), the
   text of the page region around what it kept is read from the same tree
   (``html_regions``, no second extractor run) and the longer result is kept.
4. Every visible text segment that did not make it into the output is recorded as a
   Removal, with a reason read from where it sat in the page.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

import lxml.html
import numpy as np
import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from pipeline.clean.blocks import Block, Cleaned, Removal
from pipeline.clean.html.block_features import PageBlocks, page_blocks
from pipeline.clean.html.block_model import block_probabilities, load_block_model, override
from pipeline.clean.html.blocks import extractor_blocks, text_segments
from pipeline.clean.html.page_kind import page_features
from pipeline.clean.html.regions import item_blocks, item_grid, region_text_blocks, repeated_items
from pipeline.clean.html.rules import strip_boilerplate_elements
from pipeline.clean.html.ui_rules import drop_ui_blocks, label_words
from pipeline.settings import CleanSettings

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

# libxml2 silently drops everything below depth 256; flatten before it gets there.
_PARSER_DEPTH_LIMIT = 250
# Flattened pages keep this many levels of room under the limit (the parser adds
# html/body wrappers of its own).
_FLATTEN_MARGIN = 5
# A dropped segment with this share of its text in links is a link list.
OUTSIDE_LINK_LIST_SHARE = 0.6
# Shorter segments ("Home", "Share") occur in any text: they do not show what was kept.
KEPT_SEGMENT_MIN_WORDS = 3
# A prose paragraph: a block of this many words with a sentence end (the recall fallback
# counts them; one before a heading means the body has started).
PROSE_BLOCK_MIN_WORDS = 20
# A title found inside a heading must make up this share of the heading's characters.
TITLE_MIN_HEADING_SHARE = 0.6
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>")
_VOID = frozenset(
    (
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    )
)
_BULKY = re.compile(r"<(script|style|svg|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?]")
# Comments and processing instructions dropped at parse time: text after a comment would
# otherwise sit in the comment's tail, which the extractor loses (React's "<!-- -->").
_PARSER = lxml.html.HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
)
_BYTES_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    remove_comments=True,
    remove_pis=True,
    encoding="utf-8",
)
# Every element an HtmlElement, chosen in C: lxml.html's default lookup calls back into
# Python for each element proxy (to make form/input classes nobody here uses), which
# costs our DOM rules and the extractor alike.
for _parser in (_PARSER, _BYTES_PARSER):
    _parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
_CONTEXT_REASONS = {
    "nav": "navigation",
    "header": "navigation",
    "footer": "footer",
    "aside": "related_links",
    "form": "form",
    "figure": "caption",
    "figcaption": "caption",
}


def flatten_deep_html(html: str, max_depth: int) -> str:
    """Drop the tags (not the text) of elements nested deeper than ``max_depth``."""
    out: list[str] = []
    depth = 0
    pos = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        out.append(html[pos : match.start()])
        pos = match.end()
        if name in _VOID or self_closing:
            keep = depth < max_depth
        elif closing:
            keep = depth <= max_depth
            depth = max(0, depth - 1)
        else:
            depth += 1
            keep = depth <= max_depth
        out.append(match.group(0) if keep else " ")
    out.append(html[pos:])
    return "".join(out)


def _too_deep(root: HtmlElement, depth: int) -> bool:
    return bool(root.xpath("/*" + "/*" * (depth - 1)))


def parse_html(html: str, settings: CleanSettings) -> HtmlElement | None:
    """Parse a page into an lxml tree, shrinking or flattening it when needed.

    Returns None for a page without any element. Raises ValueError for a page still
    larger than ``settings.max_html_chars`` after scripts, styles and comments are cut.
    """
    if len(html) > settings.max_html_chars:
        html = _BULKY.sub(" ", html)
        if len(html) > settings.max_html_chars:
            raise ValueError(
                f"HTML page too large to clean: {len(html):,} characters of markup after "
                f"dropping scripts and styles (limit max_html_chars={settings.max_html_chars:,})"
            )
    html = html.replace("\x00", "")
    limit = min(settings.max_html_depth, _PARSER_DEPTH_LIMIT)
    try:
        root = _document(html)
        if _too_deep(root, limit):
            root = _document(flatten_deep_html(html, limit - _FLATTEN_MARGIN))
    except (etree.ParserError, ValueError):
        return None
    return root


def _document(html: str) -> HtmlElement:
    """Parse with comments dropped; a string declaring its own encoding is parsed as UTF-8."""
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported"
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_BYTES_PARSER)


def _segment_reason(el: etree._Element, link_share: float) -> tuple[str, str]:
    """Why a visible segment the extractor dropped is boilerplate, from its context."""
    for anc in [el, *el.iterancestors()]:
        reason = _CONTEXT_REASONS.get(anc.tag if isinstance(anc.tag, str) else "")
        if reason:
            return reason, f"outside_main_content_{anc.tag}"
    if link_share >= OUTSIDE_LINK_LIST_SHARE:
        return "link_list", "outside_main_content_links"
    return "outside_main_content", "outside_main_content"


def _extract(root: HtmlElement, url: str | None, **options) -> list[Block]:
    try:
        doc = trafilatura.bare_extraction(
            root, url=url, include_comments=False, include_tables=True, **options
        )
    except (ValueError, TypeError, RecursionError, etree.LxmlError):
        return []
    return extractor_blocks(getattr(doc, "body", None) if doc is not None else None)


def extend_to_repeated_items(
    blocks: list[Block], segments: list, settings: CleanSettings
) -> list[Block]:
    """The whole thread or listing when the extractor kept only part of it: the page's
    wordiest run of like siblings (``html_regions.repeated_items``) replaces ``blocks``
    when it holds ``repeat_min_cover`` of their words and ``repeat_min_growth`` times as
    many. A run elsewhere on the page (comments under an article, a product grid beside
    a category text) does not hold the extractor's words and changes nothing."""
    have = Counter(_WORD.findall(" ".join(b.text for b in blocks).lower()))
    n_have = sum(have.values())
    min_words = settings.repeat_min_growth * n_have
    if sum(len(text.split()) for _, text, _ in segments) < min_words:
        return blocks  # the page is too short to hold such a run: skip the search
    items = repeated_items(segments, min_words, settings)
    if items is None:
        return blocks
    found = item_blocks(items, settings)
    got = Counter(_WORD.findall(" ".join(b.text for b in found).lower()))
    if sum((have & got).values()) < settings.repeat_min_cover * n_have:
        return blocks
    return found


def add_item_grid(blocks: list[Block], segments: list, settings: CleanSettings) -> list[Block]:
    """A shop's product cards or an index's teasers after the short text the extractor
    kept (``html_regions.item_grid``); ``blocks`` unchanged when the output is long
    (``grid_max_extracted_words``) or no grid shares its region. Card lines already in
    the output are not repeated."""
    n_have = _words(b.text for b in blocks)
    if n_have >= settings.grid_max_extracted_words:
        return blocks
    items = item_grid(segments, _kept_elements(segments, blocks), n_have, settings)
    if items is None:
        return blocks
    have = {" ".join(b.text.split()) for b in blocks}
    cards = item_blocks(items, settings)
    return blocks + [b for b in cards if " ".join(b.text.split()) not in have]


def _kept_elements(segments: list, blocks: list[Block]) -> list[HtmlElement]:
    """Elements of the page segments (of at least 3 words) that the extractor kept."""
    kept = "\n".join(" ".join(b.text.split()) for b in blocks)
    return [
        el
        for el, text, _ in segments
        if len(text.split()) >= KEPT_SEGMENT_MIN_WORDS and text in kept
    ]


def _words(texts) -> int:
    return sum(len(_WORD.findall(t)) for t in texts)


def _prose_words(blocks: list[Block]) -> int:
    """Words in prose paragraphs: blocks of 20+ words with a sentence end."""
    counts = (len(_WORD.findall(b.text)) for b in blocks if _SENTENCE_END.search(b.text))
    return sum(n for n in counts if n >= PROSE_BLOCK_MIN_WORDS)


def _needs_recall(blocks: list[Block], page_words: int, settings: CleanSettings) -> bool:
    """The extractor kept little of the page and no article-sized prose (a listing, a shop)."""
    return (
        _words(b.text for b in blocks) < settings.recall_fallback_ratio * page_words
        and _prose_words(blocks) < settings.recall_fallback_max_prose_words
    )


_PAGE_KIND = etree.XPath(
    "//meta[@property='og:type']/@content | //script[@type='application/ld+json']/text()"
)
_ARTICLE_KIND = re.compile(
    r'^\s*article\s*$|"@type"\s*:\s*"(?:\w*Article|BlogPosting|Report)"', re.IGNORECASE
)


def declares_article(root: HtmlElement) -> bool:
    """The page calls itself an article: og:type ``article`` or a schema.org ``Article``
    (NewsArticle, BlogPosting, ...) in its JSON-LD."""
    return any(_ARTICLE_KIND.search(str(value)) for value in _PAGE_KIND(root))


_TITLE_META = etree.XPath(
    "//head/title/text() | //meta[@property='og:title' or @name='twitter:title']/@content"
)


def _page_titles(root: HtmlElement) -> list[str]:
    """The page's own titles (``<title>``, og:title, twitter:title), as lowercase words."""
    return [t for t in (label_words(str(x)) for x in _TITLE_META(root)) if t]


def drop_title_heading(
    blocks: list[Block], titles: list[str], settings: CleanSettings
) -> tuple[list[Block], list[Removal]]:
    """Drop the heading that repeats the page title: the title is metadata (documents'
    ``title``), not body text. Only a heading before the first prose paragraph counts,
    of at least ``title_heading_min_words`` words, that is part of a title ("Plague in
    China" in "Plague in China | Smart News") or holds a whole one."""
    for i, block in enumerate(blocks):
        if block.kind != "heading":
            if len(block.text.split()) >= PROSE_BLOCK_MIN_WORDS:
                break  # the body has started
            continue
        words = label_words(block.text)
        if len(words.split()) < settings.title_heading_min_words:
            continue
        if any(
            words in t or (t in words and len(t) >= TITLE_MIN_HEADING_SHARE * len(words))
            for t in titles
        ):
            return blocks[:i] + blocks[i + 1 :], [Removal(block.text, "metadata", "title_heading")]
    return blocks, []


def clean_html(html: str, url: str | None, settings: CleanSettings) -> Cleaned:
    """Main content of one decoded HTML page as Blocks, with every removed span recorded.

    Empty or content-free pages give a Cleaned without blocks. Raises ValueError (with a
    clear message) only for pages too large to clean. With ``block_model = "override"``
    the learned block model (``html.block_model``) changes the rules' confident mistakes.
    """
    learned = settings.block_model == "override"
    return _clean(html, url, settings, learned, learned)[0]


def page_inputs(
    html: str, url: str | None, settings: CleanSettings
) -> tuple[Cleaned, PageBlocks | None, np.ndarray | None]:
    """The rules' clean of a page (no model) and what the block model would see of it:
    its blocks' rows and its page-type row (None for a page without visible text).
    ``benchmarks/train_block_model.py`` fits the model on these."""
    return _clean(html, url, settings, True, False)


def _clean(
    html: str, url: str | None, settings: CleanSettings, describe: bool, apply_model: bool
) -> tuple[Cleaned, PageBlocks | None, np.ndarray | None]:
    if not html or not html.strip():
        return Cleaned(), None, None
    root = parse_html(html, settings)
    if root is None:
        return Cleaned(), None, None
    article = declares_article(root)
    body = root.find("body")
    base = body if body is not None else root
    before = list(text_segments(base)) if describe else []  # the DOM rules cut the tree
    removed = strip_boilerplate_elements(root, settings)
    segments = list(text_segments(base))
    if not segments:
        return Cleaned(removed=removed), None, None
    blocks = _extract(root, url, fast=True)
    if _needs_recall(blocks, _words(s[1] for s in segments), settings):
        recall = None
        if settings.recall_from_dom:
            recall = region_text_blocks(base, _kept_elements(segments, blocks), settings)
        if recall is None:
            recall = _extract(root, url, fast=False)
        if _words(b.text for b in recall) > _words(b.text for b in blocks):
            blocks = recall
    grown = extend_to_repeated_items(blocks, segments, settings)
    if grown is blocks and not article:  # an article's teaser lists are related links
        grown = add_item_grid(blocks, segments, settings)
    blocks = grown
    described: PageBlocks | None = None
    page_x: np.ndarray | None = None
    cut: set[str] = set()
    titles = _page_titles(root)
    if describe:
        title_words = {w for t in titles for w in t.split()}
        described = page_blocks(before, root, removed, blocks, article, title_words, settings)
        visible = " ".join(s[1] for s in before)
        page_x = page_features(root, url, visible, described.page)
        if apply_model and len(described.texts):
            probs = block_probabilities(load_block_model(), described, page_x)
            blocks, by_model, cut = override(
                blocks,
                described,
                probs,
                settings.block_model_cut_below,
                settings.block_model_add_above,
            )
            removed += by_model
    kept = "\n".join(" ".join(b.text.split()) for b in blocks)
    for el, text, link_share in segments:
        if text not in kept and text not in cut:
            reason, rule = _segment_reason(el, link_share)
            removed.append(Removal(text, reason, rule))
    blocks, labels = drop_ui_blocks(blocks, settings)
    blocks, title = drop_title_heading(blocks, titles, settings)
    return Cleaned(blocks=blocks, removed=removed + labels + title), described, page_x
