"""Render the editors' HTML reports from processed/ tables: tables in, bytes out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.report.decisions_view import decisions_view
from pipeline.report.diff import diff_builds
from pipeline.report.links import claim_anchor, document_page
from pipeline.report.pages import (
    claims_view,
    document_view,
    heatmap_view,
    records,
    relation_summary,
    relation_view,
    source_row,
)
from pipeline.report.tables import complete_tables, text_of

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


def _source_keys(sources: pd.DataFrame) -> dict[str, str]:
    return {text_of(r.get("doc_id")): text_of(r.get("key")) for r in records(sources)}


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    order = frame[keys].map(text_of)
    return frame.loc[order.sort_values(keys, kind="stable").index]


def render_reports(
    tables: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame] | None
) -> dict[str, bytes]:
    """Every report page: path relative to reports/ -> HTML bytes (deterministic).

    ``previous`` holds the previous build's tables for changes.html (None: no previous).
    """
    t = complete_tables(tables)
    env = environment()
    documents = _sorted(t["documents.jsonl"], ["doc_id"])
    removed = _sorted(t["removed.jsonl"], ["doc_id"])
    relations = records(_sorted(t["relations.jsonl"], ["copy", "original"]))
    keys = _source_keys(t["sources.csv"])
    texts = {text_of(d["doc_id"]): text_of(d.get("text")) for d in records(documents)}
    known = set(texts)
    removed_by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in records(removed):
        removed_by_doc.setdefault(text_of(row.get("doc_id")), []).append(row)
    relations_by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in relations:
        summary = relation_summary(row, known)
        for doc_id in {summary["copy_id"], summary["original_id"]}:
            relations_by_doc.setdefault(doc_id, []).append(summary)
    files: dict[str, bytes] = {}
    for doc in records(documents):
        view = document_view(doc, removed_by_doc.get(text_of(doc["doc_id"]), []), keys)
        view["relations"] = relations_by_doc.get(view["doc"]["doc_id"], [])
        files[view["doc"]["page"]] = _page(env, "document.html.j2", "../", **view)
    for row in relations:
        view = relation_view(row, texts)
        files[view["page"]] = _page(env, "relation.html.j2", "../", rel=view)
    claims = claims_view(t["claims.jsonl"], known)
    files["claims.html"] = _page(env, "claims.html.j2", "", claims=claims)
    diff = diff_builds(previous, t) if previous is not None else None
    files["changes.html"] = _page(env, "changes.html.j2", "", diff=diff)
    files["index.html"] = _page(
        env,
        "index.html.j2",
        "",
        **_index_view(t, documents, relations, keys, texts, removed_by_doc, claims),
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
        "relations": [relation_summary(r, known) for r in relations],
        "statuses": sorted(statuses.items(), key=lambda kv: kv[0]),
        "claim_total": len(claims),
        "flags": sorted(flags.items(), key=lambda kv: (-kv[1], kv[0])),
        "errors": errors,
        "heatmap": heatmap_view(texts, relations),
        "removed_total": sum(len(v) for v in removed_by_doc.values()),
        "decisions": decisions_view(t["decisions.jsonl"]),
    }
