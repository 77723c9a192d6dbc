"""Learned block model on WCXB dev, cross-validated by site (issue #18, measurement only).

Blocks are the clean stage's visible text segments, described by
``learn_blocks_features.py`` (text and link density, tag path, class/id tokens, position,
sibling repetition, the DOM rules' cut, whether curate's clean output and trafilatura
default keep the block, page type). A page-type classifier and a block classifier
(scikit-learn HistGradientBoosting, fixed seed) are fitted in each training fold; the
held-out fold's sites never appear in training (GroupKFold on the URL host without
``www.``). Inside each training fold an inner split by site (2/3 fit, 1/3 choose)
picks the keep threshold and the override cuts; the held-out fold is scored once.

Systems on the same held-out pages, in the same run, scored with bench_extraction's
word F1 and snippet survival:
  learned      blocks with p >= threshold (page type predicted in the same folds)
  learned-gold the same with the gold page type (an upper bound for the type feature)
  no-traf      learned without trafilatura default's verdicts (one extractor run less)
  dom-only     learned without any extractor's verdicts (DOM, text and position only)
  override     curate's output, minus its blocks with p < lo, plus blocks with p > hi
  curate       the clean stage (clean_capture), trafilatura default; oracle: the blocks
               whose label says main (the ceiling of this block segmentation)
Figures and what they mean: docs/learned-extraction.md.

    python benchmarks/learn_blocks.py --sample 100 --folds 2   # quick
    python benchmarks/learn_blocks.py --max-train-blocks 40000 --iters 150   # all 1,497
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: a shared 2-core machine

import argparse
import gzip
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from bench_extraction import ROOT, SHARED
from learn_blocks_features import BLOCK_NAMES, CATEGORICAL, build_page
from learn_blocks_pagetype import PAGE_NAMES
from learn_blocks_report import GROUPS, report, score_systems
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from pipeline.clean.html.page_kind import PAGE_TYPES

DATA = SHARED / "wcxb-dev"
CACHE = ROOT / "bench-out" / "learn_blocks"
THRESHOLDS = np.round(np.arange(0.2, 0.81, 0.05), 2)
LOWS = (0.02, 0.05, 0.1, 0.2, 0.3)
HIGHS = (0.7, 0.8, 0.9, 0.95, 0.98, 1.01)  # 1.01: never add
# variant -> (gold page type?, feature groups left out)
VARIANTS = {
    "learned": (False, ()),
    "dom-only": (False, ("trafilatura output", "curate output")),
    "no-traf": (False, ("trafilatura output",)),
    "learned-gold": (True, ()),
}
_COLUMNS = BLOCK_NAMES + [f"type_{t}" for t in PAGE_TYPES]


def dropped(groups) -> np.ndarray:
    return np.array([_COLUMNS.index(c) for g in groups for c in GROUPS[g]], dtype=int)


def site_of(row: dict) -> str:
    host = (urlsplit(row.get("url") or "").hostname or "").lower()
    host = host.removeprefix("www.")
    return host or f"page-{row['id']}"


def sample_by_site(rows: dict[str, dict], n: int | None, seed: int) -> list[str]:
    """Whole sites in a seeded hash order until ``n`` pages: deterministic."""
    if not n or n >= len(rows):
        return sorted(rows)
    by_site: dict[str, list[str]] = {}
    for pid, row in rows.items():
        by_site.setdefault(site_of(row), []).append(pid)
    order = sorted(by_site, key=lambda s: hashlib.sha256(f"{seed}:{s}".encode()).hexdigest())
    ids: list[str] = []
    for site in order:
        if len(ids) >= n:
            break
        ids += by_site[site]
    return sorted(ids)


def _code_digest() -> str:
    """Cache key: the feature code and the clean stage it calls."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    files = [here / "learn_blocks_features.py", here / "learn_blocks_pagetype.py"]
    for part in ("clean", "text"):  # what clean_capture runs (not the other stages)
        files += sorted((ROOT / "pipeline" / part).rglob("*.py"))
    files += sorted((ROOT / "pipeline").glob("settings*.py"))
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def load_pages(ids, rows, use_cache: bool):
    cache = CACHE / f"feat-{_code_digest()}"
    cache.mkdir(parents=True, exist_ok=True)
    pages, start = [], time.time()
    for i, pid in enumerate(ids):
        path = cache / f"{pid}.pkl"
        if use_cache and path.exists():
            pages.append(pickle.loads(path.read_bytes()))
            continue
        with gzip.open(DATA / "html" / f"{pid}.html.gz") as fh:
            html = fh.read().decode("utf-8", "replace")
        page = build_page(pid, site_of(rows[pid]), rows[pid], html)
        path.write_bytes(pickle.dumps(page, protocol=5))
        pages.append(page)
        if (i + 1) % 100 == 0:
            print(f"  features: {i + 1}/{len(ids)} pages, {time.time() - start:.0f}s", flush=True)
    return pages


def _page_x(page) -> np.ndarray:
    return page.page_x if page.page_x is not None else np.zeros(len(PAGE_NAMES), np.float32)


ITERS: dict[str, float] = {"blocks": 200, "max_rows": 0, "floor": 1e-3}


def _hgb(seed: int, categorical=None, max_iter: int | None = None, min_leaf: int = 40):
    return HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=int(max_iter or ITERS["blocks"]),
        max_leaf_nodes=63,
        min_samples_leaf=min_leaf,
        l2_regularization=1.0,
        categorical_features=categorical,
        early_stopping=False,
        random_state=seed,
    )


def type_probs(train, test, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Page-type probabilities: out-of-fold (3 folds by site) on ``train``, fitted on all
    of ``train`` for ``test``; columns in PAGE_TYPES order. Also the CPU seconds of the
    test prediction."""
    X = np.stack([_page_x(p) for p in train])
    y = np.array([PAGE_TYPES.index(p.page_type) for p in train])
    groups = [p.site for p in train]
    out = np.zeros((len(train), len(PAGE_TYPES)), np.float32)
    for a, b in GroupKFold(3, shuffle=True, random_state=seed).split(X, y, groups):
        m = _hgb(seed, max_iter=100, min_leaf=5).fit(X[a], y[a])
        out[np.ix_(b, m.classes_)] = m.predict_proba(X[b])
    m = _hgb(seed, max_iter=100, min_leaf=5).fit(X, y)
    test_p = np.zeros((len(test), len(PAGE_TYPES)), np.float32)
    start = time.process_time()
    if test:
        test_p[:, m.classes_] = m.predict_proba(np.stack([_page_x(p) for p in test]))
    return out, test_p, time.process_time() - start


def one_hot(pages) -> np.ndarray:
    out = np.zeros((len(pages), len(PAGE_TYPES)), np.float32)
    for i, p in enumerate(pages):
        out[i, PAGE_TYPES.index(p.page_type)] = 1.0
    return out


def design(pages, types: np.ndarray, label: str, drop=()):
    """Stacked block rows of ``pages`` with their page type columns; labels and weights."""
    keep = [i for i, p in enumerate(pages) if p.X is not None]
    X = (
        np.concatenate(
            [np.hstack([pages[i].X, np.repeat(types[i : i + 1], len(pages[i].X), 0)]) for i in keep]
        )
        if keep
        else np.zeros((0, len(BLOCK_NAMES) + 7))
    )
    X[:, list(drop)] = 0.0  # a left-out group: constant, never split on
    lab = np.concatenate([getattr(pages[i], label) for i in keep]) if keep else np.zeros(0)
    # A block weighs its words against the page's gold size: the page F1 moves that much.
    w = (
        np.concatenate(
            [np.minimum(pages[i].n_words / max(pages[i].gold_words, 20), 1.0) for i in keep]
        )
        if keep
        else np.zeros(0)
    )
    return X, (lab >= 0.5).astype(int), w + ITERS.get("floor", 1e-3)


def fit_blocks(pages, types, label: str, seed: int, drop=()):
    X, y, w = design(pages, types, label, drop)
    cap = ITERS["max_rows"]
    if cap and len(y) > cap:  # weighted sample, reweighted (Horvitz-Thompson): CPU budget
        floor = 0.02
        c = cap / float((w + floor).sum())
        p = np.minimum(1.0, c * (w + floor))
        pick = np.random.default_rng(seed).random(len(y)) < p
        X, y, w = X[pick], y[pick], w[pick] / p[pick]
    cat = [BLOCK_NAMES.index(c) for c in CATEGORICAL]
    mask = np.zeros(X.shape[1], bool)
    mask[cat] = True
    return _hgb(seed, categorical=mask).fit(X, y, sample_weight=w)


def predict_pages(model, pages, types, drop=()) -> list[np.ndarray]:
    out = []
    for i, p in enumerate(pages):
        if p.X is None:
            out.append(np.zeros(0))
            continue
        X = np.hstack([p.X, np.repeat(types[i : i + 1], len(p.X), 0)])
        X[:, list(drop)] = 0.0
        out.append(model.predict_proba(X)[:, 1])
    return out


def choose_cuts(model, pages, types, rows, drop=()) -> dict:
    """Keep threshold and override cuts that maximise mean word F1 on ``pages``."""
    from learn_blocks_report import assemble, override_text, page_f1

    probs = predict_pages(model, pages, types, drop)
    best_t = max(
        THRESHOLDS,
        key=lambda t: np.mean(
            [page_f1(rows, p, assemble(p, pr, t)) for p, pr in zip(pages, probs, strict=True)]
        ),
    )
    best_o = max(
        ((lo, hi) for lo in LOWS for hi in HIGHS),
        key=lambda c: np.mean(
            [page_f1(rows, p, override_text(p, pr, *c)) for p, pr in zip(pages, probs, strict=True)]
        ),
    )
    return {"threshold": float(best_t), "low": best_o[0], "high": best_o[1]}


def run_fold(train, test, rows, label: str, seed: int, variant: str) -> dict:
    """Fit on ``train`` (inner split for the cuts), predict ``test``: probabilities, cuts,
    CPU seconds of the test predictions (page type + blocks)."""
    gold_types, groups = VARIANTS[variant]
    drop = dropped(groups)
    if gold_types:
        tr_types, te_types, cpu = one_hot(train), one_hot(test), 0.0
    else:
        tr_types, te_types, cpu = type_probs(train, test, seed)
    sites = sorted(
        {p.site for p in train}, key=lambda s: hashlib.sha256(f"{seed}:{s}".encode()).hexdigest()
    )
    inner_fit = set(sites[: 2 * len(sites) // 3])
    a = [i for i, p in enumerate(train) if p.site in inner_fit]
    b = [i for i, p in enumerate(train) if p.site not in inner_fit]
    inner = fit_blocks([train[i] for i in a], tr_types[a], label, seed, drop)
    cuts = choose_cuts(inner, [train[i] for i in b], tr_types[b], rows, drop)
    model = fit_blocks(train, tr_types, label, seed, drop)
    start = time.process_time()
    probs = predict_pages(model, test, te_types, drop)
    cpu += time.process_time() - start
    return {
        "probs": probs,
        "cuts": cuts,
        "cpu": cpu,
        "model": model,
        "types": te_types,
        "drop": drop,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=int, default=None, help="pages, whole sites (default all)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--label", choices=["label_shingles", "label_words"], default="label_shingles")
    ap.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help="comma list, 'learned' first (default: %(default)s)",
    )
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--iters", type=int, default=200, help="boosting rounds of the block model")
    ap.add_argument(
        "--max-train-blocks", type=int, default=0, help="weighted sample per fit (0: all)"
    )
    args = ap.parse_args()
    ITERS["blocks"], ITERS["max_rows"] = args.iters, args.max_train_blocks
    with open(DATA / "ground-truth.jsonl", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in map(json.loads, fh)}
    ids = sample_by_site(rows, args.sample, args.seed)
    print(
        f"{len(ids)} pages, {len({site_of(rows[i]) for i in ids})} sites, "
        f"{args.folds} folds by site, seed {args.seed}, label {args.label}",
        flush=True,
    )
    pages = load_pages(ids, rows, not args.no_cache)
    groups = [p.site for p in pages]
    splitter = GroupKFold(args.folds, shuffle=True, random_state=args.seed)
    variants = args.variants.split(",")
    results = {v: {} for v in variants}
    fold_info = []
    for k, (tr, te) in enumerate(splitter.split(pages, groups=groups)):
        train, test = [pages[i] for i in tr], [pages[i] for i in te]
        for v in variants:
            start = time.process_time()
            got = run_fold(train, test, rows, args.label, args.seed, v)
            for i, (p, pr) in enumerate(zip(test, got["probs"], strict=True)):
                results[v][p.pid] = {
                    "probs": pr,
                    "cuts": got["cuts"],
                    "cpu": got["cpu"] / len(test),
                    "type": PAGE_TYPES[int(np.argmax(got["types"][i]))],
                }
            fold_info.append(
                {
                    "fold": k,
                    "variant": v,
                    "cuts": got["cuts"],
                    "fit_cpu": round(time.process_time() - start, 1),
                }
            )
            print(
                f"  fold {k} {v}: {len(train)} train / {len(test)} test pages, "
                f"cuts {got['cuts']}, {time.process_time() - start:.0f}s CPU",
                flush=True,
            )
            if k == 0 and v == "learned":
                from learn_blocks_report import importance

                imp = importance(
                    got["model"], test, got["types"], args.label, args.seed, got["drop"]
                )
    scores = score_systems(pages, rows, results)
    out = report(pages, rows, scores, imp, fold_info, args)
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / f"results-{len(ids)}-f{args.folds}.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
