"""Are the claims trustworthy? Citation precision, fact recall, conflicts and boilerplate on
the hand-labelled topic corpora (tests/data/align/<topic>/), and on unrelated pages.

    python benchmarks/bench_claims.py                  # labelled corpora, both halves
    python benchmarks/bench_claims.py --curve          # + precision/recall per cite cut
    python benchmarks/bench_claims.py --unrelated 150  # + WCXB dev pages 51-200 built

Each labelled corpus is built by the real pipeline (ingest, clean, dedup, align,
reconcile) from its raw/. Figures are split by document pair into a ``tune`` half (the
one thresholds were chosen on) and a ``held`` half (the one to report). Anchor, in the
same run and the same reconcile stage: rapidfuzz token_set_ratio >= .75 as the aligner
(the best pair of either side, NOTES.md's lexical baseline).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "align"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_align import token_set_anchor  # noqa: E402
from claim_metrics import claim_metrics, figures, merged  # noqa: E402
from labelled_corpus import load, topics  # noqa: E402

from pipeline.build import run_stages  # noqa: E402
from pipeline.io import read_raw_dir  # noqa: E402
from pipeline.reconcile.stage import reconcile_claims  # noqa: E402
from pipeline.runtime.cache import DocCache  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.tables import ERROR_COLUMNS  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
CACHE = ROOT / "bench-out" / "claims-cache"


def build_topic(name: str, settings: Settings) -> dict[str, pd.DataFrame]:
    """The tables of one labelled corpus, built by the real stages (cached embeddings)."""
    raw = load(name).raw
    files, sources, errors = read_raw_dir(raw, settings.ingest)
    cache = DocCache(CACHE)
    errors = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    return run_stages(files, sources, settings, read_errors=errors, cache=cache)


def anchor_tables(tables: dict[str, pd.DataFrame], settings: Settings) -> dict:
    """The same tables with claims reconciled from token_set_ratio alignments."""
    sentences, documents = tables["sentences.jsonl"], tables["documents.jsonl"]
    pairs = token_set_anchor(sentences)
    doc_of = dict(zip(sentences["sentence_id"], sentences["doc_id"], strict=True))
    rows = [sorted(p) for p in pairs]
    alignments = pd.DataFrame(
        {
            "sentence_a": [a for a, _ in rows],
            "sentence_b": [b for _, b in rows],
            "doc_a": [doc_of[a] for a, _ in rows],
            "doc_b": [doc_of[b] for _, b in rows],
            "score": 1.0,
        }
    )
    claims, sources = reconcile_claims(sentences, alignments, documents, settings.reconcile)
    return {**tables, "claims.jsonl": claims, "sources.csv": sources}


def recount(tables: dict, settings: Settings, cite: float) -> dict:
    """Claims reconciled again with another citation cut (for the curve)."""
    reconcile = dataclasses.replace(settings.reconcile, cite_score=cite)
    claims, _ = reconcile_claims(
        tables["sentences.jsonl"], tables["alignments.jsonl"], tables["documents.jsonl"], reconcile
    )
    return {**tables, "claims.jsonl": claims}


def _row(name: str, results: list[dict], half: str) -> str:
    counts = merged(results, half)
    f = figures(counts)
    boiler = sum(len(r["boilerplate"]) for r in results)
    return (
        f"| {name} | {half} | {f['citation_precision']:.3f} ({counts['cited_right']}/"
        f"{counts['cited']}) | {f['fact_recall']:.3f} "
        f"({counts['pairs_found']}/{counts['pairs']}) | {f['fact_recall_with_review']:.3f} | "
        f"{f['conflict_precision']:.3f} ({counts['conflicts_right']}/{counts['conflicts']}) | "
        f"{f['conflict_recall']:.3f} ({counts['planted_found']}/{counts['planted']}) | {boiler} |"
    )


def labelled_table(settings: Settings, curve: bool, show_errors: bool) -> None:
    """Figures per half for ours and the anchor, over every labelled topic."""
    names = topics()
    if not names:
        print("no labelled corpora under tests/data/align/")
        return
    ours, anchor, built = [], [], {}
    for name in names:
        corpus = load(name)
        tables = build_topic(name, settings)
        built[name] = (corpus, tables)
        ours.append(claim_metrics(corpus, tables))
        anchor.append(claim_metrics(corpus, anchor_tables(tables, settings)))
    print(f"## Labelled corpora: {', '.join(names)}\n")
    print(
        "| aligner | half | citation P | fact recall | + review queue | conflict P | conflict R"
        " | boilerplate |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for half in ("tune", "held"):
        print(_row("anchor token_set_ratio", anchor, half))
        print(_row("curate", ours, half))
    unmatched = [u for r in ours for u in r["unmatched"]]
    if unmatched:
        print(f"\n{len(unmatched)} claim sentences match no label (counted as wrong if cited).")
    for r in ours:
        for text in r["boilerplate"]:
            print(f"- boilerplate in a claim: {text}")
    if show_errors:
        for r in ours:
            for half, claim, support in r["wrong"]:
                print(f"- [{half}] {claim}  <=  {support}")
    if curve:
        print("\n## Citation precision / fact recall per cite cut\n")
        print("| cite_score | P tune | R tune | P held | R held |")
        print("| --- | --- | --- | --- | --- |")
        for cut in (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
            results = [claim_metrics(c, recount(t, settings, cut)) for c, t in built.values()]
            cells = []
            for half in ("tune", "held"):
                f = figures(merged(results, half))
                cells += [f["citation_precision"], f["fact_recall"]]
            mark = " (chosen)" if abs(cut - settings.reconcile.cite_score) < 1e-9 else ""
            print(f"| {cut:.2f}{mark} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")


def unrelated_table(pages: int, settings: Settings) -> None:
    """Multi-source claims and conflicts among WCXB dev pages 51.. of unrelated sites."""
    from pipeline.build import build

    html = SHARED / "wcxb-dev" / "html"
    files = sorted(html.iterdir())[50 : 50 + pages]
    work = ROOT / "bench-out" / "unrelated"
    raw = work / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    for f in files:
        name = f.name[:-3] if f.name.endswith(".gz") else f.name
        data = gzip.decompress(f.read_bytes()) if f.name.endswith(".gz") else f.read_bytes()
        (raw / name).write_bytes(data)
    started = time.perf_counter()
    tables = build(raw, work / "out", settings, cache=DocCache(work / "cache"))
    claims = tables["claims.jsonl"]
    multi = int((claims["independent_sources"].astype(int) >= 2).sum()) if len(claims) else 0
    links = sum(len(c) for c in claims["conflicts"]) // 2 if len(claims) else 0
    review = sum(len(r) for r in claims["review"]) if len(claims) else 0
    print(f"\n## Unrelated pages: WCXB dev files 51-{50 + pages} ({pages} sites)\n")
    print("| pages | claims | multi-source | conflict links | per 100 pages | review items |")
    print("| --- | --- | --- | --- | --- | --- |")
    per = 100 * (multi + links) / max(pages, 1)
    print(f"| {pages} | {len(claims)} | {multi} | {links} | {per:.2f} | {review} |")
    for c in claims[claims["independent_sources"].astype(int) >= 2].to_dict("records")[:10]:
        print(f"- {c['text'][:90]} <= " + json.dumps([s["text"][:70] for s in c["support"][1:]]))
    print(f"\n(built in {time.perf_counter() - started:.0f}s)")


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--curve", action="store_true", help="P/R per citation cut")
    parser.add_argument("--errors", action="store_true", help="list wrong citations/conflicts")
    parser.add_argument("--unrelated", type=int, default=0, help="WCXB pages to build (0: none)")
    args = parser.parse_args()
    settings = Settings()
    labelled_table(settings, args.curve, args.errors)
    if args.unrelated:
        unrelated_table(args.unrelated, settings)


if __name__ == "__main__":
    main()
