"""Align claim sentences across documents (paraphrases, copies, one-to-many list items).

1. Blocking: every document is compared only with its ``doc_neighbours`` nearest
   documents by centroid (plus the document it was copied from), so the work grows with
   n x neighbours, not n squared.
2. Candidates: within a document pair, each sentence keeps its few best cosines.
3. Score: a margin-scaled cosine (cosine over the mean of each side's nearest neighbours
   anywhere in the corpus, Artetxe & Schwenk 2019) blended with a lexical score
   (rapidfuzz token_sort_ratio), so the topic floor of raw cosine does not count.
4. Selection: a pair is kept when its score passes ``min_score`` and it is the best pair
   of at least one of its two sentences in that document pair (which allows one sentence
   to align with several list items of another page), or when it passes ``sure_score``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from pipeline.embed import embed_sentences
from pipeline.settings import AlignSettings

ALIGNMENT_COLUMNS = [
    "sentence_a",
    "sentence_b",
    "doc_a",
    "doc_b",
    "score",
    "cosine",
    "margin",
    "lexical",
    "method",
    "same_group",
]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=ALIGNMENT_COLUMNS)


def candidate_document_pairs(
    doc_ids: list[str], centroids: np.ndarray, derived: dict[str, str], neighbours: int
) -> list[tuple[int, int]]:
    """Document index pairs (i < j) to compare: nearest centroids plus copy links."""
    n = len(doc_ids)
    pairs: set[tuple[int, int]] = set()
    if n < 2:
        return []
    sims = centroids @ centroids.T
    np.fill_diagonal(sims, -np.inf)
    k = min(neighbours, n - 1)
    for i in range(n):
        row = sims[i]
        nearest = np.argpartition(-row, k - 1)[:k] if k < n - 1 else np.arange(n)
        for j in nearest:
            if j != i:
                pairs.add((min(i, int(j)), max(i, int(j))))
    index = {d: i for i, d in enumerate(doc_ids)}
    for copy, original in derived.items():
        if copy in index and original in index and copy != original:
            a, b = index[copy], index[original]
            pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def _baseline(sims: np.ndarray, passages: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's ``k`` best cosines, the items of one list counted once.

    Counting sibling bullets once keeps a sentence that matches several items of one
    list (one-to-many) from being judged against its own matches.
    """
    labels, inverse = np.unique(passages, return_inverse=True)
    if len(labels) < sims.shape[1]:
        collapsed = np.full((sims.shape[0], len(labels)), -1.0, dtype=sims.dtype)
        np.maximum.at(collapsed.T, inverse, sims.T)
        sims = collapsed
    k = min(k, sims.shape[1])
    return -np.sort(-sims, axis=1)[:, :k].mean(axis=1)


def _pair_candidates(
    vectors: np.ndarray,
    passages: np.ndarray,
    ra: np.ndarray,
    rb: np.ndarray,
    k: int,
    per_sentence: int,
) -> list[tuple[int, int, float, float]]:
    """Best pairs of one document pair: (row a, row b, cosine, margin).

    The margin divides the cosine by the mean of both sentences' ``k`` best cosines in
    the other document: a sentence that resembles everything there scores lower.
    """
    sims = vectors[ra] @ vectors[rb].T
    base_a = _baseline(sims, passages[rb], k)
    base_b = _baseline(sims.T, passages[ra], k)
    keep: set[tuple[int, int]] = set()
    order_rows = np.argsort(-sims, axis=1, kind="stable")[:, :per_sentence]
    order_cols = np.argsort(-sims, axis=0, kind="stable")[:per_sentence, :]
    for r in range(sims.shape[0]):
        keep.update((r, int(col)) for col in order_rows[r])
    for col in range(sims.shape[1]):
        keep.update((int(r), col) for r in order_cols[:, col])
    out = []
    for r, col in sorted(keep):
        cos = float(sims[r, col])
        margin = cos / max(float(base_a[r] + base_b[col]) / 2.0, 1e-6)
        out.append((int(ra[r]), int(rb[col]), cos, margin))
    return out


def lexical_score(a: str, b: str) -> float:
    """Word-order-insensitive fuzzy similarity of two sentences, 0..1."""
    return fuzz.token_sort_ratio(a, b, processor=_lower) / 100.0


def _lower(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def semantic_score(margin: float) -> float:
    """Margin in 0..1: 0.5 when the pair is as close as the neighbours, 1 at 1.5x that."""
    return float(min(1.0, max(0.0, margin - 0.5)))


def align_claims(
    sentences: pd.DataFrame, documents: pd.DataFrame, settings: AlignSettings
) -> pd.DataFrame:
    """Aligned claim pairs across documents, one row per pair (``sentence_a < sentence_b``).

    Columns: sentence and doc ids of both sides, ``score`` (0..1), ``cosine``, ``margin``,
    ``lexical``, ``method`` (which embedder scored it) and ``same_group`` (both sides in
    one copy group, e.g. a spun copy and its original).
    """
    if sentences is None or sentences.empty:
        return _empty()
    claims = sentences[sentences["is_claim"].astype(bool)].sort_values(["doc_id", "position"])
    claims = claims.reset_index(drop=True)
    if claims["doc_id"].nunique() < 2:
        return _empty()
    texts = claims["text"].astype(str).tolist()
    vectors, method = embed_sentences(
        texts, settings.embedder, settings.embedder_model, settings.embed_batch_size
    )
    doc_ids = sorted(claims["doc_id"].unique())
    rows_of = {d: np.flatnonzero(claims["doc_id"].to_numpy() == d) for d in doc_ids}
    centroids = np.stack([vectors[rows_of[d]].mean(axis=0) for d in doc_ids])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
    groups, derived = _group_maps(documents)
    lists = claims["list_id"].fillna("").astype(str)
    passages = np.where(lists != "", lists, claims["sentence_id"].astype(str)).astype(str)
    pairs = candidate_document_pairs(doc_ids, centroids, derived, settings.doc_neighbours)

    k = settings.margin_k
    candidates: list[tuple[int, int, float, float]] = []
    for i, j in pairs:
        ra, rb = rows_of[doc_ids[i]], rows_of[doc_ids[j]]
        candidates.extend(
            _pair_candidates(vectors, passages, ra, rb, k, settings.candidates_per_sentence)
        )
    if not candidates:
        return _empty()
    return _select(claims, candidates, groups, method, settings)


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


def _select(
    claims: pd.DataFrame,
    candidates: list[tuple[int, int, float, float]],
    groups: dict[str, str],
    method: str,
    settings: AlignSettings,
) -> pd.DataFrame:
    ids = claims["sentence_id"].tolist()
    docs = claims["doc_id"].tolist()
    texts = claims["text"].astype(str).tolist()
    owns = claims["own_text"].astype(str).tolist()
    w = settings.semantic_weight
    scored = []
    for a, b, cos, margin in sorted(candidates):
        lexical = max(
            lexical_score(texts[a], texts[b]),
            lexical_score(owns[a], texts[b]),
            lexical_score(texts[a], owns[b]),
        )
        score = w * semantic_score(margin) + (1.0 - w) * lexical
        scored.append((a, b, cos, margin, lexical, score))
    best: dict[tuple[int, str], float] = {}
    for a, b, *_rest, score in scored:
        best[(a, docs[b])] = max(best.get((a, docs[b]), 0.0), score)
        best[(b, docs[a])] = max(best.get((b, docs[a]), 0.0), score)
    rows = []
    for a, b, cos, margin, lexical, score in scored:
        is_best = score >= best[(a, docs[b])] - 1e-9 or score >= best[(b, docs[a])] - 1e-9
        if score < settings.min_score or not (is_best or score >= settings.sure_score):
            continue
        first, second = (a, b) if ids[a] < ids[b] else (b, a)
        rows.append(
            {
                "sentence_a": ids[first],
                "sentence_b": ids[second],
                "doc_a": docs[first],
                "doc_b": docs[second],
                "score": round(score, 4),
                "cosine": round(cos, 4),
                "margin": round(margin, 4),
                "lexical": round(lexical, 4),
                "method": f"{method}+lexical",
                "same_group": groups.get(docs[a], docs[a]) == groups.get(docs[b], docs[b]),
            }
        )
    frame = pd.DataFrame(rows, columns=ALIGNMENT_COLUMNS)
    return frame.sort_values(["sentence_a", "sentence_b"]).reset_index(drop=True)
