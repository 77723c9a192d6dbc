"""Apply the document decisions: exclude and trust after clean, relations after dedup.

Pure functions on tables; each returns the changed tables and one status row per
decision (see pipeline.decisions.load for the file format and the statuses).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import pandas as pd

from pipeline.decisions.load import Decisions, Relation, status_row
from pipeline.dedup import assign_groups

_NOT_IN_BUILD = "not in this build: excluded by a decision, or it could not be cleaned"


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """ " (did you mean X?)" with X the doc_id of ``known`` closest to a mistyped ``name``,
    or "" when none is close (difflib's similarity ratio below 0.6)."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _unknown(
    kind: str, entry: int, target: str, missing: list[str], note: str, known: set[str]
) -> dict:
    named = ", ".join(doc_id + did_you_mean(doc_id, known) for doc_id in missing)
    detail = f"no capture in raw/ has doc_id {named}"
    return status_row(kind, entry, target, "error", detail, note)


def check_document_references(
    decisions: Decisions, raw_doc_ids: Iterable[str]
) -> list[dict[str, Any]]:
    """Error rows for not_related and relation decisions naming a doc_id absent from raw/.

    (exclude and trust are checked by :func:`apply_source_decisions`.)
    """
    known = set(raw_doc_ids)
    rows = []
    for n, pair in enumerate(decisions.not_related, 1):
        missing = [d for d in (pair.a, pair.b) if d not in known]
        if missing:
            target = _pair(pair.a, pair.b)
            rows.append(_unknown("not_related", n, target, missing, pair.note, known))
    for n, forced in enumerate(decisions.relation, 1):
        missing = [d for d in (forced.copy, forced.original) if d not in known]
        if missing:
            target = _arrow(forced.copy, forced.original)
            rows.append(_unknown("relation", n, target, missing, forced.note, known))
    return rows


def apply_source_decisions(
    documents: pd.DataFrame,
    removed: pd.DataFrame,
    decisions: Decisions,
    raw_doc_ids: Iterable[str],
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """Drop excluded documents (and their removed spans); override trust tiers.

    ``raw_doc_ids`` are the documents ingested from raw/: a decision naming another
    doc_id is an error; one naming a document that did not survive cleaning is stale.
    """
    known = set(raw_doc_ids)
    present = set(documents["doc_id"].astype(str)) if not documents.empty else set()
    rows: list[dict[str, Any]] = []
    dropped: set[str] = set()
    for n, exclude in enumerate(decisions.exclude, 1):
        doc_id = exclude.doc_id
        if doc_id not in known:
            rows.append(_unknown("exclude", n, doc_id, [doc_id], exclude.note, known))
        elif doc_id not in present:
            rows.append(status_row("exclude", n, doc_id, "stale", _NOT_IN_BUILD, exclude.note))
        else:
            dropped.add(doc_id)
            detail = f"dropped from the corpus: {exclude.reason}" if exclude.reason else "dropped"
            rows.append(status_row("exclude", n, doc_id, "applied", detail, exclude.note))
    if dropped:
        documents = documents[~documents["doc_id"].isin(dropped)].reset_index(drop=True)
        if not removed.empty:
            removed = removed[~removed["doc_id"].isin(dropped)].reset_index(drop=True)
    documents = documents.copy()
    for n, trust in enumerate(decisions.trust, 1):
        doc_id = trust.doc_id
        if doc_id not in known:
            rows.append(_unknown("trust", n, doc_id, [doc_id], trust.note, known))
            continue
        if doc_id not in set(documents["doc_id"]):
            rows.append(status_row("trust", n, doc_id, "stale", _NOT_IN_BUILD, trust.note))
            continue
        mask = documents["doc_id"] == doc_id
        before = documents.loc[mask, "trust"].iloc[0]
        documents.loc[mask, "trust"] = trust.trust
        was = "unknown" if pd.isna(before) else str(int(before))
        detail = f"trust {was} -> {trust.trust}"
        rows.append(status_row("trust", n, doc_id, "applied", detail, trust.note))
    return documents, removed, rows


def _pair(a: str, b: str) -> str:
    return f"{a} <-> {b}"


def _arrow(copy: str, original: str) -> str:
    return f"{copy} -> {original}"


def _pair_mask(relations: pd.DataFrame, a: str, b: str) -> pd.Series:
    copy, original = relations["copy"], relations["original"]
    return ((copy == a) & (original == b)) | ((copy == b) & (original == a))


def _describe(row: dict[str, Any]) -> str:
    return (
        f"{row['copy']} {row['relation']} of {row['original']}"
        f" (confidence {float(row['confidence']):.2f})"
    )


def _forced_row(forced: Relation, kind: str, machine: list[dict[str, Any]]) -> dict[str, Any]:
    evidence: dict[str, Any] = dict(machine[0]["evidence"]) if machine else {}
    if machine:
        evidence["machine_judgement"] = _describe(machine[0])
    basis = f"editor decision: {forced.note}" if forced.note else "editor decision"
    return {
        "copy": forced.copy,
        "original": forced.original,
        "relation": kind,
        "confidence": 1.0,
        "direction_basis": basis,
        "evidence": evidence,
    }


def apply_relation_decisions(
    documents: pd.DataFrame,
    relations: pd.DataFrame,
    decisions: Decisions,
    failed: set[tuple[str, int]],
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """Remove not_related pairs and force relations; recompute the source groups.

    ``failed`` holds the (decision, entry) already in error (unknown doc_id): they get
    no new status. A forced relation replaces the detected pair (either direction) with
    confidence 1.0 and ``direction_basis`` "editor decision: <note>", and decides which
    document its copy derives from.
    """
    present = set(documents["doc_id"].astype(str)) if not documents.empty else set()
    rows: list[dict[str, Any]] = []
    changed = False
    for n, pair in enumerate(decisions.not_related, 1):
        if ("not_related", n) in failed:
            continue
        target = _pair(pair.a, pair.b)
        if not {pair.a, pair.b} <= present:
            rows.append(status_row("not_related", n, target, "stale", _NOT_IN_BUILD, pair.note))
            continue
        mask = _pair_mask(relations, pair.a, pair.b)
        if not mask.any():
            detail = "no relation detected between them in this build"
            rows.append(status_row("not_related", n, target, "stale", detail, pair.note))
            continue
        detail = "removed: " + "; ".join(_describe(r) for r in relations[mask].to_dict("records"))
        relations = relations[~mask]
        changed = True
        rows.append(status_row("not_related", n, target, "applied", detail, pair.note))
    forced_copies: dict[str, str] = {}
    for n, forced in enumerate(decisions.relation, 1):
        if ("relation", n) in failed:
            continue
        target = _arrow(forced.copy, forced.original)
        if not {forced.copy, forced.original} <= present:
            rows.append(status_row("relation", n, target, "stale", _NOT_IN_BUILD, forced.note))
            continue
        mask = _pair_mask(relations, forced.copy, forced.original)
        machine = relations[mask].to_dict("records")
        kind = forced.relation or (machine[0]["relation"] if machine else "")
        if not kind:
            detail = "no relation detected between them: give relation = ... to force one"
            rows.append(status_row("relation", n, target, "stale", detail, forced.note))
            continue
        new_row = pd.DataFrame([_forced_row(forced, kind, machine)], columns=relations.columns)
        relations = pd.concat([relations[~mask], new_row], ignore_index=True)
        forced_copies[forced.copy] = forced.original
        changed = True
        was = f"was: {_describe(machine[0])}" if machine else "no relation was detected"
        detail = f"{forced.copy} {kind} of {forced.original}; {was}"
        rows.append(status_row("relation", n, target, "applied", detail, forced.note))
    if changed:
        relations = relations.sort_values(["original", "copy"], kind="stable")
        relations = relations.reset_index(drop=True)
        documents = regroup(documents, relations, forced_copies)
    return documents, relations, rows


def regroup(
    documents: pd.DataFrame, relations: pd.DataFrame, forced_copies: dict[str, str]
) -> pd.DataFrame:
    """group_id, derived_from and relation again from ``relations``; a copy in
    ``forced_copies`` (copy -> original, the editors' relations) derives from that
    original whatever else it resembles."""
    if documents.empty:
        return documents
    ignored = [
        copy in forced_copies and forced_copies[copy] != original
        for copy, original in zip(relations["copy"], relations["original"], strict=True)
    ]
    ignored = pd.Series(ignored, index=relations.index, dtype=bool)
    group_id, derived_from, relation = assign_groups(
        documents["doc_id"].astype(str).tolist(), relations[~ignored]
    )
    documents = documents.copy()
    documents["group_id"] = group_id
    documents["derived_from"] = pd.Series(derived_from, index=documents.index, dtype=object)
    documents["relation"] = relation
    return documents
