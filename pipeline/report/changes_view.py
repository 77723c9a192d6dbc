"""View data for changes.html beyond :class:`BuildDiff`: which two builds are compared,
sources named by label, why a document left, a new document's removed spans, the
editorial decisions that changed and each claim's citation count before and after."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.report.diff import BuildDiff, relation_key
from pipeline.report.labels import source_labels
from pipeline.report.links import claim_anchor, document_page, relation_page
from pipeline.report.tables import complete_tables, text_of


@dataclass(frozen=True)
class BuildStamp:
    """What identifies one build: when and by which version it was made, a digest of its
    data tables (the same formula for both builds, so equal tables give equal digests) and
    the sha256 of its manifest.json (empty for the build being written: its manifest
    lists this page's own digest, so it is written after the page)."""

    built_at: str
    tool_version: str
    tables_digest: str
    manifest_sha256: str = ""


@dataclass(frozen=True)
class BuildPair:
    """The previous build (None: no readable manifest.json) and the build being written."""

    previous: BuildStamp | None
    current: BuildStamp | None


def _is_data_table(name: str) -> bool:
    return "/" not in name and name.endswith((".jsonl", ".csv"))


def tables_digest(hashes: Mapping[str, str]) -> str:
    """sha256 over the sorted ``name sha256`` lines of the top-level data tables
    (``*.jsonl``, ``*.csv``) among ``hashes`` (file name -> sha256 hex)."""
    lines = "".join(f"{n} {h}\n" for n, h in sorted(hashes.items()) if _is_data_table(n))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def build_stamp(files: Mapping[str, bytes], built_at: str, tool_version: str) -> BuildStamp:
    """The stamp of the build whose output ``files`` (name -> bytes) are being written."""
    hashes = {n: hashlib.sha256(d).hexdigest() for n, d in files.items() if _is_data_table(n)}
    return BuildStamp(built_at, tool_version, tables_digest(hashes))


def manifest_stamp(data: bytes | None) -> BuildStamp | None:
    """The stamp of a written build from its manifest.json bytes (None: none or unreadable)."""
    if not data:
        return None
    try:
        manifest = json.loads(data)
        outputs = {text_of(o["file"]): text_of(o["sha256"]) for o in manifest.get("outputs", [])}
        return BuildStamp(
            text_of(manifest.get("built_at")),
            text_of(manifest.get("tool_version")),
            tables_digest(outputs),
            hashlib.sha256(data).hexdigest(),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _docs(table: pd.DataFrame) -> list[dict[str, Any]]:
    return table.to_dict("records")


def _exclusions(decisions: pd.DataFrame) -> dict[str, dict[str, str]]:
    """doc_id -> the exclude decision of this build that names it."""
    out: dict[str, dict[str, str]] = {}
    for row in decisions.to_dict("records"):
        if text_of(row.get("decision")) == "exclude":
            out[text_of(row.get("target"))] = {
                "entry": f"[[exclude]] #{text_of(row.get('entry'))}",
                "status": text_of(row.get("status")),
                "note": text_of(row.get("note")) or text_of(row.get("detail")),
            }
    return out


def _gone(
    diff: BuildDiff, old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]
) -> list[dict[str, Any]]:
    """Each document of the previous build missing from this one, with why: the exclude
    decision that names it, else this build's error for its source file, else neither."""
    excluded = _exclusions(new["decisions.jsonl"])
    files = {
        text_of(d.get("doc_id")): text_of(d.get("source_file"))
        for d in _docs(old["documents.jsonl"])
    }
    errors: dict[str, str] = {}
    for row in new["errors.jsonl"].to_dict("records"):
        detail = text_of(row.get("detail"))
        message = f"{text_of(row.get('error'))}" + (f": {detail}" if detail else "")
        errors.setdefault(text_of(row.get("source_file")), message)
    return [
        {"doc_id": d, "excluded": excluded.get(d), "error": errors.get(files.get(d, ""), "")}
        for d in diff.documents_removed
    ]


def _claim_lines(diff: BuildDiff, new: pd.DataFrame) -> list[dict[str, Any]]:
    """One line per claim kept by both builds whose citations or supporting sentences
    changed: its :class:`CitationChange` (None: same citations) and its sentences."""
    texts = {text_of(r.get("claim_id")): text_of(r.get("text")) for r in new.to_dict("records")}
    cited = {c.claim_id: c for c in diff.citation_changes}
    sentences: dict[str, list[Any]] = {}
    for change in diff.support_changes:
        sentences.setdefault(change.claim_id, []).append(change)
    return [
        {
            "claim_id": claim_id,
            "anchor": claim_anchor(claim_id),
            "text": texts.get(claim_id, ""),
            "cited": cited.get(claim_id),
            "sentences": sentences.get(claim_id, []),
        }
        for claim_id in sorted(cited.keys() | sentences.keys())
    ]


def _removed_of_added(diff: BuildDiff, removed: pd.DataFrame) -> dict[str, dict[str, Any]]:
    spans: dict[str, list[dict[str, str]]] = {}
    for row in removed.to_dict("records"):
        doc_id = text_of(row.get("doc_id"))
        if doc_id in diff.documents_added:
            spans.setdefault(doc_id, []).append(
                {
                    "reason": text_of(row.get("reason")) or "unknown",
                    "text": text_of(row.get("text")),
                }
            )
    out = {}
    for doc_id, rows in spans.items():
        counts = Counter(r["reason"] for r in rows)
        reasons = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[doc_id] = {"spans": rows, "reasons": reasons}
    return out


def _relation_items(
    keys: list[str], table: pd.DataFrame, labels: Mapping[str, dict[str, str]], linked: bool
) -> list[dict[str, Any]]:
    by_key = {relation_key(r): r for r in table.to_dict("records")}
    items = []
    for key in keys:
        row = by_key[key]
        copy, original = text_of(row.get("copy")), text_of(row.get("original"))
        items.append(
            {
                "copy_label": _label(labels, copy),
                "original_label": _label(labels, original),
                "relation": text_of(row.get("relation")),
                "page": relation_page(copy, original) if linked else "",
            }
        )
    return items


def _label(labels: Mapping[str, dict[str, str]], doc_id: str) -> dict[str, str]:
    return labels.get(doc_id) or {"label": doc_id, "doc_id": doc_id, "copy": "", "copy_of": ""}


def changes_view(
    diff: BuildDiff | None,
    previous: dict[str, pd.DataFrame] | None,
    current: dict[str, pd.DataFrame],
    builds: BuildPair | None = None,
) -> dict[str, Any] | None:
    """What changes.html shows besides ``diff`` itself (None: no previous build)."""
    if diff is None or previous is None:
        return None
    old, new = complete_tables(previous), complete_tables(current)
    labels = source_labels(_docs(old["documents.jsonl"]))
    labels.update(source_labels(_docs(new["documents.jsonl"])))
    known = set(new["documents.jsonl"]["doc_id"].map(text_of))
    before = {relation_key(r) for r in old["relations.jsonl"].to_dict("records")}
    after = {relation_key(r) for r in new["relations.jsonl"].to_dict("records")}
    return {
        "builds": builds,
        "label": lambda doc_id: _label(labels, text_of(doc_id)),
        "page": lambda doc_id: document_page(doc_id) if doc_id in known else "",
        "added": _removed_of_added(diff, new["removed.jsonl"]),
        "gone": _gone(diff, old, new),
        "claim_lines": _claim_lines(diff, new["claims.jsonl"]),
        "relation_names": {
            relation_key(r): f"{_label(labels, text_of(r.get('copy')))['label']} → "
            f"{_label(labels, text_of(r.get('original')))['label']}"
            for r in new["relations.jsonl"].to_dict("records")
        },
        "relations_found": _relation_items(
            sorted(after - before), new["relations.jsonl"], labels, True
        ),
        "relations_lost": _relation_items(
            sorted(before - after), old["relations.jsonl"], labels, False
        ),
    }
