"""Clean stage: documents table -> documents with clean ``text`` + removed spans.

HTML goes through main-content extraction plus our DOM rules (``clean_html``); text and
Markdown captures through a block classifier (``clean_text``). Both then pass the shared
block rules (``clean_rules``: inline junk, lost lists, chat/share/call-to-action text).
"""

from __future__ import annotations

import pandas as pd

from pipeline.clean.blocks import Cleaned, render_text
from pipeline.clean.html.cleaner import clean_html
from pipeline.clean.positions import locate_removals
from pipeline.clean.rules import apply_block_rules
from pipeline.clean.text.cleaner import clean_text_capture, find_template_lines
from pipeline.settings import CleanSettings, Settings
from pipeline.tables import REMOVED_COLUMNS, error_row, errors_frame


def clean_capture(
    content: str,
    fmt: str,
    url: str | None,
    settings: CleanSettings,
    template_lines: frozenset[str] = frozenset(),
) -> Cleaned:
    """Clean one capture of format ``html``, ``text`` or ``markdown``."""
    if fmt == "html":
        cleaned = clean_html(content, url, settings)
    else:
        cleaned = clean_text_capture(content, fmt, settings, template_lines)
    return apply_block_rules(cleaned, settings)


# One document's clean outcome: (text, flags, removed rows, errors); text None = failed.
CleanOutcome = tuple[str | None, list[str], list[dict], list[dict]]


def clean_row(row: dict, settings: CleanSettings, template_lines: frozenset[str]) -> CleanOutcome:
    """Clean one ingested document row (pure: the row and its site's template lines in)."""
    url = row["url"] if isinstance(row.get("url"), str) else None
    try:
        cleaned = clean_capture(row["content"], row["format"], url, settings, template_lines)
    except ValueError as exc:
        return None, [], [], [error_row(row["source_file"], "clean", str(exc).split("\n")[0], exc)]
    except Exception as exc:  # one bad page must not stop the build; say what broke
        message = f"internal error while cleaning {row['doc_id']}"
        return None, [], [], [error_row(row["source_file"], "clean", message, exc)]
    positions = locate_removals(row["content"], row["format"], cleaned)
    removed = [
        {
            "doc_id": row["doc_id"],
            "seq": i,
            "text": r.text,
            "reason": r.reason,
            "rule": r.rule,
            "after_block": after,
        }
        for i, (r, after) in enumerate(zip(cleaned.removed, positions, strict=True))
    ]
    flags = sorted(set(row["flags"]) | set(cleaned.flags))
    return render_text(cleaned.blocks), flags, removed, []


def assemble_cleaned(
    documents: pd.DataFrame, outcomes: list[CleanOutcome]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The clean stage's tables from one outcome per row of ``documents`` (in order)."""
    keep = [text is not None for text, _, _, _ in outcomes]
    out = documents.loc[keep].drop(columns=["content"]).copy()
    out["text"] = [text for text, _, _, _ in outcomes if text is not None]
    out["flags"] = [flags for text, flags, _, _ in outcomes if text is not None]
    removed = [r for _, _, rows, _ in outcomes for r in rows]
    errors = [e for _, _, _, rows in outcomes for e in rows]
    return (
        out.reset_index(drop=True),
        pd.DataFrame(removed, columns=REMOVED_COLUMNS),
        errors_frame(errors),
    )


def clean_documents(
    documents: pd.DataFrame,
    settings: Settings,
    template: dict[str, frozenset[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean every ingested document.

    Needs columns ``doc_id``, ``format``, ``content``, ``url``, ``flags``. Returns the
    documents with ``text`` (and ``content`` dropped), the removed spans
    (``doc_id, seq, text, reason, rule``) and the errors of documents that failed.
    ``template`` is :func:`find_template_lines` of the corpus (computed when None).
    """
    if template is None:
        template = find_template_lines(documents, settings.clean)
    outcomes = [
        clean_row(row, settings.clean, template.get(row["doc_id"], frozenset()))
        for row in documents.to_dict("records")
    ]
    return assemble_cleaned(documents, outcomes)
