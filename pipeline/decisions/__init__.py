"""Editors' decisions (raw/decisions.toml) and the review queue, applied between stages."""

from pipeline.decisions.hooks import (
    decisions_after_clean,
    decisions_after_dedup,
    decisions_after_reconcile,
)
from pipeline.decisions.load import Decisions, parse_decisions
from pipeline.decisions.review import REVIEW_FILE, review_snippet
from pipeline.errors import DecisionsError

__all__ = [
    "REVIEW_FILE",
    "Decisions",
    "DecisionsError",
    "decisions_after_clean",
    "decisions_after_dedup",
    "decisions_after_reconcile",
    "parse_decisions",
    "review_snippet",
]
