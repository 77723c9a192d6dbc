"""sources.csv: one row per document with a short, unique citation key."""

from __future__ import annotations

import re
from typing import Any, SupportsInt
from urllib.parse import urlsplit

import pandas as pd

from pipeline.settings import ReconcileSettings
from pipeline.tables import COPY_RELATIONS
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


# With no name of its own (publisher or address), a copy (tables.COPY_RELATIONS) is keyed
# after its original plus COPY_SUFFIX, never after its copied title.
COPY_SUFFIX = "-copy"
# Punctuation that joins a site name to a page title ("Title: Site", "Title | Site").
_SITE_JOINERS = r"\s*[:|\-–—·]\s*"


def title_without_site(title: str, site: str) -> str:
    """``title`` without a leading or trailing ``site`` name joined by ``:``, ``|``, ``-``
    (``Cancer Immunotherapy: MedlinePlus`` -> ``Cancer Immunotherapy``)."""
    title = title.strip()
    if not site.strip() or not title:
        return title
    name = re.escape(site.strip())
    for pattern in (
        rf"^(?P<rest>.+?){_SITE_JOINERS}{name}$",
        rf"^{name}{_SITE_JOINERS}(?P<rest>.+)$",
    ):
        match = re.match(pattern, title, flags=re.IGNORECASE)
        if match and match.group("rest").strip():
            return match.group("rest").strip()
    return title


def _slug(text: str, limit: int) -> str:
    """Whole lower-case words of ``text`` run together (``northsideoncologypartners``):
    words beyond ``limit`` characters are left out, never cut; the first is always kept."""
    key = ""
    for word in re.split(r"\s+", text.lower()):
        part = re.sub(r"[^a-z0-9]+", "", word)
        if key and len(key) + len(part) > limit:
            break
        key += part
    return key


def citation_key(
    publisher: str, url: str, title: str, doc_id: str, limit: int = ReconcileSettings.max_key_length
) -> str:
    """A short key: publisher, else the site name of the URL, else title, else doc_id."""
    return own_key(publisher, url, limit) or _title_key(title, doc_id, limit)


def own_key(publisher: str, url: str, limit: int = ReconcileSettings.max_key_length) -> str:
    """The key from a document's own name (publisher, else its address's site), or ""."""
    if _slug(publisher, limit):
        return _slug(publisher, limit)
    host = urlsplit(url).hostname or "" if url else ""
    labels = [p for p in host.split(".") if p and p != "www"]
    return _slug(labels[-2], limit) if len(labels) >= 2 else ""


def _title_key(title: str, doc_id: str, limit: int) -> str:
    words = [w for w in _words(title) if len(w) > 3][:2]
    return _slug("".join(words), limit) or _slug(doc_id, limit) or "source"


def _named_after_original(row: dict[str, Any], by_id: dict[str, dict], limit: int) -> bool:
    """True for a copy with no name of its own whose original is among the documents."""
    return (
        row["relation"] in COPY_RELATIONS
        and row["group_id"] in by_id
        and row["group_id"] != row["doc_id"]
        and not own_key(row["publisher"], row["url"], limit)
    )


def _unique(key: str, used: set[str]) -> str:
    """``key``, else ``key-2``, ``key-3``... : the first not in ``used`` (then added to it)."""
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}-{n}"
    used.add(candidate)
    return candidate


def build_sources(documents: pd.DataFrame, settings: ReconcileSettings) -> pd.DataFrame:
    """sources.csv rows: one per document, keys unique (``-2``, ``-3`` by trust, doc_id).

    A copy with no publisher or address of its own is keyed after its original
    (``medlineplus-copy``): its title is usually the copied page's.
    """
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
    by_id = {row["doc_id"]: row for row in rows}
    copies = {r["doc_id"] for r in rows if _named_after_original(r, by_id, settings.max_key_length)}
    used: set[str] = set()
    for row in sorted(rows, key=lambda r: r["doc_id"] in copies):  # originals' keys first
        if row["doc_id"] in copies:
            row["key"] = by_id[row["group_id"]]["key"] + COPY_SUFFIX
        row["key"] = _unique(row["key"], used)
    frame = pd.DataFrame(rows, columns=SOURCE_COLUMNS)
    frame["trust"] = frame["trust"].map(lambda t: pd.NA if t < 0 else t).astype("Int64")
    return frame.sort_values("doc_id").reset_index(drop=True)
