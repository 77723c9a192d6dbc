"""Alignment benchmark: precision/recall on hand-labelled seed pairs, claims per status,
and speed / peak memory on a large sentence set.

    python benchmarks/bench_align.py                 # seeds + 100k-sentence speed run
    python benchmarks/bench_align.py --sentences 5000  # quicker speed run
    python benchmarks/bench_align.py --skip-speed --ablation  # + one row per method change

Anchor (measured in the same run): rapidfuzz token_set_ratio alone with the same
best-of-either-side selection (the first row of NOTES.md's table), cut at 0.75.
Pairs are split into two halves by a hash of their ids: the thresholds were chosen
looking at the "tune" half only; the "held" half shows whether that overfitted.
The "para" columns leave out the spun copy 000: they measure the aligner on real
paraphrases only (000's pairs follow 004's through copy inheritance).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "align"))

from align_fixture import gold_pairs, seed_documents  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from pipeline.align.segment import segment_claims  # noqa: E402
from pipeline.align.stage import align_claims  # noqa: E402
from pipeline.reconcile.stage import reconcile_claims  # noqa: E402
from pipeline.settings import AlignSettings, ReconcileSettings  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


def _half(pair: frozenset[str]) -> str:
    digest = hashlib.sha1("|".join(sorted(pair)).encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "held"


def _pr(found: set, gold: set) -> tuple[float, float, float]:
    tp = len(found & gold)
    p = tp / len(found) if found else 0.0
    r = tp / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def token_set_anchor(sentences: pd.DataFrame, cut: float = 0.75) -> set[frozenset[str]]:
    """NOTES.md's lexical baseline: token_set_ratio, best pair of either side, >= cut."""
    claims = sentences[sentences["is_claim"]].reset_index(drop=True)
    rows = claims.to_dict("records")
    best: dict[tuple[str, str], float] = {}
    scored = []
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if a["doc_id"] == b["doc_id"]:
                continue
            s = fuzz.token_set_ratio(a["text"].lower(), b["text"].lower()) / 100
            scored.append((a, b, s))
            for x, y in ((a, b), (b, a)):
                key = (x["sentence_id"], y["doc_id"])
                best[key] = max(best.get(key, 0.0), s)
    keep = set()
    for a, b, s in scored:
        best_a = best[(a["sentence_id"], b["doc_id"])]
        best_b = best[(b["sentence_id"], a["doc_id"])]
        if s >= cut and (s >= best_a - 1e-9 or s >= best_b - 1e-9):
            keep.add(frozenset((a["sentence_id"], b["sentence_id"])))
    return keep


# Method changes of issue #4, each row adding one to the row before it (seed pairs).
OLD = {"token_score": False, "inherit_copies": False, "margin_k": 4,
       "candidates_per_sentence": 3, "min_score": 0.55, "mutual_score": 0.55}  # fmt: skip
ABLATION = [
    ("before #4: cosine margin, old cuts", OLD),
    ("+ copies inherit their original's pairs", {**OLD, "inherit_copies": True}),
    ("+ BERTScore margin (old cuts)", {**OLD, "inherit_copies": True, "token_score": True}),
    ("+ cuts retuned on tune half (default)", {}),
    ("default without copy inheritance", {"inherit_copies": False}),
    ("default without BERTScore (cosine margin)", {"token_score": False}),
    ("default, mutual-best rule off", {"mutual_score": 0.6}),
]


def ablation_table() -> None:
    """P/R of each method change on the seed pairs (all, tune, held, paraphrase-only)."""
    docs = seed_documents()
    sentences = segment_claims(docs, AlignSettings())
    gold = gold_pairs(sentences).pairs
    non_spun = {g for g in gold if not any(s.startswith("000") for s in g)}
    print("\n## Per-change effect (minilm)\n")
    print("| change | pairs | P | R | P tune | R tune | P held | R held | para P | para R |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, changes in ABLATION:
        settings = dataclasses.replace(AlignSettings(), **changes)
        al = align_claims(sentences, docs, settings)
        found = {frozenset(p) for p in zip(al["sentence_a"], al["sentence_b"], strict=True)}
        cells = list(_pr(found, gold)[:2])
        for half in ("tune", "held"):
            g = {x for x in gold if _half(x) == half}
            cells += list(_pr({x for x in found if _half(x) == half}, g)[:2])
        para = {x for x in found if not any(s.startswith("000") for s in x)}
        cells += list(_pr(para, non_spun)[:2])
        print(f"| {name} | {len(found)} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")


def seed_table() -> None:
    docs = seed_documents()
    base = AlignSettings()
    sentences = segment_claims(docs, base)
    labelled = gold_pairs(sentences)
    gold, spun_gold = labelled.pairs, labelled.spun
    if labelled.lost:
        print(f"Labelled sentences the cleaner lost: {labelled.lost}\n")
    methods: dict[str, set] = {"anchor token_set_ratio": token_set_anchor(sentences)}
    alignments = {}
    for name in ("minilm", "lexical"):
        settings = dataclasses.replace(base, embedder=name)
        al = align_claims(sentences, docs, settings)
        alignments[name] = al
        methods[f"ours {name}"] = {
            frozenset(p) for p in zip(al["sentence_a"], al["sentence_b"], strict=True)
        }
    print(f"## Seeds (real clean + dedup output of raw/): {len(gold)} labelled pairs\n")
    print("| method | pairs | P | R | F1 | P tune | R tune | P held | R held | F1 / anchor |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    anchor_f1 = _pr(methods["anchor token_set_ratio"], gold)[2]
    non_spun = {g for g in gold if not any(s.startswith("000") for s in g)}
    for name, found in methods.items():
        p, r, f = _pr(found, gold)
        halves = []
        for half in ("tune", "held"):
            g = {x for x in gold if _half(x) == half}
            fh = {x for x in found if _half(x) == half}
            halves += list(_pr(fh, g)[:2])
        print(
            f"| {name} | {len(found)} | {p:.3f} | {r:.3f} | {f:.3f} | "
            + " | ".join(f"{v:.3f}" for v in halves)
            + f" | {f / anchor_f1:.2f} |"
        )
    print("\nSpun copy 000 ~ its original 004 (copy pairs), and paraphrase pairs without 000:\n")
    print("| method | copy P | copy R | para P | para R | para F1 |")
    print("| --- | --- | --- | --- | --- | --- |")
    ids = set(sentences["sentence_id"])
    copy_ids = {s for s in ids if s.startswith("000")}
    orig_ids = {s for s in ids if s.startswith("004")}
    for name, found in methods.items():
        f_copy = {x for x in found if x & copy_ids and x & orig_ids}
        cp, cr, _ = _pr(f_copy, spun_gold)
        f_ns = {x for x in found if not x & copy_ids}
        p, r, f = _pr(f_ns, non_spun)
        print(f"| {name} | {cp:.3f} | {cr:.3f} | {p:.3f} | {r:.3f} | {f:.3f} |")
    print("\nPrecision / recall of the minilm pairs per score cut (the citation cut is")
    print("reconcile.cite_score; labelled-corpus figures: bench_claims.py --curve):\n")
    print("| cut | pairs | P tune | R tune | P held | R held |")
    print("| --- | --- | --- | --- | --- | --- |")
    al = alignments["minilm"]
    chosen = ReconcileSettings().cite_score
    for cut in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        kept = al[al["score"] >= cut]
        found = {frozenset(p) for p in zip(kept["sentence_a"], kept["sentence_b"], strict=True)}
        cells = []
        for half in ("tune", "held"):
            g = {x for x in gold if _half(x) == half}
            cells += list(_pr({x for x in found if _half(x) == half}, g)[:2])
        mark = " (cite_score)" if abs(cut - chosen) < 1e-9 else ""
        print(f"| {cut:.2f}{mark} | {len(found)} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")
    claims, _ = reconcile_claims(sentences, alignments["minilm"], docs, ReconcileSettings())
    counts = claims["status"].value_counts()
    print("\n## Claims per status on the seeds (minilm)\n")
    print("| corroborated | conflict | single_source | total |\n| --- | --- | --- | --- |")
    print(
        f"| {counts.get('corroborated', 0)} | {counts.get('conflict', 0)} | "
        f"{counts.get('single_source', 0)} | {len(claims)} |"
    )


def big_documents(target_sentences: int) -> pd.DataFrame:
    """Gold texts of the extraction and WCXB benchmarks, as clean documents."""
    texts = []
    for line in (SHARED / "wcxb-dev" / "ground-truth.jsonl").read_text().split("\n"):
        if not line.strip():
            continue
        row = json.loads(line)
        texts.append((f"wcxb/{row['id']}", row.get("main_content") or ""))
    truth = json.loads((SHARED / "extraction" / "ground-truth.json").read_text())
    for key, row in sorted(truth.items()):
        texts.append((f"extraction/{key[:12]}", row.get("articleBody") or ""))
    docs = pd.DataFrame(texts, columns=["doc_id", "text"])
    docs["text"] = docs["text"].str.replace("\n", "\n\n", regex=False)
    sentences = segment_claims(docs, AlignSettings())
    claims = sentences[sentences["is_claim"]]
    copies = []
    round_ = 0
    while sum(len(c) for c in copies) < target_sentences and not claims.empty:
        part = claims.copy()  # later rounds reuse the texts under new ids (exact repeats)
        part["doc_id"] = part["doc_id"] + f"@{round_}"
        part["sentence_id"] = part["doc_id"] + part["sentence_id"].str.split("#").str[1]
        copies.append(part)
        round_ += 1
    out = pd.concat(copies, ignore_index=True).iloc[:target_sentences]
    return out.reset_index(drop=True)


def speed_run(embedder: str, n: int) -> dict:
    sentences = big_documents(n)
    docs = pd.DataFrame({"doc_id": sorted(sentences["doc_id"].unique())})
    docs["group_id"] = docs["doc_id"]
    docs["derived_from"] = None
    settings = dataclasses.replace(AlignSettings(), embedder=embedder)
    start = time.perf_counter()
    al = align_claims(sentences, docs, settings)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "embedder": embedder,
        "sentences": len(sentences),
        "documents": len(docs),
        "pairs": len(al),
        "seconds": round(seconds, 1),
        "sentences_per_s": round(len(sentences) / seconds, 1),
        "peak_mb": round(peak_mb),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--speed-only", default="")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--ablation", action="store_true", help="one row per method change")
    args = parser.parse_args()
    if args.speed_only:
        print(json.dumps(speed_run(args.speed_only, args.sentences)))
        return
    seed_table()
    if args.ablation:
        ablation_table()
    if args.skip_speed:
        return
    print(f"\n## Speed and peak memory, {args.sentences} sentences (separate processes)\n")
    print("| embedder | sentences | documents | pairs | seconds | sentences/s | peak MB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    results = {}
    for embedder in ("lexical", "minilm"):
        cmd = [sys.executable, __file__, "--speed-only", embedder]
        cmd += ["--sentences", str(args.sentences)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results[embedder] = r
        print(
            f"| {r['embedder']} | {r['sentences']} | {r['documents']} | {r['pairs']} | "
            f"{r['seconds']} | {r['sentences_per_s']} | {r['peak_mb']} |"
        )
    ratio = results["minilm"]["sentences_per_s"] / results["lexical"]["sentences_per_s"]
    print(f"\nminilm / lexical speed ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
