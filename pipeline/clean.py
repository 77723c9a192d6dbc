"""Clean stage: documents table -> documents with clean ``text`` + removed spans.

HTML goes through main-content extraction plus our DOM rules (``clean_html``); text and
Markdown captures through a block classifier (``clean_text``). Both then pass the shared
block rules (``clean_rules``: inline junk, lost lists, chat/share/call-to-action text).
"""

from __future__ import annotations

import pandas as pd

from pipeline.blocks import Cleaned, render_text
from pipeline.clean_html import clean_html
from pipeline.clean_positions import locate_removals
from pipeline.clean_rules import apply_block_rules
from pipeline.clean_text import clean_text_capture, find_template_lines
from pipeline.settings import CleanSettings, Settings
from pipeline.tables import error_row, errors_frame

REMOVED_COLUMNS = ["doc_id", "seq", "text", "reason", "rule", "after_block"]


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


def clean_documents(
    documents: pd.DataFrame, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean every ingested document.

    Needs columns ``doc_id``, ``format``, ``content``, ``url``, ``flags``. Returns the
    documents with ``text`` (and ``content`` dropped), the removed spans
    (``doc_id, seq, text, reason, rule``) and the errors of documents that failed.
    """
    template = find_template_lines(documents, settings.clean)
    texts: list[str] = []
    flags: list[list[str]] = []
    removed: list[dict] = []
    errors: list[dict] = []
    keep: list[bool] = []
    for row in documents.itertuples(index=False):
        url = row.url if isinstance(row.url, str) else None
        try:
            cleaned = clean_capture(
                row.content, row.format, url, settings.clean, template.get(row.doc_id, frozenset())
            )
        except ValueError as exc:
            errors.append(error_row(row.source_file, "clean", str(exc).split("\n")[0], exc))
            keep.append(False)
            continue
        except Exception as exc:  # one bad page must not stop the build; say what broke
            errors.append(
                error_row(
                    row.source_file, "clean", f"internal error while cleaning {row.doc_id}", exc
                )
            )
            keep.append(False)
            continue
        keep.append(True)
        texts.append(render_text(cleaned.blocks))
        flags.append(sorted(set(row.flags) | set(cleaned.flags)))
        positions = locate_removals(row.content, row.format, cleaned)
        removed.extend(
            {
                "doc_id": row.doc_id,
                "seq": i,
                "text": r.text,
                "reason": r.reason,
                "rule": r.rule,
                "after_block": after,
            }
            for i, (r, after) in enumerate(zip(cleaned.removed, positions, strict=True))
        )
    out = documents.loc[keep].drop(columns=["content"]).copy()
    out["text"] = texts
    out["flags"] = flags
    return (
        out.reset_index(drop=True),
        pd.DataFrame(removed, columns=REMOVED_COLUMNS),
        errors_frame(errors),
    )
