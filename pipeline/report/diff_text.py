"""``curate diff``'s text: a :class:`BuildDiff` as one line per change."""

from __future__ import annotations

from pipeline.report.diff import BuildDiff, CitationChange, FieldChange, ItemChange


def _section(title: str, lines: list[str]) -> list[str]:
    return [f"{title} ({len(lines)}):", *(f"  {line}" for line in lines), ""] if lines else []


def _short(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _span_line(change: FieldChange) -> str:
    sign, text = ("+", change.new) if change.new else ("-", change.old)
    return f"    {sign} [{change.field}] {_short(text)!r}"


def _field_lines(items: list[ItemChange]) -> list[str]:
    return [
        f"{c.key}: " + "; ".join(f"{f.field}: {f.old!r} -> {f.new!r}" for f in c.changes)
        for c in items
    ]


def citation_line(change: CitationChange) -> str:
    """A claim's citations before and after in one line: ``cited by 4 -> 1 sources ...``."""
    line = (
        f"{change.claim_id}: cited by {change.cited_before} -> {change.cited_after}"
        f" source{'' if change.cited_after == 1 else 's'}, independent sources"
        f" {change.sources_before} -> {change.sources_after}"
    )
    if change.lost:
        line += "; no longer cites " + "".join(f"[{k}]" for k in change.lost)
    if change.gained:
        line += "; now cites " + "".join(f"[{k}]" for k in change.gained)
    return f"{line}  {_short(change.text)}"


def format_diff_text(diff: BuildDiff) -> str:
    """The diff as plain text for a terminal, git review or CI logs (one line per item)."""
    if diff.is_empty():
        return "No changes between the two builds.\n"
    sections: list[tuple[str, list[str]]] = [
        (
            "Decisions",
            [
                f"[[{c.decision}]] {c.target}: {c.change}; now {c.status}"
                + (f": {c.detail}" if c.detail else "")
                + (f" (was {c.was})" if c.was else "")
                for c in diff.decisions_changed
            ],
        ),
        ("Documents added", diff.documents_added),
        ("Documents removed", diff.documents_removed),
        ("Documents changed", _field_lines(diff.documents_changed)),
        (
            "Removed spans changed (+ now removed, - no longer removed)",
            [
                f"{c.key}:\n" + "\n".join(_span_line(f) for f in c.changes)
                for c in diff.removed_spans_changed
            ],
        ),
        ("Relations found", diff.relations_found),
        ("Relations lost", diff.relations_lost),
        ("Relations changed", _field_lines(diff.relations_changed)),
        ("Claims added", [f"{c.claim_id} [{c.status}] {c.text}" for c in diff.claims_added]),
        ("Claims removed", [f"{c.claim_id} [{c.status}] {c.text}" for c in diff.claims_removed]),
        (
            "Claims reworded",
            [
                f"{c.claim_id}:\n    - {c.old_text}\n    + {c.new_text}"
                for c in diff.claims_reworded
            ],
        ),
        (
            "Claim status changes",
            [f"{c.claim_id}: {c.old} -> {c.new}  {c.text}" for c in diff.status_changes],
        ),
        ("Citations changed", [citation_line(c) for c in diff.citation_changes]),
        (
            "Supporting sentences (+ added, - gone)",
            [
                f"{c.claim_id}: {'+' if c.added else '-'} {c.doc_id}: {_short(c.text)}"
                for c in diff.support_changes
            ],
        ),
        ("New errors", diff.errors_new),
        ("Errors resolved", diff.errors_resolved),
    ]
    return "\n".join(line for title, lines in sections for line in _section(title, lines))
