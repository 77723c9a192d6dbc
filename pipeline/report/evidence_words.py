"""A relation's evidence (relations.jsonl ``evidence``) explained in sentences for editors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pipeline.report.tables import list_of, number_of, text_of


def _share(value: Any) -> str:
    number = number_of(value)
    return "?" if number is None else f"{round(100 * number)}%"


def _count(value: Any) -> str:
    number = number_of(value)
    return "?" if number is None else f"{number:g}"


def _names(value: Any) -> str:
    pairs = [list_of(p) for p in list_of(value)]
    return "; ".join(" / ".join(text_of(x) for x in pair) for pair in pairs if pair)


# Keys explained together in one sentence: the sentence and the keys it consumes.
Explainer = Callable[[dict[str, Any]], str]
_GROUPS: tuple[tuple[tuple[str, ...], Explainer], ...] = (
    (
        ("normalised_text_equal",),
        lambda e: (
            "The two texts are the same once case, spacing and punctuation are normalised."
            if e.get("normalised_text_equal")
            else "The normalised texts differ."
        ),
    ),
    (
        ("aligned_sentences", "coverage_original", "coverage_copy"),
        lambda e: (
            f"{_count(e.get('aligned_sentences'))} sentences of the copy align with"
            f" sentences of the original; together they cover {_share(e.get('coverage_original'))}"
            f" of the original's words and {_share(e.get('coverage_copy'))} of the copy's."
        ),
    ),
    (
        ("mean_sentence_similarity",),
        lambda e: (
            f"Aligned sentences are {_share(e.get('mean_sentence_similarity'))} alike on"
            " average (letter by letter)."
        ),
    ),
    (
        ("content_words_changed", "content_words_substituted", "substitution_count"),
        lambda e: (
            f"{_share(e.get('content_words_changed'))} of the content words differ between"
            f" aligned sentences, {_share(e.get('content_words_substituted'))} swapped one for one"
            f" ({_count(e.get('substitution_count'))} substituted phrases): a high swap rate with"
            " unchanged sentence order is the mark of a spun copy."
        ),
    ),
    (
        ("word_ngram_jaccard", "shared_fingerprints"),
        lambda e: (
            f"{_share(e.get('word_ngram_jaccard'))} of the word sequences are shared"
            f" (n-gram Jaccard), with {_count(e.get('shared_fingerprints'))} shared text"
            " fingerprints."
        ),
    ),
    (
        ("wording_original_commoner", "wording_copy_commoner"),
        lambda e: (
            f"Where the wordings differ, the original uses the commoner word"
            f" {_count(e.get('wording_original_commoner'))} times and the copy"
            f" {_count(e.get('wording_copy_commoner'))} times: spinning swaps standard words for"
            " rarer synonyms, so the commoner wording points to the original."
        ),
    ),
    (
        ("garbled_names",),
        lambda e: f"Names garbled by synonym swapping: {_names(e.get('garbled_names'))}.",
    ),
    (
        ("attribution_line",),
        lambda e: f"One page credits the other: “{text_of(e.get('attribution_line'))}”.",
    ),
    (
        ("dangling_opener",),
        lambda e: f"The copy opens mid-discourse, with “{text_of(e.get('dangling_opener'))}”.",
    ),
    (
        ("continuation_original", "continuation_copy"),
        lambda e: (
            f"{_share(e.get('continuation_original'))} of the original's own further words"
            f" continue the shared passage, against {_share(e.get('continuation_copy'))} of the"
            " copy's."
        ),
    ),
    (
        ("direction_confidence",),
        lambda e: (
            f"Confidence that the direction (which page copies which) is right:"
            f" {_share(e.get('direction_confidence'))}."
        ),
    ),
    (
        ("machine_judgement",),
        lambda e: (
            "An editor's decision set this relation; the machine had found:"
            f" {text_of(e.get('machine_judgement'))}."
        ),
    ),
)


def raw_value(value: Any) -> str:
    """An evidence value as compact display text (numbers to 3 decimals, JSON for lists)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    number = number_of(value) if isinstance(value, float) else None
    return f"{number:.3f}".rstrip("0").rstrip(".") if number is not None else text_of(value)


def explain_evidence(evidence: dict[str, Any]) -> list[str]:
    """Sentences saying what the evidence shows, in a fixed order; keys no sentence covers
    are listed by name and value at the end (``substitutions`` is shown as its own table)."""
    sentences: list[str] = []
    covered = {"substitutions"}
    for keys, explain in _GROUPS:
        if any(k in evidence for k in keys):
            sentences.append(explain(evidence))
            covered.update(keys)
    sentences += [f"{k}: {raw_value(v)}" for k, v in sorted(evidence.items()) if k not in covered]
    return sentences
