"""Direction evidence for partial copies: which page the shared passage belongs to.

A partial copy is a passage lifted from one page and set into another page's own text.
Both pages then hold the passage plus text of their own, so containment alone is a
coin toss when the passage is about half of each. These signals read how the passage
sits in each page, and hold for real copied pages:

- attribution: the copy credits another page for the text, outside the passage
  ("Originally published at ...", "The post ... appeared first on ...", "Read more at
  ...", "Reprinted with permission");
- opening mid-discourse: one page opens with the passage, whose first sentence starts
  with a connective or anaphor ("However", "This", "They") whose referent that page
  does not carry, while the other page has text before it;
- continuation: the original's own text is the rest of the same article, so it keeps
  the passage's vocabulary (names, terms, numbers); the copy's own text was written by
  someone else, or lifted from elsewhere, and shares less of it (lexical cohesion, as
  in Hearst's TextTiling: a seam between two texts is where word overlap drops).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from pipeline.dedup.span_align import Alignment, DocView
from pipeline.text.arrays import unique_sorted

# Sentence openers that refer back to text before them (connectives and anaphors). Not
# "This", "It", "That", "He", "Another": real articles open with those ("This week ...").
_OPENERS_TEXT = """
    however but also moreover furthermore additionally besides therefore thus hence
    consequently nevertheless nonetheless similarly likewise meanwhile instead otherwise
    secondly thirdly finally these those they their them such
"""
DANGLING_OPENERS = frozenset(_OPENERS_TEXT.split())
# Word sequences that credit another page for the whole text ("The post ... appeared
# first on ...", "Originally published at ...", "Read more at ..."). Not "Source:" or
# "Via": originals credit their charts and photos that way ("Source: Bureau of Labor
# Statistics"); not "first appeared in" (said of anything: "cameras first appeared in").
_ATTRIBUTION = re.compile(
    "|".join(
        f" {re.escape(p)} "
        for p in (
            "originally published at",
            "originally published on the",
            "originally appeared on",
            "originally appeared at",
            "appeared first on",
            "article first appeared on",
            "article first appeared in",
            "republished with permission",
            "reprinted with permission",
            "reproduced with permission",
            "republished from",
            "read more at",
            "read the full article at",
            "read the full article on",
            "read the full story at",
            "read the full story on",
            "read the original article",
            "continue reading at",
            "continue reading on",
        )
    )
)
# A credit is a line of its own, not a clause of a body sentence.
_CREDIT_MAX_WORDS = 20


@dataclass(frozen=True)
class Placement:
    """How the shared passage sits in one page."""

    first: int  # first sentence of the passage
    last: int  # last sentence of the passage
    content_before: bool  # the page has content sentences before the passage
    own_words: int  # content words of the page outside the passage
    continuation: float  # share of those words that occur in the passage
    attribution: str  # a credit line outside the passage ("" when none)


def _words(view: DocView, sentence: int, cased: bool = False) -> list[str]:
    start, end = view.sentences[sentence]
    words = [view.words[w] for w in view.ids[start:end]]
    if cased:  # capitals as written (the views keep words case-folded, with a flag)
        caps = view.cap[start:end]
        words = [w[:1].upper() + w[1:] if c else w for w, c in zip(words, caps, strict=True)]
    return words


def _credit_lines(view: DocView) -> list[tuple[int, str]]:
    """The page's credit lines: short sentences crediting another page for the text
    (sentence, words as written), found once per page."""
    found = view.memo.get("credit_lines")
    if found is None:
        found = [
            (k, " ".join(_words(view, k, cased=True)))
            for k, (start, end) in enumerate(view.sentences)
            if end - start <= _CREDIT_MAX_WORDS
            and _ATTRIBUTION.search(f" {' '.join(_words(view, k))} ") is not None
        ]
        view.memo["credit_lines"] = found
    return found  # type: ignore[return-value]


def placement(view: DocView, rows: list[int]) -> Placement:
    """Where the aligned sentences ``rows`` (sorted) sit in ``view``, and how the rest
    of the page relates to them."""
    first, last = rows[0], rows[-1]
    ids, stop, sentence = view.id_array, view.stop_array, view.word_sentence
    lo, hi = view.sentences[first][0], view.sentences[last][1]
    shared = unique_sorted(ids[lo:hi][~stop[lo:hi]])
    outside = (sentence < first) | (sentence > last)
    own_ids = ids[outside & view.content[sentence] & ~stop]
    own = len(own_ids)
    hits = int(np.isin(own_ids, shared).sum())
    attribution = next((line for k, line in _credit_lines(view) if not first <= k <= last), "")
    content_before = bool(view.content[:first].any())
    return Placement(first, last, content_before, own, hits / own if own else 0.0, attribution)


def placements(align: Alignment) -> tuple[Placement, Placement] | None:
    """The passage's placement in a and in b (None when nothing aligned)."""
    if align.a is None or align.b is None or not align.pairs:
        return None
    rows_a = [i for i, _, _ in align.pairs]
    rows_b = [j for _, j, _ in align.pairs]
    return placement(align.a, rows_a), placement(align.b, rows_b)


def opener(view: DocView, place: Placement) -> str:
    """The passage's first word when it refers back to text before it, else ''."""
    words = _words(view, place.first)
    return words[0] if words and words[0] in DANGLING_OPENERS else ""
