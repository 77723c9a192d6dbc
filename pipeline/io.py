"""The only module that touches the disk: reading raw/, writing processed/ atomically."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.decisions import DecisionsError
from pipeline.outdir import write_output_dir  # noqa: F401  (re-exported)
from pipeline.settings import IngestSettings
from pipeline.tables import error_row

# Files in raw/ that are not captures.
RAW_CONTROL_FILES = {"sources.csv", "decisions.toml"}


def read_raw_dir(raw: Path, settings: IngestSettings) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """Read every capture under ``raw``: ``(files, sources, errors)``.

    ``files`` has ``source_file`` (path relative to raw/, ``/``-separated) and ``data``;
    ``sources`` is raw/sources.csv (empty when absent). Hidden files and folders are
    skipped; unreadable or oversized files become error rows.
    """
    if not raw.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw}")
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for path in sorted(raw.rglob("*")):
        rel = path.relative_to(raw).as_posix()
        if any(part.startswith(".") for part in path.relative_to(raw).parts):
            continue
        if not path.is_file() or rel in RAW_CONTROL_FILES or rel.lower().startswith("readme"):
            continue
        try:
            size = path.stat().st_size
            if size > settings.max_file_bytes:
                errors.append(
                    error_row(
                        rel,
                        "ingest",
                        f"file too large ({size} bytes; limit {settings.max_file_bytes})",
                        "raise ingest.max_file_bytes to accept it",
                    )
                )
                continue
            rows.append({"source_file": rel, "data": path.read_bytes()})
        except OSError as exc:
            errors.append(error_row(rel, "ingest", "file could not be read", exc))
    files = pd.DataFrame(rows, columns=["source_file", "data"])
    return files, read_sources_csv(raw / "sources.csv", errors), errors


def read_decisions_text(raw: Path) -> str:
    """The text of raw/decisions.toml ("" when there is none)."""
    path = raw / "decisions.toml"
    if not path.is_file():
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DecisionsError(f"decisions.toml is not UTF-8 text: {exc}") from exc


def read_sources_csv(path: Path, errors: list[dict[str, str]]) -> pd.DataFrame:
    """raw/sources.csv as strings (empty frame when absent or unreadable)."""
    if not path.exists():
        return pd.DataFrame(columns=["file"])
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        errors.append(error_row("sources.csv", "ingest", "sources.csv could not be parsed", exc))
        return pd.DataFrame(columns=["file"])


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


def csv_bytes(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> bytes:
    """A table as CSV (UTF-8, ``\\n`` line ends, empty cells for missing values)."""
    cols = list(columns) if columns is not None else list(frame.columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    for record in frame[cols].itertuples(index=False):
        writer.writerow(["" if _plain(v) is None else _plain(v) for v in record])
    return out.getvalue().encode("utf-8")


def read_jsonl(path: Path) -> pd.DataFrame:
    """A JSON Lines file as a table (empty table for an empty file)."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return pd.DataFrame(rows)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
