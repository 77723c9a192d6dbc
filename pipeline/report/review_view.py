"""View data for the review queue of claims.html (review.jsonl rows)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.decisions import review_snippet
from pipeline.report.labels import unlabelled
from pipeline.report.links import claim_anchor, document_page
from pipeline.report.tables import number_of, text_of

DECISIONS = ("pending", "accepted", "rejected")


def review_view(
    review: pd.DataFrame,
    known: set[str],
    claim_ids: set[str],
    labels: Mapping[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The pending queue items (claim, candidate sentence, source, score, TOML snippets)
    in review.jsonl order, and the number of items per decision.

    ``known`` are the doc_ids that have a page; ``claim_ids`` the claims on the page;
    ``labels`` doc_id -> :func:`pipeline.report.labels.source_label` (missing: the doc_id).
    """
    labels = labels or {}
    items = []
    counts: Counter[str] = Counter()
    for row in review.to_dict("records"):
        decision = text_of(row.get("decision")) or "pending"
        counts[decision] += 1
        if decision != "pending":
            continue
        claim_id, sentence_id = text_of(row.get("claim_id")), text_of(row.get("sentence_id"))
        doc_id = text_of(row.get("doc_id"))
        score = number_of(row.get("score"))
        items.append(
            {
                "claim_id": claim_id,
                "anchor": claim_anchor(claim_id) if claim_id in claim_ids else "",
                "claim_text": text_of(row.get("claim_text")),
                "doc_id": doc_id,
                "source": labels.get(doc_id) or unlabelled(doc_id),
                "page": document_page(doc_id) if doc_id in known else "",
                "key": text_of(row.get("key")),
                "sentence_id": sentence_id,
                "text": text_of(row.get("text")),
                "score": "" if score is None else f"{score:.2f}",
                "reason": text_of(row.get("reason")),
                "accept": review_snippet(claim_id, sentence_id, accept=True),
                "reject": review_snippet(claim_id, sentence_id, accept=False),
            }
        )
    ordered = [d for d in DECISIONS if counts[d]] + sorted(set(counts) - set(DECISIONS))
    return {"pending": items, "counts": [(d, counts[d]) for d in ordered]}
