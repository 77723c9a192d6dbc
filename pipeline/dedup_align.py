"""In-order sentence alignment of two documents and the word edits between them.

Sentences are compared as word sequences (Levenshtein over word ids, so a synonym swap
costs one edit and keeps the rest of the sentence in place); the best monotone chain of
aligned sentences is found with a weighted longest-increasing-subsequence pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from pipeline.dedup_text import STOPWORDS, DocFeatures
from pipeline.settings import DedupSettings


@dataclass
class Alignment:
    """How two documents (a, b) line up."""

    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # (sent a, sent b, sim)
    coverage_a: float = 0.0  # share of a's words inside aligned sentences
    coverage_b: float = 0.0
    mean_similarity: float = 0.0
    same_words: int = 0  # words equal in aligned sentences
    content_words: int = 0  # content words of a inside aligned sentences
    changed_content: int = 0  # of those, replaced or deleted
    substitutions: list[tuple[str, str]] = field(default_factory=list)  # (a words, b words)
    cased_substitutions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def content_change(self) -> float:
        """Share of aligned content words that were changed."""
        return self.changed_content / self.content_words if self.content_words else 0.0


def _best_chain(cells: list[tuple[int, int, float]], n_b: int) -> list[tuple[int, int, float]]:
    """Heaviest chain of cells strictly increasing in both indices (Fenwick max tree)."""
    tree_val = [0.0] * (n_b + 1)
    tree_arg = [-1] * (n_b + 1)
    best = [0.0] * len(cells)
    parent = [-1] * len(cells)
    row_start = 0
    for idx, (i, j, weight) in enumerate(cells):
        if idx and i != cells[idx - 1][0]:
            for k in range(row_start, idx):  # publish the finished row
                pos = cells[k][1] + 1
                while pos <= n_b:
                    if best[k] > tree_val[pos]:
                        tree_val[pos], tree_arg[pos] = best[k], k
                    pos += pos & -pos
            row_start = idx
        value, arg, pos = 0.0, -1, j  # prefix max over columns < j
        while pos > 0:
            if tree_val[pos] > value:
                value, arg = tree_val[pos], tree_arg[pos]
            pos -= pos & -pos
        best[idx], parent[idx] = value + weight, arg
    if not cells:
        return []
    idx = max(range(len(cells)), key=lambda k: (best[k], -k))
    chain: list[tuple[int, int, float]] = []
    while idx != -1:
        chain.append(cells[idx])
        idx = parent[idx]
    return chain[::-1]


def _widen(words: list[str], start: int, end: int) -> tuple[int, int]:
    # A one-word swap reads better with its neighbour: "immune [system]" -> "immune process".
    if end - start == 1 and start > 0 and words[start - 1] not in STOPWORDS:
        return start - 1, end
    return start, end


def align_documents(a: DocFeatures, b: DocFeatures, settings: DedupSettings) -> Alignment:
    """Align the sentences of ``a`` and ``b`` in order and count the word edits."""
    result = Alignment()
    if not a.codes or not b.codes:
        return result
    scores = cdist(
        a.codes,
        b.codes,
        scorer=Levenshtein.normalized_similarity,
        score_cutoff=settings.sentence_min_similarity,
        dtype=np.float32,
    )
    len_a = np.array([e - s for s, e in a.sentences])
    len_b = np.array([e - s for s, e in b.sentences])
    long_enough = (len_a[:, None] >= settings.sentence_min_words) & (
        len_b[None, :] >= settings.sentence_min_words
    )
    rows, cols = np.nonzero((scores > 0) & long_enough)
    weights = scores[rows, cols] * np.minimum(len_a[rows], len_b[cols])
    cells = [(int(r), int(c), float(w)) for r, c, w in zip(rows, cols, weights, strict=True)]
    chain = _best_chain(cells, len(b.codes))
    result.pairs = [(i, j, float(scores[i, j])) for i, j, _ in chain]
    if not result.pairs:
        return result
    result.coverage_a = sum(int(len_a[i]) for i, _, _ in result.pairs) / max(1, len(a.words))
    result.coverage_b = sum(int(len_b[j]) for _, j, _ in result.pairs) / max(1, len(b.words))
    result.mean_similarity = sum(s for _, _, s in result.pairs) / len(result.pairs)
    for i, j, _ in result.pairs:
        _count_edits(a, b, i, j, result)
    return result


def _changed_runs(code_a: str, code_b: str) -> list[tuple[str, int, int, int, int]]:
    """Opcodes with adjacent edits merged: ("equal" | "change", a0, a1, b0, b1)."""
    runs: list[tuple[str, int, int, int, int]] = []
    for op in Levenshtein.opcodes(code_a, code_b):
        tag = "equal" if op.tag == "equal" else "change"
        if runs and runs[-1][0] == tag == "change":
            last = runs[-1]
            runs[-1] = (tag, last[1], op.src_end, last[3], op.dest_end)
        else:
            runs.append((tag, op.src_start, op.src_end, op.dest_start, op.dest_end))
    return runs


def _count_edits(a: DocFeatures, b: DocFeatures, i: int, j: int, result: Alignment) -> None:
    a0, a1 = a.sentences[i]
    b0 = b.sentences[j][0]
    result.content_words += sum(1 for w in a.words[a0:a1] if w not in STOPWORDS)
    for tag, s_start, s_end, d_start, d_end in _changed_runs(a.codes[i], b.codes[j]):
        if tag == "equal":
            result.same_words += s_end - s_start
            continue
        changed = a.words[a0 + s_start : a0 + s_end]
        result.changed_content += sum(1 for w in changed if w not in STOPWORDS)
        if s_end == s_start or d_end == d_start:
            continue  # a pure insertion or deletion is no substitution
        s0, s1 = _widen(a.words, a0 + s_start, a0 + s_end)
        t0, t1 = b0 + d_start - (a0 + s_start - s0), b0 + d_end
        result.substitutions.append((" ".join(a.words[s0:s1]), " ".join(b.words[t0:t1])))
        result.cased_substitutions.append((" ".join(a.cased[s0:s1]), " ".join(b.cased[t0:t1])))
