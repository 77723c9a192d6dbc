"""The editors' review queue: sentences that may state a claim but are not citations.

Reconcile gives each claim a ``review`` list of ``{doc_id, sentence_id, text, score}``:
sentences that scored between ReconcileSettings.review_score and cite_score (``score`` is
the estimated probability that the sentence states the claim's fact). They count toward
no ``independent_sources``, ``citations`` or status. A ``[[review]]`` decision accepts one
(it becomes a support) or rejects it; either way it leaves the claim's ``review`` list, so
claims.jsonl lists only pending sentences while processed/review.jsonl lists pending and
decided ones. Claims without a ``review`` column (older tables) have empty queues.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from pipeline.io.schema import columns

REVIEW_FILE = "review.jsonl"
QUEUED_REASON = "score below the cite threshold"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def review_list(value: Any) -> list[dict[str, Any]]:
    """A claim's ``review`` cell as a list of dicts: missing, NaN or junk give ``[]``."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else None
        except ValueError:
            value = None
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()
    if _missing(value) or not isinstance(value, (list, tuple)):
        return []
    return [dict(item) for item in value if isinstance(item, dict) and item.get("sentence_id")]


def with_review_column(claims: pd.DataFrame) -> pd.DataFrame:
    """``claims`` with a ``review`` column of plain lists (empty when reconcile gave none)."""
    claims = claims.copy()
    if "review" not in claims.columns:
        claims["review"] = pd.Series([[] for _ in range(len(claims))], index=claims.index)
    else:
        claims["review"] = claims["review"].map(review_list).astype(object)
    return claims


def _score(value: Any) -> float | None:
    try:
        score = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(score) else score


def pop_review_item(claim: dict[str, Any], sentence_id: str) -> dict[str, Any] | None:
    """Take ``sentence_id`` out of the claim's queue and return it (None: not queued)."""
    queue = review_list(claim.get("review"))
    found = [item for item in queue if str(item["sentence_id"]) == sentence_id]
    claim["review"] = [item for item in queue if str(item["sentence_id"]) != sentence_id]
    return found[0] if found else None


def as_support(item: dict[str, Any], relation: str) -> dict[str, Any]:
    """An accepted queue item as a ``support`` entry (``via`` = its document's relation)."""
    return {
        "doc_id": str(item.get("doc_id", "")),
        "sentence_id": str(item["sentence_id"]),
        "text": str(item.get("text", "")),
        "score": _score(item.get("score")),
        "via": relation or "original",
    }


def merged_review(items: Iterable[dict[str, Any]], supported: set[str]) -> list[dict[str, Any]]:
    """Queue items of merged claims: each sentence once, none that already supports."""
    seen = set(supported)
    kept = []
    for item in items:
        if str(item["sentence_id"]) not in seen:
            seen.add(str(item["sentence_id"]))
            kept.append(item)
    return kept


def decided_row(claim_id: str, claim_text: str, item: dict[str, Any], accept: bool) -> dict:
    """What review.jsonl says of a queue item an editor accepted or rejected."""
    return {**item, "claim_id": claim_id, "claim_text": claim_text,
            "decision": "accepted" if accept else "rejected"}  # fmt: skip


def _row(item: dict[str, Any], keys: dict[str, str], claim_text: str) -> dict[str, Any]:
    doc_id = str(item.get("doc_id", ""))
    return {
        "claim_id": str(item["claim_id"]),
        "claim_text": claim_text,
        "doc_id": doc_id,
        "sentence_id": str(item["sentence_id"]),
        "text": str(item.get("text", "")),
        "score": _score(item.get("score")),
        "reason": str(item.get("reason") or QUEUED_REASON),
        "key": keys.get(doc_id, ""),
        "decision": str(item.get("decision", "pending")),
    }


def review_table(
    claims: pd.DataFrame, sources: pd.DataFrame, decided: Iterable[dict[str, Any]] = ()
) -> pd.DataFrame:
    """review.jsonl: the claims' pending queue items plus the ``decided`` ones.

    ``sources`` (sources.csv) gives each document's citation key; a decided item shows
    the final wording of its claim when the claim is still there. Sorted by claim_id,
    then sentence_id.
    """
    keys: dict[str, str] = {}
    if sources is not None and not sources.empty:
        keys = {str(d): str(k) for d, k in zip(sources["doc_id"], sources["key"], strict=True)}
    texts: dict[str, str] = {}
    rows = []
    for claim in claims.to_dict("records") if claims is not None else []:
        claim_id, text = str(claim["claim_id"]), str(claim.get("text", ""))
        texts[claim_id] = text
        for item in review_list(claim.get("review")):
            rows.append(_row({**item, "claim_id": claim_id, "decision": "pending"}, keys, text))
    for item in decided:
        text = texts.get(str(item["claim_id"]), str(item.get("claim_text", "")))
        rows.append(_row(item, keys, text))
    rows.sort(key=lambda r: (r["claim_id"], r["sentence_id"], r["decision"], r["doc_id"]))
    return pd.DataFrame(rows, columns=columns(REVIEW_FILE))


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def review_snippet(claim_id: str, sentence_id: str, accept: bool) -> str:
    """The raw/decisions.toml entry that accepts (or rejects) one queue item."""
    return (
        f"[[review]]\nclaim_id = {toml_string(claim_id)}\n"
        f"sentence_id = {toml_string(sentence_id)}\naccept = {'true' if accept else 'false'}\n"
    )
