"""Read a processed/ folder into the tables the reports and ``curate diff`` use."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.io import read_csv_table, read_jsonl
from pipeline.report.tables import TABLE_NAMES, complete_tables


def load_processed(folder: Path) -> dict[str, pd.DataFrame]:
    """The tables of a processed/ folder, keyed by file name (``documents.jsonl``, ...).

    Missing files give empty tables with the contract's columns.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"processed folder not found: {folder}")
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLE_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        if name.endswith(".csv"):
            tables[name] = read_csv_table(path)
        else:
            tables[name] = read_jsonl(path)
    return complete_tables(tables)
