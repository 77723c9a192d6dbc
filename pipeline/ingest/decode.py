"""Bytes -> text: formats, decompression, encoding detection, mojibake repair.

The HTML meta charset is read by beautifulsoup4's ``EncodingDetector``. The chain's order
stays ours, not ``UnicodeDammit``'s: it trusts a meta charset before UTF-8, so UTF-8 pages
that declare iso-8859-1 decode as mojibake (454 of 499 WCXB pages), at 1.7x our CPU time.
BOMs (bs4 knows no UTF-32), UTF-16 without a BOM and NUL checks stay ours: bs4 has no such test.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from pathlib import PurePosixPath

import charset_normalizer
import ftfy

from pipeline.settings import IngestSettings

# suffix -> format; the order of checks matters for ".warc.gz" and ".html.gz".
FORMATS = {".html": "html", ".htm": "html", ".txt": "text", ".md": "markdown", ".warc": "warc"}
COMPRESSED = ".gz"

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # an HTML capture's entities are markup, not mojibake
    uncurl_quotes=False,  # typographic quotes are the author's, keep them
    fix_latin_ligatures=False,
    fix_character_width=False,
    explain=False,
)


# What ftfy would still change in pure ASCII text: terminal escapes and control characters.
# Control characters that plain text never holds (tab, newlines and form feed excepted).
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_ASCII_NEEDS_FIXING = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def split_suffixes(source_file: str) -> tuple[str, str, bool]:
    """``(doc_id, format, compressed)`` for a path relative to raw/.

    ``doc_id`` is the path without its format and compression suffixes (CONTRACT.md).
    Raises ValueError for a suffix we do not accept.
    """
    path = PurePosixPath(source_file)
    name = path.name
    compressed = name.lower().endswith(COMPRESSED)
    if compressed:
        name = name[: -len(COMPRESSED)]
    stem, dot, suffix = name.rpartition(".")
    fmt = FORMATS.get(f".{suffix.lower()}") if dot else None
    if fmt is None or not stem:
        accepted = ", ".join(sorted(FORMATS))
        raise ValueError(f"unsupported file type (accepted: {accepted}, optionally .gz)")
    doc_id = str(path.parent / stem) if str(path.parent) != "." else stem
    return doc_id, fmt, compressed


def decompress(data: bytes, limit: int | None = None) -> bytes:
    """Gunzip ``data``; a truncated or corrupt archive raises ValueError, and so does one
    that unpacks to more than ``limit`` bytes (read in chunks: memory stays bounded by
    the limit, a gzip bomb is stopped early)."""
    try:
        if limit is None:
            return gzip.decompress(data)
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read(limit + 1)
    except (EOFError, OSError, zlib.error) as exc:
        raise ValueError(f"corrupt or truncated gzip archive ({exc})") from exc
    if len(out) > limit:
        raise ValueError(
            f"gzip archive unpacks to more than {limit} bytes (the limit, ingest.max_file_bytes)"
        )
    return out


def _bom_encoding(data: bytes) -> str | None:
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return name
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows NUL in every other byte of ASCII runs."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _known_codec(name: str | bytes) -> str | None:
    try:
        return codecs.lookup(
            name.decode("ascii", "ignore") if isinstance(name, bytes) else name
        ).name
    except LookupError:
        return None


def _decodes(data: bytes, codec: str) -> bool:
    """True when all of ``data`` is valid in ``codec``."""
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes, fmt: str, declared: str | None = None) -> str:
    """The encoding of ``data``: BOM, UTF-16 shape, a declared charset (HTTP header) that
    decodes, strict UTF-8, an HTML meta charset (or XML declaration) that decodes, then
    statistical detection.

    Raises ValueError for binary data or when no encoding fits.
    """
    found = _bom_encoding(data) or _utf16_without_bom(data)
    if found:
        return found
    if b"\x00" in data[:65536]:
        raise ValueError("binary file: contains NUL bytes, not text")
    codec = _known_codec(declared) if declared else None
    if codec and _decodes(data, codec):
        return codec
    if _decodes(data, "utf-8"):
        return "utf-8"
    if fmt == "html":
        # Imported here: bs4 costs 0.1 s to import and only non-UTF-8 HTML needs it.
        from bs4.dammit import EncodingDetector

        declared_in_page = EncodingDetector.find_declared_encoding(
            data, is_html=True, search_entire_document=True
        )
        codec = _known_codec(declared_in_page) if declared_in_page else None
        if codec and _decodes(data, codec):
            return codec
    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise ValueError("binary or undecodable file: no text encoding fits its bytes")
    return best.encoding


def _printable_share(text: str) -> float:
    sample = text[:100_000]
    if not sample:
        return 1.0
    bad = len(_BINARY_CONTROLS.findall(sample)) + sample.count("\ufffd")
    return 1.0 - bad / len(sample)


def _clean_ascii(segment: str) -> bool:
    return segment.isascii() and not _ASCII_NEEDS_FIXING.search(segment)


def repair_mojibake(text: str) -> tuple[str, bool]:
    """ftfy's repairs, line by line as ``ftfy.fix_text`` works, skipping the lines of
    plain ASCII it would leave alone (most of a page, and most of ftfy's cost there).
    Returns ``(text, mojibake_repaired)``: the flag is set where ftfy's encoding repair
    changed a line, not for its other touches (control characters, normalisation).
    """
    if _clean_ascii(text):
        return text, False
    out: list[str] = []
    mojibake = False
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos) + 1 or len(text)
        segment = text[pos:end]
        pos = end
        if _clean_ascii(segment):
            out.append(segment)
            continue
        fixed = ftfy.fix_text(segment, config=_FTFY_CONFIG)
        if fixed != segment and not mojibake:
            mojibake = ftfy.fix_encoding(segment) != segment
        out.append(fixed)
    return "".join(out), mojibake


def decode_capture(
    data: bytes, fmt: str, settings: IngestSettings, declared: str | None = None
) -> tuple[str, str, list[str]]:
    """Decode raw bytes into text: ``(text, encoding, flags)``; ``declared`` is a charset
    announced outside the bytes (a WARC record's HTTP header), tried first.

    Repairs mojibake (ftfy) and adds the flag ``mojibake_repaired`` when it did.
    Raises ValueError (one clear sentence) for empty, binary or undecodable input.
    """
    if not data.strip():
        raise ValueError("empty file: no content to ingest")
    encoding = detect_encoding(data, fmt, declared)
    text = data.decode(encoding, errors="replace")
    if _printable_share(text) < settings.min_printable_share:
        raise ValueError("binary file: most of its bytes are not printable text")
    flags: list[str] = []
    if encoding not in ("utf-8", "utf-8-sig", "ascii"):
        flags.append(f"encoding:{encoding}")
    repaired, mojibake = repair_mojibake(text)
    if mojibake:
        flags.append("mojibake_repaired")
    return repaired.replace("\r\n", "\n").replace("\r", "\n"), encoding, flags
