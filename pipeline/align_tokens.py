"""Token-level similarity of sentence pairs: BERTScore over MiniLM's token vectors.

A sentence vector squeezes a sentence into one point, so two sentences on one topic
("immune system", "cancer") look alike whatever they say. BERTScore (Zhang et al. 2020)
matches every word piece of one sentence with its most similar word piece of the other
(contextual vectors, so "called biological therapy" ~ "type of biological therapy") and
averages those matches weighted by the pieces' inverse document frequency, in both
directions (recall and precision), then takes their harmonic mean (F).

Token vectors come from the same MiniLM pass as the sentence vectors, projected onto
their ``dims`` main axes (the shipped PCA basis) and kept as float16 in one ragged
array, so 100k sentences of ~30 pieces take ~0.8 GB at 128 dims, not 4.6 GB. A pair of
documents is scored on its own tokens (``local_tokens``: centred and IDF-weighted over
the two documents' sentences), so its scores never depend on the rest of the corpus.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from pipeline.arrays import span_positions


@dataclass
class TokenStore:
    """Ragged token vectors: sentence ``i`` owns rows ``offsets[i]:offsets[i + 1]``."""

    vectors: np.ndarray  # (tokens, dims) float16, unit rows
    offsets: np.ndarray  # (sentences + 1,) int64
    ids: np.ndarray  # (tokens,) int64 word-piece ids
    weights: np.ndarray | None = None  # (tokens,) float32 IDF weights, set by idf_weights

    def __len__(self) -> int:
        return len(self.offsets) - 1


def fit_projection(sample: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Mean and (d, dims) basis of the ``dims`` main axes of ``sample``; None keeps all."""
    if dims <= 0 or dims >= sample.shape[1] or len(sample) <= dims:
        return None
    mean = sample.mean(axis=0)
    _u, _s, vt = np.linalg.svd(sample - mean, full_matrices=False)
    return mean.astype(np.float32), vt[:dims].T.astype(np.float32)


def project(vectors: np.ndarray, basis: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Token vectors on the kept axes, unit length, as float16."""
    out = vectors if basis is None else (vectors - basis[0]) @ basis[1]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (out / norms).astype(np.float16)


def coordinates(vectors: np.ndarray, basis: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Token vectors on a fixed basis's axes, not yet centred or scaled (float16): the
    same in every corpus, so they can be cached (``local_tokens`` centres them)."""
    return ((vectors - basis[0]) @ basis[1]).astype(np.float16)


def local_tokens(store: TokenStore, rows: np.ndarray) -> TokenStore:
    """The token vectors of sentences ``rows`` as a store of their own: centred on those
    sentences' mean token vector, scaled to unit rows, and weighted by IDF over those
    sentences. What all their word pieces share (the pages' topic, the model's common
    direction) then no longer makes every pair of pieces look alike, and the scores
    depend on these sentences only, never on the rest of the corpus."""
    lengths = np.diff(store.offsets)[rows]
    index = span_positions(store.offsets[rows], lengths)
    vectors = store.vectors[index].astype(np.float32)
    if len(vectors):
        vectors -= vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(lengths)
    local = TokenStore((vectors / norms).astype(np.float16), offsets, store.ids[index])
    local.weights = idf_weights(local)
    return local


def idf_weights(store: TokenStore) -> np.ndarray:
    """Per token: log((n + 1) / (df + 1)) of its word piece over the store's sentences."""
    n = len(store)
    if store.ids.size == 0:
        return np.zeros(0, dtype=np.float32)
    sentence_of = np.repeat(np.arange(n), np.diff(store.offsets))
    pairs = np.unique(np.stack([sentence_of, store.ids]), axis=1)  # one count per sentence
    df = np.bincount(pairs[1], minlength=int(store.ids.max()) + 1)
    return np.log((n + 1) / (df[store.ids] + 1.0)).astype(np.float32)


def pair_bertscore(
    store: TokenStore, a: np.ndarray, b: np.ndarray, max_tokens: int = 96, block: int = 256
) -> np.ndarray:
    """BERTScore F of sentence pairs ``(a[i], b[i])`` (IDF-weighted), 0..1 (float32).

    Pairs are taken one first sentence at a time: its word pieces meet the pieces of all
    its partners in one matrix product, and each partner's best matches are read off
    that matrix by segment (no padding). Vectors are widened to float32 once per
    ``block`` of first sentences, for all the partners of the block together.
    Sentences are cut to their first ``max_tokens`` pieces.
    """
    if store.weights is None:
        store.weights = idf_weights(store)
    out = np.zeros(len(a), dtype=np.float32)
    if not len(a):
        return out
    lengths = np.minimum(np.diff(store.offsets), max_tokens)
    order = np.argsort(a, kind="stable")
    firsts = a[order]
    cuts = [*np.flatnonzero(np.r_[True, firsts[1:] != firsts[:-1]]).tolist(), len(a)]
    for k in range(0, len(cuts) - 1, block):
        chunk = cuts[k : k + block + 1]
        rows = order[chunk[0] : chunk[-1]]
        partners, where = np.unique(b[rows], return_inverse=True)
        part_len = lengths[partners]
        index = span_positions(store.offsets[partners], part_len)
        vectors, weights = store.vectors[index].astype(np.float32), store.weights[index]
        part_start = np.cumsum(part_len) - part_len
        for lo, hi in itertools.pairwise(chunk):
            _score_first(
                store, int(firsts[lo]), int(lengths[firsts[lo]]), order[lo:hi],
                where[lo - chunk[0] : hi - chunk[0]], (vectors, weights, part_start, part_len),
                out,
            )  # fmt: skip
    return out


def _score_first(
    store: TokenStore,
    first: int,
    length: int,
    rows: np.ndarray,
    partner: np.ndarray,
    partners: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    out: np.ndarray,
) -> None:
    """Scores of the pairs ``rows``: sentence ``first`` with the block's partners
    ``partner`` (indices into the block's ``partners`` arrays), written into ``out``."""
    vectors, weights, part_start, part_len = partners
    b_len = part_len[partner]
    keep = b_len > 0
    if not length or not keep.any():
        return
    rows, partner, b_len = rows[keep], partner[keep], b_len[keep]
    start = int(store.offsets[first])
    va = store.vectors[start : start + length].astype(np.float32)
    wa = store.weights[start : start + length]
    index = span_positions(part_start[partner], b_len)
    sims = va @ vectors[index].T  # (pieces of first, pieces of all its partners)
    wb = weights[index]
    segments = np.cumsum(b_len) - b_len
    recall = (np.maximum.reduceat(sims, segments, axis=1) * wa[:, None]).sum(axis=0)
    recall /= max(float(wa.sum()), 1e-6)
    precision = np.add.reduceat(sims.max(axis=0) * wb, segments)
    precision /= np.maximum(np.add.reduceat(wb, segments), 1e-6)
    both = np.clip(recall, 0, None) + np.clip(precision, 0, None)
    out[rows] = np.where(both > 0, 2 * recall * precision / np.maximum(both, 1e-6), 0.0)
