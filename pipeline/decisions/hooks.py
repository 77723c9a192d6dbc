"""Where the editors' decisions enter the build: one hook after clean, dedup and reconcile.

Each hook takes the tables its stage produced and returns them with the decisions
applied, plus ``decisions.jsonl`` (one status row per decision) and, after clean,
``errors.jsonl`` with one row per decision naming an unknown doc_id. Statuses are
carried from stage to stage in ``decisions.jsonl``, so a stage run alone
(``curate dedup``) updates the statuses its predecessors wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pipeline.decisions.claims import apply_claim_and_review_decisions
from pipeline.decisions.documents import (
    apply_relation_decisions,
    apply_source_decisions,
    check_document_references,
)
from pipeline.decisions.load import (
    Decisions,
    failed_entries,
    replace_statuses,
    with_decision_errors,
)
from pipeline.decisions.review import REVIEW_FILE, review_table

Tables = dict[str, pd.DataFrame]


def decisions_after_clean(
    result: Tables, raw_doc_ids: Iterable[str], decisions: Decisions
) -> Tables:
    """exclude and trust on the cleaned documents; unknown doc_ids of any decision."""
    raw_doc_ids = [str(d) for d in raw_doc_ids]
    documents, removed, rows = apply_source_decisions(
        result["documents.jsonl"], result["removed.jsonl"], decisions, raw_doc_ids
    )
    rows += check_document_references(decisions, raw_doc_ids)
    statuses = replace_statuses(None, rows)  # clean starts the statuses afresh
    return {
        **result,
        "documents.jsonl": documents,
        "removed.jsonl": removed,
        "errors.jsonl": with_decision_errors(result["errors.jsonl"], statuses),
        "decisions.jsonl": statuses,
    }


def decisions_after_dedup(result: Tables, tables: Tables, decisions: Decisions) -> Tables:
    """not_related and relation on the detected pairs; source groups recomputed."""
    previous = tables.get("decisions.jsonl")
    documents, relations, rows = apply_relation_decisions(
        result["documents.jsonl"], result["relations.jsonl"], decisions, failed_entries(previous)
    )
    return {
        **result,
        "documents.jsonl": documents,
        "relations.jsonl": relations,
        "decisions.jsonl": replace_statuses(previous, rows),
    }


def decisions_after_reconcile(result: Tables, tables: Tables, decisions: Decisions) -> Tables:
    """merge, review, split and pin on the reconciled claims, and ``review.jsonl``
    (every sentence of a review queue, pending or decided; empty when there is none)."""
    sources = result["sources.csv"]
    claims, rows, decided = apply_claim_and_review_decisions(
        result["claims.jsonl"], sources, decisions, tables.get("sentences.jsonl")
    )
    return {
        **result,
        "claims.jsonl": claims,
        REVIEW_FILE: review_table(claims, sources, decided),
        "decisions.jsonl": replace_statuses(tables.get("decisions.jsonl"), rows),
    }
