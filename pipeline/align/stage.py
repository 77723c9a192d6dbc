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
   matched to word pieces, pipeline.align.tokens, centred and IDF-weighted over the two
   documents) over the mean of both sentences' ``margin_k`` best candidate BERTScores:
   the margin again, so the topic floor (any two sentences on immunotherapy look
   alike) does not count. On the seed pairs this
   beat the cosine margin clearly (benchmarks/bench_align.py --ablation). Without
   MiniLM the cosine margin of the lexical vectors stands in.
4. Score: a logistic model over the pair's absolute similarity (BERTScore, else
   cosine), its cosine, its margin and its content-word overlap: the estimated
   probability that both sentences state the same fact (align_pairs.calibrated_score).
   List items are embedded as their own words, not with their list's intro.
5. Steps 2-4 see one document pair at a time (pipeline.align.pairs), so a cache keeps
   each pair's scores and a rebuild scores only the pairs of new or changed pages.
6. Selection and copy inheritance: pipeline.align.select.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.align.embed import embed_with_tokens, embedding_identity
from pipeline.align.lexical import term_matrix
from pipeline.align.pairs import scored_candidates
from pipeline.align.select import ALIGNMENT_COLUMNS, select_pairs
from pipeline.runtime.cache import DocCache, EmbeddingCache
from pipeline.runtime.memory import release_freed_memory
from pipeline.settings import AlignSettings
from pipeline.text.words import LETTER_WORD


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=ALIGNMENT_COLUMNS)


# Centroid similarities are computed this many documents at a time (memory: block x n floats).
CENTROID_BLOCK = 1024


def candidate_document_pairs(
    doc_ids: list[str], centroids: np.ndarray, derived: dict[str, str], neighbours: int
) -> list[tuple[int, int]]:
    """Document index pairs (i < j) to compare: nearest centroids plus copy links."""
    n = len(doc_ids)
    if n < 2:
        return []
    k = min(neighbours, n - 1)
    pairs: set[tuple[int, int]] = set()
    for start in range(0, n, CENTROID_BLOCK):
        sims = centroids[start : start + CENTROID_BLOCK] @ centroids.T
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


def align_claims(
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    settings: AlignSettings,
    cache: DocCache | None = None,
) -> pd.DataFrame:
    """Aligned claim pairs across documents, one row per pair (``sentence_a < sentence_b``).

    Columns: sentence and doc ids of both sides, ``score`` (0..1: the estimated
    probability that both state the same fact), ``cosine``, ``margin`` (BERTScore margin
    with MiniLM, cosine margin without), ``similarity`` (BERTScore, else cosine),
    ``lexical`` (content-word overlap), ``method`` (which embedder scored it) and
    ``same_group`` (both sides in one copy group, e.g. a spun copy and its original).
    Each document's claims are embedded on their own, so ``cache`` (optional) can keep
    their vectors between builds.
    """
    found = candidate_table(sentences, documents, settings, cache)
    if found is None:
        return _empty()
    claims, table, method = found
    groups, derived = _group_maps(documents)
    return select_pairs(claims, table, groups, derived, method, settings)


def candidate_table(
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    settings: AlignSettings,
    cache: DocCache | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, str] | None:
    """(claim rows, every scored candidate pair, method), or None when nothing aligns.

    The candidates' ``a`` and ``b`` are rows of the claim table; their values are those
    :func:`align_claims` selects from (benchmarks fit the score on them)."""
    if sentences is None or sentences.empty:
        return None
    claims = sentences[sentences["is_claim"].astype(bool)].sort_values(["doc_id", "position"])
    claims = claims.reset_index(drop=True)
    if claims["doc_id"].nunique() < 2:
        return None
    runs = claims["doc_id"].astype(str)
    groups = runs.groupby(runs, sort=False).size().tolist()  # one run of rows per document
    kept = None
    if cache is not None and cache.enabled and settings.embedder == "minilm":
        kept = EmbeddingCache(
            cache,
            embedding_identity(
                settings.embedder_model, settings.embed_batch_size, settings.encoder_runtime
            ),
        )
    vectors, method, tokens = embed_with_tokens(
        embedding_texts(claims, settings),
        settings.embedder,
        settings.embedder_model,
        settings.embed_batch_size,
        settings.token_dims if settings.token_score else -1,
        groups=groups,
        cache=kept,
        runtime=settings.encoder_runtime,
    )
    release_freed_memory()  # the encoder's activations: freed, but kept by malloc
    doc_col = claims["doc_id"].astype(str).to_numpy()
    doc_ids, starts = np.unique(doc_col, return_index=True)
    bounds = [*starts.tolist(), len(claims)]  # claims are sorted by doc_id: contiguous rows
    centroids = np.add.reduceat(vectors, starts, axis=0)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
    _groups, derived = _group_maps(documents)
    lists = claims["list_id"].fillna("").astype(str)
    passages = np.unique(
        np.where(lists != "", lists, claims["sentence_id"].astype(str)), return_inverse=True
    )[1]
    pairs = candidate_document_pairs(list(doc_ids), centroids, derived, settings.doc_neighbours)
    if not pairs:
        return None
    identity = kept.identity if kept is not None else []
    terms = term_matrix(claims["own_text"].astype(str).tolist())
    table = scored_candidates(
        claims, (vectors, tokens, method, identity), passages, terms, pairs, bounds, settings, cache
    )
    release_freed_memory()  # each document pair's token copies
    return claims, table, method


def embedding_texts(claims: pd.DataFrame, settings: AlignSettings) -> list[str]:
    """What each claim is embedded as: its own words, with its list's intro only when the
    item is too short to say anything alone ("Oral"). Two items of one list then align
    only when they say the same thing, never because they share the intro."""
    own = claims["own_text"].astype(str)
    text = claims["text"].astype(str)
    short = own.str.count(LETTER_WORD.pattern) < settings.min_claim_words
    return text.where(short | (claims["kind"] != "item"), own).tolist()


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
