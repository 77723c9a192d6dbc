"""Shape checks of per-document cache entries: a forged or stale entry is a miss.

An entry passes its sha256 check when it was written whole, not when it has the shape
the stage expects: one from another build of the code, or written by hand, could drop a
document or stop the build. These checks are cheap and run on every hit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.tables import DOCUMENT_COLUMNS, ERROR_COLUMNS, REMOVED_COLUMNS


def _row(value: Any, columns: list[str]) -> bool:
    return isinstance(value, dict) and all(c in value for c in columns)


def _rows(value: Any, columns: list[str]) -> bool:
    return isinstance(value, list) and all(_row(v, columns) for v in value)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _outcome(item: Any) -> bool:
    if not isinstance(item, list) or len(item) != 3:
        return False
    doc_id, row, error = item
    if doc_id is not None and not isinstance(doc_id, str):
        return False
    if row is None:
        return error is not None and _row(error, ERROR_COLUMNS)
    return (
        doc_id is not None
        and error is None
        and _row(row, DOCUMENT_COLUMNS)
        and row["doc_id"] == doc_id
        and isinstance(row["content"], str)
        and _strings(row["flags"])
        and (row["trust"] is None or (isinstance(row["trust"], int) and row["trust"] >= 0))
    )


def ingest_entry_ok(value: Any) -> bool:
    """An ingest entry: a non-empty list of ``[doc_id, document row, error row]``."""
    return isinstance(value, list) and bool(value) and all(_outcome(v) for v in value)


def clean_entry_ok(value: Any) -> bool:
    """A clean entry: ``[text, flags, removed rows, error rows]``; no text needs an error."""
    if not isinstance(value, list) or len(value) != 4:
        return False
    text, flags, removed, errors = value
    if text is None and not errors:
        return False
    return (
        (text is None or isinstance(text, str))
        and _strings(flags)
        and _rows(removed, REMOVED_COLUMNS)
        and _rows(errors, ERROR_COLUMNS)
    )


def _fits(value: Any, kind: str) -> bool:
    if kind == "b":
        return isinstance(value, bool)
    if kind in "iu":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "f":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def segment_entry_ok(template: pd.DataFrame) -> Any:
    """A check of segment entries: lists of sentence rows with ``template``'s columns
    and values its column types can hold."""
    kinds = {name: dtype.kind for name, dtype in template.dtypes.items()}

    def check(value: Any) -> bool:
        return _rows(value, list(kinds)) and all(
            _fits(row[name], kind) for row in value for name, kind in kinds.items()
        )

    return check
