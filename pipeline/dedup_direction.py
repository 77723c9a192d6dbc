"""Which of two related documents is the original, and why (a sentence for people).

Evidence, strongest first:
1. wording: where the two differ word for word, the original uses the common, standard
   words (spinners swap in rarer synonyms and garble names); word frequencies come from
   the ``wordfreq`` package (ships its data, works offline); tortured-phrase lexicon hits;
2. containment: the copy carries the original plus extras (first for partial copies);
3. provenance: higher trust tier, then the earlier date (``updated``, else ``retrieved``);
4. otherwise a fixed rule: the smaller ``doc_id`` is called the original.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from wordfreq import get_frequency_dict, word_frequency

from pipeline.dedup_align import Alignment, DocView
from pipeline.settings import DedupSettings

# A phrase must be this much more frequent (Zipf units) to win a substitution.
_ZIPF_MARGIN = 0.2


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


def _is_name(view: DocView, start: int, end: int) -> bool:
    return end - start >= 2 and sum(view.cap[start:end]) >= 2


def _word_frequency(word_id: int, words: list[str], cache: dict[int, float]) -> float:
    freq = cache.get(word_id)
    if freq is None:
        word = words[word_id]
        freq = _frequencies().get(word)
        if freq is None:  # numbers and odd tokens: wordfreq's own rules
            freq = word_frequency(word, "en")
        cache[word_id] = freq
    return freq


def phrase_zipf(word_ids: tuple[int, ...], words: list[str], cache: dict[int, float]) -> float:
    """Zipf frequency of a phrase, combined from its words as wordfreq does for phrases
    (1/f = sum of 1/f_i: a phrase is as rare as its rarest words); ``cache`` holds words."""
    inverse = 0.0
    for word_id in word_ids:
        freq = _word_frequency(word_id, words, cache)
        if freq <= 0:
            return 0.0
        inverse += 1 / freq
    return math.log10(1 / inverse) + 9 if inverse else 0.0


def score_wording(
    align: Alignment, cache: dict[int, float]
) -> tuple[int, int, list[tuple[str, str]]]:
    """Substitutions where a's wording is commoner, where b's is, and garbled names."""
    a_wins = b_wins = 0
    names: list[tuple[str, str]] = []
    if align.a is None or align.b is None:
        return 0, 0, names
    words = align.a.words
    for k, (a0, a1, b0, b1) in enumerate(align.spans):
        a_ids, b_ids = align.substitution_ids(k)
        za, zb = phrase_zipf(a_ids, words, cache), phrase_zipf(b_ids, words, cache)
        weight = 1
        if _is_name(align.a, a0, a1) or _is_name(align.b, b0, b1):
            weight = 2
            if len(names) < 3:
                names.append(align.substitution_text(k, cased=True))
        if za > zb + _ZIPF_MARGIN:
            a_wins += weight
        elif zb > za + _ZIPF_MARGIN:
            b_wins += weight
    return a_wins, b_wins, names


def _provenance(a: DocMeta, b: DocMeta) -> tuple[bool, str] | None:
    if a.trust is not None and b.trust is not None and a.trust != b.trust:
        winner = a if a.trust > b.trust else b
        return a.trust > b.trust, f"{winner.doc_id} has the higher trust tier ({winner.trust})"
    if a.date and b.date and a.date != b.date:
        winner = a if a.date < b.date else b
        return a.date < b.date, f"{winner.doc_id} carries the earlier date ({winner.date})"
    return None


def decide_direction(
    relation: str,
    align: Alignment | None,
    a: DocMeta,
    b: DocMeta,
    settings: DedupSettings,
    cache: dict[int, float],
    evidence: dict[str, Any],
) -> Direction:
    """Decide which of ``a``/``b`` is the original; fills ``evidence`` with the scores."""
    steps: list[tuple[bool, float, str]] = []
    if align is not None:
        a_wins, b_wins, names = score_wording(align, cache)
        tort_margin = b.tortured_hits - a.tortured_hits
        evidence["wording_a_commoner"] = a_wins
        evidence["wording_b_commoner"] = b_wins
        if names:
            evidence["garbled_names"] = [list(n) for n in names]
        margin = a_wins - b_wins + 3 * tort_margin
        decided = a_wins + b_wins + 3 * abs(tort_margin)
        wording = None
        if abs(margin) >= settings.direction_min_margin and decided:
            share = (max(a_wins, b_wins) + 3 * abs(tort_margin)) / decided
            if share >= settings.direction_min_share:
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
                conf = 1 - math.exp(-abs(margin) / 4)
                wording = (a_orig, conf, why)
        gap = align.coverage_a - align.coverage_b
        containment = None
        if abs(gap) >= settings.containment_min_gap:
            a_orig = gap > 0
            inner, outer = (a, b) if a_orig else (b, a)
            why = f"{outer.doc_id} carries the text of {inner.doc_id} plus its own"
            containment = (a_orig, min(1.0, abs(gap) * 2), why)
        order = [containment, wording] if relation == "partial_copy" else [wording, containment]
        steps.extend(s for s in order if s is not None)
    if not steps:
        meta = _provenance(a, b)
        if meta is not None:
            steps.append((meta[0], 0.6, meta[1]))
    if not steps:
        first = a if a.doc_id <= b.doc_id else b
        why = (
            "nothing in the texts or their provenance tells the two apart; by rule the "
            f"smaller doc_id ({first.doc_id}) is the original"
        )
        steps.append((a.doc_id <= b.doc_id, 0.5, why))
    a_orig, conf, why = steps[0]
    return Direction(a_orig, round(conf, 3), why)
