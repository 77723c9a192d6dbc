"""Dedup: cleaned documents -> copy relations (exact, near, spun, partial), original named."""

from pipeline.dedup.graph import assign_groups
from pipeline.dedup.stage import RELATION_COLUMNS, find_copies

__all__ = ["RELATION_COLUMNS", "assign_groups", "find_copies"]
