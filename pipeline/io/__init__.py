"""Disk I/O: reading raw/, the bytes of processed/ tables, the atomic output swap, the schema.

build.py reads and writes through here; stages touch the disk only to read the captures
raw_files lists (``read_listed``, where the ingest step runs).
"""

from pipeline.io.formats import (
    csv_bytes,
    jsonl_bytes,
    read_csv_table,
    read_jsonl,
)
from pipeline.io.outdir import write_output_dir
from pipeline.io.raw import (
    decisions_text,
    read_control_files,
    read_decisions_text,
    read_listed,
    read_raw_dir,
    read_sources_csv,
)

__all__ = [
    "csv_bytes",
    "decisions_text",
    "jsonl_bytes",
    "read_control_files",
    "read_csv_table",
    "read_decisions_text",
    "read_jsonl",
    "read_listed",
    "read_raw_dir",
    "read_sources_csv",
    "write_output_dir",
]
