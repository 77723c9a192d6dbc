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
documents is scored on its own tokens (``pair_tokens``: centred and IDF-weighted over
the two documents' sentences), so its scores never depend on the rest of the corpus.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from pipeline.settings import AlignSettings
from pipeline.text.arrays import span_positions


@dataclass
class TokenStore:
    """Ragged token vectors: sentence ``i`` owns rows ``offsets[i]:offsets[i + 1]``."""

    vectors: np.ndarray  # (tokens, dims) float16 (corpus) or float32 unit rows (a pair)
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
    same in every corpus, so they can be cached (``pair_tokens`` centres them)."""
    return ((vectors - basis[0]) @ basis[1]).astype(np.float16)


@dataclass
class DocTokens:
    """One document's token vectors (rows of the corpus store, not copied) and what a
    pair needs of them: their sum, and per token how many of the document's sentences
    hold its word piece (``own_df``; ``pieces`` / ``piece_df``: distinct pieces, sorted)."""

    vectors: np.ndarray
    offsets: np.ndarray
    ids: np.ndarray
    total: np.ndarray
    pieces: np.ndarray
    piece_df: np.ndarray
    own_df: np.ndarray


def doc_tokens(store: TokenStore, first: int, stop: int) -> DocTokens:
    """The tokens of the document whose sentences are ``first:stop`` of ``store``."""
    lo, hi = int(store.offsets[first]), int(store.offsets[stop])
    vectors, ids = store.vectors[lo:hi], store.ids[lo:hi]
    offsets = store.offsets[first : stop + 1] - lo
    sentence_of = np.repeat(np.arange(stop - first), np.diff(offsets))
    width = int(ids.max()) + 1 if ids.size else 1
    held = np.unique(sentence_of * width + ids) % width  # one count per sentence
    pieces, piece_df = np.unique(held, return_counts=True)
    piece_df = piece_df.astype(np.int32)
    own_df = piece_df[np.searchsorted(pieces, ids)]
    total = vectors.sum(axis=0, dtype=np.float64)
    return DocTokens(vectors, offsets, ids, total, pieces, piece_df, own_df)


def _df_in(doc: DocTokens, ids: np.ndarray) -> np.ndarray:
    """How many sentences of ``doc`` hold each word piece of ``ids``."""
    if not len(doc.pieces):
        return np.zeros(len(ids), dtype=np.int64)
    at = np.minimum(np.searchsorted(doc.pieces, ids), len(doc.pieces) - 1)
    return np.where(doc.pieces[at] == ids, doc.piece_df[at], 0)


def pair_tokens(first: DocTokens, second: DocTokens) -> TokenStore:
    """Both documents' tokens as one store (the first's sentences first), centred on
    the pair's mean token vector, scaled to unit rows (float32) and weighted by IDF over
    the pair's sentences. What all their word pieces share (the pages' topic, the
    model's common direction) then no longer makes every pair of pieces look alike, and
    the scores depend on these two documents only, never on the rest of the corpus."""
    count = len(first.ids) + len(second.ids)
    vectors = np.concatenate([first.vectors, second.vectors]).astype(np.float32)
    if count:
        vectors -= ((first.total + second.total) / count).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vectors /= norms
    offsets = np.concatenate([first.offsets, second.offsets[1:] + first.offsets[-1]])
    df = np.concatenate(
        [first.own_df + _df_in(second, first.ids), second.own_df + _df_in(first, second.ids)]
    )
    store = TokenStore(vectors, offsets, np.concatenate([first.ids, second.ids]))
    store.weights = idf(len(store), df)
    return store


def idf_weights(store: TokenStore) -> np.ndarray:
    """Per token: log((n + 1) / (df + 1)) of its word piece over the store's sentences."""
    n = len(store)
    if store.ids.size == 0:
        return np.zeros(0, dtype=np.float32)
    sentence_of = np.repeat(np.arange(n), np.diff(store.offsets))
    pairs = np.unique(np.stack([sentence_of, store.ids]), axis=1)  # one count per sentence
    df = np.bincount(pairs[1], minlength=int(store.ids.max()) + 1)
    return idf(n, df[store.ids])


def idf(sentences: int, df: np.ndarray) -> np.ndarray:
    """log((n + 1) / (df + 1)): the weight of a piece held by ``df`` of ``n`` sentences."""
    return np.log((sentences + 1) / (df + 1.0)).astype(np.float32)


def pair_bertscore(
    store: TokenStore,
    a: np.ndarray,
    b: np.ndarray,
    max_tokens: int = AlignSettings.max_sentence_tokens,
    block: int = 256,
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
        vectors = store.vectors[index].astype(np.float32, copy=False)
        weights = store.weights[index]
        part_start = np.cumsum(part_len) - part_len
        part_weight = np.zeros(len(partners), dtype=np.float32)  # IDF mass per partner
        filled = part_len > 0
        if filled.any():
            part_weight[filled] = np.add.reduceat(weights, part_start[filled])
        block_arrays = (vectors, weights, part_start, part_len, part_weight)
        for lo, hi in itertools.pairwise(chunk):
            _score_first(
                store, int(firsts[lo]), int(lengths[firsts[lo]]), order[lo:hi],
                where[lo - chunk[0] : hi - chunk[0]], block_arrays, out,
            )  # fmt: skip
    return out


def _score_first(
    store: TokenStore,
    first: int,
    length: int,
    rows: np.ndarray,
    partner: np.ndarray,
    partners: tuple[np.ndarray, ...],
    out: np.ndarray,
) -> None:
    """Scores of the pairs ``rows``: sentence ``first`` with the block's partners
    ``partner`` (indices into the block's ``partners`` arrays), written into ``out``."""
    vectors, weights, part_start, part_len, part_weight = partners
    b_len = part_len[partner]
    keep = b_len > 0
    if not length or not keep.any():
        return
    if not keep.all():
        rows, partner, b_len = rows[keep], partner[keep], b_len[keep]
    start = int(store.offsets[first])
    va = store.vectors[start : start + length].astype(np.float32, copy=False)
    assert store.weights is not None, "idf_weights sets the weights before scoring"
    wa = store.weights[start : start + length]
    index = span_positions(part_start[partner], b_len)
    sims = vectors[index] @ va.T  # (pieces of all its partners, pieces of first)
    segments = np.cumsum(b_len) - b_len
    recall = np.maximum.reduceat(sims, segments, axis=0) @ wa
    recall /= max(float(wa.sum()), 1e-6)
    precision = np.add.reduceat(sims.max(axis=1) * weights[index], segments)
    precision /= np.maximum(part_weight[partner], 1e-6)
    both = np.clip(recall, 0, None) + np.clip(precision, 0, None)
    out[rows] = np.where(both > 0, 2 * recall * precision / np.maximum(both, 1e-6), 0.0)
