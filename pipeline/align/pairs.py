"""Score the candidate sentence pairs of one document pair, and keep them between builds.

Everything a document pair's candidates and their margins depend on lies in the two
documents: their sentence and token vectors and which of their sentences are items of
one list. BERTScore's token vectors are centred, and its IDF counted, over the pair's own
sentences (pipeline.align.tokens.pair_tokens), not over the corpus. So adding a page
changes no existing pair's scores, and with a cache a rebuild scores only the document
pairs that the new or changed pages take part in (``align-pair`` entries).
Only with MiniLM: the lexical fallback's vectors weigh terms by corpus-wide IDF.
Content-word overlap and the final score are cheap and computed over the whole table.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from pipeline.align.lexical import pair_overlap
from pipeline.align.tokens import DocTokens, TokenStore, doc_tokens, pair_bertscore, pair_tokens
from pipeline.runtime.cache import DocCache, sha256_text
from pipeline.settings import AlignSettings

STEP = "align-pair"
# what a pair's entry holds, in this order and with these types (one raw buffer each)
_ARRAYS = (
    ("a", np.int64), ("b", np.int64), ("cosine", np.float32), ("margin", np.float64),
    ("similarity", np.float32),
)  # fmt: skip
# Bumped when what an entry holds changes (old entries are then misses, not errors).
_FORMAT = 2
# A margin of 1 (the pair is as close as the sentences' usual company) scores this
# little; the semantic score is the margin less this, clipped to 0..1.
MARGIN_OFFSET = 0.5


def _baseline(sims: np.ndarray, passages: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's ``k`` best cosines, the items of one list counted once."""
    labels, inverse = np.unique(passages, return_inverse=True)
    if len(labels) < sims.shape[1]:
        collapsed = np.full((sims.shape[0], len(labels)), -1.0, dtype=sims.dtype)
        np.maximum.at(collapsed.T, inverse, sims.T)
        sims = collapsed
    k = min(k, sims.shape[1])
    return -np.sort(-sims, axis=1)[:, :k].mean(axis=1)


def pair_candidates(
    vectors: np.ndarray, passages: np.ndarray, ra: np.ndarray, rb: np.ndarray, k: int, top: int
) -> tuple[np.ndarray, ...]:
    """Candidate pairs of one document pair: (rows a, rows b, cosines, margins).

    Each sentence keeps its ``top`` best cosine margins in the other document: a pair's
    cosine over the mean of both sentences' ``k`` best cosines there."""
    sims = vectors[ra] @ vectors[rb].T
    base_a = _baseline(sims, passages[rb], k)
    base_b = _baseline(sims.T, passages[ra], k)
    margin = sims / np.maximum((base_a[:, None] + base_b[None, :]) / 2.0, 1e-6)
    keep = np.zeros(sims.shape, dtype=bool)
    t_rows, t_cols = min(top, sims.shape[1]), min(top, sims.shape[0])
    best_cols = np.argsort(-margin, axis=1, kind="stable")[:, :t_rows]
    keep[np.arange(sims.shape[0])[:, None], best_cols] = True
    best_rows = np.argsort(-margin, axis=0, kind="stable")[:t_cols, :]
    keep[best_rows, np.arange(sims.shape[1])[None, :]] = True
    r, c = np.nonzero(keep)
    return ra[r], rb[c], sims[r, c], margin[r, c]


def _best_partners_mean(
    side: np.ndarray, label: np.ndarray, score: np.ndarray, k: int
) -> np.ndarray:
    """Per row: the mean of the ``k`` best scores of its ``side`` sentence, taking the
    best score per partner ``label`` (a list's items count once)."""
    rows, row_of = np.unique(side, return_inverse=True)
    labels, label_of = np.unique(label, return_inverse=True)
    best = np.full((len(rows), len(labels)), -np.inf)
    np.maximum.at(best, (row_of, label_of), score.astype(np.float64))
    best = -np.sort(-best, axis=1)[:, :k]
    finite = np.isfinite(best)
    mean = np.where(finite, best, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)
    return mean[row_of]


def token_margin(
    a: np.ndarray, b: np.ndarray, bertscore: np.ndarray, passages: np.ndarray, k: int
) -> np.ndarray:
    """BERTScore of each candidate pair of one document pair over the mean of both
    sides' ``k`` best candidates there (the items of one list counted once): how much
    better this partner is than the sentence's usual company in the other document."""
    base_a = _best_partners_mean(a, passages[b], bertscore, k)
    base_b = _best_partners_mean(b, passages[a], bertscore, k)
    return bertscore / np.maximum((base_a + base_b) / 2.0, 1e-6)


def semantic_score(margin: np.ndarray | float) -> np.ndarray:
    """Margin in 0..1: 0.5 when the pair is as close as the neighbours, 1 at 1.5x that."""
    return np.clip(np.asarray(margin, dtype=np.float64) - MARGIN_OFFSET, 0.0, 1.0)


def score_document_pair(
    vectors: np.ndarray,
    tokens: tuple[DocTokens, DocTokens] | None,
    passages: np.ndarray,
    ra: np.ndarray,
    rb: np.ndarray,
    settings: AlignSettings,
) -> dict[str, np.ndarray]:
    """Candidate pairs of the documents with claim rows ``ra`` and ``rb``: ``a``/``b``
    (counted from each document's first row), ``cosine`` and ``margin`` (the BERTScore
    margin when the two documents' ``tokens`` are given (MiniLM), else the cosine one)."""
    k = settings.margin_k
    a, b, cosine, margin = pair_candidates(
        vectors, passages, ra, rb, k, settings.candidates_per_sentence
    )
    similarity = cosine
    if tokens is not None and len(a):
        local = pair_tokens(*tokens)
        similarity = pair_bertscore(
            local, a - ra[0], b - rb[0] + len(ra), settings.max_sentence_tokens
        )
        margin = token_margin(a, b, similarity, passages, k)
    found = {
        "a": a - ra[0], "b": b - rb[0], "cosine": cosine, "margin": margin,
        "similarity": similarity,
    }  # fmt: skip
    return {name: np.asarray(found[name], dtype=kind) for name, kind in _ARRAYS}


def document_fingerprints(
    claims: pd.DataFrame, passages: np.ndarray, bounds: list[int]
) -> list[str]:
    """Per document (a run of claim rows): a digest of what its cached pair scores
    depend on, its claims' texts (their vectors) and which of them are items of one list."""
    texts = claims["text"].astype(str).tolist()
    out = []
    for lo, hi in itertools.pairwise(bounds):
        lists = np.unique(passages[lo:hi], return_inverse=True)[1].tolist()
        out.append(sha256_text(json.dumps([texts[lo:hi], lists])))
    return out


def scored_candidates(
    claims: pd.DataFrame,
    embedded: tuple[np.ndarray, TokenStore | None, str, list[str]],
    passages: np.ndarray,
    terms: sparse.csr_matrix,
    pairs: list[tuple[int, int]],
    bounds: list[int],
    settings: AlignSettings,
    cache: DocCache | None = None,
) -> pd.DataFrame:
    """Scored candidates of every document pair in ``pairs`` (indices of the runs of
    claim rows that ``bounds`` delimit) as one table (a, b, cosine, margin, lexical,
    score; a and b are claim rows). ``embedded`` = sentence vectors, token store,
    method and embedding identity; ``cache`` keeps each pair's table between builds."""
    vectors, tokens, method, identity = embedded
    # lexical vectors weigh terms by their document frequency in the whole corpus
    pair_cache = cache if cache is not None and cache.enabled and method == "minilm" else None
    prints = document_fingerprints(claims, passages, bounds) if pair_cache is not None else []
    config = [_FORMAT, method, identity, _scoring_settings(settings)]
    docs: dict[int, DocTokens] = {}
    parts, hits = [], 0
    # One BLAS thread: the products here are small (a sentence's word pieces against its
    # partners'), and OpenBLAS's second thread spun more CPU than it saved (30 WCXB
    # pages: build CPU 35.6 s against ~45 s, identical outputs).
    with threadpool_limits(limits=1, user_api="blas"):
        for i, j in pairs:
            key, found = "", None
            if pair_cache is not None:
                key = pair_cache.key(STEP, prints[i], prints[j], config)
                found = _load(pair_cache, key)
            if found is None:
                ra, rb = np.arange(bounds[i], bounds[i + 1]), np.arange(bounds[j], bounds[j + 1])
                both = None
                if tokens is not None:
                    for d in (i, j):
                        if d not in docs:
                            docs[d] = doc_tokens(tokens, bounds[d], bounds[d + 1])
                    both = (docs[i], docs[j])
                found = score_document_pair(vectors, both, passages, ra, rb, settings)
                if pair_cache is not None:
                    _store(pair_cache, key, found)
            else:
                hits += 1
            parts.append({**found, "a": found["a"] + bounds[i], "b": found["b"] + bounds[j]})
    if pair_cache is not None:
        pair_cache.count(STEP, hits, len(pairs) - hits)
    table = pd.DataFrame({name: np.concatenate([p[name] for p in parts]) for name, _ in _ARRAYS})
    table["lexical"] = pair_overlap(terms, table["a"].to_numpy(), table["b"].to_numpy())
    table["score"] = calibrated_score(table, settings)
    return table


def _scoring_settings(settings: AlignSettings) -> dict:
    """The settings a pair's cached arrays depend on (not the score's cuts or weights)."""
    used = ("margin_k", "candidates_per_sentence", "token_score", "token_dims",
            "max_sentence_tokens", "embedder", "embedder_model")  # fmt: skip
    return {name: getattr(settings, name) for name in used}


def calibrated_score(table: pd.DataFrame, settings: AlignSettings) -> np.ndarray:
    """The estimated probability that the two sentences state the same fact: a logistic
    model over the pair's absolute similarity (BERTScore with MiniLM, else cosine), its
    sentence cosine, its margin over the sentences' usual company (0..1) and its
    content-word overlap, fitted on labelled pairs (benchmarks/fit_alignment_score.py).
    An absolute similarity is in it so that the best partner in an unrelated document
    does not look good only because everything else there looks worse."""
    logit = (
        settings.score_bias
        + settings.score_weight_similarity * table["similarity"].to_numpy(np.float64)
        + settings.score_weight_cosine * table["cosine"].to_numpy(np.float64)
        + settings.score_weight_margin * semantic_score(table["margin"])
        + settings.score_weight_lexical * table["lexical"].to_numpy(np.float64)
    )
    return 1.0 / (1.0 + np.exp(-logit))


def _load(cache: DocCache, key: str) -> dict[str, np.ndarray] | None:
    """A pair's arrays from its entry: the row count, then each array's raw bytes
    (a few hundred rows each, so this is ~10x quicker to read than an .npz)."""
    body = cache.get_bytes(STEP, key, ".bin")
    if body is None or len(body) < 8:
        return None
    rows = int(np.frombuffer(body, dtype=np.int64, count=1)[0])
    if len(body) != 8 + rows * sum(np.dtype(kind).itemsize for _, kind in _ARRAYS):
        return None
    found, at = {}, 8
    for name, kind in _ARRAYS:
        found[name] = np.frombuffer(body, dtype=kind, count=rows, offset=at)
        at += rows * np.dtype(kind).itemsize
    return found


def _store(cache: DocCache, key: str, arrays: dict[str, np.ndarray]) -> None:
    rows = len(arrays["a"])
    parts = [np.int64(rows).tobytes()] + [arrays[name].tobytes() for name, _ in _ARRAYS]
    cache.put_bytes(STEP, key, b"".join(parts), ".bin")
