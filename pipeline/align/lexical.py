"""Content-word overlap of sentence pairs, vectorised (sparse term matrices).

A sentence is the set of its stemmed content words (stop words dropped). The overlap of
two sentences is the share of the shorter one's words that the other one has too: 1.0
for "cells"~"cell", unlike a character ratio, which sits near 0.5 for any two sentences.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from pipeline.text.words import content_terms


def term_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Binary sentence x term matrix of stemmed content words (terms sorted, so stable)."""
    term_sets = [sorted(set(content_terms(t))) for t in texts]
    vocabulary = {t: i for i, t in enumerate(sorted({t for s in term_sets for t in s}))}
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(s) for s in term_sets])
    indices = np.fromiter(
        (vocabulary[t] for s in term_sets for t in s), dtype=np.int64, count=int(indptr[-1])
    )
    data = np.ones(len(indices), dtype=np.float32)
    shape = (len(texts), max(len(vocabulary), 1))
    return sparse.csr_matrix((data, indices, indptr), shape=shape)


# Pairs whose term rows are gathered at once: 100k pairs of ~10 terms are ~50 MB of copies.
_OVERLAP_CHUNK = 100_000


def pair_overlap(terms: sparse.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Overlap coefficient |A & B| / min(|A|, |B|) of rows ``a[i]`` and ``b[i]``, 0..1."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.float32)
    shared = np.empty(len(a), dtype=np.float64)
    for lo in range(0, len(a), _OVERLAP_CHUNK):  # two row copies per chunk, not per table
        hi = lo + _OVERLAP_CHUNK
        both = terms[a[lo:hi]].multiply(terms[b[lo:hi]])
        shared[lo:hi] = np.asarray(both.sum(axis=1)).ravel()
    sizes = np.asarray(terms.sum(axis=1)).ravel()
    smaller = np.minimum(sizes[a], sizes[b])
    return (shared / np.maximum(smaller, 1.0)).astype(np.float32)
