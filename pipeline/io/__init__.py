"""Disk I/O: reading raw/, the bytes of processed/ tables, the atomic output swap, the schema.

Stages never touch the disk; build.py reads through here and writes through here.
"""

from pipeline.io.formats import (
    csv_bytes,
    csv_cell,
    csv_text,
    jsonl_bytes,
    read_csv_table,
    read_jsonl,
)
from pipeline.io.outdir import write_output_dir
from pipeline.io.raw import RAW_CONTROL_FILES, read_decisions_text, read_raw_dir, read_sources_csv

__all__ = [
    "RAW_CONTROL_FILES",
    "csv_bytes",
    "csv_cell",
    "csv_text",
    "jsonl_bytes",
    "read_csv_table",
    "read_decisions_text",
    "read_jsonl",
    "read_raw_dir",
    "read_sources_csv",
    "write_output_dir",
]
