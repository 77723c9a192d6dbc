"""Candidate pairs without comparing all pairs: sampled shingle fingerprints in an index.

Broder's MOD-m sketch (1997): keep the shingles whose hash is 0 modulo m. The same
shingle is kept in every document, so the number of kept shingles two documents share
estimates their overlap / m; unlike banded MinHash it measures containment as well as
resemblance, so a page that carries another page plus its own text is still found.

Two kinds of shingle feed one index:
- word n-grams (exact and lightly edited copies),
- function-word n-grams (the text's skeleton, which a synonym spinner leaves intact).

Fingerprints held by more than ``max_df`` documents are dropped (template phrases); so
the work per fingerprint is bounded and the pass stays near-linear in corpus size.
"""

from __future__ import annotations

import numpy as np

_WORD_CHANNEL = np.uint64(0)
_STOP_CHANNEL = np.uint64(0x9E3779B97F4A7C15)


def sample_fingerprints(
    word_shingles: np.ndarray, stop_shingles: np.ndarray, word_mod: int, stop_mod: int
) -> np.ndarray:
    """The sampled fingerprints of one document (unique, sorted uint64)."""
    kept_words = word_shingles[word_shingles % np.uint64(word_mod) == 0]
    kept_stops = stop_shingles[stop_shingles % np.uint64(stop_mod) == 0] ^ _STOP_CHANNEL
    return np.unique(np.concatenate([kept_words ^ _WORD_CHANNEL, kept_stops]))


def candidate_pairs(
    fingerprints: list[np.ndarray], min_shared: int, min_share: float, max_df: int
) -> np.ndarray:
    """Pairs (i, j), i < j, sharing enough fingerprints, as an (n, 3) int64 array of
    ``i, j, shared``, sorted.

    A pair is kept when it shares at least ``min_shared`` fingerprints and at least
    ``min_share`` of the smaller document's fingerprints.
    """
    sizes = np.array([len(f) for f in fingerprints], dtype=np.int64)
    if len(fingerprints) < 2 or sizes.sum() == 0:
        return np.zeros((0, 3), dtype=np.int64)
    values = np.concatenate(fingerprints)
    owners = np.repeat(np.arange(len(fingerprints), dtype=np.int64), sizes)
    order = np.lexsort((owners, values))
    values, owners = values[order], owners[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    counts = np.diff(np.r_[starts, len(values)])
    pair_keys: list[np.ndarray] = []
    n_docs = np.int64(len(fingerprints))
    for size in np.unique(counts):
        if size < 2 or size > max_df:
            continue
        group_starts = starts[counts == size]
        members = owners[group_starts[:, None] + np.arange(size)]  # (groups, size), sorted
        left, right = np.triu_indices(int(size), k=1)
        pair_keys.append((members[:, left] * n_docs + members[:, right]).ravel())
    if not pair_keys:
        return np.zeros((0, 3), dtype=np.int64)
    keys, shared = np.unique(np.concatenate(pair_keys), return_counts=True)
    first, second = keys // n_docs, keys % n_docs
    smaller = np.minimum(sizes[first], sizes[second])
    keep = (shared >= min_shared) & (shared >= min_share * smaller)
    return np.stack([first[keep], second[keep], shared[keep]], axis=1)
