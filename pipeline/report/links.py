"""Safe file names for pages and safe URLs for links built from data."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

SAFE_SCHEMES = ("http", "https")


def slug(key: str, width: int = 40) -> str:
    """A file-name-safe slug for ``key`` plus a short hash, unique per key.

    ASCII letters, digits and ``-`` only, so any doc_id (``/``, spaces, non-ASCII) is safe.
    """
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:width].strip("-")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{base}-{digest}" if base else digest


def document_page(doc_id: str) -> str:
    """The page of one document, relative to reports/."""
    return f"documents/{slug(doc_id)}.html"


def relation_page(copy: str, original: str) -> str:
    """The page of one relation (copy -> original), relative to reports/."""
    return f"relations/{slug(copy, 30)}--{slug(copy + chr(0) + original, 0)}.html"


def claim_anchor(claim_id: str) -> str:
    """The fragment id of a claim on claims.html."""
    return f"claim-{slug(claim_id)}"


def safe_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (never ``javascript:``)."""
    text = (url or "").strip()
    if not text or any(ord(ch) < 32 for ch in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() in SAFE_SCHEMES and parts.netloc:
        return text
    return None
