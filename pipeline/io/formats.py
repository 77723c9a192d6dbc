"""The bytes of processed/ tables: JSON Lines and spreadsheet-safe CSV, and reading them back."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _plain(value: Any) -> Any:
    """pandas/numpy scalars and missing values as plain JSON values."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return value.item()
    return value


def jsonl_bytes(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> bytes:
    """A table as JSON Lines (UTF-8, one object per row, column order kept)."""
    cols = list(columns) if columns is not None else list(frame.columns)
    out = io.StringIO()
    for record in frame[cols].to_dict("records"):
        row = {k: _plain(v) for k, v in record.items()}
        out.write(json.dumps(row, ensure_ascii=False, default=_json_default))
        out.write("\n")
    return out.getvalue().encode("utf-8")


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell made inert for spreadsheets: ``'`` before a formula-like start (and
    before a leading ``'``, so :func:`csv_text` gives the text back exactly)."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")):
        return "'" + value
    return value


def csv_text(value: str) -> str:
    """The text of a cell written by :func:`csv_cell`."""
    return value[1:] if value.startswith("'") else value


def read_csv_table(source: Any) -> pd.DataFrame:
    """A CSV table written by :func:`csv_bytes`, as strings, its cells' text restored."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    return frame.apply(lambda col: col.map(csv_text)) if len(frame) else frame


def csv_bytes(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> bytes:
    """A table as CSV (UTF-8, ``\\n`` line ends, empty cells for missing values; text
    cells that a spreadsheet would run as formulas get a leading ``'``: see csv_cell)."""
    cols = list(columns) if columns is not None else list(frame.columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # csv quotes a cell holding "\n" but not one holding only "\r": quote such rows whole.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(cols)
    for record in frame[cols].itertuples(index=False):
        cells = ["" if _plain(v) is None else csv_cell(_plain(v)) for v in record]
        has_cr = any(isinstance(c, str) and "\r" in c for c in cells)
        (quoted if has_cr else writer).writerow(cells)
    return out.getvalue().encode("utf-8")


def read_jsonl(path: Path) -> pd.DataFrame:
    """A JSON Lines file as a table (empty table for an empty file)."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return pd.DataFrame(rows)
