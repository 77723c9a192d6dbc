"""View data for the editorial decisions section of index.html (decisions.jsonl rows)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.report.tables import text_of

# Statuses that need an editor's attention, shown first.
ATTENTION = {"error": 0, "stale": 1}


def decisions_view(decisions: pd.DataFrame) -> dict[str, Any]:
    """Rows of decisions.jsonl for display plus counts by status.

    Each row has ``entry`` as written in the file (``[[exclude]] #1``), ``decision``,
    ``target``, ``status``, ``detail``, ``note`` and ``attention`` (stale or error).
    """
    rows: list[dict[str, Any]] = []
    for record in decisions.to_dict("records"):
        kind, status = text_of(record.get("decision")), text_of(record.get("status"))
        rows.append(
            {
                "entry": f"[[{kind}]] #{text_of(record.get('entry'))}",
                "decision": kind,
                "target": text_of(record.get("target")),
                "status": status,
                "detail": text_of(record.get("detail")),
                "note": text_of(record.get("note")),
                "attention": status in ATTENTION,
            }
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {
        "rows": rows,
        "counts": sorted(counts.items()),
        "attention": sum(1 for row in rows if row["attention"]),
    }
