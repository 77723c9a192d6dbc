"""Load the hand-cleaned seed fixture and its hand-labelled claim pairs (tests/data/align)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FIXTURE = Path(__file__).resolve().parent


def fixture_documents(folder: Path = FIXTURE) -> pd.DataFrame:
    """The five seed documents as the clean/dedup stages should deliver them."""
    docs = pd.read_csv(folder / "documents.csv", dtype=str, keep_default_na=False)
    docs["trust"] = docs["trust"].map(lambda v: int(v) if v else pd.NA)
    docs["derived_from"] = docs["derived_from"].map(lambda v: v or None)
    docs["flags"] = [[] for _ in range(len(docs))]
    docs["text"] = [(folder / f"{d}.txt").read_text(encoding="utf-8") for d in docs["doc_id"]]
    return docs


def gold_pairs(sentences: pd.DataFrame, folder: Path = FIXTURE) -> set[frozenset[str]]:
    """Labelled pairs as sentence-id pairs; 000 (spun copy of 004) inherits 004's pairs."""
    short = {d[:3]: d for d in sentences["doc_id"].unique()}
    keys = zip(sentences["doc_id"], sentences["position"], sentences["sentence_id"], strict=True)
    ids = {(d, int(p)): s for d, p, s in keys}
    labelled: list[tuple[str, int, str, int]] = []
    for line in (folder / "gold_pairs.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, pa, b, pb = line.split("\t")[:4]
        labelled.append((a, int(pa), b, int(pb)))
    spun = [("000", i, "004", i + 1) for i in range(1, 21)]
    mirrored = [("000", pa - 1, b, pb) for a, pa, b, pb in labelled if a == "004"]
    pairs = set()
    for a, pa, b, pb in labelled + spun + mirrored:
        pairs.add(frozenset((ids[(short[a], pa)], ids[(short[b], pb)])))
    return pairs
