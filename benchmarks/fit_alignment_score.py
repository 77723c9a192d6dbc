"""Fit the alignment score (AlignSettings.score_*): a logistic model of "these two
sentences state the same fact" over the candidate pairs' similarity, cosine, margin and
content-word overlap.

    python benchmarks/fit_alignment_score.py            # fit on the tune halves, print
    python benchmarks/fit_alignment_score.py --check    # score the held halves with the
                                                        # settings' current coefficients

Training pairs: the candidate pairs the real aligner scores (pipeline.align.stage
.candidate_table) in the labelled topic corpora (tests/data/align/<topic>/, positive when
the two sentences share a fact id) and in the seeds (positive when hand-labelled in
gold_pairs.tsv), tune half only, copies of one group left out (they link by copy
inheritance); plus, as negatives, the candidates among WCXB dev pages 1-50 (unrelated
sites; the unrelated-page check uses pages 51-200). Pairs the slot rules already tell
apart (other number, population, polarity: pipeline.reconcile.conflicts.judge_pair) are left out:
the model scores topic and wording, the rules score the details.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "align"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from align_fixture import gold_pairs, seed_documents  # noqa: E402
from bench_align import _half as seed_half  # noqa: E402
from labelled_corpus import NO_FACT, half, load, sentence_facts, topics  # noqa: E402

from pipeline.align.pairs import calibrated_score, semantic_score  # noqa: E402
from pipeline.align.segment import segment_claims  # noqa: E402
from pipeline.align.stage import candidate_table  # noqa: E402
from pipeline.clean.stage import clean_documents  # noqa: E402
from pipeline.dedup.stage import find_copies  # noqa: E402
from pipeline.ingest.stage import ingest_captures  # noqa: E402
from pipeline.io import read_raw_dir  # noqa: E402
from pipeline.reconcile.conflicts import judge_pair  # noqa: E402
from pipeline.runtime.cache import DocCache  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
CACHE = ROOT / "bench-out" / "claims-cache"
FEATURES = ["similarity", "cosine", "margin01", "lexical"]


def _documents(raw: Path, settings: Settings) -> pd.DataFrame:
    files, sources, _ = read_raw_dir(raw, settings.ingest)
    documents, _ = ingest_captures(files, sources, settings.ingest)
    documents, _, _ = clean_documents(documents, settings)
    documents, _ = find_copies(documents, settings.dedup)
    return documents.sort_values("doc_id").reset_index(drop=True)


def _candidates(documents: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    sentences = segment_claims(documents, settings.align)
    found = candidate_table(sentences, documents, settings.align, DocCache(CACHE))
    if found is None:
        return sentences, pd.DataFrame()
    claims, table, _ = found
    table = table.assign(
        sa=claims["sentence_id"].to_numpy()[table["a"]],
        sb=claims["sentence_id"].to_numpy()[table["b"]],
        ta=claims["text"].to_numpy()[table["a"]],
        tb=claims["text"].to_numpy()[table["b"]],
        da=claims["doc_id"].to_numpy()[table["a"]],
        db=claims["doc_id"].to_numpy()[table["b"]],
        margin01=semantic_score(table["margin"]),
    )
    return sentences, table


def _slot_same(table: pd.DataFrame) -> np.ndarray:
    return np.array(
        [judge_pair(a, b)[0] == "same" for a, b in zip(table["ta"], table["tb"], strict=True)]
    )


def labelled_pairs(settings: Settings) -> pd.DataFrame:
    """Candidate pairs with ``label`` and ``half`` from every labelled source."""
    parts = []
    for name in topics():
        corpus = load(name)
        documents = _documents(corpus.raw, settings)
        sentences, table = _candidates(documents, settings)
        if table.empty:
            continue
        facts, _ = sentence_facts(corpus, sentences, documents)
        group = dict(zip(documents["doc_id"], documents["group_id"], strict=True))
        file_of = dict(zip(documents["doc_id"], documents["source_file"], strict=True))
        table = table[[group[a] != group[b] for a, b in zip(table["da"], table["db"], strict=True)]]
        table = table.assign(
            label=[
                bool((facts.get(a, frozenset()) - NO_FACT) & (facts.get(b, frozenset()) - NO_FACT))
                for a, b in zip(table["sa"], table["sb"], strict=True)
            ],
            half=[
                half(file_of[a], file_of[b]) for a, b in zip(table["da"], table["db"], strict=True)
            ],
            source=name,
        )
        parts.append(table)
    documents = seed_documents()
    sentences, table = _candidates(documents, settings)
    gold = gold_pairs(sentences).pairs
    group = dict(zip(documents["doc_id"], documents["group_id"], strict=True))
    table = table[[group[a] != group[b] for a, b in zip(table["da"], table["db"], strict=True)]]
    keys = [frozenset((a, b)) for a, b in zip(table["sa"], table["sb"], strict=True)]
    parts.append(
        table.assign(label=[k in gold for k in keys], half=[seed_half(k) for k in keys],
                     source="seeds")
    )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def unrelated_pairs(settings: Settings, first: int = 0, pages: int = 50) -> pd.DataFrame:
    """Candidate pairs among WCXB dev pages of unrelated sites: all negatives."""
    work = ROOT / "bench-out" / f"unrelated-fit-{first}-{pages}"
    raw = work / "raw"
    if not raw.is_dir():
        raw.mkdir(parents=True)
        for f in sorted((SHARED / "wcxb-dev" / "html").iterdir())[first : first + pages]:
            data = gzip.decompress(f.read_bytes()) if f.name.endswith(".gz") else f.read_bytes()
            (raw / f.name.removesuffix(".gz")).write_bytes(data)
    _, table = _candidates(_documents(raw, settings), settings)
    return table.assign(label=False, half="tune", source="wcxb")


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only score with the settings")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation")
    args = parser.parse_args()
    settings = Settings()
    data = pd.concat([labelled_pairs(settings), unrelated_pairs(settings)], ignore_index=True)
    data = data[_slot_same(data)]
    data.drop(columns=["a", "b"]).to_pickle(ROOT / "bench-out" / "alignment-pairs.pkl")
    print(data.groupby(["source", "half"])["label"].agg(["sum", "count"]).to_string())
    tune, held = data[data["half"] == "tune"], data[data["half"] == "held"]
    if not args.check:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=args.C, max_iter=1000)
        model.fit(tune[FEATURES].to_numpy(), tune["label"].to_numpy())
        print("\nscore_bias =", round(float(model.intercept_[0]), 3))
        for name, w in zip(FEATURES, model.coef_[0], strict=True):
            print(f"score_weight_{name.replace('margin01', 'margin')} =", round(float(w), 3))
        coef = dict(zip(FEATURES, model.coef_[0], strict=True))
        score = lambda t: 1 / (1 + np.exp(-(model.intercept_[0] + sum(  # noqa: E731
            coef[f] * t[f].to_numpy() for f in FEATURES))))  # fmt: skip
    else:
        score = lambda t: calibrated_score(t, settings.align)  # noqa: E731
    print("\n| cut | P tune | R tune | P held | R held | wcxb pairs over cut |")
    print("| --- | --- | --- | --- | --- | --- |")
    wcxb = data[data["source"] == "wcxb"]
    for cut in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        cells = []
        for part in (tune[tune["source"] != "wcxb"], held):
            s = score(part) >= cut
            tp = int((s & part["label"]).sum())
            cells += [tp / max(int(s.sum()), 1), tp / max(int(part["label"].sum()), 1)]
        over = int((score(wcxb) >= cut).sum())
        print(f"| {cut} | " + " | ".join(f"{v:.3f}" for v in cells) + f" | {over} |")


if __name__ == "__main__":
    main()
