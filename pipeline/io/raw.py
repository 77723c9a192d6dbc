"""Reading raw/: the capture files, sources.csv and decisions.toml (raw/ is never written)."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.errors import DecisionsError
from pipeline.settings import IngestSettings
from pipeline.tables import RAW_FILE_COLUMNS, error_row

# Files in raw/ that are not captures.
RAW_CONTROL_FILES = {"sources.csv", "decisions.toml"}
# A capture is hashed in pieces of this size, so its bytes are never all held at once.
_CHUNK = 1 << 20


class RawFileChanged(OSError):
    """A capture's bytes are no longer those raw/ was listed with."""


def list_capture(path: Path, source_file: str) -> dict[str, Any]:
    """One ``raw_files`` row for the capture at ``path``: where it is, its size and sha256
    (read in pieces; the bytes are not kept). Raises OSError when it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {
        "source_file": source_file,
        "path": str(path.resolve()),
        "size": size,
        "sha256": digest.hexdigest(),
    }


def read_listed(path: str, size: int, sha256: str) -> bytes:
    """The bytes of a capture listed by :func:`list_capture`, checked against its listing.

    Raises FileNotFoundError when it is gone, :class:`RawFileChanged` when its bytes
    differ (never reading more than one byte past the listed size), OSError when
    unreadable.
    """
    with open(path, "rb") as handle:
        data = handle.read(size + 1)
    found = hashlib.sha256(data).hexdigest()
    if len(data) > size:
        raise RawFileChanged(f"it grew past the {size} bytes it had when listed")
    if found != sha256:
        raise RawFileChanged(
            f"{len(data)} bytes with sha256 {found[:12]}..., listed with {size} bytes "
            f"and sha256 {sha256[:12]}..."
        )
    return data


def read_control_files(raw: Path) -> dict[str, bytes]:
    """The bytes of raw/'s control files that exist (sources.csv, decisions.toml).

    A build reads them once: the sources table, the decisions and manifest.json's input
    digests all come from these bytes.
    """
    found = {}
    for name in sorted(RAW_CONTROL_FILES):
        path = raw / name
        if path.is_file():
            found[name] = path.read_bytes()
    return found


def read_raw_dir(
    raw: Path, settings: IngestSettings, controls: dict[str, bytes] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """Read every capture under ``raw``: ``(files, sources, errors)``.

    ``files`` has ``source_file`` (path relative to raw/, ``/``-separated), ``path`` (the
    absolute path to read it from), ``size`` and ``sha256``, never the bytes: the ingest
    step reads them where it runs (:func:`read_listed`). ``sources`` is raw/sources.csv
    (empty when absent; from ``controls`` when given, see :func:`read_control_files`).
    Hidden files and folders are skipped; unreadable or oversized files become error rows.
    A symbolic link is read only when it points at a file inside raw/ (links to folders
    are not followed); one pointing outside raw/, dangling or looping is an error row and
    is not read.
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
            rows.append(list_capture(path, rel))
        except OSError as exc:
            errors.append(error_row(rel, "ingest", "file could not be read", exc))
    files = pd.DataFrame(rows, columns=RAW_FILE_COLUMNS)
    if controls is None:
        return files, read_sources_csv(raw / "sources.csv", errors), errors
    return files, read_sources_csv(controls.get("sources.csv"), errors), errors


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
    return decisions_text(read_control_files(raw))


def decisions_text(controls: dict[str, bytes]) -> str:
    """The text of decisions.toml among the control files ("" when there is none)."""
    try:
        return controls.get("decisions.toml", b"").decode("utf-8")
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


def read_sources_csv(source: Path | bytes | None, errors: list[dict[str, str]]) -> pd.DataFrame:
    """raw/sources.csv (a path, or its bytes) as strings (empty frame when absent or unreadable).

    Rows are read one by one: a row that does not parse or has more cells than the
    header gets an errors row (with its line number) and every other row is kept.
    """
    if source is None or (isinstance(source, Path) and not source.exists()):
        return pd.DataFrame(columns=["file"])
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
        lines = data.decode("utf-8-sig").splitlines()
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
