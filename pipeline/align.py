"""Align claim sentences across documents (paraphrases, copies, one-to-many list items).

All arrays, no per-pair Python: sentences are embedded once in batches, and the loop
runs over document pairs only, each scored with one matrix product.

1. Blocking: every document is compared only with its ``doc_neighbours`` nearest
   documents by centroid (plus the document it was copied from), so the work grows with
   n x neighbours, not n squared.
2. Candidates: each sentence keeps its ``candidates_per_sentence`` best cosine margins
   in the other document (a pair's cosine over the mean of both sentences' ``margin_k``
   best cosines there, the ratio margin of Artetxe & Schwenk 2019; the items of one
   list count once in that mean).
3. Semantic score: with MiniLM, the BERTScore of each candidate pair (word pieces
   matched to word pieces, pipeline.align_tokens) over the mean of both sentences'
   ``margin_k`` best candidate BERTScores: the margin again, so the topic floor (any
   two sentences on immunotherapy look alike) does not count. On the seed pairs this
   beat the cosine margin clearly (benchmarks/bench_align.py --ablation). Without
   MiniLM the cosine margin of the lexical vectors stands in.
4. Score: ``semantic_weight`` x the margin mapped to 0..1, plus the rest x content-word
   overlap (stemmed, stop words dropped).
5. Selection and copy inheritance: pipeline.align_select.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.align_select import ALIGNMENT_COLUMNS, select_pairs
from pipeline.align_tokens import pair_bertscore
from pipeline.cache import DocCache, EmbeddingCache
from pipeline.claims_lexical import pair_overlap, term_matrix
from pipeline.embed import embed_with_tokens, embedding_identity
from pipeline.settings import AlignSettings


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=ALIGNMENT_COLUMNS)


def candidate_document_pairs(
    doc_ids: list[str], centroids: np.ndarray, derived: dict[str, str], neighbours: int
) -> list[tuple[int, int]]:
    """Document index pairs (i < j) to compare: nearest centroids plus copy links."""
    n = len(doc_ids)
    if n < 2:
        return []
    k = min(neighbours, n - 1)
    pairs: set[tuple[int, int]] = set()
    for start in range(0, n, 1024):  # centroid blocks keep memory at 1024 x n floats
        sims = centroids[start : start + 1024] @ centroids.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -np.inf
        nearest = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        for r, js in enumerate(nearest):
            i = r + start
            pairs.update((min(i, int(j)), max(i, int(j))) for j in js)
    index = {d: i for i, d in enumerate(doc_ids)}
    for copy, original in derived.items():
        if copy in index and original in index and copy != original:
            a, b = index[copy], index[original]
            pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def _baseline(sims: np.ndarray, passages: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's ``k`` best cosines, the items of one list counted once."""
    labels, inverse = np.unique(passages, return_inverse=True)
    if len(labels) < sims.shape[1]:
        collapsed = np.full((sims.shape[0], len(labels)), -1.0, dtype=sims.dtype)
        np.maximum.at(collapsed.T, inverse, sims.T)
        sims = collapsed
    k = min(k, sims.shape[1])
    return -np.sort(-sims, axis=1)[:, :k].mean(axis=1)


def _pair_candidates(
    vectors: np.ndarray, passages: np.ndarray, ra: np.ndarray, rb: np.ndarray, k: int, top: int
) -> tuple[np.ndarray, ...]:
    """Candidate pairs of one document pair: (rows a, rows b, cosines, margins)."""
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


def semantic_score(margin: np.ndarray | float) -> np.ndarray:
    """Margin in 0..1: 0.5 when the pair is as close as the neighbours, 1 at 1.5x that."""
    return np.clip(np.asarray(margin, dtype=np.float64) - 0.5, 0.0, 1.0)


def token_margin(table: pd.DataFrame, passages: np.ndarray, docs: np.ndarray, k: int) -> np.ndarray:
    """BERTScore of each candidate pair over the mean of both sides' ``k`` best candidates.

    A sentence's neighbours are its candidates in the other document of the pair (the
    items of one list counted once, as in the cosine margin), so the score says how
    much better this partner is than the sentence's usual company there.
    """
    bases = []
    for side, other in (("a", "b"), ("b", "a")):
        frame = pd.DataFrame(
            {
                "s": table[side].to_numpy(),
                "d": docs[table[other].to_numpy()],
                "p": passages[table[other].to_numpy()],
                "bs": table["bertscore"].to_numpy(),
            }
        )
        best = frame.groupby(["s", "d", "p"], sort=False)["bs"].max().reset_index()
        best = best.sort_values(["s", "d", "bs"], ascending=[True, True, False], kind="stable")
        best = best[best.groupby(["s", "d"], sort=False).cumcount() < k]
        mean = best.groupby(["s", "d"])["bs"].mean()
        keys = pd.MultiIndex.from_arrays([frame["s"], frame["d"]])
        bases.append(mean.reindex(keys).to_numpy())
    return table["bertscore"].to_numpy() / np.maximum((bases[0] + bases[1]) / 2.0, 1e-6)


def align_claims(
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    settings: AlignSettings,
    cache: DocCache | None = None,
) -> pd.DataFrame:
    """Aligned claim pairs across documents, one row per pair (``sentence_a < sentence_b``).

    Columns: sentence and doc ids of both sides, ``score`` (0..1), ``cosine``, ``margin``
    (BERTScore margin with MiniLM, cosine margin without), ``lexical`` (content-word
    overlap), ``method`` (which embedder scored it) and ``same_group`` (both sides in one
    copy group, e.g. a spun copy and its original). Each document's claims are embedded
    on their own, so ``cache`` (optional) can keep their vectors between builds.
    """
    if sentences is None or sentences.empty:
        return _empty()
    claims = sentences[sentences["is_claim"].astype(bool)].sort_values(["doc_id", "position"])
    claims = claims.reset_index(drop=True)
    if claims["doc_id"].nunique() < 2:
        return _empty()
    runs = claims["doc_id"].astype(str)
    groups = runs.groupby(runs, sort=False).size().tolist()  # one run of rows per document
    kept = None
    if cache is not None and cache.enabled and settings.embedder == "minilm":
        kept = EmbeddingCache(
            cache, embedding_identity(settings.embedder_model, settings.embed_batch_size)
        )
    vectors, method, tokens = embed_with_tokens(
        claims["text"].astype(str).tolist(),
        settings.embedder,
        settings.embedder_model,
        settings.embed_batch_size,
        settings.token_dims if settings.token_score else -1,
        groups=groups,
        cache=kept,
    )
    doc_col = claims["doc_id"].astype(str).to_numpy()
    doc_ids, starts, doc_index = np.unique(doc_col, return_index=True, return_inverse=True)
    bounds = [*starts.tolist(), len(claims)]  # claims are sorted by doc_id: contiguous rows
    rows_of = [np.arange(bounds[i], bounds[i + 1]) for i in range(len(doc_ids))]
    centroids = np.add.reduceat(vectors, starts, axis=0)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
    groups, derived = _group_maps(documents)
    lists = claims["list_id"].fillna("").astype(str)
    passages = np.unique(
        np.where(lists != "", lists, claims["sentence_id"].astype(str)), return_inverse=True
    )[1]
    pairs = candidate_document_pairs(list(doc_ids), centroids, derived, settings.doc_neighbours)
    parts = [
        _pair_candidates(
            vectors,
            passages,
            rows_of[i],
            rows_of[j],
            settings.margin_k,
            settings.candidates_per_sentence,
        )
        for i, j in pairs
    ]
    if not parts:
        return _empty()
    a, b, cos, margin = (np.concatenate(x) for x in zip(*parts, strict=True))
    table = pd.DataFrame({"a": a, "b": b, "cosine": cos, "margin": margin})
    if tokens is not None:
        table["bertscore"] = pair_bertscore(tokens, a, b, settings.max_sentence_tokens)
        table["margin"] = token_margin(table, passages, doc_index, settings.margin_k)
    terms = term_matrix(claims["own_text"].astype(str).tolist())
    table["lexical"] = pair_overlap(terms, a, b)
    w = settings.semantic_weight
    table["score"] = w * semantic_score(table["margin"]) + (1.0 - w) * table["lexical"]
    return select_pairs(claims, table, groups, derived, method, settings)


def _group_maps(documents: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    groups: dict[str, str] = {}
    derived: dict[str, str] = {}
    if documents is None or documents.empty:
        return groups, derived
    for row in documents.to_dict("records"):
        doc = str(row["doc_id"])
        group = row.get("group_id")
        groups[doc] = str(group) if isinstance(group, str) and group else doc
        source = row.get("derived_from")
        if isinstance(source, str) and source:
            derived[doc] = source
    return groups, derived
