"""Text and Markdown captures -> kept blocks + removed spans, by a block classifier.

No HTML extractor helps with a text capture, so this works on the text alone:

1. a header of capture metadata lines (``Link:``, ``Description:``, ...) is cut;
2. the capture is split into units (headings, paragraphs, list items; hard-wrapped
   paragraphs re-joined) by :mod:`pipeline.text_lines`;
3. each unit is checked against the generic boilerplate rules of
   :mod:`pipeline.text_signals` and against the site's template lines;
4. each unit gets a prose score (words of sentence-like text count for it; rule hits,
   menus, titles and link lists count against it) and the main text region is the run of
   units with the highest total score (as in Body Text Extraction, Finn et al. 2001);
   further runs outside it are kept only if they hold enough prose on their own;
5. units outside the kept regions get a reason from their own rule, else from the widget
   they follow (a chat widget's greeting and option menu), else from where they sit
   (before the text: navigation; after it: footer; runs of items: link lists).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pandas as pd

from pipeline.blocks import Block, Cleaned, Removal
from pipeline.clean_rules import is_list_intro, last_sentence
from pipeline.settings import CleanSettings
from pipeline.text_lines import Unit, normalise_newlines, split_units, strip_markdown
from pipeline.text_signals import (
    WIDGET_REASONS,
    ends_sentence,
    is_url_only,
    match_rule,
    stopword_share,
    title_case_share,
    words,
)

_HEADER_LINE = re.compile(
    r"^\s*(?:link|url|url source|source|canonical|description|keywords|title|author|date|"
    r"published(?: time)?|retrieved|captured|language|markdown content)\s*:",
    re.I,
)
_IMAGE_LABEL = re.compile(
    r"^\W*(?:image|photo|picture|illustration|figure)(?: credit| source)?\s*:", re.I
)
_BULLET_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[*+•·▪◦‣●○■□➢➤►–-]\s+|\(?\d{1,3}[.)]\s+|>\s*)")
# Reasons that spill over onto whole blocks after them (a chat widget's blurb and menu);
# the other widget reasons spill only onto button-sized lines.
_SPILL_ANY = frozenset({"chat_widget"})
_SPILL_ITEMS = frozenset({"chat_widget", "share_buttons"})
_BUTTON_WORDS = 4
# Lines that may sit between a title and its text (byline, date, picture).
_TITLE_COMPANIONS = frozenset({"metadata", "image"})
# Rule names given by place or neighbourhood, not by the unit's own wording.
_CONTEXT_RULES = ("before_text", "after_text", "item_run", "menu_run", "follows_", "heads_")
_CHAT_LEAD_WORDS = 12
# "Weight: 32 kg", "Dose: 5 mg twice a day": a fact list item, whatever its length.
_LABELLED_VALUE = re.compile(r"^[\w(][\w ()/&'’-]{0,40}:\s*\S")


def template_key(line: str) -> str:
    """The normalised form of a line used to find template lines ('' if too short)."""
    text, _, _ = strip_markdown(_BULLET_PREFIX.sub("", line))
    key = " ".join(text.lower().split())
    return key if sum(c.isalpha() for c in key) >= 3 else ""


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
    per_doc: dict[str, tuple[str | None, list[tuple[str, int]]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for row in documents.itertuples(index=False):
        doc_id = str(row.doc_id)
        result[doc_id] = frozenset()
        content = row.content if isinstance(row.content, str) else ""
        if getattr(row, "format", "text") not in ("text", "markdown"):
            continue
        site = site_of(getattr(row, "url", None))
        lines = [
            (template_key(line), len(line.strip()))
            for line in normalise_newlines(content).split("\n")
            if line.strip()
        ]
        per_doc[doc_id] = (site, lines)
        if site is None:
            continue
        site_counts = counts.setdefault(site, {})
        for key in {k for k, _ in lines if k}:
            site_counts[key] = site_counts.get(key, 0) + 1
    for doc_id, (site, lines) in per_doc.items():
        if site is None:
            continue
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
) -> tuple[str, str] | None:
    """The unit's own boilerplate reason and rule, or None if nothing fires."""
    if not unit.text:
        return ("image", "image_line") if unit.images else None
    hit = match_rule(unit.text, settings.widget_words_scale)
    if hit:
        return hit
    n_words = len(words(unit.text))
    if _IMAGE_LABEL.match(unit.text) and n_words <= 15:
        return "image", "image_caption"
    if is_url_only(unit.text):
        return "metadata", "bare_url"
    if unit.link_density >= 0.6 and (unit.kind == "item" or n_words <= 12):
        return "link_list", "link_item"
    if unit.link_density >= 0.6 and unit.text.count(" ") > 0 and n_words <= 40:
        return "navigation", "link_run"
    keys = [template_key(line) for line in unit.raw_lines]
    if template and any(keys) and all(k in template for k in keys if k):
        return "template", "site_template"
    return None


def _looks_like_heading(unit: Unit, following: Unit | None, settings: CleanSettings) -> bool:
    """A plain-text line that is a heading: short, unpunctuated, followed by text."""
    text = unit.text
    if unit.kind != "paragraph" or len(unit.raw_lines) != 1 or following is None:
        return False
    if not (text[:1].isupper() or text[:1].isdigit()):
        return False
    if following.kind == "heading" or (
        following.kind == "paragraph" and len(words(following.text)) < settings.prose_min_words
    ):
        return False
    n = len(words(text))
    return (
        1 <= n <= settings.heading_max_words
        and not re.search(r"[.,;:!…]\s*$", text)
        and not is_list_intro(text)
    )


def _is_truncated(text: str) -> bool:
    """A title cut short with an ellipsis: the mark of a teaser link."""
    return text.rstrip().endswith(("...", "…"))


def _furniture_cost(n_words: int) -> float:
    """What a menu line, title or label costs the region around it: its words count against."""
    return min(10.0, 2.0 + n_words)


def _prose_score(unit: Unit, introduced: bool, settings: CleanSettings) -> float:
    """How much the unit reads like running text (positive) or like furniture (negative).

    ``introduced``: the unit is a list item whose list a sentence announced ("...include:");
    such items never count against the text around them.
    """
    tokens = words(unit.text)
    n = len(tokens)
    titled = title_case_share(tokens) > 0.7 and not ends_sentence(unit.text)
    links = unit.link_density >= 0.5 or _is_truncated(unit.text)
    if unit.kind == "item":
        sentence_like = n >= 4 and stopword_share(tokens) >= 0.2 and not titled and not links
        if introduced or (_LABELLED_VALUE.match(unit.text) and not links):
            return 0.5 * n if sentence_like else 0.0
        if sentence_like and n >= settings.prose_min_words and ends_sentence(unit.text):
            return 0.5 * n
        return -_furniture_cost(n)
    sentence_like = ends_sentence(unit.text) or stopword_share(tokens) >= 0.3
    if n >= settings.prose_min_words and sentence_like and not titled and not links:
        return n * (1.0 - unit.link_density)
    return -_furniture_cost(n)


def _unit_scores(
    units: list[Unit], verdicts: list, heading_like: list[bool], settings: CleanSettings
) -> list[float]:
    """Prose score of every unit: rule hits strongly negative, headings slightly."""
    scores: list[float] = []
    introduced = False
    for unit, verdict, heading in zip(units, verdicts, heading_like, strict=True):
        if unit.kind != "item":
            introduced = unit.kind == "paragraph" and is_list_intro(last_sentence(unit.text))
        if verdict:
            scores.append(-max(10.0, len(words(unit.text))))
        elif heading:
            scores.append(-1.0)
        else:
            scores.append(_prose_score(unit, introduced and unit.kind == "item", settings))
    return scores


def _best_run(scores: list[float], lo: int, hi: int) -> tuple[int, int, float]:
    """``(start, end, total)`` of the contiguous run in ``scores[lo:hi]`` with top total."""
    best = (lo, lo, 0.0)
    start, total = lo, 0.0
    for i in range(lo, hi):
        if total <= 0:
            start, total = i, 0.0
        total += scores[i]
        if total > best[2]:
            best = (start, i + 1, total)
    return best


def _kept_regions(scores: list[float], min_secondary: float) -> list[tuple[int, int]]:
    """The main region plus any other region scoring at least ``min_secondary``."""
    start, end, total = _best_run(scores, 0, len(scores))
    if total <= 0:
        return []
    regions = [(start, end)]
    todo = [(0, start), (end, len(scores))]
    while todo:
        lo, hi = todo.pop()
        if hi - lo <= 0:
            continue
        s, e, t = _best_run(scores, lo, hi)
        if t >= min_secondary:
            regions.append((s, e))
            todo.extend([(lo, s), (e, hi)])
    return sorted(regions)


def _extend_region(
    units: list[Unit],
    verdicts: list,
    heading_like: list[bool],
    kept: list[bool],
    span: tuple[int, int],
) -> None:
    """Mark the region ``span`` kept, plus headings just before it and list items after it."""
    start, end = span
    for i in range(start, end):
        kept[i] = verdicts[i] is None
    i = start - 1
    while i >= 0 and (heading_like[i] or (verdicts[i] and verdicts[i][0] in _TITLE_COMPANIONS)):
        kept[i] = verdicts[i] is None
        i -= 1
    last = end - 1
    if units[last].kind == "item" or is_list_intro(last_sentence(units[last].text)):
        i = end
        while i < len(units) and units[i].kind == "item" and verdicts[i] is None:
            kept[i] = True
            i += 1


def _reason_for_dropped(
    units: list[Unit], reasons: list, kept: list[bool], i: int, before: bool
) -> tuple[str, str]:
    """Reason of a unit outside the kept text that no rule named: from context or place."""
    unit = units[i]
    j = i - 1
    while j >= 0 and not kept[j] and reasons[j] is None and units[j].kind != "heading":
        j -= 1
    previous = reasons[j] if j >= 0 and not kept[j] and units[j].kind != "heading" else None
    if previous:
        spill = _SPILL_ITEMS if unit.kind == "item" else _SPILL_ANY
        small = len(words(unit.text)) <= _BUTTON_WORDS and unit.kind != "item"
        if previous[0] in spill or (small and previous[0] in WIDGET_REASONS):
            return previous[0], "follows_" + previous[0]
    if unit.kind == "item":
        run = [u for u in units[max(0, i - 8): i + 9] if u.kind == "item"]
        mean_words = sum(len(words(u.text)) for u in run) / max(1, len(run))
        return ("link_list", "item_run") if mean_words >= 3 else ("navigation", "menu_run")
    return ("navigation", "before_text") if before else ("footer", "after_text")


def _find_headings(units: list[Unit], verdicts: list, settings: CleanSettings) -> list[bool]:
    """Which units are headings: Markdown ones, and plain lines that look like one.

    A plain line counts only when the next unit is a list item or a paragraph of prose
    length, not another short line (runs of short lines are menus and forms).
    """
    heading_like = [u.kind == "heading" for u in units]
    for i in range(len(units) - 2, -1, -1):
        if (
            not heading_like[i]
            and verdicts[i] is None
            and verdicts[i + 1] is None
            and not heading_like[i + 1]
            and _looks_like_heading(units[i], units[i + 1], settings)
        ):
            heading_like[i] = True
    return heading_like


def _by_context(rule: str) -> bool:
    return rule.startswith(_CONTEXT_RULES)


def _absorb_chat_widget(units: list[Unit], reasons: list, kept: list[bool]) -> None:
    """After the text, a chat widget takes its greeting before it and its menu after it."""
    last_kept = max((i for i, k in enumerate(kept) if k), default=-1)
    tail = range(last_kept + 1, len(units))
    first_chat = next(
        (
            i
            for i in tail
            if reasons[i] and reasons[i][0] == "chat_widget" and not _by_context(reasons[i][1])
        ),
        None,
    )
    if first_chat is None:
        return
    for i in range(first_chat + 1, len(units)):
        if reasons[i] and (_by_context(reasons[i][1]) or units[i].kind == "item"):
            reasons[i] = ("chat_widget", "in_chat_widget")
    i = first_chat - 1
    while i > last_kept and reasons[i] and _by_context(reasons[i][1]) and (
        len(words(units[i].text)) <= _CHAT_LEAD_WORDS
    ):
        reasons[i] = ("chat_widget", "in_chat_widget")
        i -= 1


def _assign_reasons(
    units: list[Unit], verdicts: list, heading_like: list[bool], kept: list[bool]
) -> list[tuple[str, str] | None]:
    """A reason for every unit not kept (own rule, widget it follows, or place)."""
    first = next((i for i, k in enumerate(kept) if k), len(units))
    reasons: list[tuple[str, str] | None] = list(verdicts)
    for i, unit in enumerate(units):
        prev = reasons[i - 1] if i > 0 and not kept[i - 1] else None
        button = len(words(unit.text)) <= _BUTTON_WORDS and not ends_sentence(unit.text)
        if prev and prev[0] in WIDGET_REASONS and button and not heading_like[i] and (
            kept[i] or (reasons[i] and reasons[i][1] in ("link_item", "link_run"))
        ):
            kept[i], reasons[i] = False, (prev[0], "follows_" + prev[0])
        if not kept[i] and reasons[i] is None and unit.kind != "heading" and unit.text:
            reasons[i] = _reason_for_dropped(units, reasons, kept, i, before=i < first)
    for i in range(len(units) - 1, -1, -1):
        if not kept[i] and reasons[i] is None and units[i].kind == "heading":
            nxt = reasons[i + 1] if i + 1 < len(units) and not kept[i + 1] else None
            reasons[i] = (nxt[0], "heads_" + nxt[0]) if nxt else (
                ("navigation", "before_text") if i < first else ("footer", "after_text")
            )
    _absorb_chat_widget(units, reasons, kept)
    return reasons


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
    verdicts = [_verdict(u, settings, template_lines) for u in units]
    heading_like = _find_headings(units, verdicts, settings)
    scores = _unit_scores(units, verdicts, heading_like, settings)
    kept = [False] * len(units)
    regions = _kept_regions(scores, settings.min_secondary_words)
    for span in regions:
        _extend_region(units, verdicts, heading_like, kept, span)
    flags: list[str] = []
    if not regions and units:
        flags.append("no_main_text")
        kept = [v is None and bool(u.text) for u, v in zip(units, verdicts, strict=True)]
    reasons = _assign_reasons(units, verdicts, heading_like, kept)
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
