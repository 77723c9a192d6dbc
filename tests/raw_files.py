"""A raw_files table for captures given as bytes: written to a folder, then listed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.io.raw import list_capture
from pipeline.tables import RAW_FILE_COLUMNS


def raw_frame(root: Path, files: dict[str, bytes]) -> pd.DataFrame:
    """Write ``files`` (name relative to ``root`` -> bytes) under ``root`` and list them
    as :func:`pipeline.io.read_raw_dir` does (paths and digests, no bytes)."""
    rows = []
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows.append(list_capture(path, name))
    return pd.DataFrame(rows, columns=RAW_FILE_COLUMNS)
