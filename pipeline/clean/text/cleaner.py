"""Text and Markdown captures -> kept blocks + removed spans, by a block classifier.

No HTML extractor helps with a text capture, so this works on the text alone:

1. a header of capture metadata lines (``Link:``, ``Description:``, ...) is cut;
2. the capture is split into units (headings, paragraphs, list items; hard-wrapped
   paragraphs re-joined) by :mod:`pipeline.clean.text.lines`;
3. each unit is checked against the generic boilerplate rules of
   :mod:`pipeline.clean.text.signals`, against the site's template lines and, when none of
   those fires, against the publisher-chrome vocabularies of :mod:`pipeline.clean.text.chrome`
   (review dates, disclaimers, helpline/chat/leaflet calls-to-action, promos, charity
   footers, feedback prompts: sentences that read like text);
4. each unit gets a prose score (words of sentence-like text count for it; rule hits,
   menus, titles and link lists count against it; a chrome line never counts for it, and
   no more against it than before, so a promo box between paragraphs does not split the
   text) and the main text region is the run of units with the highest total score (as
   in Body Text Extraction, Finn et al. 2001);
   further runs outside it are kept only if they hold enough prose on their own;
5. units outside the kept regions get a reason from their own rule, else from the widget
   they follow (a chat widget's greeting and option menu), else from where they sit
   (before the text: navigation; after it: footer; runs of items: link lists).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pandas as pd

from pipeline.clean.blocks import Block, Cleaned, Removal
from pipeline.clean.text.chrome import match_chrome
from pipeline.clean.text.lines import Unit, normalise_newlines, split_units, strip_markdown
from pipeline.clean.text.reasons import assign_reasons
from pipeline.clean.text.regions import extend_region, find_headings, kept_regions, unit_scores
from pipeline.clean.text.signals import is_url_only, match_rule, words
from pipeline.settings import CleanSettings

_HEADER_LINE = re.compile(
    r"^\s*(?:link|url|url source|source|canonical|description|keywords|title|author|date|"
    r"published(?: time)?|retrieved|captured|language|markdown content)\s*:",
    re.I,
)
_IMAGE_LABEL = re.compile(
    r"^\W*(?:image|photo|picture|illustration|figure)(?: credit| source)?\s*:", re.I
)
# A template key needs this many letters: shorter lines ("--", "1.") match by accident.
TEMPLATE_KEY_MIN_LETTERS = 3
# An "Image: ..." label this short is a caption; a longer one is text about an image.
IMAGE_CAPTION_MAX_WORDS = 15
# From this share of characters in link anchors a unit is links: an item or a short
# line is a link-list entry, a longer line up to ``LINK_RUN_MAX_WORDS`` a navigation run.
LINK_UNIT_DENSITY = 0.6
LINK_ITEM_MAX_WORDS = 12
LINK_RUN_MAX_WORDS = 40
_BULLET_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[*+•·▪◦‣●○■□➢➤►–-]\s+|\(?\d{1,3}[.)]\s+|>\s*)")


def template_key(line: str) -> str:
    """The normalised form of a line used to find template lines ('' if too short)."""
    text, _, _ = strip_markdown(_BULLET_PREFIX.sub("", line))
    key = " ".join(text.lower().split())
    return key if sum(c.isalpha() for c in key) >= TEMPLATE_KEY_MIN_LETTERS else ""


def site_of(url: object) -> str | None:
    """The host of ``url`` without ``www.``, lower-cased; None if there is no host."""
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        host = urlsplit(url.strip() if "//" in url else "//" + url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def find_template_lines(
    documents: pd.DataFrame, settings: CleanSettings
) -> dict[str, frozenset[str]]:
    """doc_id -> the normalised lines it shares with enough other captures of its site.

    Only text/Markdown rows take part. A line is template when it occurs in at least
    ``settings.template_min_captures`` captures of one site (host of ``url``). A capture
    whose characters are mostly template is a copy of a sibling, not a sibling, and gets
    no template lines (dedup, not cleaning, deals with copies).
    """
    result: dict[str, frozenset[str]] = {}
    per_doc: dict[str, tuple[str, list[tuple[str, int]]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for row in documents.itertuples(index=False):
        doc_id = str(row.doc_id)
        result[doc_id] = frozenset()
        content = row.content if isinstance(row.content, str) else ""
        if getattr(row, "format", "text") not in ("text", "markdown"):
            continue
        site = site_of(getattr(row, "url", None))
        if site is None:  # no site, no siblings: nothing to count
            continue
        lines = [
            (template_key(line), len(line.strip()))
            for line in normalise_newlines(content).split("\n")
            if line.strip()
        ]
        per_doc[doc_id] = (site, lines)
        site_counts = counts.setdefault(site, {})
        for key in {k for k, _ in lines if k}:
            site_counts[key] = site_counts.get(key, 0) + 1
    for doc_id, (site, lines) in per_doc.items():
        site_counts = counts[site]
        common = {k for k, _ in lines if k and site_counts[k] >= settings.template_min_captures}
        total = sum(n for _, n in lines) or 1
        shared = sum(n for k, n in lines if k in common)
        if common and shared / total <= settings.template_max_share:
            result[doc_id] = frozenset(common)
    return result


def _split_metadata_header(text: str) -> tuple[str, list[Removal]]:
    """Cut the leading block of ``Key: value`` capture-metadata lines."""
    lines = text.split("\n")
    removed: list[Removal] = []
    i = 0
    while i < len(lines) and (not lines[i].strip() or _HEADER_LINE.match(lines[i])):
        if lines[i].strip():
            removed.append(Removal(lines[i].strip(), "metadata", "metadata_header"))
        i += 1
    if not removed:
        return text, []
    return "\n".join(lines[i:]), removed


def _verdict(
    unit: Unit, settings: CleanSettings, template: frozenset[str]
) -> tuple[tuple[str, str] | None, bool]:
    """The unit's own boilerplate reason and rule (None if nothing fires), and whether
    it is publisher chrome (:mod:`pipeline.clean.text.chrome`, tried after every other rule)."""
    if not unit.text:
        return (("image", "image_line") if unit.images else None), False
    hit = match_rule(unit.text, settings.widget_words_scale)
    if hit:
        return hit, False
    n_words = len(words(unit.text))
    if _IMAGE_LABEL.match(unit.text) and n_words <= IMAGE_CAPTION_MAX_WORDS:
        return ("image", "image_caption"), False
    if is_url_only(unit.text):
        return ("metadata", "bare_url"), False
    links = unit.link_density >= LINK_UNIT_DENSITY
    if links and (unit.kind == "item" or n_words <= LINK_ITEM_MAX_WORDS):
        return ("link_list", "link_item"), False
    if links and unit.text.count(" ") > 0 and n_words <= LINK_RUN_MAX_WORDS:
        return ("navigation", "link_run"), False
    keys = [template_key(line) for line in unit.raw_lines]
    if template and any(keys) and all(k in template for k in keys if k):
        return ("template", "site_template"), False
    chrome = match_chrome(unit.text, settings)
    return chrome, chrome is not None


def clean_text_capture(
    text: str, fmt: str, settings: CleanSettings, template_lines: frozenset[str]
) -> Cleaned:
    """Clean one decoded text or Markdown capture: kept blocks and every removed span.

    ``fmt`` is ``"text"`` or ``"markdown"`` (both may hold Markdown syntax: text dumps of
    web pages often do); ``template_lines`` come from :func:`find_template_lines`.
    Raises ValueError for another format or non-text content.
    """
    if fmt not in ("text", "markdown"):
        raise ValueError(f"clean_text_capture handles text or markdown, not {fmt!r}")
    if not isinstance(text, str):
        raise ValueError(f"capture content must be text, got {type(text).__name__}")
    body, removed = _split_metadata_header(normalise_newlines(text))
    units, link_defs = split_units(body, settings.max_wrap_width)
    removed += [Removal(line, "link_list", "link_definition") for line in link_defs]
    judged = [_verdict(u, settings, template_lines) for u in units]
    verdicts = [verdict for verdict, _ in judged]
    chrome = [is_chrome for _, is_chrome in judged]
    # Chrome lines are found among text: headings are found as if they were text too.
    heading_like = find_headings(
        units, [None if c else v for v, c in zip(verdicts, chrome, strict=True)], settings
    )
    scores = unit_scores(units, verdicts, heading_like, settings, chrome)
    kept = [False] * len(units)
    regions = kept_regions(scores, settings.min_secondary_words)
    for span in regions:
        extend_region(units, verdicts, heading_like, kept, span)
    flags: list[str] = []
    if not regions and units:
        flags.append("no_main_text")
        kept = [v is None and bool(u.text) for u, v in zip(units, verdicts, strict=True)]
    reasons = assign_reasons(units, verdicts, heading_like, kept)
    blocks: list[Block] = []
    seen: set[str] = set()
    for i, unit in enumerate(units):
        key = " ".join(unit.text.lower().split())
        if kept[i] and len(words(key)) >= settings.prose_min_words and key in seen:
            kept[i], reasons[i] = False, ("repeated_text", "repeated_block")
        seen.add(key)
        if kept[i]:
            kind = "heading" if heading_like[i] else unit.kind
            blocks.append(Block(kind, unit.text))  # type: ignore[arg-type]
            removed += [Removal(img, "image", "inline_image") for img in unit.images]
        elif reasons[i] is not None:
            reason, rule = reasons[i]  # type: ignore[misc]
            removed.append(Removal(unit.raw, reason, rule))
    return Cleaned(blocks=blocks, removed=removed, flags=flags)
