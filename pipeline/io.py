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
    skipped; unreadable or oversized files become error rows. A symbolic link is read
    only when it points at a file inside raw/ (links to folders are not followed); one
    pointing outside raw/, dangling or looping is an error row and is not read.
    """
    if not raw.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw}")
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    real_raw = raw.resolve()
    for path in sorted(raw.rglob("*")):  # rglob does not descend into linked folders
        rel = path.relative_to(raw).as_posix()
        if any(part.startswith(".") for part in path.relative_to(raw).parts):
            continue
        if path.is_symlink():
            problem = _link_problem(path, real_raw)
            if problem:
                errors.append(error_row(rel, "ingest", problem, f"-> {os.readlink(path)}"))
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


def _link_problem(path: Path, real_raw: Path) -> str | None:
    """Why the symbolic link ``path`` must not be read, or None."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "dangling symbolic link: its target does not exist; not read"
    except (OSError, RuntimeError):
        return "symbolic link loop; not read"
    if target != real_raw and real_raw not in target.parents:
        return "symbolic link to a place outside raw/; not read"
    return None


def read_decisions_text(raw: Path) -> str:
    """The text of raw/decisions.toml ("" when there is none)."""
    path = raw / "decisions.toml"
    if not path.is_file():
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DecisionsError(f"decisions.toml is not UTF-8 text: {exc}") from exc


_MAX_ROW_LINES = 5  # a quoted cell may span lines; an unclosed quote spoils no more than this


def _csv_record(lines: list[str], start: int) -> tuple[list[str] | None, int, str]:
    """The record of sources.csv starting at line ``start``: ``(cells, lines used, "")``
    or ``(None, 1, why)`` when it does not parse within a few lines."""
    why = ""
    for span in range(1, min(_MAX_ROW_LINES, len(lines) - start) + 1):
        try:
            records = list(
                csv.reader(io.StringIO("\n".join(lines[start : start + span])), strict=True)
            )
        except csv.Error as exc:
            why = str(exc)
            continue
        if len(records) == 1:
            return records[0], span, ""
        why = why or "more than one record"
    return None, 1, why or "unbalanced quote"


def read_sources_csv(path: Path, errors: list[dict[str, str]]) -> pd.DataFrame:
    """raw/sources.csv as strings (empty frame when absent or unreadable).

    Rows are read one by one: a row that does not parse or has more cells than the
    header gets an errors row (with its line number) and every other row is kept.
    """
    if not path.exists():
        return pd.DataFrame(columns=["file"])
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(error_row("sources.csv", "ingest", "sources.csv could not be read", exc))
        return pd.DataFrame(columns=["file"])
    header: list[str] | None = None
    rows: list[list[str]] = []
    number = 0
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        cells, used, why = _csv_record(lines, number)
        where = f"sources.csv line {number + 1}"
        if cells is None:
            errors.append(error_row("sources.csv", "ingest", f"{where} could not be parsed", why))
        elif header is None:
            header = cells
        elif len(cells) > len(header):
            message = f"{where} has {len(cells)} cells, the header {len(header)}"
            errors.append(error_row("sources.csv", "ingest", message, lines[number][:200]))
        else:
            rows.append(cells + [""] * (len(header) - len(cells)))
        number += used
    return pd.DataFrame(rows, columns=header or ["file"])


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
