"""Scoring and tables for learn_blocks.py: page texts from block probabilities, word F1
and survival (bench_extraction's own functions), speed, feature-group importance."""

from __future__ import annotations

import re
import statistics
import time

import numpy as np
from bench_extraction import survives, word_f1
from learn_blocks_features import BLOCK_NAMES, names_list
from sklearn.metrics import log_loss

from pipeline.clean.html.page_kind import PAGE_TYPES

FIXED_OVERRIDE = (0.1, 0.9)
_UP = [f"up{k}_" for k in (1, 2, 3)]
GROUPS = {
    "text stats": names_list(
        "log_words log_chars digit_share upper_share log_sent_ends ends_punct sep_share title_share"
    ),
    "link density": ["link_share"],
    "position": ["idx_frac", "word_frac"],
    "tag path, depth": [
        n
        for n in BLOCK_NAMES
        if n.startswith(("in_", "path_")) and n != "in_curate" and n != "in_traf"
    ]
    + ["depth", "tag", "parent_tag"],
    "class/id tokens": [n for n in BLOCK_NAMES if n.startswith(("own_", "anc_"))],
    "sibling repetition": ["log_sig_count", "sig_word_share", "log_same_siblings"],
    "containers (up 1-3)": [u + x for u in _UP for x in ("words", "link")],
    "DOM rules": ["dom_cut", "dom_reason", "cut_by_name", "win5_dom"],
    "curate output": [
        "in_curate",
        "curate_share",
        "prev_curate",
        "next_curate",
        "win5_curate",
        "page_curate_share",
    ]
    + [u + "curate" for u in _UP],
    "trafilatura output": [
        "in_traf",
        "traf_share",
        "prev_traf",
        "next_traf",
        "win2_traf",
        "win5_traf",
        "page_traf_share",
    ]
    + [u + "traf" for u in _UP],
    "page stats": names_list("page_log_words page_log_segments page_article page_link_share"),
    "page type": [f"type_{t}" for t in PAGE_TYPES],
}
# What each system runs per page (CPU parts of Page.cpu), before its own prediction.
COST = {
    "learned": ("segment", "curate", "traf"),
    "learned-gold": ("segment", "curate", "traf"),
    "no-traf": ("segment", "curate"),
    "dom-only": ("segment",),
}


def assemble(page, probs, threshold: float) -> str:
    """The page text: blocks with p >= threshold, in page order."""
    return "\n\n".join(t for t, p in zip(page.texts, probs, strict=True) if p >= threshold)


def override_text(page, probs, low: float, high: float) -> str:
    """curate's output, without its blocks of p < low, with the blocks of p > high it lacks."""
    text = " ".join(page.curate_text.split())
    extra = []
    in_cur = page.X[:, BLOCK_NAMES.index("in_curate")] if page.X is not None else []
    for t, p, kept in zip(page.texts, probs, in_cur, strict=True):
        if kept and p < low:  # the block's own occurrence, not a word that starts with it
            text = re.sub(rf"(?<!\w){re.escape(t)}(?!\w)", " ", text, count=1)
        elif not kept and p > high:
            extra.append(t)
    return "\n\n".join([text, *extra])


def page_f1(rows, page, text: str) -> float:
    return word_f1(rows[page.pid]["main_content"], text)


def score_systems(pages, rows, results) -> dict:
    """Per system: {pid: (F1, survived)}; and CPU seconds per page per system."""
    texts: dict[str, dict[str, str]] = {"curate": {}, "trafilatura": {}, "oracle": {}}
    for v in results:
        texts[v] = {}
        if v == "learned":
            texts["override"], texts["override .1/.9"] = {}, {}
    cpu: dict[str, dict[str, float]] = {"curate": {}, "trafilatura": {}}
    cpu.update({v: {} for v in results})
    for page in pages:
        pid = page.pid
        texts["curate"][pid], texts["trafilatura"][pid] = page.curate_text, page.traf_text
        labels = page.label_shingles if page.X is not None else []
        texts["oracle"][pid] = assemble(page, labels, 0.5)
        for v, res in results.items():
            r = res[pid]
            texts[v][pid] = assemble(page, r["probs"], r["cuts"]["threshold"])
            cpu[v][pid] = sum(page.cpu[k] for k in COST[v]) + r["cpu"]
            if v == "learned":
                cuts = r["cuts"]["low"], r["cuts"]["high"]
                texts["override"][pid] = override_text(page, r["probs"], *cuts)
                texts["override .1/.9"][pid] = override_text(page, r["probs"], *FIXED_OVERRIDE)
        cpu["curate"][pid] = page.cpu["curate"]
        cpu["trafilatura"][pid] = page.cpu["traf"]
    scores = {
        name: {
            pid: (page_f1(rows, p, out[pid]), survives(rows[pid].get("without") or [], out[pid]))
            for p in pages
            for pid in [p.pid]
        }
        for name, out in texts.items()
    }
    types = {pid: r["type"] for pid, r in results["learned"].items()}
    return {"scores": scores, "cpu": cpu, "types": types}


def importance(model, pages, types, label: str, seed: int, drop, max_rows: int = 30000) -> dict:
    """Rise of the weighted log loss when one feature group is shuffled (held-out fold)."""
    from learn_blocks import design

    X, y, w = design(pages, types, label, drop)
    names = BLOCK_NAMES + [f"type_{t}" for t in PAGE_TYPES]
    rng = np.random.default_rng(seed)
    if len(y) > max_rows:
        pick = rng.choice(len(y), max_rows, replace=False)
        X, y, w = X[pick], y[pick], w[pick]
    if len(set(y)) < 2:
        return {}
    base = log_loss(y, model.predict_proba(X)[:, 1], sample_weight=w)
    out = {}
    for group, cols in GROUPS.items():
        idx = [names.index(c) for c in cols]
        Xp = X.copy()
        Xp[:, idx] = X[rng.permutation(len(y))][:, idx]
        out[group] = round(log_loss(y, model.predict_proba(Xp)[:, 1], sample_weight=w) - base, 4)
    out["(base log loss)"] = round(base, 4)
    return out


def _row(name, cells, width=9):
    return f"{name:<16}" + "".join(f"{c:>{width}}" for c in cells)


def report(pages, rows, scored, imp, fold_info, args) -> dict:
    """Print the tables; return them as a dict (written to JSON by the caller)."""
    scores, cpu = scored["scores"], scored["cpu"]
    systems = list(scores)
    types = sorted({p.page_type for p in pages})
    groups = {"overall": [p.pid for p in pages]}
    groups.update({t: [p.pid for p in pages if p.page_type == t] for t in types})
    out = {"args": vars(args), "pages": len(pages), "folds": fold_info, "importance": imp}
    print(f"\n## word F1 (mean over pages), CV by site; {len(pages)} pages")
    print(_row("system", [g[:8] for g in groups]))
    table = {}
    for s in systems:
        table[s] = {
            g: statistics.fmean(scores[s][p][0] for p in ids) if ids else None
            for g, ids in groups.items()
        }
        print(_row(s, [f"{table[s][g]:.3f}" for g in groups]))
    print(_row("n pages", [len(ids) for ids in groups.values()]))
    print("\n## lead over trafilatura (word F1)")
    for s in systems:
        if s != "trafilatura":
            print(_row(s, [f"{table[s][g] - table['trafilatura'][g]:+.3f}" for g in groups]))
    print("\n## survival: share of pages where a gold 'without' snippet survives")
    surv = {
        s: {g: statistics.fmean(scores[s][p][1] for p in ids) for g, ids in groups.items()}
        for s in systems
    }
    for s in systems:
        print(_row(s, [f"{surv[s][g]:.3f}" for g in groups]))
    print(
        "\n## speed: pages per CPU-second (segment = parse + DOM rules + features; learned "
        "and learned-gold = segment + curate + trafilatura + prediction; no-traf = segment "
        "+ curate + prediction; dom-only = segment + prediction)"
    )
    speed = {s: len(pages) / max(sum(v.values()), 1e-9) for s, v in cpu.items()}
    parts = {k: sum(p.cpu[k] for p in pages) for k in ("segment", "curate", "traf")}
    parts["predict (learned)"] = sum(cpu["learned"].values()) - sum(parts.values())
    for s, v in speed.items():
        print(f"{s:<16}{v:>9.1f} pages/s  ({v / speed['trafilatura']:.2f}x trafilatura)")
    print("CPU seconds by part: " + ", ".join(f"{k} {v:.1f}" for k, v in parts.items()))
    pred = scored["types"]
    acc = {
        g: statistics.fmean(float(pred[p] == rows[p]["page_type"]) for p in ids)
        for g, ids in groups.items()
    }
    out["type_accuracy"] = acc
    print("\n## page-type classifier accuracy (held-out folds)")
    print(_row("accuracy", [f"{acc[g]:.3f}" for g in groups]))
    print("\n## feature groups: rise of weighted log loss when shuffled (fold 0, held out)")
    for g, v in sorted(imp.items(), key=lambda kv: -kv[1]):
        print(f"  {g:<22}{v:+.4f}")
    losses = sorted(pages, key=lambda p: scores["learned"][p.pid][0] - scores["curate"][p.pid][0])
    print("\n## pages where learned loses most against curate")
    worst = []
    for p in losses[:12]:
        item = {
            "id": p.pid,
            "type": p.page_type,
            "site": p.site,
            **{
                s: round(scores[s][p.pid][0], 3)
                for s in ("learned", "curate", "trafilatura", "oracle")
            },
        }
        worst.append(item)
        print("  " + " ".join(f"{k}={v}" for k, v in item.items()))
    out.update(
        {
            "f1": table,
            "survival": surv,
            "speed": speed,
            "cpu_parts": parts,
            "worst": worst,
            "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        }
    )
    return out
