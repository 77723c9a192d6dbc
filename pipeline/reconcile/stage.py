"""Reconcile aligned sentences into claims with citations, support, review and conflicts.

Every alignment's score is the estimated probability that its two sentences state the
same fact. Each alignment between two source groups is first judged on what the two
sentences pin down (pipeline.reconcile.conflicts.judge_pair):

- ``same`` and scored at least ``cite_score``: a citation link;
- ``same`` and scored from ``review_score`` up to ``cite_score``: not a citation; the
  sentence goes to the claim's review list for editors (review.jsonl);
- ``conflict`` (another amount, rate or polarity of one subject) and scored at least
  ``conflict_score``: the two claims are in conflict, and never merge;
- ``different`` (another population, condition or strength): two claims, no link.

Alignments inside one copy group (a copy and its original) link from
``copy_link_score``, without the slot rules (a spun copy garbles wording, not facts; a
copy never cites). Claims are clusters of citation links built greedily from the best
link down: a cluster holds at most one passage per document (a passage is a sentence, or
the items of one list), and two clusters merge only when ``min_link_share`` of their
cross-document pairs are linked.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from pipeline.reconcile.conflicts import judge_pair
from pipeline.reconcile.sources import RELATION_RANK, as_text, build_sources
from pipeline.settings import ReconcileSettings
from pipeline.text.words import words as _words

CLAIM_COLUMNS = [
    "claim_id", "text", "status", "independent_sources", "citations", "support",
    "conflicts", "doc_id", "sentence_id", "section", "order",
]  # fmt: skip
CLAIM_COLUMNS.insert(CLAIM_COLUMNS.index("conflicts") + 1, "review")


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


# A judged alignment: (-score, sentence_a, sentence_b, kind); kind is "copy" for a link
# inside a copy group, the conflict's kind for a conflict, None for a same-fact link.
Edge = tuple[float, str, str, str | None]


def _edges(
    alignments: pd.DataFrame | None, rows: dict, info: dict, settings: ReconcileSettings
) -> tuple[list[Edge], list[Edge], list[Edge]]:
    """Alignments judged: citation links, review links and conflict links, each a list
    of (-score, a, b, kind), best first."""
    cite: list[Edge] = []
    review: list[Edge] = []
    conflict: list[Edge] = []
    if alignments is None or alignments.empty:
        return cite, review, conflict
    copied = {d for d, r in info.items() if r["relation"] != "original"}
    for a, b, score in zip(
        alignments["sentence_a"], alignments["sentence_b"], alignments["score"], strict=True
    ):
        if a not in rows or b not in rows:
            continue
        score = float(score)
        ga, gb = info[rows[a]["doc_id"]]["group_id"], info[rows[b]["doc_id"]]["group_id"]
        if ga == gb:
            if score >= settings.copy_link_score:
                cite.append((-score, a, b, "copy"))
            continue
        if score < settings.review_score:
            continue
        verdict, kind = judge_pair(
            str(rows[a]["text"]), str(rows[b]["text"]), settings.conflict_min_subject,
            _context(rows[a], info), _context(rows[b], info),
        )  # fmt: skip
        if verdict == "conflict" and score >= settings.conflict_score:
            conflict.append((-score, a, b, kind))
        elif verdict == "same":
            (cite if score >= settings.cite_score else review).append((-score, a, b, None))

    # At equal score an original's alignment goes before a copy's (a copy inherits its
    # original's alignments), so claims and conflict details quote the original's wording.
    def order(edge: tuple) -> tuple:
        neg, a, b, _kind = edge
        return (neg, rows[a]["doc_id"] in copied or rows[b]["doc_id"] in copied, a, b)

    cite, doubtful = _coherent(cite, rows, settings.min_document_links)
    review += doubtful
    return sorted(cite, key=order), sorted(review, key=order), sorted(conflict, key=order)


def _coherent(cite: list[Edge], rows: dict, least: int) -> tuple[list[Edge], list[Edge]]:
    """Citation links whose two documents share at least ``least`` citation links: a
    lone match between two pages that share nothing else ("No credit card required.")
    is more likely chance than corroboration, so it goes to review."""
    if least <= 1:
        return cite, []
    shared: dict[frozenset, int] = {}
    for _neg, a, b, _kind in cite:
        pair = frozenset((rows[a]["doc_id"], rows[b]["doc_id"]))
        shared[pair] = shared.get(pair, 0) + 1
    kept: list[Edge] = []
    doubtful: list[Edge] = []
    for edge in cite:
        _neg, a, b, kind = edge
        pair = frozenset((rows[a]["doc_id"], rows[b]["doc_id"]))
        same_group = kind == "copy"
        (kept if same_group or shared[pair] >= least else doubtful).append(edge)
    return kept, doubtful


def _context(row: dict, info: dict) -> str:
    """What a sentence is read with: its section heading and its page's title."""
    return f"{as_text(row.get('section'))}. {as_text(info[row['doc_id']].get('title'))}"


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
    passages = {s: (r["doc_id"], as_text(r.get("list_id")) or s) for s, r in sorted(rows.items())}
    cite, review, conflicts = _edges(alignments, rows, info, settings)
    links = {frozenset((a, b)): -neg for neg, a, b, _ in cite}
    clusters = _Clusters(passages, set(links), settings.min_link_share)
    for _neg, a, b, _kind in conflicts:
        clusters.forbid(a, b)
    for _neg, a, b, _kind in cite:
        clusters.union(a, b)
    by_root: dict[str, list[str]] = {}
    for s in sorted(rows):
        by_root.setdefault(clusters.find(s), []).append(s)
    built = _build_claims(by_root, rows, info, links)
    _attach_review(built, review, rows, info, clusters)
    _attach_conflicts(built, conflicts, rows, info, clusters)
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
    by_root: dict[str, list[str]], rows: dict, info: dict, links: dict[frozenset, float]
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
                "score": _support_score(s, canon["sentence_id"], members, links),
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
            "review": [],
            "doc_id": canon["doc_id"],
            "sentence_id": canon["sentence_id"],
            "section": as_text(canon.get("section")),
            "order": doc_order[canon["doc_id"]] * 100_000 + int(canon["position"]),
        }
    return built


def _support_score(sentence: str, canon: str, members: list[str], links: dict) -> float:
    """1.0 for the canonical sentence itself; else the score of its link to the canonical
    sentence (the probability that it states that fact), or, for a member linked to the
    claim through other members only, its best link inside the claim."""
    if sentence == canon:
        return 1.0
    direct = links.get(frozenset((sentence, canon)))
    if direct is None:
        direct = max((links.get(frozenset((sentence, m)), 0.0) for m in members), default=0.0)
    return round(direct, 4)


def _attach_review(
    built: dict[str, dict], review: list, rows: dict, info: dict, clusters: _Clusters
) -> None:
    """Each review link once, on the claim whose wording would lead (the better-ranked
    side that is its claim's canonical sentence): the other sentence, unless its source
    group already supports that claim."""
    seen: set[frozenset[str]] = set()
    for neg, a, b, _kind in review:
        if frozenset((a, b)) in seen:
            continue
        sides = sorted((a, b), key=lambda s: _rank(rows[s], info[rows[s]["doc_id"]]))
        for mine, other in ((sides[0], sides[1]), (sides[1], sides[0])):
            claim = built.get(clusters.find(mine))
            if claim is None or claim["sentence_id"] != mine:
                continue
            group = info[rows[other]["doc_id"]]["group_id"]
            if group in {info[s["doc_id"]]["group_id"] for s in claim["support"]}:
                break
            seen.add(frozenset((a, b)))
            claim["review"].append(
                {
                    "doc_id": rows[other]["doc_id"],
                    "sentence_id": other,
                    "text": rows[other]["text"],
                    "score": round(-neg, 4),
                }
            )
            break
    for claim in built.values():
        claim["review"].sort(key=lambda r: (-r["score"], r["sentence_id"]))


def _side(sentence: str, rows: dict, info: dict) -> dict:
    doc = info[rows[sentence]["doc_id"]]
    return {
        "key": doc["key"],
        "doc_id": rows[sentence]["doc_id"],
        "sentence_id": sentence,
        "text": rows[sentence]["text"],
    }


def _attach_conflicts(
    built: dict[str, dict], conflicts: list, rows: dict, info: dict, clusters: _Clusters
) -> None:
    """Conflict entries on both claims: the type, which source states which side, and a
    one-line detail ("MedlinePlus: ...; Cleveland Clinic: ...")."""
    for _neg, a, b, kind in conflicts:
        ca, cb = built.get(clusters.find(a)), built.get(clusters.find(b))
        if ca is None or cb is None or ca is cb:
            continue
        for mine, other, (x, y) in ((ca, cb, (a, b)), (cb, ca, (b, a))):
            if any(c["claim_id"] == other["claim_id"] for c in mine["conflicts"]):
                continue
            sides = [_side(x, rows, info), _side(y, rows, info)]
            detail = "; ".join(f'{side["key"]}: "{side["text"]}"' for side in sides)
            mine["conflicts"].append(
                {"claim_id": other["claim_id"], "type": kind, "detail": detail, "sides": sides}
            )
            mine["status"] = "conflict"
    for claim in built.values():
        claim["conflicts"].sort(key=lambda c: (c["claim_id"], c["type"]))
