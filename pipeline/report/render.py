"""Render the editors' HTML reports from processed/ tables: tables in, bytes out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.report.changes_view import BuildPair, changes_view
from pipeline.report.claims_page import DEFAULT_CITE_SCORE, claims_page
from pipeline.report.decisions_view import decisions_view
from pipeline.report.diff import diff_builds
from pipeline.report.labels import source_labels
from pipeline.report.links import claim_anchor, document_page, relation_page
from pipeline.report.pages import (
    claims_view,
    document_view,
    heatmap_view,
    plain_label,
    records,
    relation_summary,
    relation_view,
    source_row,
)
from pipeline.report.review_view import review_view
from pipeline.report.tables import complete_tables, text_of
from pipeline.runtime.cache import DocCache

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    """The jinja2 environment: autoescape always on, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(document_page=document_page, claim_anchor=claim_anchor)
    return env


def _page(env: Environment, template: str, root: str, **context: Any) -> bytes:
    return env.get_template(template).render(root=root, **context).encode("utf-8")


class PageCache:
    """Rendered pages kept between builds (``report`` entries of the per-document
    cache), keyed by everything a page shows and the code version (templates included):
    a rebuild renders only the pages of new or changed documents and relations."""

    STEP = "report"

    def __init__(self, cache: DocCache | None) -> None:
        self.cache = cache if cache is not None and cache.enabled else None

    def key(self, *inputs: Any) -> str | None:
        """The entry key of a page with these inputs (None: no cache, or not JSON-able)."""
        if self.cache is None:
            return None
        try:
            return self.cache.key(self.STEP, *inputs)
        except (TypeError, ValueError):
            return None

    def get(self, key: str | None) -> bytes | None:
        """The page kept under ``key``, else None (counted as a hit or a miss)."""
        if key is None or self.cache is None:
            return None
        page = self.cache.get_bytes(self.STEP, key)
        self.cache.count(self.STEP, int(page is not None), int(page is None))
        return page

    def put(self, key: str | None, page: bytes) -> bytes:
        """Keep ``page`` under ``key`` (when there is one); returns ``page``."""
        if key is not None and self.cache is not None:
            self.cache.put_bytes(self.STEP, key, page)
        return page


def _source_keys(sources: pd.DataFrame) -> dict[str, str]:
    return {text_of(r.get("doc_id")): text_of(r.get("key")) for r in records(sources)}


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    order = frame[keys].map(text_of)
    return frame.loc[order.sort_values(keys, kind="stable").index]


def render_reports(
    tables: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame] | None,
    cache: DocCache | None = None,
    builds: BuildPair | None = None,
    cite_score: float = DEFAULT_CITE_SCORE,
) -> dict[str, bytes]:
    """Every report page: path relative to reports/ -> HTML bytes (deterministic).

    ``previous`` holds the previous build's tables for changes.html (None: no previous);
    ``cache`` (optional) keeps the pages of documents and relations between builds;
    ``builds`` says which two builds changes.html compares (dates, digests);
    ``cite_score`` is the build's ``reconcile.cite_score`` (supports below it are weak).
    """
    t = complete_tables(tables)
    env = environment()
    kept = PageCache(cache)
    documents = _sorted(t["documents.jsonl"], ["doc_id"])
    removed = _sorted(t["removed.jsonl"], ["doc_id"])
    relations = records(_sorted(t["relations.jsonl"], ["copy", "original"]))
    keys = _source_keys(t["sources.csv"])
    texts = {text_of(d["doc_id"]): text_of(d.get("text")) for d in records(documents)}
    known = set(texts)
    removed_by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in records(removed):
        removed_by_doc.setdefault(text_of(row.get("doc_id")), []).append(row)
    labels = source_labels(records(documents))
    relations_by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in relations:
        summary = relation_summary(row, known, labels)
        for side in ("copy", "original"):
            doc_id = summary[f"{side}_id"]
            summary[f"{side}_label"] = labels.get(doc_id) or plain_label(doc_id)
        for doc_id in {summary["copy_id"], summary["original_id"]}:
            relations_by_doc.setdefault(doc_id, []).append(summary)
    files: dict[str, bytes] = {}
    for doc in records(documents):
        doc_id = text_of(doc["doc_id"])
        view = document_view(doc, removed_by_doc.get(doc_id, []), keys, labels.get(doc_id))
        view["relations"] = relations_by_doc.get(view["doc"]["doc_id"], [])
        key = kept.key("document", view)
        page = kept.get(key) or kept.put(key, _page(env, "document.html.j2", "../", **view))
        files[view["doc"]["page"]] = page
    for row in relations:
        pair = [text_of(row.get(side)) for side in ("copy", "original")]
        shown = [[d in texts, texts.get(d), labels.get(d)] for d in pair]
        key = kept.key("relation", row, shown)
        cached = kept.get(key)
        if cached is None:
            view = relation_view(row, texts, labels)
            cached = kept.put(key, _page(env, "relation.html.j2", "../", rel=view))
        files[relation_page(*pair)] = cached
    claims = claims_view(t["claims.jsonl"], known)
    review = review_view(t["review.jsonl"], known, {c["claim_id"] for c in claims}, labels)
    claims_context = claims_page(claims, t["claims.jsonl"], known, labels, cite_score)
    files["claims.html"] = _page(env, "claims.html.j2", "", review=review, **claims_context)
    diff = diff_builds(previous, t) if previous is not None else None
    changes = changes_view(diff, previous, t, builds) if previous is not None else None
    files["changes.html"] = _page(env, "changes.html.j2", "", diff=diff, changes=changes)
    files["index.html"] = _page(
        env,
        "index.html.j2",
        "",
        labels=labels,
        **_index_view(t, documents, relations, keys, texts, removed_by_doc, claims, labels),
    )
    return dict(sorted(files.items()))


def _index_view(
    t: dict[str, pd.DataFrame],
    documents: pd.DataFrame,
    relations: list[dict[str, Any]],
    keys: dict[str, str],
    texts: dict[str, str],
    removed_by_doc: dict[str, list[dict[str, Any]]],
    claims: list[dict[str, Any]],
    labels: dict[str, dict[str, str]],
) -> dict[str, Any]:
    known = set(texts)
    sources = []
    flags: Counter[str] = Counter()
    for doc in records(documents):
        row = source_row(doc, keys)
        row["removed"] = len(removed_by_doc.get(row["doc_id"], []))
        flags.update(row["flags"])
        sources.append(row)
    statuses = Counter(c["status"] for c in claims)
    errors = [
        {k: text_of(r.get(k)) for k in ("source_file", "stage", "error", "detail")}
        for r in records(_sorted(t["errors.jsonl"], ["source_file", "stage", "error"]))
    ]
    return {
        "sources": sources,
        "relations": [relation_summary(r, known, labels) for r in relations],
        "statuses": sorted(statuses.items(), key=lambda kv: kv[0]),
        "claim_total": len(claims),
        "flags": sorted(flags.items(), key=lambda kv: (-kv[1], kv[0])),
        "errors": errors,
        "heatmap": heatmap_view(texts, relations),
        "removed_total": sum(len(v) for v in removed_by_doc.values()),
        "decisions": decisions_view(t["decisions.jsonl"]),
    }
