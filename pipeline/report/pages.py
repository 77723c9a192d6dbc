"""View data for each report page, built from the processed/ tables (no HTML here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import pandas as pd

from pipeline.report.evidence_words import explain_evidence, raw_value
from pipeline.report.labels import COPY_WORDS, named_sources
from pipeline.report.links import claim_anchor, document_page, relation_page, safe_url
from pipeline.report.similarity import cell_colour, similarity_matrix
from pipeline.report.tables import dict_of, list_of, number_of, text_of
from pipeline.report.wordiff import align_texts

# Removal reasons typical above and below a page's main text: used to split spans into
# the run shown before the text and the run shown after it when no position is recorded.
TOP_REASONS = frozenset(
    {
        "navigation",
        "cookie_notice",
        "metadata",
        "skip_link",
        "header",
        "breadcrumb",
        "banner",
        "search_box",
        "image",
        "menu",
    }
)
BOTTOM_REASONS = frozenset(
    {
        "footer",
        "link_list",
        "newsletter",
        "share_buttons",
        "contact_cta",
        "related",
        "copyright",
        "comments",
        "disclaimer",
    }
)
STATUS_ORDER = {"conflict": 0, "single_source": 1, "corroborated": 2}
# Consecutive removed spans (no kept block between them) from which a document page folds
# them into one expandable box: a menu removed item by item is one box, not one per entry.
FOLD_MIN_RUN = 3
# Characters of a folded run's text shown in its summary line.
FOLD_PREVIEW_CHARS = 90


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a table as dicts."""
    return frame.to_dict("records")


def text_blocks(text: str) -> list[dict[str, str]]:
    """The clean text as blocks: ``heading``, ``paragraph`` or ``item`` (marker dropped)."""
    blocks: list[dict[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            blocks.append({"kind": "item", "text": line[2:]})
        elif line.startswith("# "):
            blocks.append({"kind": "heading", "text": line[2:]})
        else:
            blocks.append({"kind": "paragraph", "text": line})
    return blocks


def _removed_item(row: dict[str, Any]) -> dict[str, str]:
    return {
        "kind": "removed",
        "text": text_of(row.get("text")),
        "reason": text_of(row.get("reason")) or "unknown",
        "rule": text_of(row.get("rule")),
        "seq": text_of(row.get("seq")),
    }


def _place_vote(row: dict[str, Any]) -> int:
    """+1 when a span looks like page top, -1 like page bottom, 0 when it could be either."""
    reason, rule = text_of(row.get("reason")), text_of(row.get("rule")).lower()
    if "before" in rule or reason in TOP_REASONS:
        return 1
    if "after" in rule or reason in BOTTOM_REASONS:
        return -1
    return 0


def split_point(ordered: list[dict[str, Any]]) -> int:
    """How many spans (in removal order) to show above the text: the cut that puts the
    most page-top spans before it and page-bottom spans after it (earliest on ties)."""
    votes = [_place_vote(r) for r in ordered]
    best, best_score = 0, sum(1 for v in votes if v < 0)
    score = best_score
    for k, vote in enumerate(votes, start=1):
        score += (vote > 0) + (vote < 0) * -1
        if score > best_score:
            best, best_score = k, score
    return best


def interleave(blocks: list[dict[str, str]], removed: list[dict[str, Any]]) -> tuple[list, bool]:
    """Kept blocks and removed spans in one sequence; True when positions were recorded.

    A removed row with a numeric ``after_block`` (index of the kept block it followed,
    -1 = before the first) goes exactly there. Without one, spans keep their removal
    order, cut once (:func:`split_point`) into a run above the text and a run below it.
    """
    ordered = sorted(removed, key=lambda r: number_of(r.get("seq")) or 0.0)
    positions = [number_of(r.get("after_block")) for r in ordered]
    if ordered and all(p is not None for p in positions):
        after: dict[int, list] = {}
        for row, pos in zip(ordered, positions, strict=True):
            after.setdefault(min(int(pos or 0), len(blocks) - 1), []).append(_removed_item(row))
        items = list(after.get(-1, []))
        for i, block in enumerate(blocks):
            items.append(block)
            items.extend(after.get(i, []))
        return items, True
    head = split_point(ordered)
    items = [_removed_item(r) for r in ordered[:head]] + blocks
    items += [_removed_item(r) for r in ordered[head:]]
    return items, not ordered


def _reason_counts(spans: list[dict[str, Any]]) -> list[tuple[str, int]]:
    reasons = Counter(span["reason"] for span in spans)
    return sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))


def _folded(spans: list[dict[str, Any]]) -> dict[str, Any]:
    preview = " · ".join(" ".join(span["text"].split()) for span in spans)
    if len(preview) > FOLD_PREVIEW_CHARS:
        preview = preview[: FOLD_PREVIEW_CHARS - 1].rstrip() + "…"
    return {
        "kind": "removed_run",
        "spans": spans,
        "reasons": _reason_counts(spans),
        "words": sum(len(span["text"].split()) for span in spans),
        "preview": preview,
    }


def fold_removed_runs(items: list[dict[str, Any]], minimum: int = FOLD_MIN_RUN) -> list[dict]:
    """``items`` with every run of at least ``minimum`` consecutive removed spans replaced by
    one ``removed_run`` item (its ``spans``, ``reasons`` with counts, ``words``, ``preview``)."""
    out: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []
    for item in [*items, {"kind": "end"}]:
        if item["kind"] == "removed":
            run.append(item)
            continue
        out.extend([_folded(run)] if len(run) >= minimum else run)
        run = []
        if item["kind"] != "end":
            out.append(item)
    return out


def document_view(
    doc: dict[str, Any],
    removed: list[dict[str, Any]],
    keys: dict[str, str],
    label: dict[str, str] | None = None,
) -> dict:
    """Everything the page of one document shows (``label``: its :mod:`labels` names)."""
    text = text_of(doc.get("text"))
    items, placed = interleave(text_blocks(text), removed)
    reasons = Counter(text_of(r.get("reason")) or "unknown" for r in removed)
    row = source_row(doc, keys)
    return {
        "doc": row,
        "label": label or plain_label(row["doc_id"]),
        "items": fold_removed_runs(items),
        "removed_spans": len(removed),
        "positions_recorded": placed,
        "kept_words": len(text.split()),
        "removed_words": sum(len(text_of(r.get("text")).split()) for r in removed),
        "reasons": sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def source_row(doc: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    """One document's descriptive fields for tables and page headers."""
    doc_id = text_of(doc.get("doc_id"))
    url = text_of(doc.get("url"))
    derived = text_of(doc.get("derived_from"))
    return {
        "doc_id": doc_id,
        "page": document_page(doc_id),
        "key": keys.get(doc_id, ""),
        "url": url,
        "href": safe_url(url),
        "publisher": text_of(doc.get("publisher")),
        "title": text_of(doc.get("title")),
        "retrieved": text_of(doc.get("retrieved")),
        "updated": text_of(doc.get("updated")),
        "trust": text_of(doc.get("trust")),
        "group_id": text_of(doc.get("group_id")),
        "relation": text_of(doc.get("relation")),
        "derived_from": derived,
        "derived_page": document_page(derived) if derived else "",
        "flags": sorted(text_of(f) for f in list_of(doc.get("flags"))),
        "source_file": text_of(doc.get("source_file")),
    }


def plain_label(doc_id: str) -> dict[str, str]:
    """The label of a document documents.jsonl does not hold: its doc_id alone."""
    return {"label": doc_id, "doc_id": doc_id, "copy": "", "copy_of": ""}


def relation_summary(
    row: dict[str, Any],
    known: AbstractSet[str],
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """One relation's fields and the links to its pages (``labels`` name the sources the
    direction basis mentions by doc_id)."""
    copy, original = text_of(row.get("copy")), text_of(row.get("original"))
    confidence = number_of(row.get("confidence"))
    return {
        "copy_id": copy,
        "original_id": original,
        "copy_page": document_page(copy) if copy in known else "",
        "original_page": document_page(original) if original in known else "",
        "page": relation_page(copy, original),
        "relation": text_of(row.get("relation")),
        "confidence": "" if confidence is None else f"{confidence:.2f}",
        "direction_basis": named_sources(text_of(row.get("direction_basis")), labels or {}),
    }


def relation_view(
    row: dict[str, Any],
    texts: dict[str, str],
    labels: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Everything the page of one relation shows: alignment, evidence, substitutions
    (``labels``: doc_id -> :mod:`labels` names; a doc_id without one shows as itself)."""
    view = relation_summary(row, texts.keys(), labels)
    for side in ("copy", "original"):
        doc_id = view[f"{side}_id"]
        view[f"{side}_label"] = (labels or {}).get(doc_id) or plain_label(doc_id)
    view["relation_words"] = COPY_WORDS.get(view["relation"], view["relation"])
    evidence = dict_of(row.get("evidence"))
    given = [
        (text_of(p[0]), text_of(p[1]))
        for p in list_of(evidence.get("substitutions"))
        if isinstance(p, (list, tuple)) and len(p) == 2
    ]
    view["evidence"] = [
        (k, raw_value(v)) for k, v in sorted(evidence.items()) if k != "substitutions"
    ]
    view["evidence_sentences"] = explain_evidence(evidence)
    view["evidence_substitutions"] = given
    copy, original = view["copy_id"], view["original_id"]
    view["missing"] = [d for d in (original, copy) if d not in texts]
    rows, computed = align_texts(texts.get(original, ""), texts.get(copy, ""))
    view["rows"] = rows
    view["aligned"] = sum(1 for r in rows if r.score is not None)
    view["computed_substitutions"] = computed
    return view


def claims_view(claims: pd.DataFrame, known: set[str]) -> list[dict[str, Any]]:
    """Claims, conflicts first, each with its variants (support), conflicting claims and
    the number of sentences waiting in its review queue (``pending``)."""
    rows = records(claims)
    by_id = {text_of(r.get("claim_id")): r for r in rows}
    out: list[dict[str, Any]] = []
    for row in sorted(
        rows,
        key=lambda r: (STATUS_ORDER.get(text_of(r.get("status")), 9), text_of(r.get("claim_id"))),
    ):
        out.append(
            {
                **_claim_core(row, known),
                "conflicts": [_conflict(c, by_id, known) for c in list_of(row.get("conflicts"))],
                "pending": len(list_of(row.get("review"))),
            }
        )
    return out


def _claim_core(row: dict[str, Any], known: set[str]) -> dict[str, Any]:
    claim_id = text_of(row.get("claim_id"))
    support = []
    for item in list_of(row.get("support")):
        item = dict_of(item)
        doc_id = text_of(item.get("doc_id"))
        score = number_of(item.get("score"))
        support.append(
            {
                "doc_id": doc_id,
                "page": document_page(doc_id) if doc_id in known else "",
                "sentence_id": text_of(item.get("sentence_id")).removeprefix(doc_id + "#"),
                "text": text_of(item.get("text")),
                "score": "" if score is None else f"{score:.2f}",
                "via": text_of(item.get("via")),
            }
        )
    return {
        "claim_id": claim_id,
        "anchor": claim_anchor(claim_id),
        "text": text_of(row.get("text")),
        "status": text_of(row.get("status")),
        "independent_sources": text_of(row.get("independent_sources")),
        "citations": [text_of(c) for c in list_of(row.get("citations"))],
        "support": support,
    }


def _conflict(item: Any, by_id: dict[str, dict], known: set[str]) -> dict[str, Any]:
    item = dict_of(item)
    other_id = text_of(item.get("claim_id"))
    other = by_id.get(other_id)
    return {
        "claim_id": other_id,
        "type": text_of(item.get("type")),
        "detail": text_of(item.get("detail")),
        "other": _claim_core(other, known) if other is not None else None,
    }


def heatmap_view(texts: dict[str, str], relations: list[dict[str, Any]]) -> dict[str, Any]:
    """The similarity matrix as table rows: each cell's value, colours and relation link."""
    ends = [(text_of(r.get("copy")), text_of(r.get("original"))) for r in relations]
    pages: dict[tuple[str, str], str] = {}
    for copy, original in ends:
        pages[(copy, original)] = pages[(original, copy)] = relation_page(copy, original)
    matrix = similarity_matrix(texts, {d for pair in ends for d in pair})
    ids = matrix.doc_ids
    rows = []
    for i, doc_id in enumerate(ids):
        cells = []
        for j, value in enumerate(matrix.values[i]):
            background, colour = cell_colour(value)
            cells.append(
                {
                    "text": "" if i == j else f"{round(100 * value)}",
                    "style": f"background:{background};color:{colour}",
                    "page": pages.get((doc_id, ids[j]), ""),
                    "title": f"{doc_id} ~ {ids[j]}: {round(100 * value)}% in-order word overlap",
                }
            )
        rows.append(
            {"number": i + 1, "doc_id": doc_id, "page": document_page(doc_id), "cells": cells}
        )
    return {"rows": rows, "shown": len(ids), "total": matrix.total}
