"""Ingest: raw captures (listed in raw_files + sources.csv) -> the documents table."""

from pipeline.ingest.stage import (
    Listed,
    ingest_captures,
    ingest_file,
    ingest_listed,
    listed_files,
    merge_ingested,
    unread,
    validate_sources,
)

__all__ = [
    "Listed",
    "ingest_captures",
    "ingest_file",
    "ingest_listed",
    "listed_files",
    "merge_ingested",
    "unread",
    "validate_sources",
]
