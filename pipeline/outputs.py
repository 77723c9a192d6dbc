"""processed/ as bytes: the tables in the contract's columns and order, corpus.md, reports/,
datapackage.json and manifest.json."""

from __future__ import annotations

import io
import json

import pandas as pd

from pipeline import __version__
from pipeline.io import csv_bytes, jsonl_bytes, read_csv_table
from pipeline.io.manifest import built_at, json_bytes, manifest
from pipeline.io.schema import FIELDS, columns, datapackage, table_columns
from pipeline.reconcile import render_corpus_md
from pipeline.report import (
    BuildPair,
    build_stamp,
    complete_tables,
    manifest_stamp,
    render_reports,
)
from pipeline.runtime.cache import DocCache
from pipeline.settings import Settings
from pipeline.tables import ERROR_COLUMNS


def _sorted_errors(errors: pd.DataFrame) -> pd.DataFrame:
    if errors.empty:
        return pd.DataFrame(columns=ERROR_COLUMNS)
    return errors.sort_values(ERROR_COLUMNS, kind="stable").reset_index(drop=True)


SORT_KEYS = {
    "documents.jsonl": ["doc_id"],
    "removed.jsonl": ["doc_id", "seq"],
    "errors.jsonl": ERROR_COLUMNS,
    "relations.jsonl": ["original", "copy"],
    "sentences.jsonl": ["doc_id", "sentence_id"],
    "alignments.jsonl": ["sentence_a", "sentence_b"],
    "review.jsonl": ["claim_id", "sentence_id"],
    "sources.csv": ["key"],
}


def _sorted(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in SORT_KEYS.get(name, []) if k in frame.columns]
    if frame.empty or not keys:
        return frame.reset_index(drop=True)
    order = frame[keys].astype(str)
    return frame.loc[order.sort_values(keys, kind="stable").index].reset_index(drop=True)


def serialise(
    tables: dict[str, pd.DataFrame],
    raw_files: pd.DataFrame,
    controls: dict[str, bytes],
    settings: Settings,
    previous: dict[str, pd.DataFrame] | None = None,
    previous_changes: bytes | None = None,
    cache: DocCache | None = None,
    previous_manifest: bytes | None = None,
) -> dict[str, bytes]:
    """All processed/ files as bytes: tables, corpus.md, reports/, manifest and datapackage.

    Each table is written in its schema's columns (pipeline/io/schema.py); a table with a
    column its schema does not list raises :class:`~pipeline.io.schema.SchemaError`.

    ``previous`` is the last build's tables (for reports/changes.html), or None. When the
    tables come out identical to ``previous``, the last ``changes.html`` is kept
    (``previous_changes``): a rebuild of unchanged inputs changes nothing. ``cache``
    keeps rendered report pages of documents and relations between builds;
    ``previous_manifest`` (the last manifest.json's bytes) names the build changes.html
    compares with.
    """
    files: dict[str, bytes] = {}
    for name, frame in sorted(tables.items()):
        if name not in FIELDS:
            continue
        frame = _sorted(name, frame)
        write = csv_bytes if name.endswith(".csv") else jsonl_bytes
        files[name] = write(frame, table_columns(name, frame.columns))
    if "claims.jsonl" in tables and "sources.csv" in tables:
        text = render_corpus_md(tables["claims.jsonl"], tables["sources.csv"])
        files["corpus.md"] = text.encode("utf-8")
    written = complete_tables(
        {name: _read_table(name, data) for name, data in files.items() if name in FIELDS}
    )
    unchanged = previous is not None and all(
        _same_table(previous.get(name), frame) for name, frame in written.items()
    )
    builds = BuildPair(
        manifest_stamp(previous_manifest), build_stamp(files, built_at(), __version__)
    )
    for name, page in render_reports(
        written, previous, cache, builds, settings.reconcile.cite_score
    ).items():
        files[f"reports/{name}"] = page
    if unchanged and previous_changes is not None:
        files["reports/changes.html"] = previous_changes
    files["datapackage.json"] = json_bytes(datapackage(files, __version__))
    files["manifest.json"] = json_bytes(manifest(files, raw_files, controls, settings))
    return files


def _read_table(name: str, data: bytes) -> pd.DataFrame:
    if name.endswith(".csv"):
        return read_csv_table(io.BytesIO(data))
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
