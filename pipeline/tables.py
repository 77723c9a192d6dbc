"""Column sets of the tables that pass between stages, and the errors table."""

from __future__ import annotations

import pandas as pd

ERROR_COLUMNS = ["source_file", "stage", "error", "detail"]

# Trust tiers of sources.csv and decisions.toml: small whole numbers (larger overflow tables).
MAX_TRUST = 1_000_000

# Relations whose document reproduces another one (relations.jsonl ``relation``,
# documents.jsonl ``relation``); a copy is never an independent source.
COPY_RELATIONS = ("exact_duplicate", "near_duplicate", "spun_copy", "partial_copy")

# Columns of the raw_files table (pipeline/io/raw.py): where each capture is, never its bytes.
RAW_FILE_COLUMNS = ["source_file", "path", "size", "sha256"]

# Columns of the removed table: one row per block the clean stage took out, with its reason.
REMOVED_COLUMNS = ["doc_id", "seq", "text", "reason", "rule", "after_block"]

# Columns of the documents table after ingest (clean replaces ``content`` by ``text``).
DOCUMENT_COLUMNS = [
    "doc_id",
    "source_file",
    "format",
    "url",
    "publisher",
    "title",
    "description",
    "retrieved",
    "updated",
    "trust",
    "raw_sha256",
    "content",
    "flags",
]


def error_row(source_file: str, stage: str, error: str, detail: object = "") -> dict[str, str]:
    """One errors.jsonl row: ``error`` is one clear sentence, ``detail`` the specifics."""
    if isinstance(detail, BaseException):
        detail = f"{type(detail).__name__}: {detail}"[:500]
    return {"source_file": source_file, "stage": stage, "error": error, "detail": str(detail)}


def errors_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """The errors table from rows made by :func:`error_row`."""
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)
