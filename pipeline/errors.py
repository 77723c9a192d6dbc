"""Errors the build reports as one clear line (errors.jsonl or the terminal), not a traceback."""

from __future__ import annotations


class DecisionsError(ValueError):
    """raw/decisions.toml cannot be read: the message names the file and the entry."""


class EmbedderUnavailable(RuntimeError):
    """The configured sentence-embedding model cannot be loaded: the build stops, since
    other vectors would give other alignments (``align.embedder = "lexical"`` needs none)."""
