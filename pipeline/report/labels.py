"""How a source is named for editors: publisher and title, with the doc_id in small print.

Hash doc_ids (``004_cb819cfe1ea844d4``) identify a capture but say nothing to a reader;
reports show :func:`source_label`'s ``label`` and keep ``doc_id`` as a separate value for
small print. A copy (spun, near or exact duplicate, partial copy) is marked plainly and
names its original, so a copied title (``... : MedlinePlus``) never reads as the authority.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pipeline.reconcile import title_without_site
from pipeline.report.tables import text_of
from pipeline.tables import COPY_RELATIONS

# What each copy relation (tables.COPY_RELATIONS) is called on a page.
COPY_WORDS = dict(
    zip(COPY_RELATIONS, ("exact copy", "near copy", "spun copy", "partial copy"), strict=True)
)
# Between publisher and title in a label.
SEPARATOR = " — "


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _plain_label(doc: Mapping[str, Any], strip_sites: Iterable[str] = ()) -> str:
    """Publisher — title (either alone when the other is missing), else the address's
    host, else the doc_id."""
    publisher = text_of(doc.get("publisher")).strip()
    title = text_of(doc.get("title")).strip()
    for site in (publisher, *strip_sites):
        title = title_without_site(title, site)
    if publisher and title and title.casefold() != publisher.casefold():
        return f"{publisher}{SEPARATOR}{title}"
    name = publisher or title or _host(text_of(doc.get("url")))
    return name or text_of(doc.get("doc_id"))


def source_label(
    doc: Mapping[str, Any], original: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """A source's display names from its documents row.

    Returns ``label`` (``MedlinePlus — Cancer Immunotherapy``), ``doc_id`` (for small
    print), ``copy`` (``spun copy`` etc., empty for an original) and ``copy_of`` (the
    original's label, empty when not a copy or the original is unknown). ``original`` is
    the documents row of the document it copies (``derived_from``); a copy's title loses
    the original's site name it carried over (``Cancer Immunotherapy: MedlinePlus``).
    In jinja write ``label["copy"]``: ``label.copy`` is the dict's copy method.
    """
    doc_id = text_of(doc.get("doc_id"))
    relation = text_of(doc.get("relation"))
    copy = COPY_WORDS.get(relation, "")
    original_label = _plain_label(original) if copy and original is not None else ""
    sites = [text_of(original.get("publisher")).strip()] if copy and original is not None else []
    label = _plain_label(doc, sites)
    return {"label": label, "doc_id": doc_id, "copy": copy, "copy_of": original_label}


def unlabelled(doc_id: str) -> dict[str, str]:
    """The label of a doc_id with no documents row: the doc_id itself."""
    return {"label": doc_id, "doc_id": doc_id, "copy": "", "copy_of": ""}


def source_labels(documents: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """doc_id -> :func:`source_label` for every documents row (``frame.to_dict("records")``),
    copies' originals resolved from the same rows (an unknown original: ``copy_of`` empty)."""
    rows = {text_of(doc.get("doc_id")): doc for doc in documents}
    return {
        doc_id: source_label(doc, rows.get(text_of(doc.get("derived_from"))))
        for doc_id, doc in rows.items()
    }


def named_sources(text: str, labels: Mapping[str, Mapping[str, str]]) -> str:
    """``text`` with every doc_id it mentions replaced by that source's label."""
    for doc_id in sorted(labels, key=len, reverse=True):
        if doc_id and doc_id in text:
            text = text.replace(doc_id, labels[doc_id].get("label") or doc_id)
    return text


def label_text(label: Mapping[str, str]) -> str:
    """One line of plain text for a label: ``name (spun copy of Original) [doc_id]``."""
    text = label.get("label", "")
    if label.get("copy"):
        of = f" of {label['copy_of']}" if label.get("copy_of") else ""
        text = f"{text} ({label['copy']}{of})"
    doc_id = label.get("doc_id", "")
    return f"{text} [{doc_id}]" if doc_id and doc_id != label.get("label") else text
