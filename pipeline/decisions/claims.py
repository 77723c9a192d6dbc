"""Apply the claim decisions after reconcile: merge, then review, then split, then pin.

Review decisions come after merges so that the claim_ids review.jsonl shows (the merged
claims') are the ones they look up, and a claim_id merged away finds its survivor. A
claim_id that no longer exists makes its decision stale (claims change when sources
do), never an error; so does a review decision whose sentence is not in the claim's
review queue (pipeline.decisions.review). Merged claims keep the first listed claim's id and
wording, and their queues are joined; a split sentence becomes a single-source claim
whose id depends only on that sentence, so it is stable across rebuilds. Counts are
recomputed the way reconcile counts them: one independent source per source group,
spun copies never cite.
"""

from __future__ import annotations

import copy
import hashlib
import numbers
from typing import Any

import pandas as pd

from pipeline.decisions.load import Decisions, Merge, Pin, Review, Split, status_row
from pipeline.decisions.review import (
    as_support,
    decided_row,
    merged_review,
    pop_review_item,
    review_list,
    with_review_column,
)

Claim = dict[str, Any]
# reconcile orders claims by document, then position: order = document rank * this + position
# (pipeline.reconcile.stage); a split claim takes its own sentence's place the same way.
ORDER_STRIDE = 100_000


def _documents(sources: pd.DataFrame) -> dict[str, dict[str, str]]:
    """doc_id -> group_id, citation key and relation, from sources.csv rows."""
    if sources is None or sources.empty:
        return {}
    return {
        str(r["doc_id"]): {
            "group_id": str(r["group_id"]),
            "key": str(r["key"]),
            "relation": str(r.get("relation") or "original"),
        }
        for r in sources.to_dict("records")
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and value == value  # NaN is no order


def _places(sentences: pd.DataFrame | None) -> dict[str, tuple[str, int]]:
    """sentence_id -> (section, position) from sentences.jsonl rows (empty without them)."""
    if sentences is None or sentences.empty or "section" not in sentences.columns:
        return {}
    return {
        str(r["sentence_id"]): (
            r["section"] if isinstance(r["section"], str) else "",
            int(r["position"]),
        )
        for r in sentences[["sentence_id", "section", "position"]].to_dict("records")
    }


def recount(claim: Claim, documents: dict[str, dict[str, str]]) -> None:
    """independent_sources, citations and status of ``claim`` from its support."""
    groups: dict[str, str] = {}
    for item in claim["support"]:
        doc = documents.get(item["doc_id"])
        if doc is None or item.get("via") == "spun_copy":
            continue  # a spun copy is no source of its own
        groups.setdefault(doc["group_id"], doc["key"])
    claim["independent_sources"] = len(groups)
    claim["citations"] = list(groups.values())
    if claim["conflicts"]:
        claim["status"] = "conflict"
    else:
        claim["status"] = "corroborated" if len(groups) > 1 else "single_source"


def split_claim_id(sentence_id: str, text: str) -> str:
    """The id of a claim split off for one sentence: stable while the sentence is."""
    words = " ".join(text.lower().split())
    return "c_" + hashlib.sha1(f"split\n{sentence_id}\n{words}".encode()).hexdigest()[:12]


class _ClaimSet:
    """The claims by id, with where merged claims went."""

    def __init__(
        self,
        claims: pd.DataFrame,
        documents: dict[str, dict[str, str]],
        sentences: pd.DataFrame | None = None,
    ):
        self.claims: dict[str, Claim] = {
            str(c["claim_id"]): copy.deepcopy(c) for c in claims.to_dict("records")
        }
        for claim in self.claims.values():
            for key in ("support", "citations", "conflicts"):
                claim[key] = list(claim[key]) if claim.get(key) is not None else []
            claim["review"] = review_list(claim.get("review"))
        self.merged_into: dict[str, str] = {}
        self.documents = documents
        self.decided: list[dict[str, Any]] = []  # review.jsonl rows of decided queue items
        self.places = _places(sentences)

    def place(self, claim: Claim, doc_id: str, sentence_id: str) -> None:
        """Give ``claim`` the section and reading order of its (new) canonical sentence:
        the section that sentence stands under on its own page, never another page's."""
        if sentence_id not in self.places:
            return  # no sentences.jsonl given: the claim keeps its place
        section, position = self.places[sentence_id]
        claim["section"] = section
        ranks = {
            str(c.get("doc_id")): int(c["order"]) // ORDER_STRIDE
            for c in self.claims.values()
            if _is_number(c.get("order"))
        }
        if not ranks:
            return
        rank = ranks.get(doc_id, max(ranks.values()) + 1)
        claim["order"] = rank * ORDER_STRIDE + position

    def resolve(self, claim_id: str) -> str | None:
        seen = set()
        while claim_id in self.merged_into and claim_id not in seen:
            seen.add(claim_id)
            claim_id = self.merged_into[claim_id]
        return claim_id if claim_id in self.claims else None

    def redirect_conflicts(self, gone: set[str], survivor: str | None) -> None:
        """Conflicts naming ``gone`` claims point at ``survivor`` (or are dropped)."""
        for claim_id, claim in self.claims.items():
            if not any(c["claim_id"] in gone for c in claim["conflicts"]):
                continue
            claim["conflicts"] = _redirected(claim["conflicts"], claim_id, gone, survivor)
            recount(claim, self.documents)


def _redirected(
    conflicts: list[dict[str, Any]], owner: str, gone: set[str], survivor: str | None
) -> list[dict[str, Any]]:
    """``conflicts`` of claim ``owner`` with ``gone`` ids replaced, self and repeats dropped."""
    kept: list[dict[str, Any]] = []
    for item in conflicts:
        target = survivor if item["claim_id"] in gone else item["claim_id"]
        if target is None or target == owner:
            continue
        if not any(k["claim_id"] == target and k["type"] == item["type"] for k in kept):
            kept.append({**item, "claim_id": target})
    return sorted(kept, key=lambda c: (c["claim_id"], c["type"]))


def _gone(ids: list[str]) -> str:
    return "not in this build: " + ", ".join(ids)


def _merge(claims: _ClaimSet, n: int, merge: Merge) -> dict[str, Any]:
    target = " + ".join(merge.claims)
    found: list[str] = []
    for claim_id in merge.claims:
        resolved = claims.resolve(claim_id)
        if resolved is not None and resolved not in found:
            found.append(resolved)
    missing = [c for c in merge.claims if claims.resolve(c) is None]
    if len(found) < 2:
        detail = _gone(missing) if missing else "the claims are already one claim"
        return status_row("merge", n, target, "stale", detail, merge.note)
    survivor = claims.claims[found[0]]
    seen = {item["sentence_id"] for item in survivor["support"]}
    for other_id in found[1:]:
        other = claims.claims.pop(other_id)
        claims.merged_into[other_id] = found[0]
        for item in other["support"]:
            if item["sentence_id"] not in seen:
                seen.add(item["sentence_id"])
                survivor["support"].append(item)
        survivor["conflicts"] += other["conflicts"]
        survivor["review"] += other["review"]
    survivor["review"] = merged_review(survivor["review"], seen)
    survivor["conflicts"] = _redirected(survivor["conflicts"], found[0], set(found), found[0])
    claims.redirect_conflicts(set(found), found[0])
    recount(survivor, claims.documents)
    detail = f"merged into {found[0]}: {len(survivor['support'])} supporting sentences"
    if missing:
        detail += f"; {_gone(missing)}"
    return status_row("merge", n, target, "applied", detail, merge.note)


def _split(claims: _ClaimSet, n: int, split: Split) -> dict[str, Any]:
    target = f"{split.claim_id} / {split.sentence_id}"
    claim_id = claims.resolve(split.claim_id)
    if claim_id is None:
        return status_row("split", n, target, "stale", _gone([split.claim_id]), split.note)
    claim = claims.claims[claim_id]
    items = [s for s in claim["support"] if s["sentence_id"] == split.sentence_id]
    if not items:
        detail = f"{split.sentence_id} no longer supports {claim_id}"
        return status_row("split", n, target, "stale", detail, split.note)
    if len(claim["support"]) == 1:
        detail = f"{split.sentence_id} is the only sentence of {claim_id}"
        return status_row("split", n, target, "stale", detail, split.note)
    item = items[0]
    claim["support"] = [s for s in claim["support"] if s["sentence_id"] != split.sentence_id]
    notes = []
    if claim.get("sentence_id") == split.sentence_id:
        notes.append(_new_wording(claims, claim_id))
    if item.get("via") == "spun_copy":
        notes.append("a spun copy gives no wording of its own: the sentence is dropped")
    else:
        new_id = split_claim_id(split.sentence_id, str(item["text"]))
        alone = copy.deepcopy(claim)
        alone.update(
            claim_id=new_id, text=item["text"], support=[{**item, "score": 1.0}], conflicts=[],
            doc_id=item["doc_id"], sentence_id=split.sentence_id, review=[],
        )  # fmt: skip
        claims.place(alone, str(item["doc_id"]), split.sentence_id)
        recount(alone, claims.documents)
        claims.claims[new_id] = alone
        notes.insert(0, f"now its own claim {new_id}")
    if claim_id in claims.claims:
        recount(claim, claims.documents)
    return status_row("split", n, target, "applied", "; ".join(notes), split.note)


def _new_wording(claims: _ClaimSet, claim_id: str) -> str:
    """The split sentence was the canonical one: the next publishable one replaces it."""
    claim = claims.claims[claim_id]
    wording = [s for s in claim["support"] if s.get("via") != "spun_copy"]
    if not wording:
        claims.claims.pop(claim_id)
        claims.redirect_conflicts({claim_id}, None)
        return f"{claim_id} is left with spun copies only and is dropped"
    claim.update(text=wording[0]["text"], doc_id=wording[0]["doc_id"])
    claim["sentence_id"] = wording[0]["sentence_id"]
    claims.place(claim, str(wording[0]["doc_id"]), str(wording[0]["sentence_id"]))
    return f"{claim_id} now worded as {wording[0]['sentence_id']}"


def _review(claims: _ClaimSet, n: int, review: Review) -> dict[str, Any]:
    target = f"{review.claim_id} / {review.sentence_id}"
    claim_id = claims.resolve(review.claim_id)
    if claim_id is None:
        return status_row("review", n, target, "stale", _gone([review.claim_id]), review.note)
    claim = claims.claims[claim_id]
    item = pop_review_item(claim, review.sentence_id)
    if item is None:
        supports = any(s["sentence_id"] == review.sentence_id for s in claim["support"])
        where = "already supports" if supports else "is not in the review queue of"
        detail = f"{review.sentence_id} {where} {claim_id}"
        return status_row("review", n, target, "stale", detail, review.note)
    claims.decided.append(decided_row(claim_id, str(claim["text"]), item, review.accept))
    if not review.accept:
        detail = f"rejected: {review.sentence_id} stays out of {claim_id}"
        return status_row("review", n, target, "applied", detail, review.note)
    doc = claims.documents.get(str(item.get("doc_id")), {})
    claim["support"].append(as_support(item, doc.get("relation", "")))
    recount(claim, claims.documents)
    detail = (
        f"accepted: {review.sentence_id} supports {claim_id};"
        f" {claim['independent_sources']} independent source(s), {claim['status']}"
    )
    return status_row("review", n, target, "applied", detail, review.note)


def _pin(claims: _ClaimSet, n: int, pin: Pin) -> dict[str, Any]:
    claim_id = claims.resolve(pin.claim_id)
    if claim_id is None:
        return status_row("pin", n, pin.claim_id, "stale", _gone([pin.claim_id]), pin.note)
    claim = claims.claims[claim_id]
    detail = f'was: "{claim["text"]}"'
    if claim_id != pin.claim_id:
        detail = f"(merged into {claim_id}) {detail}"
    claim["text"] = pin.text
    return status_row("pin", n, pin.claim_id, "applied", detail, pin.note)


def apply_claim_decisions(
    claims: pd.DataFrame,
    sources: pd.DataFrame,
    decisions: Decisions,
    sentences: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Claims after the editors' merges, review decisions, splits and pinned wordings,
    plus status rows (see :func:`apply_claim_and_review_decisions`)."""
    frame, rows, _decided = apply_claim_and_review_decisions(claims, sources, decisions, sentences)
    return frame, rows


def apply_claim_and_review_decisions(
    claims: pd.DataFrame,
    sources: pd.DataFrame,
    decisions: Decisions,
    sentences: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[dict[str, Any]]]:
    """Claims after merge, review, split and pin; status rows; decided queue items.

    ``sources`` (sources.csv rows) gives each document's group, citation key and
    relation for the recounts. The claims keep reconcile's order (``order``, then
    ``claim_id``) and always have a ``review`` column (pending sentences only); the
    decided items are review.jsonl rows for :func:`pipeline.decisions.review.review_table`.
    ``sentences`` (sentences.jsonl rows) place a claim whose canonical sentence changes
    (split off, or reworded after a split) under that sentence's own section and position.
    """
    claims = with_review_column(claims)
    if not (decisions.merge or decisions.review or decisions.split or decisions.pin):
        return claims, [], []
    claim_set = _ClaimSet(claims, _documents(sources), sentences)
    rows = [_merge(claim_set, n, d) for n, d in enumerate(decisions.merge, 1)]
    rows += [_review(claim_set, n, d) for n, d in enumerate(decisions.review, 1)]
    rows += [_split(claim_set, n, d) for n, d in enumerate(decisions.split, 1)]
    rows += [_pin(claim_set, n, d) for n, d in enumerate(decisions.pin, 1)]
    frame = pd.DataFrame(list(claim_set.claims.values()), columns=claims.columns)
    if not frame.empty and "order" in frame.columns:
        frame = frame.sort_values(["order", "claim_id"], kind="stable")
    return frame.reset_index(drop=True), rows, claim_set.decided
