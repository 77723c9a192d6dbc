"""Dedup benchmark: planted copies in generated corpora, beside datasketch MinHashLSH.

For each size, builds a corpus with ``benchmarks/corpus_gen.py`` (see its docstring for
how), runs ``find_copies`` and, on the same corpus in the same run, datasketch MinHashLSH
at datatrove's settings (word 5-grams, 14 bands x 8 rows = 112 permutations), and prints:
- recall per planted kind and level (pair found with the planted relation; "found" =
  found under any relation), for us and for MinHash (which has no labels: found only);
  near duplicates also split by word 5-gram Jaccard (>= 0.8, the band the target names);
- precision per relation we output (a pair is right when it is planted with that relation);
- direction accuracy (the planted original called the original) for spun and partial,
  per level and half, and for both together (the target's figure);
- docs/s and peak memory (peak RSS of a forked worker running it, corpus and the
  generator's tables included; beside it the worker's RSS when it started, so the
  system's own share shows).
Half of the planted pairs (even hash of the copy id) are the tuning half; figures are
printed for both halves so overfitting shows.

Run: .venv/bin/python benchmarks/bench_dedup.py [--sizes 2000,20000,100000] [--quick]
     [--minhash-max N] [--fresh-memory]
(--fresh-memory: peak RSS of a fresh process that loads the corpus and runs the stage.)
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus_gen import distinct_texts, load_gold_texts, make_corpus
from pipeline.dedup.stage import find_copies
from pipeline.settings import DedupSettings


def minhash_pairs(docs, bands: int = 14, rows: int = 8) -> set[frozenset[str]]:
    """datasketch MinHashLSH near-duplicate pairs at datatrove's settings."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(num_perm=bands * rows, params=(bands, rows))
    hashes = {}
    for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True):
        words = text.lower().split()
        shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=bands * rows, seed=1)
        m.update_batch(list(shingles))
        lsh.insert(doc_id, m)
        hashes[doc_id] = m
    pairs = set()
    for doc_id, m in hashes.items():
        for other in lsh.query(m):
            if other != doc_id:
                pairs.add(frozenset((doc_id, other)))
    return pairs


def _half(copy_id: str) -> str:
    return "tune" if hashlib.sha1(copy_id.encode()).digest()[0] % 2 == 0 else "held"


def _rss(field: str = "VmRSS") -> int:
    """Resident set size of this process (``VmHWM``: its peak), in bytes (Linux)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _timed(func, args):
    base = _rss()
    start = time.perf_counter()
    result = func(*args)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result, seconds, (peak, base)


def _measure(func, *args):
    """Run ``func`` in a forked worker: its result, wall seconds and peak RSS (bytes).

    The worker's peak RSS includes the corpus it inherited, so it is the memory a
    process needs to hold the corpus and run the system."""
    gc.collect()
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_timed, (func, args))


def _shingles(text: str) -> set[str]:
    words = text.lower().split()
    return {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


def _level_groups(p, texts: dict[str, str]) -> list[str]:
    """The rows a planted pair counts in: its level, its relation, and for near
    duplicates the word 5-gram Jaccard band the target names."""
    level = p.level
    if p.relation == "partial_copy":
        level = "partial40-69" if int(level[len("partial") :]) < 70 else "partial70-100"
    groups = [level, p.relation]
    if p.relation == "near_duplicate":
        a, b = _shingles(texts[p.copy]), _shingles(texts[p.original])
        jac = len(a & b) / max(1, len(a | b))
        groups.append("near J>=0.8" if jac >= 0.8 else "near J<0.8")
    return groups


def _print_recall(stats: dict[tuple[str, str], Counter], mh: bool) -> None:
    print("| planted | half | n | ours: right label | ours: found | MinHash 5g 14x8: found |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (group, half), c in sorted(stats.items()):
        n = c["n"]
        mh_cell = f"{c['mh'] / n:.3f}" if mh else "not run"
        print(
            f"| {group} | {half} | {n} | {c['right'] / n:.3f} | {c['found'] / n:.3f} | {mh_cell} |"
        )


def fresh_process_peak(docs) -> tuple[int, int]:
    """Peak and starting RSS (bytes) of a fresh process that loads ``docs`` and runs
    ``find_copies``: the memory the system needs beside the corpus, nothing inherited."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.pkl"
        docs.to_pickle(path)
        out = subprocess.run(
            [sys.executable, __file__, "--measure-memory", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    return int(out[-2]), int(out[-1])


def _measure_memory(path: str) -> None:
    import pandas as pd

    docs = pd.read_pickle(path)
    base = _rss()
    find_copies(docs, DedupSettings())
    print(_rss("VmHWM"), base)  # not ru_maxrss: Linux keeps that across fork + exec


def run_size(gold, size: int, seed: int, minhash_max: int, fresh: bool) -> None:
    """Build one corpus, run both systems, print the tables."""
    docs, planted = make_corpus(gold, size, seed)
    texts = dict(zip(docs["doc_id"], docs["text"], strict=True))
    (_, relations), ours_s, ours_peak = _measure(find_copies, docs, DedupSettings())
    run_mh = size <= minhash_max
    mh_pairs, mh_s, mh_peak = _measure(minhash_pairs, docs) if run_mh else (set(), 0.0, (0, 0))
    truth = {frozenset((p.copy, p.original)): p for p in planted}
    found = {frozenset((r.copy, r.original)): r for r in relations.itertuples(index=False)}
    print(f"\n## {size:,} documents ({len(planted):,} planted copies, seed {seed})\n")
    stats: dict[tuple[str, str], Counter] = defaultdict(Counter)
    direction: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for key, p in truth.items():
        groups = _level_groups(p, texts)
        for g in groups:
            for half in (_half(p.copy), "all"):
                c = stats[(g, half)]
                c["n"] += 1
                c["found"] += key in found
                c["right"] += key in found and found[key].relation == p.relation
                c["mh"] += key in mh_pairs
        if key in found and p.relation in ("spun_copy", "partial_copy"):
            for g in (groups[0], p.relation, "spun + partial (the target)"):
                for half in (_half(p.copy), "all"):
                    direction[(g, half)]["n"] += 1
                    direction[(g, half)]["right"] += found[key].original == p.original
    _print_recall(stats, run_mh)
    print("\n| relation (ours) | planted | recall (right label) | output pairs | precision |")
    print("| --- | --- | --- | --- | --- |")
    for relation in ("exact_duplicate", "near_duplicate", "spun_copy", "partial_copy"):
        rows = [k for k, r in found.items() if r.relation == relation]
        right = sum(1 for k in rows if k in truth and truth[k].relation == relation)
        related = sum(1 for k in rows if k in truth)
        prec = right / len(rows) if rows else float("nan")
        c = stats[(relation, "all")]
        print(
            f"| {relation} | {c['n']} | {c['right'] / max(1, c['n']):.3f} | {len(rows)} "
            f"| {prec:.3f} (planted pair, any label: {related}) |"
        )
    mh_right = sum(1 for k in mh_pairs if k in truth)
    print(
        f"| all (ours) | {len(truth)} | - | {len(found)} "
        f"| {sum(1 for k in found if k in truth) / max(1, len(found)):.3f} |"
    )
    if run_mh:
        print(
            f"| all (MinHash) | {len(truth)} | - | {len(mh_pairs)} "
            f"| {mh_right / max(1, len(mh_pairs)):.3f} |"
        )
    print("\n| direction | half | pairs found | original right |")
    print("| --- | --- | --- | --- |")
    for (group, half), c in sorted(direction.items()):
        print(f"| {group} | {half} | {c['n']} | {c['right'] / max(1, c['n']):.3f} |")
    print("\n| system | seconds | docs/s | peak RSS MB (at start) | ratio ours/MinHash (time) |")
    print("| --- | --- | --- | --- | --- |")
    ratio = f"{ours_s / mh_s:.2f}" if run_mh else "-"
    print(
        f"| ours (find_copies, all relations) | {ours_s:.1f} | {size / ours_s:,.0f} "
        f"| {ours_peak[0] / 2**20:,.0f} ({ours_peak[1] / 2**20:,.0f}) | {ratio} |"
    )
    if fresh:
        peak, base = fresh_process_peak(docs)
        print(
            f"| ours, fresh process holding only the corpus | - | - "
            f"| {peak / 2**20:,.0f} ({base / 2**20:,.0f}) | - |"
        )
    if run_mh:
        print(
            f"| datasketch MinHashLSH 14x8 (near-dup pass only) | {mh_s:.1f} "
            f"| {size / mh_s:,.0f} | {mh_peak[0] / 2**20:,.0f} ({mh_peak[1] / 2**20:,.0f}) | 1.00 |"
        )
    else:
        print(f"| datasketch MinHashLSH 14x8 | not run (size > --minhash-max {minhash_max}) |")


def main() -> None:
    """Parse arguments and run every size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000,100000")
    parser.add_argument("--quick", action="store_true", help="one 2,000-document corpus")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--minhash-max", type=int, default=20000, help="skip MinHash on larger corpora"
    )
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared"
    )
    parser.add_argument(
        "--fresh-memory", action="store_true", help="also measure peak RSS in a fresh process"
    )
    parser.add_argument("--measure-memory", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_memory:
        _measure_memory(args.measure_memory)
        return
    gold = distinct_texts(load_gold_texts(args.shared / "benchmarks"))
    print(f"gold texts kept: {len(gold)}")
    sizes = [2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        run_size(gold, size, args.seed, args.minhash_max, args.fresh_memory)


if __name__ == "__main__":
    main()
