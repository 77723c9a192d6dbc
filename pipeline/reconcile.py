"""Reconcile aligned sentences into claims with citations, support and conflicts.

Claims are clusters of aligned sentences built greedily from the best alignment down
(a deterministic, constrained single-link): a cluster holds at most one passage per
document (a passage is a sentence, or the items of one list, so one sentence can
gather several bullets), and two clusters joined by a conflicting alignment never merge.
Conflict rules (pipeline.conflicts) run only on alignments between different groups.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

import pandas as pd

from pipeline.conflicts import find_conflict
from pipeline.segment import _words
from pipeline.settings import ReconcileSettings

CLAIM_COLUMNS = [
    "claim_id", "text", "status", "independent_sources", "citations", "support",
    "conflicts", "doc_id", "sentence_id", "section", "order",
]  # fmt: skip
SOURCE_COLUMNS = [
    "key", "doc_id", "url", "publisher", "title", "retrieved", "trust", "group_id", "relation",
]  # fmt: skip
# Lower is more original; a spun copy never gives the canonical wording.
RELATION_RANK = {
    "original": 0, "near_duplicate": 1, "partial_copy": 2, "exact_duplicate": 3, "spun_copy": 9,
}  # fmt: skip


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _trust(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1


def _slug(text: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())[:limit]


def citation_key(publisher: str, url: str, title: str, doc_id: str, limit: int = 24) -> str:
    """A short key: publisher, else the site name of the URL, else title, else doc_id."""
    if _slug(publisher, limit):
        return _slug(publisher, limit)
    host = urlsplit(url).hostname or "" if url else ""
    labels = [p for p in host.split(".") if p and p != "www"]
    if len(labels) >= 2:
        return _slug(labels[-2], limit)
    words = [w for w in _words(title) if len(w) > 3][:2]
    return _slug("".join(words), limit) or _slug(doc_id, limit) or "source"


def build_sources(documents: pd.DataFrame, settings: ReconcileSettings) -> pd.DataFrame:
    """sources.csv rows: one per document, keys unique (``-2``, ``-3`` by trust, doc_id)."""
    rows = []
    for doc in documents.to_dict("records"):
        doc_id = str(doc["doc_id"])
        url, publisher, title = (
            _text(doc.get("url")),
            _text(doc.get("publisher")),
            _text(doc.get("title")),
        )
        rows.append(
            {
                "key": citation_key(publisher, url, title, doc_id, settings.max_key_length),
                "doc_id": doc_id,
                "url": url,
                "publisher": publisher,
                "title": title,
                "retrieved": _text(doc.get("retrieved")),
                "trust": _trust(doc.get("trust")),
                "group_id": _text(doc.get("group_id")) or doc_id,
                "relation": _text(doc.get("relation")) or "original",
            }
        )
    rows.sort(key=lambda r: (-r["trust"], RELATION_RANK.get(r["relation"], 5), r["doc_id"]))
    seen: dict[str, int] = {}
    for row in rows:
        base = row["key"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            row["key"] = f"{base}-{seen[base]}"
    frame = pd.DataFrame(rows, columns=SOURCE_COLUMNS)
    frame["trust"] = frame["trust"].map(lambda t: pd.NA if t < 0 else t).astype("Int64")
    return frame.sort_values("doc_id").reset_index(drop=True)


class _Clusters:
    """Union-find with one passage per document, cannot-link pairs and an average link.

    Two clusters merge only when at least ``link_share`` of their cross-document sentence
    pairs are aligned, so one loose alignment cannot chain two claims into one.
    """

    def __init__(
        self, passages: dict[str, tuple[str, str]], links: set[frozenset[str]], link_share: float
    ):
        self.parent = {s: s for s in passages}
        self.passage = passages
        self.members = {s: {passages[s]} for s in passages}
        self.sentences: dict[str, list[str]] = {s: [s] for s in passages}
        self.cannot: dict[str, set[str]] = {s: set() for s in passages}
        self.links = links
        self.link_share = link_share

    def _linked_enough(self, ra: str, rb: str) -> bool:
        cross = linked = 0
        for a in self.sentences[ra]:
            for b in self.sentences[rb]:
                if self.passage[a][0] != self.passage[b][0]:
                    cross += 1
                    linked += frozenset((a, b)) in self.links
        return cross == 0 or linked >= self.link_share * cross

    def find(self, s: str) -> str:
        while self.parent[s] != s:
            self.parent[s] = self.parent[self.parent[s]]
            s = self.parent[s]
        return s

    def forbid(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        self.cannot[ra].add(rb)
        self.cannot[rb].add(ra)

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or rb in {self.find(c) for c in self.cannot[ra]}:
            return
        docs_a = {d for d, _ in self.members[ra]}
        if any(d in docs_a and (d, p) not in self.members[ra] for d, p in self.members[rb]):
            return  # would put two passages of one document into one claim
        if not self._linked_enough(ra, rb):
            return
        keep, drop = sorted((ra, rb))
        self.parent[drop] = keep
        self.members[keep] |= self.members.pop(drop)
        self.sentences[keep] += self.sentences.pop(drop)
        self.cannot[keep] |= self.cannot.pop(drop)


def reconcile_claims(
    sentences: pd.DataFrame,
    alignments: pd.DataFrame,
    documents: pd.DataFrame,
    settings: ReconcileSettings,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims (claims.jsonl fields plus doc_id/sentence_id/section/order) and sources."""
    sources = build_sources(documents, settings)
    if sentences is None or sentences.empty:
        return pd.DataFrame(columns=CLAIM_COLUMNS), sources
    info = {r["doc_id"]: r for r in sources.to_dict("records")}
    claims = sentences[sentences["is_claim"].astype(bool)]
    claims = claims[claims["doc_id"].isin(info)]
    rows = {r["sentence_id"]: r for r in claims.to_dict("records")}
    passages = {s: (r["doc_id"], _text(r.get("list_id")) or s) for s, r in sorted(rows.items())}
    edges = []
    if alignments is not None and not alignments.empty:
        for a, b, score in zip(
            alignments["sentence_a"], alignments["sentence_b"], alignments["score"], strict=True
        ):
            if a in rows and b in rows and float(score) >= settings.min_alignment_score:
                edges.append((-float(score), a, b))
    # At equal score an original's alignment goes before a copy's (a copy inherits its
    # original's alignments), so conflict details quote the original's wording.
    copied = {d for d, r in info.items() if r["relation"] != "original"}
    edges.sort(
        key=lambda e: (e[0], rows[e[1]]["doc_id"] in copied or rows[e[2]]["doc_id"] in copied, e)
    )
    links = {frozenset((a, b)) for _score, a, b in edges}
    clusters = _Clusters(passages, links, settings.min_link_share)
    conflicts: list[tuple[str, str, str, float]] = []
    for neg_score, a, b in edges:
        ga, gb = info[rows[a]["doc_id"]]["group_id"], info[rows[b]["doc_id"]]["group_id"]
        kind = (
            None
            if ga == gb
            else find_conflict(rows[a]["text"], rows[b]["text"], settings.list_match_share)
        )
        if kind:
            conflicts.append((a, b, kind, -neg_score))
            clusters.forbid(a, b)
    conflicting = {(a, b) for a, b, _kind, _score in conflicts}
    for _neg_score, a, b in edges:
        if (a, b) not in conflicting:
            clusters.union(a, b)
    edge_score: dict[str, float] = {}
    for neg_score, a, b in edges:
        if clusters.find(a) == clusters.find(b):
            edge_score[a] = max(edge_score.get(a, 0.0), -neg_score)
            edge_score[b] = max(edge_score.get(b, 0.0), -neg_score)
    by_root: dict[str, list[str]] = {}
    for s in sorted(rows):
        by_root.setdefault(clusters.find(s), []).append(s)
    built = _build_claims(by_root, rows, info, edge_score)
    _attach_conflicts(built, conflicts, rows, clusters)
    frame = pd.DataFrame(list(built.values()), columns=CLAIM_COLUMNS)
    return frame.sort_values(["order", "claim_id"]).reset_index(drop=True), sources


def _rank(sentence: dict, doc: dict) -> tuple:
    return (
        -doc["trust"] if pd.notna(doc["trust"]) else 1,
        RELATION_RANK.get(doc["relation"], 5),
        0 if sentence["kind"] == "sentence" else 1,
        sentence["doc_id"],
        int(sentence["position"]),
    )


def _build_claims(
    by_root: dict[str, list[str]], rows: dict, info: dict, edge_score: dict[str, float]
) -> dict[str, dict]:
    built: dict[str, dict] = {}
    used_ids: set[str] = set()
    doc_order = {
        d: i
        for i, d in enumerate(
            sorted(
                info, key=lambda d: _rank({"kind": "sentence", "doc_id": d, "position": 0}, info[d])
            )
        )
    }
    for root, members in by_root.items():
        ranked = sorted(members, key=lambda s: _rank(rows[s], info[rows[s]["doc_id"]]))
        originals = [s for s in ranked if info[rows[s]["doc_id"]]["relation"] != "spun_copy"]
        if not originals:
            continue  # only spun copies say this: no wording we may publish
        canon = rows[originals[0]]
        digest = hashlib.sha1(
            f"{canon['doc_id']}\n{' '.join(_words(canon['text']))}".encode()
        ).hexdigest()[:12]
        claim_id = f"c_{digest}"
        if claim_id in used_ids:
            claim_id = f"{claim_id}_{int(canon['position'])}"
        used_ids.add(claim_id)
        groups: dict[str, str] = {}
        for s in originals:  # a spun copy never cites: it is no source of its own
            doc = info[rows[s]["doc_id"]]
            groups.setdefault(doc["group_id"], doc["key"])
        support = [
            {
                "doc_id": rows[s]["doc_id"],
                "sentence_id": s,
                "text": rows[s]["text"],
                "score": 1.0 if s == canon["sentence_id"] else round(edge_score.get(s, 0.0), 4),
                "via": info[rows[s]["doc_id"]]["relation"],
            }
            for s in ranked
        ]
        built[root] = {
            "claim_id": claim_id,
            "text": canon["text"],
            "status": "corroborated" if len(groups) > 1 else "single_source",
            "independent_sources": len(groups),
            "citations": list(groups.values()),
            "support": support,
            "conflicts": [],
            "doc_id": canon["doc_id"],
            "sentence_id": canon["sentence_id"],
            "section": _text(canon.get("section")),
            "order": doc_order[canon["doc_id"]] * 100_000 + int(canon["position"]),
        }
    return built


def _attach_conflicts(
    built: dict[str, dict], conflicts: list, rows: dict, clusters: _Clusters
) -> None:
    for a, b, kind, _score in conflicts:
        ca, cb = built.get(clusters.find(a)), built.get(clusters.find(b))
        if ca is None or cb is None or ca is cb:
            continue
        detail = f'"{rows[a]["text"]}" vs "{rows[b]["text"]}"'
        for mine, other, text in ((ca, cb, detail), (cb, ca, detail)):
            if not any(c["claim_id"] == other["claim_id"] for c in mine["conflicts"]):
                entry = {"claim_id": other["claim_id"], "type": kind, "detail": text}
                mine["conflicts"].append(entry)
                mine["status"] = "conflict"
    for claim in built.values():
        claim["conflicts"].sort(key=lambda c: (c["claim_id"], c["type"]))
