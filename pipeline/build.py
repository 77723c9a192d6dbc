"""The in-process engine: run every stage on tables, then write processed/ at once."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from pipeline import __version__
from pipeline.align import align_claims
from pipeline.clean import clean_documents
from pipeline.corpus_md import render_corpus_md
from pipeline.dedup import find_copies
from pipeline.ingest import ingest_captures
from pipeline.io import csv_bytes, jsonl_bytes, read_raw_dir, write_output_dir
from pipeline.reconcile import reconcile_claims
from pipeline.report import load_processed, render_reports
from pipeline.report.tables import complete_tables
from pipeline.schema import FIELDS, SCHEMA_VERSION, columns, datapackage
from pipeline.segment import segment_claims
from pipeline.settings import Settings
from pipeline.tables import ERROR_COLUMNS

Progress = Callable[[str], None]


@dataclass
class BuildTables:
    """Every table a build produces, before serialisation."""

    documents: pd.DataFrame
    removed: pd.DataFrame
    errors: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)


def _no_progress(_message: str) -> None:
    return None


def run_stages(
    raw_files: pd.DataFrame,
    sources: pd.DataFrame,
    settings: Settings,
    progress: Progress = _no_progress,
) -> BuildTables:
    """ingest -> clean -> dedup -> align -> reconcile on in-memory tables."""
    started = time.perf_counter()
    documents, ingest_errors = ingest_captures(raw_files, sources, settings.ingest)
    progress(f"ingest: {len(documents)} documents, {len(ingest_errors)} errors")
    documents, removed, clean_errors = clean_documents(documents, settings)
    progress(f"clean: {len(removed)} spans removed, {len(clean_errors)} errors")
    if documents.empty:
        progress("no document survived ingest and clean; later stages have nothing to do")
        return BuildTables(
            documents=documents.assign(group_id=[], derived_from=[], relation=[]),
            removed=removed,
            errors=pd.concat([ingest_errors, clean_errors], ignore_index=True),
            extra={
                "relations.jsonl": pd.DataFrame(columns=columns("relations.jsonl")),
                "claims.jsonl": pd.DataFrame(columns=columns("claims.jsonl")),
                "sources.csv": pd.DataFrame(columns=columns("sources.csv")),
            },
        )
    documents, relations = find_copies(documents, settings.dedup)
    progress(f"dedup: {len(relations)} related pairs, {documents['group_id'].nunique()} groups")
    sentences = segment_claims(documents, settings.align)
    alignments = align_claims(sentences, documents, settings.align)
    progress(f"align: {len(sentences)} sentences, {len(alignments)} aligned pairs")
    claims, sources_table = reconcile_claims(sentences, alignments, documents, settings.reconcile)
    progress(f"reconcile: {len(claims)} claims")
    errors = pd.concat([ingest_errors, clean_errors], ignore_index=True)
    progress(f"stages done in {time.perf_counter() - started:.1f}s")
    return BuildTables(
        documents=documents,
        removed=removed,
        errors=errors,
        extra={"relations.jsonl": relations, "claims.jsonl": claims, "sources.csv": sources_table},
    )


def _sorted_errors(errors: pd.DataFrame) -> pd.DataFrame:
    if errors.empty:
        return pd.DataFrame(columns=ERROR_COLUMNS)
    return errors.sort_values(ERROR_COLUMNS, kind="stable").reset_index(drop=True)


def built_at() -> str:
    """Build time for manifest.json: SOURCE_DATE_EPOCH when set, else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def serialise(
    tables: BuildTables,
    raw_files: pd.DataFrame,
    raw: Path,
    settings: Settings,
    previous: dict[str, pd.DataFrame] | None = None,
    previous_changes: bytes | None = None,
) -> dict[str, bytes]:
    """All processed/ files as bytes: tables, corpus.md, reports/, manifest and datapackage.

    ``previous`` is the last build's tables (for reports/changes.html), or None. When the
    tables come out identical to ``previous``, the last ``changes.html`` is kept
    (``previous_changes``): a rebuild of unchanged inputs changes nothing.
    """
    documents = tables.documents.sort_values("doc_id", kind="stable")
    removed = tables.removed.sort_values(["doc_id", "seq"], kind="stable")
    files: dict[str, bytes] = {
        "documents.jsonl": jsonl_bytes(documents, _columns(documents, "documents.jsonl")),
        "removed.jsonl": jsonl_bytes(removed, _columns(removed, "removed.jsonl")),
        "errors.jsonl": jsonl_bytes(_sorted_errors(tables.errors), columns("errors.jsonl")),
    }
    for name, frame in sorted(tables.extra.items()):
        if name.endswith(".csv"):
            files[name] = csv_bytes(frame, columns(name))
        else:
            files[name] = jsonl_bytes(frame, _columns(frame, name))
    if "claims.jsonl" in tables.extra:
        text = render_corpus_md(tables.extra["claims.jsonl"], tables.extra["sources.csv"])
        files["corpus.md"] = text.encode("utf-8")
    written = complete_tables(
        {name: _read_table(name, data) for name, data in files.items() if name in FIELDS}
    )
    unchanged = previous is not None and all(
        _same_table(previous.get(name), frame) for name, frame in written.items()
    )
    for name, page in render_reports(written, previous).items():
        files[f"reports/{name}"] = page
    if unchanged and previous_changes is not None:
        files["reports/changes.html"] = previous_changes
    files["datapackage.json"] = _json_bytes(datapackage(files, __version__))
    files["manifest.json"] = _json_bytes(_manifest(files, raw_files, raw, settings))
    return files


def _columns(frame: pd.DataFrame, name: str) -> list[str]:
    """The contract's columns first, then any extra columns the stage added."""
    contract = columns(name)
    return contract + [c for c in frame.columns if c not in contract]


def _read_table(name: str, data: bytes) -> pd.DataFrame:
    if name.endswith(".csv"):
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line]
    return pd.DataFrame(rows, columns=None if rows else columns(name))


def _same_table(old: pd.DataFrame | None, new: pd.DataFrame) -> bool:
    if old is None:
        return new.empty
    if old.empty and new.empty:
        return True
    try:
        return old.astype(str).reset_index(drop=True).equals(new.astype(str).reset_index(drop=True))
    except (ValueError, TypeError):
        return False


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def _rows(name: str, data: bytes) -> int | None:
    if name.endswith(".jsonl"):
        return data.count(b"\n")
    if name.endswith(".csv"):
        return max(data.count(b"\n") - 1, 0)
    return None


def _manifest(
    files: dict[str, bytes], raw_files: pd.DataFrame, raw: Path, settings: Settings
) -> dict[str, object]:
    inputs = [
        {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for name, data in sorted(zip(raw_files["source_file"], raw_files["data"], strict=True))
    ]
    for control in ("sources.csv", "decisions.toml"):
        path = raw / control
        if path.exists():
            data = path.read_bytes()
            inputs.append(
                {"file": control, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            )
    outputs = [
        {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "rows": _rows(name, data)}
        for name, data in sorted(files.items())
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "curate",
        "tool_version": __version__,
        "built_at": built_at(),
        "parameters": settings.to_dict(),
        "inputs": inputs,
        "outputs": outputs,
    }


def build(
    raw: Path, out: Path, settings: Settings, progress: Progress = _no_progress
) -> BuildTables:
    """Build ``raw`` into ``out``: read, run every stage, write all outputs atomically."""
    raw_files, sources, read_errors = read_raw_dir(raw, settings.ingest)
    progress(f"read {len(raw_files)} files from {raw}")
    tables = run_stages(raw_files, sources, settings, progress)
    if read_errors:
        tables.errors = pd.concat([pd.DataFrame(read_errors), tables.errors], ignore_index=True)
    previous = load_processed(out) if (out / "documents.jsonl").is_file() else None
    changes = out / "reports" / "changes.html"
    previous_changes = changes.read_bytes() if previous is not None and changes.is_file() else None
    files = serialise(tables, raw_files, raw, settings, previous, previous_changes)
    write_output_dir(out, files)
    progress(f"wrote {len(files)} files to {out}")
    return tables
