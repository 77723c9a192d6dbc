"""Which of two related documents is the original, and why (a sentence for people).

Evidence, first that tells decides. Same-document pairs (near duplicates, spun copies):
1. wording: where the two differ word for word, the original uses the common, standard
   words (spinners swap in rarer synonyms and garble names); word frequencies come from
   the ``wordfreq`` package (ships its data, works offline); tortured-phrase lexicon hits;
2. containment: the copy carries the original plus extras.
Partial copies (``dedup_partial`` reads how the shared passage sits in each page):
1. attribution: the copy credits another page for the text ("Originally published at");
2. containment, when one page carries the whole of the other;
3. opening mid-discourse: the copy opens with the passage, whose first word refers back
   ("However", "These") to text that only the other page carries;
4. continuation: the original's own text is the rest of the same article and keeps the
   passage's vocabulary; the copy's own text shares less of it;
5. containment by a smaller margin, then wording.
Then, for all: provenance (higher trust tier, then the earlier date: ``updated``, else
``retrieved``); otherwise a fixed rule: the smaller ``doc_id`` is called the original.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from wordfreq import get_frequency_dict, word_frequency

from pipeline.dedup.partial import opener, placements
from pipeline.dedup.span_align import Alignment
from pipeline.settings import DedupSettings
from pipeline.text.arrays import span_positions, unique_sorted

# A phrase must be this much more frequent (Zipf units) to win a substitution.
_ZIPF_MARGIN = 0.2
# Zipf frequency is log10 of occurrences per billion words (wordfreq's scale).
_ZIPF_PER_BILLION = 9
# A name is a substitution of at least this many words, this many of them capitalised.
NAME_MIN_WORDS = 2
# Garbled names quoted in the evidence.
MAX_GARBLED_NAMES = 3
# A tortured phrase weighs as much as this many substitutions won by commoner wording.
TORTURED_WEIGHT = 3
# How sure each kind of evidence makes a direction (0.5: a coin toss). Wording:
# 1 - exp(-margin / scale), .63 at a margin of 4 swaps; containment: the coverage gap
# times its scale (a gap of .5 is certain); continuation: base + scale * gap, capped.
WORDING_CONFIDENCE_SCALE = 4
CONTAINMENT_CONFIDENCE_SCALE = 2
ATTRIBUTION_CONFIDENCE = 0.8
OPENER_CONFIDENCE = 0.75
CONTINUATION_BASE_CONFIDENCE = 0.5
CONTINUATION_CONFIDENCE_SCALE = 2
CONTINUATION_MAX_CONFIDENCE = 0.9
PROVENANCE_CONFIDENCE = 0.6
BY_RULE_CONFIDENCE = 0.5


@dataclass(frozen=True)
class DocMeta:
    """Provenance of one document, as direction evidence."""

    doc_id: str
    trust: int | None
    date: str | None  # ISO date: updated, else retrieved
    tortured_hits: int


@dataclass(frozen=True)
class Direction:
    """The verdict: ``a_is_original``, a confidence in it and the sentence saying why."""

    a_is_original: bool
    confidence: float
    basis: str


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    return get_frequency_dict("en")


class WordFrequencies:
    """Inverse word frequencies (``wordfreq``) per word id of a corpus, each word looked
    up once, when first needed."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.inverse = np.full(len(words), np.nan)

    def inverse_of(self, word_ids: np.ndarray) -> np.ndarray:
        """1 / frequency of each word (inf for words wordfreq does not know)."""
        values = self.inverse[word_ids]
        missing = np.isnan(values)
        if missing.any():
            for word_id in unique_sorted(word_ids[missing]).tolist():
                word = self.words[word_id]
                freq = _frequencies().get(word)
                if freq is None:  # numbers and odd tokens: wordfreq's own rules
                    freq = word_frequency(word, "en")
                self.inverse[word_id] = 1 / freq if freq > 0 else np.inf
            values = self.inverse[word_ids]
        return values


def phrase_zipf(inverse_sums: np.ndarray) -> np.ndarray:
    """Zipf frequency of phrases from the sums of their words' inverse frequencies, as
    wordfreq combines phrases (1/f = sum of 1/f_i: a phrase is as rare as its rarest
    words); 0 for a phrase with a word wordfreq does not know."""
    known = np.isfinite(inverse_sums) & (inverse_sums > 0)
    return np.where(known, _ZIPF_PER_BILLION - np.log10(np.where(known, inverse_sums, 1.0)), 0.0)


def score_wording(
    align: Alignment, frequencies: WordFrequencies
) -> tuple[int, int, list[tuple[str, str]]]:
    """Substitutions where a's wording is commoner, where b's is, and garbled names
    (a substitution inside a name of 2+ capitalised words counts twice)."""
    if align.a is None or align.b is None or not align.spans:
        return 0, 0, []
    spans = np.array(align.spans, dtype=np.int64)
    zipf, named = [], np.zeros(len(spans), dtype=bool)
    for view, lo, hi in ((align.a, spans[:, 0], spans[:, 1]), (align.b, spans[:, 2], spans[:, 3])):
        offsets = np.cumsum(hi - lo) - (hi - lo)  # where each span begins in ``index``
        index = span_positions(lo, hi - lo)
        inverse = frequencies.inverse_of(view.id_array[index])
        zipf.append(phrase_zipf(np.add.reduceat(inverse, offsets)))
        caps = np.add.reduceat(view.cap_array[index].astype(np.int64), offsets)
        named |= (hi - lo >= NAME_MIN_WORDS) & (caps >= NAME_MIN_WORDS)
    weight = 1 + named
    a_wins = int(weight[zipf[0] > zipf[1] + _ZIPF_MARGIN].sum())
    b_wins = int(weight[zipf[1] > zipf[0] + _ZIPF_MARGIN].sum())
    names = [
        align.substitution_text(k, cased=True)
        for k in np.flatnonzero(named)[:MAX_GARBLED_NAMES].tolist()
    ]
    return a_wins, b_wins, names


def _provenance(a: DocMeta, b: DocMeta) -> tuple[bool, str] | None:
    if a.trust is not None and b.trust is not None and a.trust != b.trust:
        winner = a if a.trust > b.trust else b
        return a.trust > b.trust, f"{winner.doc_id} has the higher trust tier ({winner.trust})"
    if a.date and b.date and a.date != b.date:
        winner = a if a.date < b.date else b
        return a.date < b.date, f"{winner.doc_id} carries the earlier date ({winner.date})"
    return None


Step = tuple[bool, float, str]


def _wording_step(
    align: Alignment,
    a: DocMeta,
    b: DocMeta,
    s: DedupSettings,
    frequencies: WordFrequencies,
    evidence: dict[str, Any],
) -> Step | None:
    a_wins, b_wins, names = score_wording(align, frequencies)
    tort_margin = b.tortured_hits - a.tortured_hits
    evidence["wording_a_commoner"] = a_wins
    evidence["wording_b_commoner"] = b_wins
    if names:
        evidence["garbled_names"] = [list(n) for n in names]
    margin = a_wins - b_wins + TORTURED_WEIGHT * tort_margin
    decided = a_wins + b_wins + TORTURED_WEIGHT * abs(tort_margin)
    if abs(margin) < s.direction_min_margin or not decided:
        return None
    share = (max(a_wins, b_wins) + TORTURED_WEIGHT * abs(tort_margin)) / decided
    if share < s.direction_min_share:
        return None
    a_orig = margin > 0
    win, lose = (a, b) if a_orig else (b, a)
    why = (
        f"{win.doc_id} uses the commoner, standard wording where the texts differ "
        f"({max(a_wins, b_wins)} to {min(a_wins, b_wins)} substitutions)"
    )
    if names:
        why += "; names are garbled in " + lose.doc_id
    if tort_margin:
        why += f"; tortured phrases in {lose.doc_id}"
    return a_orig, 1 - math.exp(-abs(margin) / WORDING_CONFIDENCE_SCALE), why


def _containment_step(align: Alignment, a: DocMeta, b: DocMeta, s: DedupSettings) -> Step | None:
    gap = align.coverage_a - align.coverage_b
    if abs(gap) < s.containment_min_gap:
        return None
    a_orig = gap > 0
    inner, outer = (a, b) if a_orig else (b, a)
    cov_inner, cov_outer = sorted((align.coverage_a, align.coverage_b), reverse=True)
    if cov_inner >= s.same_document_coverage:
        why = f"{outer.doc_id} carries the text of {inner.doc_id} plus its own"
    else:
        why = (
            f"{outer.doc_id} carries more of {inner.doc_id}'s text ({cov_inner:.0%}) than "
            f"{inner.doc_id} of {outer.doc_id}'s ({cov_outer:.0%})"
        )
    return a_orig, min(1.0, abs(gap) * CONTAINMENT_CONFIDENCE_SCALE), why


def _placement_steps(
    align: Alignment, a: DocMeta, b: DocMeta, s: DedupSettings, evidence: dict[str, Any]
) -> list[Step | None]:
    """Partial copies: attribution (None when no page credits another), then opening
    mid-discourse and continuation when they tell (``dedup_partial``)."""
    places = placements(align)
    if places is None or align.a is None or align.b is None:
        return [None]
    pa, pb = places
    steps: list[Step | None] = [None]  # attribution first, when a page has it
    if bool(pa.attribution) != bool(pb.attribution):
        a_orig = bool(pb.attribution)
        copy, line = (b, pb.attribution) if a_orig else (a, pa.attribution)
        evidence["attribution_line"] = line
        steps[0] = (
            a_orig,
            ATTRIBUTION_CONFIDENCE,
            f'{copy.doc_id} credits another page for the text ("{line}")',
        )
    word = opener(align.a, pa)
    if word and pa.content_before != pb.content_before:
        a_orig = pa.content_before
        copy, orig = (b, a) if a_orig else (a, b)
        evidence["dangling_opener"] = word
        why = (
            f'{copy.doc_id} opens with the shared passage mid-discourse ("{word.capitalize()} '
            f'...") where {orig.doc_id} carries the text before it'
        )
        steps.append((a_orig, OPENER_CONFIDENCE, why))
    evidence["continuation_a"] = round(pa.continuation, 3)
    evidence["continuation_b"] = round(pb.continuation, 3)
    gap = pa.continuation - pb.continuation
    enough = min(pa.own_words, pb.own_words) >= s.direction_min_own_words
    if enough and abs(gap) >= s.direction_min_continuation_gap:
        a_orig = gap > 0
        (orig, po), (copy, pc) = ((a, pa), (b, pb)) if a_orig else ((b, pb), (a, pa))
        why = (
            f"{orig.doc_id}'s own text continues the shared passage ({po.continuation:.0%} of "
            f"its words recur in it, against {pc.continuation:.0%} of {copy.doc_id}'s): the "
            f"passage is part of {orig.doc_id}, set into {copy.doc_id}'s own text"
        )
        sure = CONTINUATION_BASE_CONFIDENCE + CONTINUATION_CONFIDENCE_SCALE * abs(gap)
        steps.append((a_orig, min(CONTINUATION_MAX_CONFIDENCE, sure), why))
    return steps


def decide_direction(
    relation: str,
    align: Alignment | None,
    a: DocMeta,
    b: DocMeta,
    settings: DedupSettings,
    frequencies: WordFrequencies | None,
    evidence: dict[str, Any],
) -> Direction:
    """Decide which of ``a``/``b`` is the original; fills ``evidence`` with the scores.
    ``frequencies`` is needed when there is an alignment (word-for-word differences).

    The first evidence that tells decides (the module docstring gives the order)."""
    steps: list[Step] = []
    if align is not None:
        assert frequencies is not None, "an alignment needs word frequencies"
        wording = _wording_step(align, a, b, settings, frequencies, evidence)
        containment = _containment_step(align, a, b, settings)
        if relation == "partial_copy":
            whole = max(align.coverage_a, align.coverage_b) >= settings.same_document_coverage
            credit, *placed = _placement_steps(align, a, b, settings, evidence)
            order = [credit, containment, *placed] if whole else [credit, *placed, containment]
            order.append(wording)
        else:
            order = [wording, containment]
        steps.extend(s for s in order if s is not None)
    if not steps:
        meta = _provenance(a, b)
        if meta is not None:
            steps.append((meta[0], PROVENANCE_CONFIDENCE, meta[1]))
    if not steps:
        first = a if a.doc_id <= b.doc_id else b
        why = (
            "nothing in the texts or their provenance tells the two apart; by rule the "
            f"smaller doc_id ({first.doc_id}) is the original"
        )
        steps.append((a.doc_id <= b.doc_id, BY_RULE_CONFIDENCE, why))
    a_orig, conf, why = steps[0]
    if "continuation_a" in evidence:  # name the shares by role, as dedup names the rest
        cont_a, cont_b = evidence.pop("continuation_a"), evidence.pop("continuation_b")
        evidence["continuation_original"] = cont_a if a_orig else cont_b
        evidence["continuation_copy"] = cont_b if a_orig else cont_a
    return Direction(a_orig, round(conf, 3), why)
