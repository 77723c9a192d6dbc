"""Engines and the cache on a generated corpus: full builds vs a rebuild after one new page.

Writes a corpus of N text captures with planted copies (``corpus_gen.make_corpus``, the
gold texts of ../shared/benchmarks) to OUT/raw, then times ``curate build`` (the CLI, so
start-up is included) for: pandas without cache, pandas filling a cold cache, pandas
after adding one page (warm cache), and the Dask engine (LocalCluster) without cache.
Every build is compared byte for byte with the uncached pandas one.

    .venv/bin/python benchmarks/bench_incremental.py --size 300 --workers 2 [--skip-dask]
    .venv/bin/python benchmarks/bench_incremental.py --size 1000 --skip-dask --cached-only
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus_gen import distinct_texts, load_gold_texts, make_corpus  # noqa: E402

CURATE = str(Path(sys.executable).with_name("curate"))


def _write_corpus(raw: Path, size: int, shared: Path) -> str:
    """The corpus into ``raw``; returns the text of one more page kept back."""
    gold = distinct_texts(load_gold_texts(shared / "benchmarks"))
    frame, _ = make_corpus(gold, size + 1, seed=7)
    raw.mkdir(parents=True)
    rows = list(zip(frame["doc_id"], frame["text"], strict=True))
    for doc_id, text in rows[:-1]:
        (raw / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return rows[-1][1]


CONFIG: list[str] = []


def _build(raw: Path, out: Path, *extra: str) -> float:
    started = time.perf_counter()
    cmd = [CURATE, "build", "--raw", str(raw), "--out", str(out), *CONFIG, *extra]
    subprocess.run(cmd, check=True, env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
    return time.perf_counter() - started


def _same(a: Path, b: Path) -> bool:
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    match, mismatch, errors = filecmp.cmpfiles(a, b, [str(f) for f in files], shallow=False)
    return not mismatch and not errors and len(match) == len(files)


def main() -> None:
    """Run the timings and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "incremental")
    parser.add_argument("--config", type=Path, help="settings TOML passed to curate build")
    parser.add_argument("--skip-dask", action="store_true", help="time the pandas engine only")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="only the cold-cache build and the +1 page rebuild (no uncached builds, so no"
        " byte comparison): for sizes where four full builds take too long",
    )
    args = parser.parse_args()
    if args.config:
        CONFIG.extend(["--config", str(args.config)])
    shutil.rmtree(args.out, ignore_errors=True)
    raw, cache = args.out / "raw", args.out / "cache"
    extra_page = _write_corpus(raw, args.size, args.shared)
    timings, same = {}, {}
    if not args.cached_only:
        timings["pandas, no cache"] = _build(raw, args.out / "plain", "--no-cache")
    timings["pandas, cold cache"] = _build(raw, args.out / "cold", "--cache", str(cache))
    if not args.cached_only:
        same["cold"] = _same(args.out / "plain", args.out / "cold")
    if not args.skip_dask and not args.cached_only:
        timings["dask, no cache"] = _build(
            raw, args.out / "dask", "--no-cache", "--engine", "dask", "--workers", str(args.workers)
        )
        same["dask"] = _same(args.out / "plain", args.out / "dask")
    (raw / "zz_new_page.txt").write_text(extra_page, encoding="utf-8")
    timings["pandas, +1 page, warm cache"] = _build(raw, args.out / "warm", "--cache", str(cache))
    if not args.cached_only:
        timings["pandas, +1 page, no cache"] = _build(raw, args.out / "plain2", "--no-cache")
        same["warm"] = _same(args.out / "plain2", args.out / "warm")
    for name, seconds in timings.items():
        print(f"{name:32s} {seconds:7.1f} s")
    full = timings.get("pandas, +1 page, no cache", timings["pandas, cold cache"])
    share = timings["pandas, +1 page, warm cache"] / full
    print(f"rebuild after one new page / full build: {share:.1%} (target < 10% at 10k pages)")
    if same:
        print("byte-identical to the uncached pandas build:", same)


if __name__ == "__main__":
    main()
