"""A relation's evidence (relations.jsonl ``evidence``) explained in sentences for editors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pipeline.report.tables import is_missing, list_of, number_of, text_of


def _share(value: Any) -> str:
    return f"{round(100 * (number_of(value) or 0.0))}%"


def _count(value: Any) -> str:
    return f"{number_of(value) or 0.0:g}"


def _names(value: Any) -> str:
    pairs = [list_of(p) for p in list_of(value)]
    return "; ".join(" / ".join(text_of(x) for x in pair) for pair in pairs if pair)


def _alignment(e: dict[str, Any]) -> str:
    n = number_of(e.get("aligned_sentences"))
    verb = "aligns" if n == 1 else "align"
    text = f"{_count(n)} sentence{'' if n == 1 else 's'} of the copy {verb} with the original's"
    if number_of(e.get("coverage_original")) is not None:
        text += f", covering {_share(e.get('coverage_original'))} of the original's words"
        if number_of(e.get("coverage_copy")) is not None:
            text += f" and {_share(e.get('coverage_copy'))} of the copy's"
    return text + "."


def _clauses(e: dict[str, Any], wanted: tuple[tuple[str, str], ...]) -> list[str]:
    """``template`` filled with key's value (``{share}`` or ``{count}``) for each recorded key."""
    return [
        template.format(share=_share(e.get(key)), count=_count(e.get(key)))
        for key, template in wanted
        if number_of(e.get(key)) is not None
    ]


def _changes(e: dict[str, Any]) -> str:
    parts = _clauses(
        e,
        (
            ("content_words_changed", "{share} of the content words differ"),
            ("content_words_substituted", "{share} are swapped one for one"),
        ),
    )
    text = "Between aligned sentences, " + " and ".join(parts) if parts else "Between aligned"
    for count in _clauses(e, (("substitution_count", "{count} substituted phrases"),)):
        text += f" ({count})" if parts else f" sentences: {count}"
    return text + "."


def _overlap(e: dict[str, Any]) -> str:
    parts = _clauses(
        e,
        (
            ("word_ngram_jaccard", "{share} of their word sequences"),
            ("shared_fingerprints", "{count} text fingerprints"),
        ),
    )
    return "The two texts share " + " and ".join(parts) + "."


# What explains which keys, in the order shown. An explainer is used when one of its keys
# holds a value; the keys it names are not listed again by name.
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
    (("aligned_sentences", "coverage_original", "coverage_copy"), _alignment),
    (
        ("mean_sentence_similarity",),
        lambda e: (
            f"Aligned sentences are {_share(e.get('mean_sentence_similarity'))} alike on"
            " average (letter by letter)."
        ),
    ),
    (("content_words_changed", "content_words_substituted", "substitution_count"), _changes),
    (("word_ngram_jaccard", "shared_fingerprints"), _overlap),
    (
        ("wording_original_commoner", "wording_copy_commoner"),
        lambda e: (
            "Where the wordings differ, the original uses the commoner word"
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
            "Confidence that the direction (which page copies which) is right:"
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
    given = {k: v for k, v in evidence.items() if not is_missing(v) and v != []}
    sentences: list[str] = []
    covered = {"substitutions"}
    for keys, explain in _GROUPS:
        if any(k in given for k in keys):
            sentences.append(explain(given))
            covered.update(keys)
    sentences += [f"{k}: {raw_value(v)}" for k, v in sorted(given.items()) if k not in covered]
    return sentences
