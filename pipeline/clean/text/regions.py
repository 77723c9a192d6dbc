"""Where the text of a text capture is: headings, prose scores and the main text region.

Every unit gets a prose score: the words of sentence-like text count for it; rule hits,
menu lines, titles, truncated teasers and link lists count against it. The main text
region is the run of units with the highest total (the idea of Body Text Extraction,
Finn, Kushmerick & Smyth 2001, on lines instead of tags); other runs are kept only when
they hold enough prose on their own.
"""

from __future__ import annotations

import re

from pipeline.clean.rules import is_list_intro, last_sentence
from pipeline.clean.text.lines import Unit
from pipeline.clean.text.signals import ends_sentence, stopword_share, title_case_share, words
from pipeline.settings import CleanSettings

# Lines that may sit between a title and its text (byline, date, picture).
_TITLE_COMPANIONS = frozenset({"metadata", "image"})
# "Weight: 32 kg", "Dose: 5 mg twice a day": a fact list item, whatever its length.
_LABELLED_VALUE = re.compile(r"^[\w(][\w ()/&'’-]{0,40}:\s*\S")
# From this share of characters in link anchors a unit is a link, not text.
LINK_UNIT_DENSITY = 0.5
# Above this share of title-case words (and no sentence end) a unit is a title or menu.
TITLED_MIN_SHARE = 0.7
# A list item reads like a sentence from this many words with this share of stopwords.
ITEM_SENTENCE_MIN_WORDS = 4
ITEM_MIN_STOPWORD_SHARE = 0.2
# A sentence-like list item counts this share of its words (items are terse text).
ITEM_WEIGHT = 0.5
# A paragraph without a sentence end still reads as prose from this share of stopwords.
PROSE_MIN_STOPWORD_SHARE = 0.3
# Furniture costs this plus its words, up to the cap: a long menu is no worse than a short.
FURNITURE_BASE_COST = 2.0
FURNITURE_MAX_COST = 10.0
# A unit a rule removed costs its words, at least this much: it splits the text around it.
RULE_HIT_MIN_COST = 10.0
# A heading costs this little: it neither joins nor splits the text around it.
HEADING_COST = 1.0


def _looks_like_heading(unit: Unit, following: Unit | None, settings: CleanSettings) -> bool:
    """A plain-text line that is a heading: short, unpunctuated, followed by text."""
    text = unit.text
    if unit.kind != "paragraph" or len(unit.raw_lines) != 1 or following is None or unit.table_row:
        return False
    if not (text[:1].isupper() or text[:1].isdigit()):
        return False
    if following.kind == "heading":
        return False
    if following.kind == "paragraph":
        n_next = len(words(following.text))
        if n_next < settings.prose_min_words or (
            n_next <= settings.heading_max_words and not re.search(r"[.,;:!]\s*$", following.text)
        ):
            return False  # a short line follows: menus and link lists, not a section
    n = len(words(text))
    return (
        1 <= n <= settings.heading_max_words
        and not re.search(r"[.,;:!…]\s*$", text)
        and not is_list_intro(text)
    )


def find_headings(units: list[Unit], verdicts: list, settings: CleanSettings) -> list[bool]:
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


def _is_truncated(text: str) -> bool:
    """A title cut short with an ellipsis: the mark of a teaser link."""
    return text.rstrip().endswith(("...", "…"))


def _furniture_cost(n_words: int) -> float:
    """What a menu line, title or label costs the region around it: its words count against."""
    return min(FURNITURE_MAX_COST, FURNITURE_BASE_COST + n_words)


def _prose_score(unit: Unit, introduced: bool, settings: CleanSettings) -> float:
    """How much the unit reads like running text (positive) or like furniture (negative).

    ``introduced``: the unit is a list item whose list a sentence announced ("...include:");
    such items never count against the text around them; nor do rows of a data table.
    """
    tokens = words(unit.text)
    n = len(tokens)
    if unit.table_row and unit.link_density < LINK_UNIT_DENSITY:
        return 0.0
    titled = title_case_share(tokens) > TITLED_MIN_SHARE and not ends_sentence(unit.text)
    links = unit.link_density >= LINK_UNIT_DENSITY or _is_truncated(unit.text)
    if unit.kind == "item":
        sentence_like = (
            n >= ITEM_SENTENCE_MIN_WORDS
            and stopword_share(tokens) >= ITEM_MIN_STOPWORD_SHARE
            and not titled
            and not links
        )
        if introduced or (_LABELLED_VALUE.match(unit.text) and not links):
            return ITEM_WEIGHT * n if sentence_like else 0.0
        if sentence_like and n >= settings.prose_min_words and ends_sentence(unit.text):
            return ITEM_WEIGHT * n
        return -_furniture_cost(n)
    sentence_like = ends_sentence(unit.text) or stopword_share(tokens) >= PROSE_MIN_STOPWORD_SHARE
    if n >= settings.prose_min_words and sentence_like and not titled and not links:
        return n * (1.0 - unit.link_density)
    return -_furniture_cost(n)


def unit_scores(
    units: list[Unit],
    verdicts: list,
    heading_like: list[bool],
    settings: CleanSettings,
    chrome: list[bool] | None = None,
) -> list[float]:
    """Prose score of every unit: rule hits strongly negative, headings slightly.

    A ``chrome`` unit (publisher chrome, :mod:`pipeline.clean.text.chrome`) is dropped but does
    not split the text: it keeps the score it has as text or heading, capped at 0, so a
    promo box between two paragraphs leaves the paragraphs after it in the region.
    """
    scores: list[float] = []
    introduced = False
    chrome = chrome or [False] * len(units)
    for unit, verdict, heading, own_chrome in zip(
        units, verdicts, heading_like, chrome, strict=True
    ):
        if unit.kind != "item":
            introduced = unit.kind == "paragraph" and is_list_intro(last_sentence(unit.text))
        if verdict and not own_chrome:
            scores.append(-max(RULE_HIT_MIN_COST, len(words(unit.text))))
            continue
        score = (
            -HEADING_COST
            if heading
            else _prose_score(unit, introduced and unit.kind == "item", settings)
        )
        scores.append(min(0.0, score) if own_chrome else score)
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


def kept_regions(scores: list[float], min_secondary: float) -> list[tuple[int, int]]:
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


def extend_region(
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
