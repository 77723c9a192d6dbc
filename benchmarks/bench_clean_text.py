"""Text/Markdown block classifier on text captures of real pages (WCXB development split).

No public benchmark ships *text* captures with gold main content, so we make them: each
WCXB page is turned into the two kinds of capture the pipeline receives, a Markdown one
(markdownify, as reader services and crawlers produce) and a plain-text dump (a lynx-like
rendering written here: one line per block, ``* `` list items, no link targets). Our
``clean_text_capture`` + ``apply_block_rules`` then runs on each capture.

Printed beside it, in the same run, on the same pages:
- the capture itself, uncleaned (the floor: what the pipeline would keep with no cleaner);
- trafilatura 2.3.1 default on the *HTML* (the named anchor; it sees the markup we lack).

Word F1 is WCXB's metric (lowercase ``\\w+`` bags, mean over pages), ``surv`` the share of
pages where a gold ``without`` boilerplate snippet survives. Pages split by an even/odd hash
of their id: thresholds were chosen looking at half 0 only; half 1 is held out.

    python benchmarks/bench_clean_text.py --sample 200   # deterministic quick sample
    python benchmarks/bench_clean_text.py                # all 1,497 pages
"""

from __future__ import annotations

import argparse
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

import lxml.html
import trafilatura
from markdownify import markdownify

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.clean.blocks import render_text  # noqa: E402
from pipeline.clean.rules import apply_block_rules  # noqa: E402
from pipeline.clean.text.cleaner import clean_text_capture  # noqa: E402
from pipeline.settings import CleanSettings  # noqa: E402

WCXB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "wcxb-dev"
WORD = re.compile(r"\w+")
_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "head")
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "form",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "dd",
    "br",
    "hr",
    "address",
    "details",
}


def _tree(html: str):
    tree = lxml.html.fromstring(html)
    for bad in tree.xpath("|".join(f"//{t}" for t in _DROP)):
        bad.drop_tree()
    return tree


def markdown_capture(html: str) -> str:
    """The page as Markdown (markdownify), the shape reader services hand out."""
    return markdownify(lxml.html.tostring(_tree(html), encoding="unicode"), heading_style="ATX")


def text_capture(html: str) -> str:
    """The page as a lynx-like text dump: a line per block, ``* `` items, blank line per para."""
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCK:
            parts.append("\n\n" if tag in {"p", "h1", "h2", "h3", "h4", "h5", "h6"} else "\n")
            if tag == "li":
                parts.append("* ")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK:
            parts.append("\n")

    walk(_tree(html))
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


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


def run(fn: Callable[[str], str], inputs: dict[str, str]) -> tuple[dict[str, str], float]:
    """Outputs per page and CPU seconds spent; a crash counts as an empty output."""
    out: dict[str, str] = {}
    start = time.process_time()
    for pid, value in inputs.items():
        try:
            out[pid] = fn(value)
        except Exception as exc:
            print(f"  error on {pid}: {type(exc).__name__}: {exc}", file=sys.stderr)
            out[pid] = ""
    return out, time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=None, help="pages (deterministic sample)")
    args = parser.parse_args()
    rows = {}
    with open(WCXB / "ground-truth.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rows[row["id"]] = row
    ids = sample(list(rows), args.sample)
    html = {
        p: gzip.decompress((WCXB / "html" / f"{p}.html.gz").read_bytes()).decode(
            "utf-8", errors="replace"
        )
        for p in ids
    }
    captures = {"markdown": run(markdown_capture, html)[0], "text": run(text_capture, html)[0]}
    settings = CleanSettings()

    def ours(fmt: str) -> Callable[[str], str]:
        return lambda c: render_text(
            apply_block_rules(clean_text_capture(c, fmt, settings, frozenset()), settings).blocks
        )

    systems: dict[str, tuple[dict[str, str], float]] = {
        "trafilatura default on HTML (anchor)": run(
            lambda h: trafilatura.extract(h, include_comments=False) or "", html
        ),
    }
    for fmt, caps in captures.items():
        systems[f"{fmt} capture, uncleaned"] = (caps, 0.0)
        systems[f"{fmt} capture, ours"] = run(ours(fmt), caps)
    types = sorted({rows[p]["page_type"] for p in ids})
    print(
        f"\n## WCXB dev as text captures: {len(ids)} pages; word F1 mean; "
        "surv = share of pages where a gold 'without' snippet survives\n"
    )
    header = ["system", "half", "n", "F1 all", *types, "surv", "pages/s"]
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    summary: dict[tuple[str, int], float] = {}
    for name, (preds, secs) in systems.items():
        f1 = {p: word_f1(rows[p]["main_content"], preds[p]) for p in ids}
        for half in (0, 1):
            sel = [p for p in ids if half_of(p) == half]
            by_type = []
            for t in types:
                vals = [f1[p] for p in sel if rows[p]["page_type"] == t]
                by_type.append(f"{statistics.fmean(vals):.3f}" if vals else "-")
            surv = statistics.fmean(survives(rows[p].get("without") or [], preds[p]) for p in sel)
            summary[(name, half)] = statistics.fmean(f1[p] for p in sel)
            speed = f"{len(ids) / secs:.0f}" if secs else "-"
            print(
                f"| {name} | {half} | {len(sel)} | {summary[(name, half)]:.3f} | "
                + " | ".join(by_type)
                + f" | {surv:.2f} | {speed} |"
            )
    anchor = "trafilatura default on HTML (anchor)"
    print("\n| ratio | half 0 | half 1 |\n|---|---|---|")
    for fmt in captures:
        for base in (anchor, f"{fmt} capture, uncleaned"):
            ours_f1 = [summary[(f"{fmt} capture, ours", h)] for h in (0, 1)]
            r = [ours_f1[h] / max(1e-9, summary[(base, h)]) for h in (0, 1)]
            print(f"| {fmt} ours / {base} | {r[0]:.2f} | {r[1]:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
