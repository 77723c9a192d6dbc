"""Ingest stage: raw captures (listed in raw_files + sources.csv) -> the documents table.

One row per source document: a file, or one response record of a WARC file.
Text is decoded (encoding detected, never assumed) and mojibake repaired; metadata
comes from sources.csv first, then from the capture itself.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from pipeline.ingest.decode import decode_capture, decompress, split_suffixes
from pipeline.ingest.metadata import html_metadata, text_metadata
from pipeline.ingest.warc import Capture, Problem, warc_records
from pipeline.io.raw import RawFileChanged, read_listed
from pipeline.settings import IngestSettings
from pipeline.tables import (
    DOCUMENT_COLUMNS,
    MAX_TRUST,
    RAW_FILE_COLUMNS,
    error_row,
    errors_frame,
)

SOURCE_COLUMNS = ["file", "url", "publisher", "title", "retrieved", "trust"]


def split_captures(
    source_file: str, data: bytes, max_bytes: int | None = None
) -> tuple[list[Capture], list[Problem]]:
    """The captures in one raw file (a WARC file holds several) and the problems of its
    broken parts (truncated WARC records). Raises ValueError when nothing can be read,
    also for a compressed file that unpacks to more than ``max_bytes``."""
    doc_id, fmt, compressed = split_suffixes(source_file)
    if compressed:
        # Decompress whole first: warcio stops silently at a truncated gzip member.
        data = decompress(data, max_bytes)
    if fmt == "warc":
        records, problems = warc_records(doc_id, source_file, data)
        if not records and not problems:
            raise ValueError("WARC file holds no response records")
        return records, problems
    return [Capture(doc_id=doc_id, source_file=source_file, fmt=fmt, data=data)], []


def _clean_value(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _document_row(capture: Capture, source: dict, settings: IngestSettings) -> dict:
    text, _encoding, flags = decode_capture(capture.data, capture.fmt, settings, capture.charset)
    found = html_metadata(text) if capture.fmt == "html" else text_metadata(text)
    trust = source.get("trust")
    return {
        "doc_id": capture.doc_id,
        "source_file": capture.source_file,
        "format": capture.fmt,
        "url": source.get("url") or capture.url or found.get("url"),
        "publisher": source.get("publisher") or found.get("publisher"),
        "title": source.get("title") or found.get("title"),
        "description": found.get("description"),
        "retrieved": source.get("retrieved") or capture.retrieved,
        "updated": found.get("updated"),
        "trust": int(trust) if trust is not None else None,
        "raw_sha256": hashlib.sha256(capture.data).hexdigest(),
        "content": text,
        "flags": sorted(flags),
    }


def _trust(name: str, trust: object, errors: list[dict]) -> int | None:
    """A sources.csv trust cell as a whole number from 0 to MAX_TRUST, else an error."""
    try:
        value = int(float(str(trust)))
    except (ValueError, OverflowError):
        errors.append(
            error_row("sources.csv", "ingest", f"trust of {name} is not an integer", trust)
        )
        return None
    if not 0 <= value <= MAX_TRUST:
        message = f"trust of {name} is outside 0..{MAX_TRUST}"
        errors.append(error_row("sources.csv", "ingest", message, trust))
        return None
    return value


def validate_sources(sources: pd.DataFrame) -> tuple[dict[str, dict], list[dict]]:
    """sources.csv rows keyed by ``file``, and errors for rows that are not valid."""
    by_file: dict[str, dict] = {}
    errors: list[dict] = []
    if "file" not in sources.columns and len(sources):
        errors.append(error_row("sources.csv", "ingest", "sources.csv has no 'file' column"))
        return by_file, errors
    for row in sources.to_dict("records"):
        clean = {k: _clean_value(row.get(k)) for k in SOURCE_COLUMNS}
        trust = clean.get("trust")
        if trust is not None:
            clean["trust"] = _trust(str(clean["file"]), trust, errors)
        if clean["file"]:
            by_file[str(clean["file"])] = clean
    return by_file, errors


# One capture's outcome: (doc_id, document row, error row); doc_id None = the whole file.
Outcome = tuple[str | None, dict | None, dict | None]


def ingest_file(
    source_file: str, data: bytes, source: dict, settings: IngestSettings
) -> list[Outcome]:
    """The outcome of each capture of one raw file (pure: the file's bytes and its
    sources.csv row in, rows out); a file that cannot be split is one error outcome."""
    try:
        captures, problems = split_captures(source_file, data, settings.max_file_bytes)
    except ValueError as exc:
        return [(None, None, error_row(source_file, "ingest", str(exc).split(" (")[0], exc))]
    outcomes: list[Outcome] = [
        (None, None, error_row(source_file, "ingest", error, detail)) for error, detail in problems
    ]
    for capture in captures:
        try:
            outcomes.append((capture.doc_id, _document_row(capture, source, settings), None))
        except ValueError as exc:
            outcomes.append((capture.doc_id, None, error_row(source_file, "ingest", str(exc))))
    return outcomes


def merge_ingested(
    outcomes: list[tuple[str, list[Outcome]]],
    by_file: dict[str, dict],
    errors: list[dict],
    known: set[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Documents and errors from the per-file ``outcomes`` (``(source_file, outcomes)``
    sorted by source_file): a doc_id claimed twice keeps the first file."""
    rows: dict[str, dict] = {}
    for source_file, found in outcomes:
        for doc_id, row, error in found:
            if doc_id is not None and doc_id in rows:
                other = rows[doc_id]["source_file"]
                errors.append(
                    error_row(source_file, "ingest", f"doc_id {doc_id} is taken by {other}")
                )
            elif row is not None and doc_id is not None:
                rows[doc_id] = row
            elif error is not None:
                errors.append(error)
    errors.extend(
        error_row("sources.csv", "ingest", f"sources.csv names {name}, which is not in raw/")
        for name in sorted(set(by_file) - known)
    )
    documents = pd.DataFrame([rows[k] for k in sorted(rows)], columns=DOCUMENT_COLUMNS)
    documents["trust"] = documents["trust"].astype("Int64")
    return documents, errors_frame(errors)


# A listed capture: (source_file, path, size, sha256), as in raw_files (RAW_FILE_COLUMNS).
Listed = tuple[str, str, int, str]

# The errors of a capture that could not be read as listed: they say nothing about its
# listed bytes, so they are never cached.
UNREAD_ERRORS = (
    "file vanished after raw/ was listed; not ingested",
    "file changed after raw/ was listed; not ingested",
    "file could not be read",
)


def ingest_listed(listed: Listed, source: dict, settings: IngestSettings) -> list[Outcome]:
    """:func:`ingest_file` on a capture read from its path where this runs; a capture gone,
    changed since it was listed (its sha256 differs) or unreadable is one error outcome."""
    source_file, path, size, sha256 = listed
    try:
        data = read_listed(path, size, sha256)
    except FileNotFoundError as exc:
        return _read_error(source_file, UNREAD_ERRORS[0], exc)
    except RawFileChanged as exc:
        return _read_error(source_file, UNREAD_ERRORS[1], exc)
    except OSError as exc:
        return _read_error(source_file, UNREAD_ERRORS[2], exc)
    return ingest_file(source_file, data, source, settings)


def _read_error(source_file: str, error: str, exc: OSError) -> list[Outcome]:
    detail = f"{type(exc).__name__}: {exc.strerror or exc}"  # without this machine's paths
    return [(None, None, error_row(source_file, "ingest", error, detail))]


def unread(outcomes: list) -> bool:
    """Whether ``outcomes`` say the capture could not be read as listed (see
    :func:`ingest_listed`); such outcomes are not cached."""
    return (
        len(outcomes) == 1
        and outcomes[0][2] is not None
        and outcomes[0][2]["error"] in UNREAD_ERRORS
    )


def listed_files(raw_files: pd.DataFrame) -> list[Listed]:
    """The rows of ``raw_files`` as :data:`Listed` tuples, sorted by source_file."""
    columns = (raw_files[c] for c in RAW_FILE_COLUMNS)
    return sorted((f, p, int(n), d) for f, p, n, d in zip(*columns, strict=True))


def ingest_captures(
    raw_files: pd.DataFrame, sources: pd.DataFrame, settings: IngestSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """raw files (``source_file``, ``path``, ``size``, ``sha256``) + sources.csv ->
    documents and errors.

    Files that cannot be read become one errors row each; the others go on.
    Output rows are sorted by ``doc_id``; a doc_id claimed twice keeps the first file.
    """
    by_file, errors = validate_sources(sources)
    outcomes = [
        (listed[0], ingest_listed(listed, by_file.get(listed[0], {}), settings))
        for listed in listed_files(raw_files)
    ]
    return merge_ingested(outcomes, by_file, errors, set(raw_files["source_file"]))
