"""What changed between two builds: documents, relations, claims and their citations,
errors, removed spans and editorial decisions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from pipeline.report.similarity import overlap, words
from pipeline.report.tables import complete_tables, list_of, number_of, text_of

# Document fields compared besides the text (which gets a similarity summary).
DOCUMENT_FIELDS = (
    "source_file",
    "url",
    "publisher",
    "title",
    "retrieved",
    "trust",
    "raw_sha256",
    "flags",
    "group_id",
    "derived_from",
    "relation",
)
RELATION_FIELDS = ("relation", "confidence", "direction_basis")


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value, as display text."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    """A document or relation present in both builds whose fields changed."""

    key: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ClaimRef:
    """A claim as listed in a diff."""

    claim_id: str
    text: str
    status: str


@dataclass(frozen=True)
class ClaimRewording:
    """A claim that kept its id but changed its canonical text."""

    claim_id: str
    old_text: str
    new_text: str


@dataclass(frozen=True)
class StatusChange:
    """A claim whose status changed (e.g. corroborated -> conflict)."""

    claim_id: str
    text: str
    old: str
    new: str


@dataclass(frozen=True)
class SupportChange:
    """A sentence that started (``added``) or stopped supporting a claim kept by both builds."""

    claim_id: str
    doc_id: str
    text: str
    added: bool


@dataclass(frozen=True)
class CitationChange:
    """A claim kept by both builds whose citations or independent sources changed."""

    claim_id: str
    text: str
    cited_before: int
    cited_after: int
    sources_before: str
    sources_after: str
    lost: tuple[str, ...]
    gained: tuple[str, ...]


@dataclass(frozen=True)
class DecisionChange:
    """An editorial decision (decisions.jsonl, keyed by kind and target) that is new, gone
    from raw/decisions.toml, or applies with another status or effect (``was``)."""

    decision: str
    target: str
    change: str
    status: str
    detail: str
    note: str
    was: str = ""


@dataclass
class BuildDiff:
    """Every difference between an old and a new build, each list sorted."""

    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)
    documents_changed: list[ItemChange] = field(default_factory=list)
    relations_found: list[str] = field(default_factory=list)
    relations_lost: list[str] = field(default_factory=list)
    relations_changed: list[ItemChange] = field(default_factory=list)
    claims_added: list[ClaimRef] = field(default_factory=list)
    claims_removed: list[ClaimRef] = field(default_factory=list)
    claims_reworded: list[ClaimRewording] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    support_changes: list[SupportChange] = field(default_factory=list)
    errors_new: list[str] = field(default_factory=list)
    errors_resolved: list[str] = field(default_factory=list)
    removed_spans_changed: list[ItemChange] = field(default_factory=list)
    citation_changes: list[CitationChange] = field(default_factory=list)
    decisions_changed: list[DecisionChange] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when the two builds hold the same documents, relations, claims and errors."""
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


def _value(value: object) -> str:
    items = list_of(value) if isinstance(value, list) or hasattr(value, "tolist") else None
    if items is not None:
        return ", ".join(text_of(v) for v in sorted(items, key=str))
    number = number_of(value) if isinstance(value, float) else None
    return f"{number:.2f}".rstrip("0").rstrip(".") if number is not None else text_of(value)


def _by_key(frame: pd.DataFrame, key: str) -> dict[str, dict]:
    return {text_of(row[key]): row for row in frame.to_dict("records")}


def _text_change(old: str, new: str) -> FieldChange:
    a, b = words(old), words(new)
    common = round(overlap(a, b) * min(len(a), len(b)))
    summary = f"+{len(b) - common} / -{len(a) - common} words"
    return FieldChange("text", f"{len(a)} words", f"{len(b)} words ({summary})")


def _document_changes(old: pd.DataFrame, new: pd.DataFrame, diff: BuildDiff) -> None:
    before, after = _by_key(old, "doc_id"), _by_key(new, "doc_id")
    diff.documents_added = sorted(after.keys() - before.keys())
    diff.documents_removed = sorted(before.keys() - after.keys())
    for doc_id in sorted(before.keys() & after.keys()):
        a, b = before[doc_id], after[doc_id]
        changes = [
            FieldChange(name, _value(a.get(name)), _value(b.get(name)))
            for name in DOCUMENT_FIELDS
            if _value(a.get(name)) != _value(b.get(name))
        ]
        if text_of(a.get("text")) != text_of(b.get("text")):
            changes.append(_text_change(text_of(a.get("text")), text_of(b.get("text"))))
        if changes:
            diff.documents_changed.append(ItemChange(doc_id, tuple(changes)))


def relation_key(row: dict) -> str:
    """A relation as ``copy -> original``."""
    return f"{text_of(row.get('copy'))} -> {text_of(row.get('original'))}"


def _relation_changes(old: pd.DataFrame, new: pd.DataFrame, diff: BuildDiff) -> None:
    before = {relation_key(r): r for r in old.to_dict("records")}
    after = {relation_key(r): r for r in new.to_dict("records")}
    diff.relations_found = [
        f"{k} ({text_of(after[k].get('relation'))})" for k in sorted(after.keys() - before.keys())
    ]
    diff.relations_lost = [
        f"{k} ({text_of(before[k].get('relation'))})" for k in sorted(before.keys() - after.keys())
    ]
    for key in sorted(before.keys() & after.keys()):
        changes = tuple(
            FieldChange(name, _value(before[key].get(name)), _value(after[key].get(name)))
            for name in RELATION_FIELDS
            if _value(before[key].get(name)) != _value(after[key].get(name))
        )
        if changes:
            diff.relations_changed.append(ItemChange(key, changes))


def _claim_changes(old: pd.DataFrame, new: pd.DataFrame, diff: BuildDiff) -> None:
    before, after = _by_key(old, "claim_id"), _by_key(new, "claim_id")

    def ref(row: dict) -> ClaimRef:
        return ClaimRef(
            text_of(row.get("claim_id")), text_of(row.get("text")), text_of(row.get("status"))
        )

    diff.claims_added = [ref(after[k]) for k in sorted(after.keys() - before.keys())]
    diff.claims_removed = [ref(before[k]) for k in sorted(before.keys() - after.keys())]
    for claim_id in sorted(before.keys() & after.keys()):
        a, b = ref(before[claim_id]), ref(after[claim_id])
        if a.text != b.text:
            diff.claims_reworded.append(ClaimRewording(claim_id, a.text, b.text))
        if a.status != b.status:
            diff.status_changes.append(StatusChange(claim_id, b.text, a.status, b.status))
        cited = _citation_change(before[claim_id], after[claim_id])
        if cited is not None:
            diff.citation_changes.append(cited)
        old_support, new_support = _support(before[claim_id]), _support(after[claim_id])
        changed = ((True, new_support - old_support), (False, old_support - new_support))
        diff.support_changes += [
            SupportChange(claim_id, doc_id, text, added)
            for added, entries in changed
            for doc_id, text in sorted(entries)
        ]


def _citation_change(old: dict, new: dict) -> CitationChange | None:
    cited_a = [text_of(c) for c in list_of(old.get("citations"))]
    cited_b = [text_of(c) for c in list_of(new.get("citations"))]
    sources_a = text_of(old.get("independent_sources")) or "0"
    sources_b = text_of(new.get("independent_sources")) or "0"
    if sorted(cited_a) == sorted(cited_b) and sources_a == sources_b:
        return None
    return CitationChange(
        text_of(new.get("claim_id")),
        text_of(new.get("text")),
        len(cited_a),
        len(cited_b),
        sources_a,
        sources_b,
        tuple(sorted(set(cited_a) - set(cited_b))),
        tuple(sorted(set(cited_b) - set(cited_a))),
    )


def _decision_rows(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, str]]:
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for row in frame.to_dict("records"):
        shown = {k: text_of(row.get(k)) for k in ("decision", "target", "status", "detail", "note")}
        rows[(shown["decision"], shown["target"])] = shown
    return rows


def _decision_changes(old: pd.DataFrame, new: pd.DataFrame) -> list[DecisionChange]:
    """Decisions new in this build, gone from it, or applied with another status or effect."""
    before, after = _decision_rows(old), _decision_rows(new)
    changes: list[DecisionChange] = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if b is not None and a is None:
            changes.append(DecisionChange(**b, change="new decision"))
        elif a is not None and b is None:
            changes.append(DecisionChange(**a, change="no longer in raw/decisions.toml"))
        elif (
            a is not None
            and b is not None
            and (a["status"], a["detail"])
            != (
                b["status"],
                b["detail"],
            )
        ):
            was = f"{a['status']}: {a['detail']}" if a["detail"] else a["status"]
            changes.append(DecisionChange(**b, change="applies differently", was=was))
    return changes


def _support(claim: dict) -> set[tuple[str, str]]:
    """A claim's supporting sentences as (doc_id, text)."""
    entries = list_of(claim.get("support")) or []
    return {
        (text_of(e.get("doc_id")), text_of(e.get("text"))) for e in entries if isinstance(e, dict)
    }


def _error_keys(frame: pd.DataFrame) -> set[str]:
    return {
        f"{text_of(r.get('source_file'))} [{text_of(r.get('stage'))}]: {text_of(r.get('error'))}"
        for r in frame.to_dict("records")
    }


def _removed_spans(frame: pd.DataFrame) -> dict[str, Counter[tuple[str, str]]]:
    spans: dict[str, Counter[tuple[str, str]]] = {}
    for row in frame.to_dict("records"):
        key = (text_of(row.get("reason")), text_of(row.get("text")))
        spans.setdefault(text_of(row.get("doc_id")), Counter())[key] += 1
    return spans


def _removed_changes(
    old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]
) -> list[ItemChange]:
    """Per document kept in both builds: spans newly removed (old "") or no longer removed."""
    before, after = _removed_spans(old["removed.jsonl"]), _removed_spans(new["removed.jsonl"])
    ids_old = set(old["documents.jsonl"]["doc_id"].map(text_of))
    changed: list[ItemChange] = []
    for doc_id in sorted(ids_old & set(new["documents.jsonl"]["doc_id"].map(text_of))):
        a, b = before.get(doc_id, Counter()), after.get(doc_id, Counter())
        gone = [FieldChange(reason, text, "") for reason, text in sorted((a - b).elements())]
        added = [FieldChange(reason, "", text) for reason, text in sorted((b - a).elements())]
        if gone or added:
            changed.append(ItemChange(doc_id, tuple(added + gone)))
    return changed


def diff_builds(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> BuildDiff:
    """Compare two builds' tables (keyed as :func:`load_processed` returns them).

    Claims are matched by ``claim_id``: same id with other text = reworded.
    """
    old, new = complete_tables(old), complete_tables(new)
    diff = BuildDiff()
    _document_changes(old["documents.jsonl"], new["documents.jsonl"], diff)
    _relation_changes(old["relations.jsonl"], new["relations.jsonl"], diff)
    _claim_changes(old["claims.jsonl"], new["claims.jsonl"], diff)
    before, after = _error_keys(old["errors.jsonl"]), _error_keys(new["errors.jsonl"])
    diff.errors_new, diff.errors_resolved = sorted(after - before), sorted(before - after)
    diff.removed_spans_changed = _removed_changes(old, new)
    diff.decisions_changed = _decision_changes(old["decisions.jsonl"], new["decisions.jsonl"])
    return diff
