"""Bytes -> text: formats, decompression, encoding detection, mojibake repair."""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from pathlib import PurePosixPath

import charset_normalizer
import ftfy

from pipeline.settings import IngestSettings

# suffix -> format; the order of checks matters for ".warc.gz" and ".html.gz".
FORMATS = {".html": "html", ".htm": "html", ".txt": "text", ".md": "markdown", ".warc": "warc"}
COMPRESSED = ".gz"

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # an HTML capture's entities are markup, not mojibake
    uncurl_quotes=False,  # typographic quotes are the author's, keep them
    fix_latin_ligatures=False,
    fix_character_width=False,
    explain=False,
)


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


def decompress(data: bytes) -> bytes:
    """Gunzip ``data``; a truncated or corrupt archive raises ValueError."""
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise ValueError(f"corrupt or truncated gzip archive ({exc})") from exc


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


def detect_encoding(data: bytes, fmt: str, declared: str | None = None) -> str:
    """The encoding of ``data``: BOM, UTF-16 shape, a declared charset (HTTP header) that
    decodes, strict UTF-8, an HTML meta charset that decodes, then statistical detection.

    Raises ValueError for binary data or when no encoding fits.
    """
    found = _bom_encoding(data) or _utf16_without_bom(data)
    if found:
        return found
    if b"\x00" in data[:65536]:
        raise ValueError("binary file: contains NUL bytes, not text")
    codec = _known_codec(declared) if declared else None
    if codec:
        try:
            data.decode(codec)
            return codec
        except UnicodeDecodeError:
            pass
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if fmt == "html":
        match = _META_CHARSET.search(data[:4096])
        codec = _known_codec(match.group(1)) if match else None
        if codec:
            try:
                data.decode(codec)
                return codec
            except UnicodeDecodeError:
                pass
    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise ValueError("binary or undecodable file: no text encoding fits its bytes")
    return best.encoding


def _printable_share(text: str) -> float:
    sample = text[:100_000]
    if not sample:
        return 1.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f") + sample.count("\ufffd")
    return 1.0 - bad / len(sample)


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
    repaired = ftfy.fix_text(text, config=_FTFY_CONFIG)
    if ftfy.fix_encoding(text) != text:
        flags.append("mojibake_repaired")
    return repaired.replace("\r\n", "\n").replace("\r", "\n"), encoding, flags
