"""Small numpy idioms shared by the stages (ragged spans, sorted distinct values)."""

from __future__ import annotations

import numpy as np


def span_positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions of the spans ``starts[i] : starts[i] + lengths[i]``, one span after
    another (the gather index of a ragged selection)."""
    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(int(lengths.sum()))


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (as ``np.unique``, which hashes first and is several
    times slower on the short arrays of one document)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]
