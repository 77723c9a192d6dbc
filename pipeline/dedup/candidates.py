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

from collections.abc import Callable

import numpy as np

from pipeline.dedup.tokens import Tokens, ngram_hashes
from pipeline.runtime.engine import group_pair_counts

PairCounter = Callable[[np.ndarray, np.ndarray, int, int], tuple[np.ndarray, np.ndarray]]

_WORD_CHANNEL = np.uint64(0)
_STOP_CHANNEL = np.uint64(0x9E3779B97F4A7C15)
_CHUNK_WORDS = 4_000_000  # words fingerprinted at a time (bounds the temporaries)


def _sampled(
    hashes: np.ndarray, owner: np.ndarray, n: int, mod: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sampled n-gram hashes of a run of documents and the document each belongs to."""
    grams = ngram_hashes(hashes, n)
    if not len(grams):
        return grams, np.zeros(0, dtype=np.int32)
    inside = owner[: len(grams)] == owner[n - 1 :]
    keep = inside & (grams % np.uint64(mod) == 0)
    return grams[keep], owner[: len(grams)][keep]


def sample_fingerprints(
    tokens: Tokens, use: np.ndarray, word_n: int, stop_n: int, word_mod: int, stop_mod: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sampled fingerprints of the documents where ``use`` is true, as (values, owners):
    unique per document, sorted by value (owners ascending within a value, barring a
    cross-channel hash collision). Runs over the corpus in chunks."""
    found: dict[np.uint64, list[tuple[np.ndarray, np.ndarray]]] = {
        _WORD_CHANNEL: [],
        _STOP_CHANNEL: [],
    }
    n_docs = len(tokens.doc_start) - 1
    first = 0
    while first < n_docs:
        last = int(np.searchsorted(tokens.doc_start, tokens.doc_start[first] + _CHUNK_WORDS))
        last = min(n_docs, max(first + 1, last - 1))
        lo, hi = int(tokens.doc_start[first]), int(tokens.doc_start[last])
        ids = tokens.ids[lo:hi]
        sizes = np.diff(tokens.doc_start[first : last + 1])
        owner = np.repeat(np.arange(first, last, dtype=np.int32), sizes)
        hashes = tokens.hashes[ids]
        stop = tokens.is_stop[ids]
        for (grams, gram_owner), channel in (
            (_sampled(hashes, owner, word_n, word_mod), _WORD_CHANNEL),
            (_sampled(hashes[stop], owner[stop], stop_n, stop_mod), _STOP_CHANNEL),
        ):
            kept = use[gram_owner]
            found[channel].append((grams[kept] ^ channel, gram_owner[kept]))
        first = last
    parts = found[_WORD_CHANNEL] + found[_STOP_CHANNEL]  # owners ascend within a channel
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
    value = np.concatenate([v for v, _ in parts])
    owner = np.concatenate([o for _, o in parts])
    del parts, found
    order = np.argsort(value, kind="stable")  # ties keep ascending owners
    value, owner = value[order], owner[order]
    del order
    fresh = np.ones(len(value), dtype=bool)
    fresh[1:] = (value[1:] != value[:-1]) | (owner[1:] != owner[:-1])
    return value[fresh], owner[fresh]


def candidate_pairs(
    values: np.ndarray,
    owners: np.ndarray,
    n_docs: int,
    min_shared: int,
    min_share: float,
    max_df: int,
    counter: PairCounter = group_pair_counts,
) -> np.ndarray:
    """Pairs (i, j), i < j, sharing enough fingerprints, as an (n, 3) int64 array of
    ``i, j, shared``, sorted. ``values``/``owners`` as :func:`sample_fingerprints` gives.

    A pair is kept when it shares at least ``min_shared`` fingerprints and at least
    ``min_share`` of the smaller document's fingerprints. ``counter`` counts the pairs
    sharing fingerprints (an engine's ``pair_counts`` shuffles them across partitions).
    """
    sizes = np.bincount(owners, minlength=n_docs).astype(np.int64)
    if n_docs < 2 or len(values) == 0:
        return np.zeros((0, 3), dtype=np.int64)
    keys, shared = counter(values, owners, n_docs, max_df)
    if not len(keys):
        return np.zeros((0, 3), dtype=np.int64)
    n = np.int64(n_docs)
    first, second = keys // n, keys % n
    smaller = np.minimum(sizes[first], sizes[second])
    keep = (shared >= min_shared) & (shared >= min_share * smaller)
    return np.stack([first[keep], second[keep], shared[keep]], axis=1)
