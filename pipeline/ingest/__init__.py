"""Ingest: raw captures (bytes + sources.csv) -> the documents table."""

from pipeline.ingest.stage import ingest_captures, ingest_file, merge_ingested, validate_sources

__all__ = ["ingest_captures", "ingest_file", "merge_ingested", "validate_sources"]
