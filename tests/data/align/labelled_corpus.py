"""Hand-labelled topic corpora (tests/data/align/<topic>/): load them, build them with the
real pipeline, and score a build's claims against the labels.

Each topic folder holds ``raw/`` (captures and sources.csv, built like any raw/),
``facts.tsv`` (file, text, fact: a fact id for every content sentence and list item;
``NONE`` for sentences stating no fact, ``BOILERPLATE`` for site chrome; ``a+b`` for a
sentence stating two facts), ``conflicts.tsv`` (planted contradictions as fact pairs),
``lookalikes.tsv`` (fact pairs that must be neither merged nor in conflict) and
``copies.tsv``. Labels were written by meaning, before any aligner output was seen.

Sentences of a build are matched to labels by normalised words, else by a unique
rapidfuzz ratio >= 90 within the same file. Scores are split into a ``tune`` and a
``held`` half by document pair (a hash of the two file names), so thresholds chosen on
one half are reported on the other.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

FOLDER = Path(__file__).resolve().parent
MIN_FUZZY_MATCH = 90.0
NO_FACT = {"NONE", "BOILERPLATE"}


def normalise(text: str) -> str:
    """Lower-cased words only: punctuation and spacing differences do not count."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        return []
    out = []
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    for line in lines[1:]:  # the first line is the header
        if not line.startswith("#"):
            out.append([cell.strip() for cell in line.split("\t")])
    return out


@dataclass
class LabelledCorpus:
    """One topic's labels: facts per (file, normalised text), and fact pairs."""

    name: str
    raw: Path
    facts: dict[str, list[tuple[str, str, frozenset[str]]]] = field(default_factory=dict)
    conflicts: set[frozenset[str]] = field(default_factory=set)
    lookalikes: set[frozenset[str]] = field(default_factory=set)
    copies: dict[str, str] = field(default_factory=dict)


def topics() -> list[str]:
    """The labelled topic folders present (each with raw/ and facts.tsv)."""
    return sorted(
        p.name for p in FOLDER.iterdir() if (p / "facts.tsv").is_file() and (p / "raw").is_dir()
    )


def load(name: str) -> LabelledCorpus:
    """The labels of topic ``name``."""
    folder = FOLDER / name
    corpus = LabelledCorpus(name, folder / "raw")
    for row in _rows(folder / "facts.tsv"):
        if len(row) < 3:
            continue
        file, text, fact = row[:3]
        facts = frozenset(f.strip() for f in fact.split("+") if f.strip())
        corpus.facts.setdefault(file, []).append((text, normalise(text), facts))
    pairs = ((corpus.conflicts, "conflicts.tsv"), (corpus.lookalikes, "lookalikes.tsv"))
    for target, path in pairs:
        for row in _rows(folder / path):
            if len(row) >= 2 and row[0] and row[1]:
                target.add(frozenset(row[:2]))
    for row in _rows(folder / "copies.tsv"):
        if len(row) >= 2:
            corpus.copies[row[0]] = row[1]
    return corpus


def sentence_facts(
    corpus: LabelledCorpus, sentences: pd.DataFrame, documents: pd.DataFrame
) -> tuple[dict[str, frozenset[str]], list[tuple[str, str]]]:
    """Facts of each built sentence (by sentence_id), and the claim texts no label matched."""
    file_of = dict(zip(documents["doc_id"], documents["source_file"], strict=True))
    facts: dict[str, frozenset[str]] = {}
    unmatched = []
    for row in sentences.to_dict("records"):
        labels = corpus.facts.get(str(file_of.get(row["doc_id"], "")), [])
        wanted = normalise(str(row["own_text"]))
        exact = [f for _, norm, f in labels if norm == wanted]
        if not exact:
            scored = sorted(
                ((fuzz.ratio(norm, wanted), f) for _, norm, f in labels),
                key=lambda x: -x[0],
            )
            good = [f for s, f in scored if s >= MIN_FUZZY_MATCH]
            if len(good) == 1 or (good and len({frozenset(g) for g in good}) == 1):
                exact = good[:1]
        if exact:
            facts[row["sentence_id"]] = exact[0]
        elif row["is_claim"]:
            unmatched.append((row["sentence_id"], str(row["own_text"])))
    return facts, unmatched


def half(file_a: str, file_b: str) -> str:
    """``tune`` or ``held``: the half a document pair belongs to."""
    key = "|".join(sorted((file_a, file_b)))
    return "tune" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "held"
