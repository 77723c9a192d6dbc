"""WARC files: their HTTP response records as captures, and the records that are broken.

A record cut short (the file ends inside its block, or its Content-Length claims more
bytes than follow), a header cut short and a record warcio cannot parse are reported,
one problem each, while the sound records before them are kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

# A problem with part of a file: (one clear sentence, technical detail).
Problem = tuple[str, str]


@dataclass(frozen=True)
class Capture:
    """One source's bytes before decoding."""

    doc_id: str
    source_file: str
    fmt: str
    data: bytes
    url: str | None = None
    retrieved: str | None = None
    charset: str | None = None


def _format_and_charset(ctype: str) -> tuple[str, str | None]:
    mime = ctype.split(";")[0].strip().lower()
    fmt = "text" if mime == "text/plain" else "markdown" if mime == "text/markdown" else "html"
    lower = ctype.lower()
    return fmt, lower.split("charset=")[-1].strip() if "charset=" in lower else None


def _capture(doc_id: str, source_file: str, record: object, body: bytes) -> Capture:
    headers = record.http_headers  # type: ignore[attr-defined]
    fmt, charset = _format_and_charset(
        (headers.get_header("Content-Type") if headers else None) or ""
    )
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    date = rec_headers.get_header("WARC-Date")
    return Capture(
        doc_id=doc_id,
        source_file=source_file,
        fmt=fmt,
        data=body,
        url=rec_headers.get_header("WARC-Target-URI"),
        retrieved=date[:10] if date else None,
        charset=charset,
    )


def warc_records(doc_id: str, source_file: str, data: bytes) -> tuple[list[Capture], list[Problem]]:
    """Each sound HTTP response record of a WARC file as a capture
    ``<doc_id>/<record number>`` (records numbered by position, every record from 0),
    and the problems of the broken ones. Raises ValueError when not even the first
    record can be read."""
    captures: list[Capture] = []
    problems: list[Problem] = []
    iterator = ArchiveIterator(io.BytesIO(data))
    number, end = -1, 0
    try:
        for number, record in enumerate(iterator):
            body = record.content_stream().read() if record.rec_type == "response" else b""
            missing = getattr(record.raw_stream, "limit", 0) or 0
            iterator.read_to_end(record)
            end = iterator.get_record_offset() + iterator.get_record_length()
            if missing:
                problems.append(
                    (
                        f"WARC record {number} is truncated; it is not read",
                        f"{missing} bytes of its Content-Length are missing",
                    )
                )
            elif record.rec_type == "response":
                captures.append(_capture(f"{doc_id}/{number}", source_file, record, body))
    except (ArchiveLoadFailed, AttributeError, TypeError, ValueError, EOFError, OSError) as exc:
        if number < 0:
            raise ValueError(f"not a readable WARC file ({type(exc).__name__}: {exc})") from exc
        problems.append(
            (
                f"WARC record {number + 1} is corrupt or truncated; it and the rest of the file"
                " are not read",
                f"{type(exc).__name__}: {exc}",
            )
        )
        return captures, problems
    if data[end:].strip():
        problems.append(
            (
                f"WARC file ends in a truncated record (after record {number}); it is not read",
                f"{len(data) - end} bytes after byte {end} do not form a record",
            )
        )
    return captures, problems
