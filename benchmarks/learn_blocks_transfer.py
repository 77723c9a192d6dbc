"""The learned block model on the ScrapingHub article set: trained on all of WCXB dev
(the cuts chosen on an inner split by site, as in learn_blocks.py), applied to the 181
ScrapingHub pages, scored with that benchmark's own 4-shingle macro P/R/F1 beside the
clean stage and trafilatura default (their outputs from the same feature run).

    python benchmarks/learn_blocks_transfer.py [--variants learned,dom-only]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import pickle
import sys
import time

import learn_blocks as lb
from bench_extraction import SHARED, scrapinghub
from learn_blocks_features import build_page
from learn_blocks_report import FIXED_OVERRIDE, assemble, override_text


def sh_pages(use_cache: bool):
    data = SHARED / "extraction"
    gold = scrapinghub.load_gold(data)
    raw = scrapinghub.load_pages(data)
    cache = lb.CACHE / f"sh-{lb._code_digest()}"
    cache.mkdir(parents=True, exist_ok=True)
    pages = []
    for pid in sorted(raw):
        path = cache / f"{pid}.pkl"
        if use_cache and path.exists():
            pages.append(pickle.loads(path.read_bytes()))
            continue
        row = {"id": pid, "url": None, "page_type": "article", "main_content": ""}
        page = build_page(pid, f"sh-{pid}", row, raw[pid].decode("utf-8", errors="replace"))
        path.write_bytes(pickle.dumps(page, protocol=5))
        pages.append(page)
    return gold, pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", default="learned")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--label", default="label_shingles")
    ap.add_argument("--max-train-blocks", type=int, default=0)
    args = ap.parse_args()
    lb.ITERS["blocks"], lb.ITERS["max_rows"] = args.iters, args.max_train_blocks
    with open(lb.DATA / "ground-truth.jsonl", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in map(json.loads, fh)}
    train = lb.load_pages(sorted(rows), rows, True)
    gold, test = sh_pages(True)
    preds = {
        "curate": {p.pid: p.curate_text for p in test},
        "trafilatura": {p.pid: p.traf_text for p in test},
    }
    info = {}
    for v in args.variants.split(","):
        start = time.process_time()
        got = lb.run_fold(train, test, rows, args.label, args.seed, v)
        cuts = got["cuts"]
        preds[v] = {
            p.pid: assemble(p, pr, cuts["threshold"])
            for p, pr in zip(test, got["probs"], strict=True)
        }
        if v == "learned":
            preds["override"] = {
                p.pid: override_text(p, pr, cuts["low"], cuts["high"])
                for p, pr in zip(test, got["probs"], strict=True)
            }
            preds["override .1/.9"] = {
                p.pid: override_text(p, pr, *FIXED_OVERRIDE)
                for p, pr in zip(test, got["probs"], strict=True)
            }
        info[v] = {"cuts": cuts, "cpu": round(time.process_time() - start, 1)}
        print(f"  {v}: cuts {cuts}, {info[v]['cpu']}s CPU", flush=True)
    print(
        f"\n## ScrapingHub articles: {len(test)} pages, 4-shingle macro P/R/F1; "
        "block models trained on all 1,497 WCXB dev pages"
    )
    table = {}
    for name, out in preds.items():
        res = scrapinghub.score(gold, out, n_boot=0)
        table[name] = {k: round(res[k], 4) for k in ("precision", "recall", "f1")}
        print(f"{name:<16}{res['precision']:>8.3f}{res['recall']:>8.3f}{res['f1']:>8.3f}")
    (lb.CACHE / "transfer-scrapinghub.json").write_text(
        json.dumps({"table": table, "info": info}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
