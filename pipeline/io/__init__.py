"""Disk I/O: reading raw/, the bytes of processed/ tables, the atomic output swap, the schema.

Stages never touch the disk; build.py reads through here and writes through here.
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
    "read_raw_dir",
    "read_sources_csv",
    "write_output_dir",
]
