"""The five seeds of raw/ as the real pipeline cleans them, and the hand-labelled pairs.

``seed_documents`` runs ingest, clean and dedup on ``raw/`` (no hand-cleaned copy), and
``gold_pairs`` maps the labelled sentence texts of ``gold_pairs.tsv`` onto the sentence
ids that ``segment_claims`` gives those documents, by normalised text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from pipeline.clean.stage import clean_documents
from pipeline.dedup.stage import find_copies
from pipeline.ingest.stage import ingest_captures
from pipeline.io import read_raw_dir
from pipeline.settings import Settings

FIXTURE = Path(__file__).resolve().parent
RAW = FIXTURE.parents[2] / "raw"
# A labelled text that matches no sentence exactly may still match one this closely.
MIN_FUZZY_MATCH = 90.0


@lru_cache(maxsize=1)
def _seed_documents(raw: str) -> pd.DataFrame:
    settings = Settings()
    files, sources, _errors = read_raw_dir(Path(raw), settings.ingest)
    documents, _ = ingest_captures(files, sources, settings.ingest)
    documents, _removed, _errors = clean_documents(documents, settings)
    documents, _relations = find_copies(documents, settings.dedup)
    return documents.sort_values("doc_id").reset_index(drop=True)


def seed_documents(raw: Path = RAW) -> pd.DataFrame:
    """The seed documents after the real ingest, clean and dedup stages (a fresh copy)."""
    return _seed_documents(str(raw)).copy()


def normalise(text: str) -> str:
    """Lower-cased words only: punctuation and spacing differences do not count."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


@dataclass
class Gold:
    """Labelled pairs as sentence-id pairs, and the labelled texts no sentence matched."""

    pairs: set[frozenset[str]] = field(default_factory=set)
    spun: set[frozenset[str]] = field(default_factory=set)
    lost: list[tuple[str, str]] = field(default_factory=list)


def _labelled(folder: Path) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for line in (folder / "gold_pairs.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, ta, b, tb, note = line.split("\t")[:5]
        rows.append((a, ta, b, tb, note))
    return rows


def _matcher(sentences: pd.DataFrame):
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for doc, sid, own in zip(
        sentences["doc_id"], sentences["sentence_id"], sentences["own_text"], strict=True
    ):
        by_doc.setdefault(doc[:3], []).append((sid, normalise(own)))

    def find(doc: str, text: str) -> str | None:
        wanted = normalise(text)
        rows = by_doc.get(doc, [])
        exact = [sid for sid, own in rows if own == wanted]
        if len(exact) == 1:
            return exact[0]
        scored = sorted(((fuzz.ratio(wanted, own), sid) for sid, own in rows), reverse=True)
        unique = len(scored) == 1 or (len(scored) > 1 and scored[1][0] < scored[0][0])
        if scored and scored[0][0] >= MIN_FUZZY_MATCH and unique:
            return scored[0][1]
        return None

    return find


def gold_pairs(sentences: pd.DataFrame, folder: Path = FIXTURE) -> Gold:
    """Labelled pairs on ``sentences`` (segment_claims output of :func:`seed_documents`).

    The spun copy 000 inherits every pair of its original 004 through the labelled
    000~004 sentence pairs (the "mirror" pairs).
    """
    find = _matcher(sentences)
    gold = Gold()
    copy_of: dict[str, str] = {}
    labelled = []
    for a, ta, b, tb, _note in _labelled(folder):
        ia, ib = find(a, ta), find(b, tb)
        for doc, text, sid in ((a, ta, ia), (b, tb, ib)):
            if sid is None and (doc, text) not in gold.lost:
                gold.lost.append((doc, text))
        if ia is None or ib is None:
            continue
        pair = frozenset((ia, ib))
        gold.pairs.add(pair)
        if {a, b} == {"000", "004"}:
            gold.spun.add(pair)
            copy_of[ib if b == "004" else ia] = ia if b == "004" else ib
        else:
            labelled.append((ia, ib))
    for ia, ib in labelled:
        for one, other in ((ia, ib), (ib, ia)):
            if one in copy_of:
                gold.pairs.add(frozenset((copy_of[one], other)))
    return gold
