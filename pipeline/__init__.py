"""curate: a source-document curation pipeline (ingest, clean, dedup, align, reconcile, report)."""

__version__ = "0.1.0"
