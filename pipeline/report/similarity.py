"""How similar the documents' texts are, pair by pair, for the overview heat map."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from pipeline.text.words import WORD_RUN as _WORD

# Documents shown in the heat map at most (pairs grow with the square).
MAX_DOCUMENTS = 40
# Words per document compared at most.
MAX_WORDS = 3000


@dataclass(frozen=True)
class SimilarityMatrix:
    """Pairwise in-order word overlap (0..1) of ``doc_ids``; ``total`` = documents in all."""

    doc_ids: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    total: int


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, at most :data:`MAX_WORDS`."""
    return [w.lower() for w in _WORD.findall(text)][:MAX_WORDS]


def pick_documents(doc_ids: list[str], related: set[str], limit: int = MAX_DOCUMENTS) -> list[str]:
    """The documents to show: those in relations first, then the rest, in doc_id order."""
    ordered = sorted(doc_ids, key=lambda d: (d not in related, d))
    return sorted(ordered[:limit])


def similarity_matrix(
    texts: dict[str, str], related: set[str], limit: int = MAX_DOCUMENTS
) -> SimilarityMatrix:
    """In-order word overlap per pair: the share of the shorter text's words that the
    longest common word subsequence covers.

    It stays high for spun copies (synonyms swapped, order kept) where shingle overlap
    falls, and for partial copies inside a longer page. On large corpora only ``limit``
    documents are compared.
    """
    chosen = pick_documents(list(texts), related, limit)
    tokens = [words(texts[d]) for d in chosen]
    values = [[1.0] * len(chosen) for _ in chosen]
    for i in range(len(chosen)):
        for j in range(i + 1, len(chosen)):
            values[i][j] = values[j][i] = round(overlap(tokens[i], tokens[j]), 2)
    return SimilarityMatrix(tuple(chosen), tuple(tuple(r) for r in values), len(texts))


def overlap(a: list[str], b: list[str]) -> float:
    """Longest common subsequence of two word lists over the shorter one's length."""
    if not a or not b:
        return 0.0
    common = (len(a) + len(b) - Indel.distance(a, b)) / 2
    return common / min(len(a), len(b))


def cell_colour(value: float) -> tuple[str, str]:
    """Background and text colour for a similarity (white .. dark blue)."""
    value = min(max(value, 0.0), 1.0)
    lightness = round(97 - 62 * value)
    return f"hsl(215, 70%, {lightness}%)", ("#fff" if lightness < 60 else "#111")
