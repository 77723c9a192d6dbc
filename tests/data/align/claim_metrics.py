"""Score a build's claims against a labelled topic corpus (see labelled_corpus.py).

- citation precision: of the supports a multi-source claim cites (its canonical sentence
  and spun copies aside), the share that state the canonical sentence's fact;
- fact recall: of the sentence pairs of two independent sources that state one fact,
  the share cited together by one claim (and, beside it, the share cited together or
  waiting in the claim's review queue);
- conflict precision / recall: reported conflict links whose two sides are a planted
  contradiction, and planted contradictions (per pair of source groups) reported;
- boilerplate: claim sentences labelled as site chrome.
Each figure is counted per half (``tune`` / ``held``) by document pair.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pandas as pd
from labelled_corpus import NO_FACT, LabelledCorpus, half, sentence_facts

HALVES = ("tune", "held")


def _records(frame: pd.DataFrame | None) -> list[dict]:
    return [] if frame is None or frame.empty else frame.to_dict("records")


def claim_metrics(corpus: LabelledCorpus, tables: dict[str, pd.DataFrame]) -> dict:
    """Counts and figures per half, plus the boilerplate claim sentences and unmatched texts."""
    documents, sentences = tables["documents.jsonl"], tables["sentences.jsonl"]
    facts, unmatched = sentence_facts(corpus, sentences, documents)
    docs = {r["doc_id"]: r for r in _records(documents)}
    doc_of = dict(zip(sentences["sentence_id"], sentences["doc_id"], strict=True))
    text_of = dict(zip(sentences["sentence_id"], sentences["text"].astype(str), strict=True))

    def file(sentence: str) -> str:
        return str(docs[doc_of[sentence]]["source_file"])

    def group(sentence: str) -> str:
        return str(docs[doc_of[sentence]]["group_id"])

    def spun(sentence: str) -> bool:
        return docs[doc_of[sentence]]["relation"] == "spun_copy"

    def fact_set(sentence: str) -> frozenset[str]:
        return facts.get(sentence, frozenset()) - NO_FACT

    counts: dict[str, dict[str, int]] = {h: defaultdict(int) for h in HALVES}
    claim_of: dict[str, str] = {}
    queued: set[tuple[str, str]] = set()  # (claim_id, sentence) waiting for review
    links: list[tuple[str, str]] = []
    wrong: list[tuple[str, str, str]] = []
    for claim in _records(tables["claims.jsonl"]):
        canon = claim["sentence_id"]
        cited = [s["sentence_id"] for s in claim["support"] if s.get("via") != "spun_copy"]
        for s in cited:
            claim_of[s] = claim["claim_id"]
        for item in claim.get("review") or []:
            queued.add((claim["claim_id"], item["sentence_id"]))
        if int(claim["independent_sources"]) >= 2:
            for s in cited:
                if s == canon:
                    continue
                h = half(file(canon), file(s))
                counts[h]["cited"] += 1
                if fact_set(canon) & fact_set(s):
                    counts[h]["cited_right"] += 1
                else:
                    wrong.append((h, claim["text"], text_of[s]))
        for entry in claim.get("conflicts") or []:
            sides = entry.get("sides") or []
            if len(sides) == 2:
                links.append(tuple(sorted(x["sentence_id"] for x in sides)))
    # fact recall over pairs of independent sources
    claims_rows = sentences[sentences["is_claim"].astype(bool)]["sentence_id"].tolist()
    by_fact: dict[str, list[str]] = defaultdict(list)
    for s in claims_rows:
        if not spun(s):
            for f in fact_set(s):
                by_fact[f].append(s)
    for members in by_fact.values():
        for a, b in itertools.combinations(sorted(members), 2):
            if group(a) == group(b):
                continue
            h = half(file(a), file(b))
            counts[h]["pairs"] += 1
            together = a in claim_of and claim_of.get(a) == claim_of.get(b)
            counts[h]["pairs_found"] += int(together)
            counts[h]["pairs_found_or_queued"] += int(
                together or (claim_of.get(a), b) in queued or (claim_of.get(b), a) in queued
            )
    # conflicts
    reported = set(links)
    found_units = set()
    for a, b in reported:
        h = half(file(a), file(b))
        counts[h]["conflicts"] += 1
        pairs = {frozenset((x, y)) for x in fact_set(a) for y in fact_set(b)}
        hit = pairs & corpus.conflicts
        counts[h]["conflicts_right"] += int(bool(hit))
        for p in hit:
            found_units.add((p, frozenset((group(a), group(b)))))
        if not hit:
            wrong.append((h, "CONFLICT", f"{text_of[a]} <> {text_of[b]}"))
    planted: dict[tuple, str] = {}
    for pair in corpus.conflicts:
        fa, fb = sorted(pair)
        for a in by_fact.get(fa, []):
            for b in by_fact.get(fb, []):
                if group(a) != group(b):
                    unit = (pair, frozenset((group(a), group(b))))
                    planted.setdefault(unit, half(file(a), file(b)))
    for unit, h in planted.items():
        counts[h]["planted"] += 1
        counts[h]["planted_found"] += int(unit in found_units)
    boilerplate = [
        str(r["text"])
        for r in _records(sentences)
        if r["is_claim"] and "BOILERPLATE" in facts.get(r["sentence_id"], frozenset())
    ]
    return {"counts": counts, "boilerplate": boilerplate, "unmatched": unmatched, "wrong": wrong}


def ratio(hit: int, total: int) -> float:
    """hit / total, 1.0 for an empty total (nothing claimed, nothing wrong)."""
    return hit / total if total else 1.0


def figures(counts: dict[str, int]) -> dict[str, float]:
    """Citation precision, fact recall, conflict precision and recall from counts."""
    return {
        "citation_precision": ratio(counts["cited_right"], counts["cited"]),
        "fact_recall": ratio(counts["pairs_found"], counts["pairs"]),
        "fact_recall_with_review": ratio(counts["pairs_found_or_queued"], counts["pairs"]),
        "conflict_precision": ratio(counts["conflicts_right"], counts["conflicts"]),
        "conflict_recall": ratio(counts["planted_found"], counts["planted"]),
    }


def merged(results: list[dict], which: str) -> dict[str, int]:
    """Counts of one half (or ``all``) summed over several corpora's results."""
    out: dict[str, int] = defaultdict(int)
    for result in results:
        for h in HALVES if which == "all" else (which,):
            for k, v in result["counts"][h].items():
                out[k] += v
    return out
