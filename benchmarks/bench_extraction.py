"""Main-content extraction: our clean path beside trafilatura default, same pages, same run.

Sets: ../shared/benchmarks/extraction (ScrapingHub articles; its own 4-shingle macro
P/R/F1, scored with that benchmark's evaluate.py) and ../shared/benchmarks/wcxb-dev
(word F1 per page type, mean over pages; share of pages where a gold ``without``
boilerplate snippet survives). Pages are split in two halves by an even/odd hash of
their id; thresholds were tuned on half 0 only, so both halves are printed.

    python benchmarks/bench_extraction.py                # full sets
    python benchmarks/bench_extraction.py --sample 100   # deterministic quick sample
    python benchmarks/bench_extraction.py --only wcxb
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
sys.path.insert(0, str(SHARED / "extraction"))

import evaluate as scrapinghub  # noqa: E402  (the benchmark's own scorer)
import trafilatura  # noqa: E402

from pipeline.clean.blocks import render_text  # noqa: E402
from pipeline.settings import CleanSettings  # noqa: E402

WORD = re.compile(r"\w+")


def ours_function(
    html_only: bool = False, rules_alone: bool = False
) -> tuple[str, Callable[[str], str]]:
    """Our full clean path when clean_rules exists (or ``html_only``), else clean_html alone;
    with ``rules_alone``, the clean stage without its learned block model."""
    settings = CleanSettings()
    if rules_alone:
        settings = dataclasses.replace(settings, block_model="off")
        from pipeline.clean.stage import clean_capture

        return "ours, rules alone", lambda h: render_text(
            clean_capture(h, "html", None, settings).blocks
        )
    try:
        if html_only:
            raise ImportError("asked for clean_html alone")
        from pipeline.clean.stage import clean_capture

        return "ours (clean_capture)", lambda h: render_text(
            clean_capture(h, "html", None, settings).blocks
        )
    except ImportError:
        from pipeline.clean.html.cleaner import clean_html

        return "ours (clean_html)", lambda h: render_text(clean_html(h, None, settings).blocks)


def trafilatura_default(html: str) -> str:
    """The anchor: trafilatura with default settings."""
    return trafilatura.extract(html, include_comments=False) or ""


def half_of(page_id: str) -> int:
    """0 or 1: the tuning half (0) or the held-out half (1) of a page."""
    return int(hashlib.sha256(page_id.encode()).hexdigest(), 16) % 2


def sample(ids: list[str], n: int | None) -> list[str]:
    """Every k-th id of the sorted ids: deterministic."""
    ids = sorted(ids)
    if not n or n >= len(ids):
        return ids
    step = len(ids) / n
    return [ids[int(i * step)] for i in range(n)]


def run(systems, pages: dict[str, str]) -> dict[str, tuple[dict[str, str], float]]:
    """Outputs per page and CPU seconds spent (steadier than wall time on a shared box),
    per system. The systems take turns page by page, the first one changing each page,
    so a slow or busy spell of the machine weighs on all of them alike."""
    first = next(iter(pages.values()))
    for _, fn in systems:
        fn(first)  # warm-up
    out: dict[str, dict[str, str]] = {name: {} for name, _ in systems}
    cpu = dict.fromkeys(out, 0.0)
    for i, (pid, html) in enumerate(pages.items()):
        turn = i % len(systems)
        for name, fn in systems[turn:] + systems[:turn]:
            start = time.process_time()
            try:
                out[name][pid] = fn(html)
            except Exception as exc:  # a crash counts as a page with no output
                print(f"  error in {name} on {pid}: {type(exc).__name__}: {exc}", file=sys.stderr)
                out[name][pid] = ""
            cpu[name] += time.process_time() - start
    return {name: (out[name], cpu[name]) for name in out}


def word_f1(gold: str, pred: str) -> float:
    """WCXB's page metric: lowercase \\w+ bags, F1."""
    g, p = Counter(WORD.findall(gold.lower())), Counter(WORD.findall(pred.lower()))
    tp = sum((g & p).values())
    if not tp:
        return 1.0 if not g and not p else 0.0
    precision, recall = tp / sum(p.values()), tp / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def survives(snippets: list[str], pred: str) -> bool:
    """True when any boilerplate snippet appears in the output (whitespace/case folded)."""
    text = " ".join(pred.lower().split())
    return any(s and " ".join(s.lower().split()) in text for s in snippets)


def bench_scrapinghub(systems, n: int | None) -> None:
    """Article set: the benchmark's own macro P/R/F1 on 4-token shingles."""
    data = SHARED / "extraction"
    gold = scrapinghub.load_gold(data)
    raw = scrapinghub.load_pages(data)
    ids = sample(list(raw), n)
    pages = {pid: raw[pid].decode("utf-8", errors="replace") for pid in ids}
    print(f"\n## extraction (ScrapingHub articles): {len(pages)} pages, 4-shingle macro P/R/F1")
    print(f"{'system':<24}{'half':>6}{'P':>8}{'R':>8}{'F1':>8}{'pages/s':>9}")
    speeds = {}
    results = run(systems, pages)
    for name, _fn in systems:
        preds, cpu = results[name]
        speeds[name] = len(pages) / cpu if cpu else 0.0
        for label, keep in (("0", 0), ("1", 1), ("all", None)):
            sub = {p: gold[p] for p in ids if keep is None or half_of(p) == keep}
            res = scrapinghub.score(sub, preds, n_boot=0)
            rate = f"{speeds[name]:>9.1f}" if keep is None else ""
            print(
                f"{name:<24}{label:>6}{res['precision']:>8.3f}{res['recall']:>8.3f}"
                f"{res['f1']:>8.3f}{rate}"
            )
    _ratio(speeds)


def bench_wcxb(systems, n: int | None) -> None:
    """WCXB dev: word F1 per page type and overall; boilerplate-snippet survival."""
    data = SHARED / "wcxb-dev"
    with open(data / "ground-truth.jsonl", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in map(json.loads, fh)}
    ids = sample(list(rows), n)
    pages = {}
    for pid in ids:
        with gzip.open(data / "html" / f"{pid}.html.gz") as fh:
            pages[pid] = fh.read().decode("utf-8", "replace")
    types = sorted({rows[p]["page_type"] for p in ids})
    print(
        f"\n## wcxb-dev: {len(pages)} pages, word F1 (mean over pages); "
        "surv = share of pages where a gold 'without' snippet survives"
    )
    print(
        f"{'system':<24}{'half':>5}"
        + "".join(f"{t[:8]:>9}" for t in types)
        + f"{'overall':>9}{'surv':>7}{'pages/s':>9}"
    )
    if CleanSettings().block_model != "off":
        print(
            "(ours uses the block model, fitted on these pages: in-sample here; the held-out "
            "figures are train_block_model.py's cross-validation by site)"
        )
    speeds = {}
    results = run(systems, pages)
    for name, _fn in systems:
        preds, cpu = results[name]
        speeds[name] = len(pages) / cpu if cpu else 0.0
        for label, keep in (("0", 0), ("1", 1), ("all", None)):
            sel = [p for p in ids if keep is None or half_of(p) == keep]
            f1 = {p: word_f1(rows[p]["main_content"], preds[p]) for p in sel}
            cells = ""
            for t in types:
                vals = [f1[p] for p in sel if rows[p]["page_type"] == t]
                cells += f"{statistics.fmean(vals):>9.3f}" if vals else f"{'-':>9}"
            surv = statistics.fmean(survives(rows[p].get("without") or [], preds[p]) for p in sel)
            rate = f"{speeds[name]:>9.1f}" if keep is None else ""
            print(
                f"{name:<24}{label:>5}{cells}{statistics.fmean(f1.values()):>9.3f}"
                f"{surv:>7.3f}{rate}"
            )
    _ratio(speeds)


def _ratio(speeds: dict[str, float]) -> None:
    (ours, a), (anchor, b), *others = list(speeds.items())
    for name, rate in [(ours, a), *others]:
        print(f"speed ratio {name} / {anchor}: {rate / b if b else 0:.2f}x (CPU-time pages/s)")


def main() -> int:
    """Parse options and run the chosen sets."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=int, default=None, help="pages per set (default: all)")
    ap.add_argument("--only", choices=["extraction", "wcxb"], default=None)
    ap.add_argument("--html-only", action="store_true", help="measure clean_html alone")
    ap.add_argument(
        "--rules-alone",
        action="store_true",
        help="also the clean stage without its block model (clean.block_model=off)",
    )
    args = ap.parse_args()
    systems = [ours_function(args.html_only), ("trafilatura default", trafilatura_default)]
    if args.rules_alone:
        systems.append(ours_function(rules_alone=True))
    print(
        f"trafilatura {trafilatura.__version__}; CPU-time pages/s, one process, "
        "the systems taking turns page by page"
    )
    if args.only in (None, "extraction"):
        bench_scrapinghub(systems, args.sample)
    if args.only in (None, "wcxb"):
        bench_wcxb(systems, args.sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
