"""sources.csv: one row per document with a short, unique citation key."""

from __future__ import annotations

import re
from typing import Any, SupportsInt
from urllib.parse import urlsplit

import pandas as pd

from pipeline.settings import ReconcileSettings
from pipeline.text.words import words as _words

SOURCE_COLUMNS = [
    "key", "doc_id", "url", "publisher", "title", "retrieved", "trust", "group_id", "relation",
]  # fmt: skip
# Lower is more original; a spun copy never gives the canonical wording.
RELATION_RANK = {
    "original": 0, "near_duplicate": 1, "partial_copy": 2, "exact_duplicate": 3, "spun_copy": 9,
}  # fmt: skip


def as_text(value: object) -> str:
    """``value`` when it is a string, else "" (a missing cell)."""
    return value if isinstance(value, str) else ""


def _trust(value: object) -> int:
    if not isinstance(value, str | bytes | SupportsInt):
        return -1
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _slug(text: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())[:limit]


def citation_key(
    publisher: str, url: str, title: str, doc_id: str, limit: int = ReconcileSettings.max_key_length
) -> str:
    """A short key: publisher, else the site name of the URL, else title, else doc_id."""
    if _slug(publisher, limit):
        return _slug(publisher, limit)
    host = urlsplit(url).hostname or "" if url else ""
    labels = [p for p in host.split(".") if p and p != "www"]
    if len(labels) >= 2:
        return _slug(labels[-2], limit)
    words = [w for w in _words(title) if len(w) > 3][:2]
    return _slug("".join(words), limit) or _slug(doc_id, limit) or "source"


def build_sources(documents: pd.DataFrame, settings: ReconcileSettings) -> pd.DataFrame:
    """sources.csv rows: one per document, keys unique (``-2``, ``-3`` by trust, doc_id)."""
    rows: list[dict[str, Any]] = []
    for doc in documents.to_dict("records"):
        doc_id = str(doc["doc_id"])
        url, publisher, title = (
            as_text(doc.get("url")),
            as_text(doc.get("publisher")),
            as_text(doc.get("title")),
        )
        rows.append(
            {
                "key": citation_key(publisher, url, title, doc_id, settings.max_key_length),
                "doc_id": doc_id,
                "url": url,
                "publisher": publisher,
                "title": title,
                "retrieved": as_text(doc.get("retrieved")),
                "trust": _trust(doc.get("trust")),
                "group_id": as_text(doc.get("group_id")) or doc_id,
                "relation": as_text(doc.get("relation")) or "original",
            }
        )
    rows.sort(key=lambda r: (-r["trust"], RELATION_RANK.get(r["relation"], 5), r["doc_id"]))
    seen: dict[str, int] = {}
    for row in rows:
        base = row["key"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            row["key"] = f"{base}-{seen[base]}"
    frame = pd.DataFrame(rows, columns=SOURCE_COLUMNS)
    frame["trust"] = frame["trust"].map(lambda t: pd.NA if t < 0 else t).astype("Int64")
    return frame.sort_values("doc_id").reset_index(drop=True)
