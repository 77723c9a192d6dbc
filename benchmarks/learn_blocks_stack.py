"""Two-stage block model and the F1/survival trade-off on WCXB dev (issue #18, measurement).

Stage 1 is learn_blocks.py's block model (same features, same folds by site). Stage 2
reads stage 1's probabilities of the block's neighbours (1-3 either side, word-weighted
windows of 2, 5 and 15 blocks, the page's mean and quantiles) beside a few of the
block's own features, so a "Share" line inside a dropped row is judged with its row.
Every probability a stage 2 model is fitted on is out-of-fold (inner folds by site
inside each outer training fold); the held-out fold's sites are never seen.

Cuts (keep threshold; override's low/high) are chosen on the training fold's own
out-of-fold probabilities, maximising mean word F1 minus ``--penalty`` x survival. The
held-out table is printed for every penalty, and the whole F1/survival curve of the cut
grid (held out) is written, so the best reachable pair is visible.

    python benchmarks/learn_blocks_stack.py --max-train-blocks 40000 --iters 150
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import sys
import time

import numpy as np
from bench_extraction import survives
from learn_blocks import (
    CACHE,
    DATA,
    ITERS,
    fit_blocks,
    load_pages,
    predict_pages,
    sample_by_site,
    type_probs,
)
from learn_blocks_features import BLOCK_NAMES
from learn_blocks_report import assemble, override_text, page_f1
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from pipeline.clean.html.block_features import window_mean
from pipeline.clean.html.page_kind import PAGE_TYPES

THRESHOLDS = np.round(np.arange(0.2, 0.91, 0.1), 2)
LOWS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
HIGHS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never add
OWN = ("log_words", "link_share", "in_curate", "curate_share", "dom_cut", "idx_frac", "depth")
STACK_NAMES = (
    ["p", "p_rank"]
    + [f"p_{d}{k}" for d in ("prev", "next") for k in (1, 2, 3)]
    + [f"win{k}" for k in (2, 5, 15)]
    + ["page_mean", "page_q25", "page_q75", "page_max"]
    + list(OWN)
    + [f"type_{t}" for t in PAGE_TYPES]
)


def stack_x(page, p1: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Stage 2 rows of one page from its stage 1 probabilities."""
    n = len(p1)
    words = page.n_words.astype(float) + 1.0
    cols = [p1, np.argsort(np.argsort(p1)) / max(n - 1, 1)]
    for shift in (1, 2, 3):  # previous blocks
        cols.append(np.concatenate([np.full(shift, -1.0), p1[:-shift]])[:n])
    for shift in (1, 2, 3):
        cols.append(np.concatenate([p1[shift:], np.full(shift, -1.0)])[-n:] if n else p1)
    cols += [window_mean(p1, words, k) for k in (2, 5, 15)]
    wm = float((p1 * words).sum() / words.sum())
    cols += [np.full(n, v) for v in (wm, *np.quantile(p1, [0.25, 0.75]), p1.max())]
    cols += [page.X[:, BLOCK_NAMES.index(c)] for c in OWN]
    cols += [np.full(n, t) for t in types]
    return np.column_stack(cols).astype(np.float32)


def _stage2_model(seed: int, iters: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=iters,
        max_leaf_nodes=31,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )


def _weights(pages, floor: float) -> np.ndarray:
    return np.concatenate(
        [np.minimum(p.n_words / max(p.gold_words, 20), 1.0) + floor for p in pages]
    )


def fit_stage2(pages, p1s, types, seed: int, floor: float, iters: int):
    X = np.concatenate([stack_x(p, pr, t) for p, pr, t in zip(pages, p1s, types, strict=True)])
    y = (np.concatenate([p.label_shingles for p in pages]) >= 0.5).astype(int)
    return _stage2_model(seed, iters).fit(X, y, sample_weight=_weights(pages, floor))


def predict_stage2(model, pages, p1s, types) -> list[np.ndarray]:
    return [
        model.predict_proba(stack_x(p, pr, t))[:, 1]
        for p, pr, t in zip(pages, p1s, types, strict=True)
    ]


def oof_stage1(train, types, seed: int, folds: int) -> list[np.ndarray]:
    """Stage 1 probabilities of every training page from a model that never saw its site."""
    out: list[np.ndarray] = [np.zeros(0)] * len(train)
    groups = [p.site for p in train]
    for a, b in GroupKFold(folds, shuffle=True, random_state=seed + 1).split(train, groups=groups):
        m = fit_blocks([train[i] for i in a], types[a], "label_shingles", seed)
        for i, pr in zip(b, predict_pages(m, [train[i] for i in b], types[b]), strict=True):
            out[i] = pr
    return out


def oof_stage2(train, p1s, types, seed, folds, floor, iters) -> list[np.ndarray]:
    out: list[np.ndarray] = [np.zeros(0)] * len(train)
    groups = [p.site for p in train]
    for a, b in GroupKFold(folds, shuffle=True, random_state=seed + 2).split(train, groups=groups):
        m = fit_stage2([train[i] for i in a], [p1s[i] for i in a], types[a], seed, floor, iters)
        got = predict_stage2(m, [train[i] for i in b], [p1s[i] for i in b], types[b])
        for i, pr in zip(b, got, strict=True):
            out[i] = pr
    return out


def grid_scores(pages, probs, rows) -> dict[str, np.ndarray]:
    """Per page, (F1, survived) for every cut of the grid: 'learned t' and 'override lo/hi'."""
    out = {}
    for t in THRESHOLDS:
        out[f"learned {t:.2f}"] = [
            (p, assemble(p, pr, t)) for p, pr in zip(pages, probs, strict=True)
        ]
    for lo in LOWS:
        for hi in HIGHS:
            out[f"override {lo:.2f}/{hi:.2f}"] = [
                (p, override_text(p, pr, lo, hi)) for p, pr in zip(pages, probs, strict=True)
            ]
    return {
        k: np.array(
            [
                (page_f1(rows, p, text), float(survives(rows[p.pid].get("without") or [], text)))
                for p, text in v
            ]
        )
        for k, v in out.items()
    }


def usable(pages) -> list:
    return [p for p in pages if p.X is not None and len(p.X)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=int, default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--inner", type=int, default=3, help="inner folds by site for OOF")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iters", type=int, default=150)
    ap.add_argument("--iters2", type=int, default=100)
    ap.add_argument("--max-train-blocks", type=int, default=40000)
    ap.add_argument("--floor", type=float, default=0.001, help="weight added to every block")
    ap.add_argument("--penalties", default="0,0.1,0.2,0.3,0.5")
    args = ap.parse_args()
    ITERS["blocks"], ITERS["max_rows"] = args.iters, args.max_train_blocks
    ITERS["floor"] = args.floor
    with open(DATA / "ground-truth.jsonl", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in map(json.loads, fh)}
    ids = sample_by_site(rows, args.sample, args.seed)
    pages = load_pages(ids, rows, True)
    print(f"{len(pages)} pages, {args.folds} folds by site, floor {args.floor}", flush=True)
    penalties = [float(x) for x in args.penalties.split(",")]
    held: dict[str, dict[str, np.ndarray]] = {"stage1": {}, "stage2": {}}
    chosen: dict[str, list] = {}
    per_page_order: list[str] = []
    splitter = GroupKFold(args.folds, shuffle=True, random_state=args.seed)
    for k, (tr, te) in enumerate(splitter.split(pages, groups=[p.site for p in pages])):
        start = time.process_time()
        train, test = usable([pages[i] for i in tr]), usable([pages[i] for i in te])
        tr_types, te_types, _ = type_probs(train, test, args.seed)
        p1_oof = oof_stage1(train, tr_types, args.seed, args.inner)
        m1 = fit_blocks(train, tr_types, "label_shingles", args.seed)
        p1_test = predict_pages(m1, test, te_types)
        p2_oof = oof_stage2(train, p1_oof, tr_types, args.seed, args.inner, args.floor, args.iters2)
        m2 = fit_stage2(train, p1_oof, tr_types, args.seed, args.floor, args.iters2)
        p2_test = predict_stage2(m2, test, p1_test, te_types)
        for stage, oof, test_p in (("stage1", p1_oof, p1_test), ("stage2", p2_oof, p2_test)):
            tr_grid = grid_scores(train, oof, rows)
            te_grid = grid_scores(test, test_p, rows)
            for key, arr in te_grid.items():
                held[stage].setdefault(key, []).append(arr)
            for pen in penalties:
                for mode in ("learned", "override"):
                    best = max(
                        (c for c in tr_grid if c.startswith(mode)),
                        key=lambda c: tr_grid[c][:, 0].mean() - pen * tr_grid[c][:, 1].mean(),
                    )
                    name = f"{stage} {mode} pen {pen}"
                    chosen.setdefault(name, []).append((best, te_grid[best]))
        per_page_order += [p.pid for p in test]
        print(f"  fold {k}: {time.process_time() - start:.0f}s CPU", flush=True)
    by_pid = {p.pid: p for p in pages}
    order = [by_pid[i] for i in per_page_order]
    base = {
        "curate": np.array(
            [
                (page_f1(rows, p, p.curate_text), survives(rows[p.pid]["without"], p.curate_text))
                for p in order
            ],
            float,
        ),
        "trafilatura": np.array(
            [
                (page_f1(rows, p, p.traf_text), survives(rows[p.pid]["without"], p.traf_text))
                for p in order
            ],
            float,
        ),
    }
    traf = base["trafilatura"][:, 0].mean()
    types = [p.page_type for p in order]
    result = {"args": vars(args), "pages": len(order), "systems": {}, "curve": {}}

    def line(name: str, arr: np.ndarray, cuts: str = "") -> None:
        f1, surv = arr[:, 0].mean(), arr[:, 1].mean()
        art = arr[[t == "article" for t in types], 0].mean()
        result["systems"][name] = {
            "f1": round(f1, 4),
            "lead": round(f1 - traf, 4),
            "survival": round(surv, 4),
            "article_f1": round(art, 4),
            "cuts": cuts,
        }
        print(f"{name:<34}{f1:>7.3f}{f1 - traf:>+8.3f}{surv:>8.3f}{art:>8.3f}  {cuts}")

    print(f"\n{'system (held out)':<34}{'F1':>7}{'lead':>8}{'surv':>8}{'article':>8}  cuts")
    for name, arr in base.items():
        line(name, arr)
    for name, parts in chosen.items():
        line(name, np.concatenate([a for _, a in parts]), " ".join(c.split()[-1] for c, _ in parts))
    for stage, grid in held.items():
        for key, arrs in grid.items():
            arr = np.concatenate(arrs)
            result["curve"][f"{stage} {key}"] = [
                round(arr[:, 0].mean() - traf, 4),
                round(arr[:, 1].mean(), 4),
            ]
    front = sorted(result["curve"].items(), key=lambda kv: -kv[1][0])
    print("\nheld-out curve, fixed cuts (lead, survival), Pareto front:")
    best_surv = 9.0
    for key, (lead, surv) in front:
        if surv < best_surv:
            best_surv = surv
            print(f"  {key:<34}{lead:+.3f}{surv:>8.3f}")
    result["traf_survival"] = round(base["trafilatura"][:, 1].mean(), 4)
    result["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    out = CACHE / f"stack-{len(order)}-f{args.folds}-floor{args.floor}.json"
    out.write_text(json.dumps(result, indent=1))
    print(f"\nwritten {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
