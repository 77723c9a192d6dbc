"""The processed/ tables a report reads, completed to the contract's columns."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from pipeline.io.schema import columns

# Table names (contract file names) the reports read.
TABLE_NAMES = (
    "documents.jsonl",
    "removed.jsonl",
    "relations.jsonl",
    "claims.jsonl",
    "sources.csv",
    "errors.jsonl",
    "sentences.jsonl",
    "alignments.jsonl",
    "decisions.jsonl",
    "review.jsonl",
)


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the contract's columns for output ``name``."""
    return pd.DataFrame(columns=columns(name))


def complete_tables(tables: dict[str, pd.DataFrame] | None) -> dict[str, pd.DataFrame]:
    """Every table in :data:`TABLE_NAMES`, each holding at least the contract's columns.

    Keys may be file names (``documents.jsonl``) or bare names (``documents``); missing
    tables become empty ones, missing columns are added empty.
    """
    given = dict(tables or {})
    out: dict[str, pd.DataFrame] = {}
    for name in TABLE_NAMES:
        frame = given.get(name)
        if frame is None:
            frame = given.get(name.rsplit(".", 1)[0])
        frame = empty_table(name) if frame is None else frame.copy()
        for column in columns(name):
            if column not in frame.columns:
                frame[column] = None
        out[name] = frame.reset_index(drop=True)
    return out


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def text_of(value: Any) -> str:
    """A cell as display text: ``""`` when missing, integers without ``.0``."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item") and not isinstance(value, (str, list, dict)):
        return text_of(value.item())
    return str(value)


def list_of(value: Any) -> list[Any]:
    """A list-valued cell as a list (JSON text is parsed; missing -> ``[]``)."""
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return list(value.tolist())
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return parsed if isinstance(parsed, list) else [parsed]
    if is_missing(value) or value == "":
        return []
    return [value]


def dict_of(value: Any) -> dict[str, Any]:
    """An object-valued cell as a dict (JSON text is parsed; anything else -> ``{}``)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def number_of(value: Any) -> float | None:
    """A numeric cell as a float, or None when missing or not a number."""
    if is_missing(value) or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
