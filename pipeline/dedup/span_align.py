"""In-order sentence alignment of two documents and the word edits between them.

Sentences are compared as word sequences (Levenshtein over word ids, so a synonym swap
costs one edit and keeps the rest of the sentence in place); the best monotone chain of
aligned sentences is found with a weighted longest-increasing-subsequence pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from pipeline.dedup.tokens import Tokens, ngram_hashes
from pipeline.settings import DedupSettings
from pipeline.text.arrays import unique_sorted


@dataclass
class DocView:
    """One document as the aligner reads it (built from :class:`Tokens` when needed)."""

    ids: list[int]  # folded word ids, in order
    stop: list[bool]  # per word: a function word
    sentences: list[tuple[int, int]]  # word ranges [start, end) of each sentence
    codes: list[str]  # each sentence as a string with one character per word id
    content: np.ndarray  # bool per sentence: on a line long enough to be content
    content_words: int  # words in content sentences
    words: list[str]  # the corpus word table (folded id -> word)
    cap: list[bool]  # per word: written with a capital first letter
    hashes: np.ndarray  # uint64 hash of every word
    ngram: int  # word n-gram length of ``grams``
    memo: dict[str, object] = field(default_factory=dict, repr=False)  # later steps' results

    @cached_property
    def id_array(self) -> np.ndarray:
        """The folded word ids as an array."""
        return np.array(self.ids, dtype=np.int64)

    @cached_property
    def stop_array(self) -> np.ndarray:
        """Per word: a function word (as an array)."""
        return np.array(self.stop, dtype=bool)

    @cached_property
    def cap_array(self) -> np.ndarray:
        """Per word: written with a capital first letter (as an array)."""
        return np.array(self.cap, dtype=bool)

    @cached_property
    def word_sentence(self) -> np.ndarray:
        """The sentence of each word."""
        lengths = [e - s for s, e in self.sentences]
        return np.repeat(np.arange(len(lengths)), lengths)

    @cached_property
    def grams(self) -> np.ndarray:
        """Hash of the word n-gram starting at each position (computed when needed)."""
        return ngram_hashes(self.hashes, self.ngram)

    @cached_property
    def gram_set(self) -> np.ndarray:
        """The word n-gram hashes, unique and sorted."""
        return unique_sorted(self.grams)


def doc_view(tokens: Tokens, idx: int, settings: DedupSettings) -> DocView:
    """The :class:`DocView` of document ``idx``."""
    lo, hi = int(tokens.doc_start[idx]), int(tokens.doc_start[idx + 1])
    s0, s1 = int(tokens.doc_sent[idx]), int(tokens.doc_sent[idx + 1])
    ids = tokens.ids[lo:hi]
    bounds = tokens.sent_start[s0 : s1 + 1] - lo
    points = ids.astype(np.uint32) % np.uint32(0x10F000) + np.uint32(0x100)
    points[points >= 0xD800] += np.uint32(0x800)  # skip the surrogate block
    text = np.minimum(points, np.uint32(0x10FFFF)).astype("<u4").tobytes().decode("utf-32-le")
    sentences = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
    lengths = np.diff(bounds)
    content = tokens.sent_line_words[s0:s1] >= settings.content_line_min_words
    content_words = int(lengths[content].sum())
    if content_words == 0:  # all short lines (a list, a stub): every line counts
        content = np.ones(len(lengths), dtype=bool)
        content_words = int(lengths.sum())
    return DocView(
        ids=ids.tolist(),
        stop=tokens.is_stop[ids].tolist(),
        sentences=sentences,
        codes=[text[x:y] for x, y in sentences],
        content=content,
        content_words=content_words,
        words=tokens.words,
        cap=tokens.cap[lo:hi].tolist(),
        hashes=tokens.hashes[ids],
        ngram=settings.word_ngram,
    )


@dataclass
class Alignment:
    """How two documents (a, b) line up."""

    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # (sent a, sent b, sim)
    coverage_a: float = 0.0  # share of a's content words inside aligned sentences
    coverage_b: float = 0.0
    mean_similarity: float = 0.0
    same_words: int = 0  # words equal in aligned sentences
    content_words: int = 0  # content words of a inside aligned sentences
    changed_content: int = 0  # of those, replaced or deleted
    substituted_content: int = 0  # of those, replaced by other words (not just deleted)
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)  # a0, a1, b0, b1
    a: DocView | None = None
    b: DocView | None = None

    def substitution_ids(self, k: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Word ids of substitution ``k`` in a and in b."""
        a0, a1, b0, b1 = self.spans[k]
        assert self.a is not None and self.b is not None
        return tuple(self.a.ids[a0:a1]), tuple(self.b.ids[b0:b1])

    def substitution_text(self, k: int, cased: bool = False) -> tuple[str, str]:
        """Substitution ``k`` as words (case-folded, or with capitals as written)."""
        a0, a1, b0, b1 = self.spans[k]
        assert self.a is not None and self.b is not None
        return _phrase(self.a, a0, a1, cased), _phrase(self.b, b0, b1, cased)

    @property
    def content_change(self) -> float:
        """Share of aligned content words that were changed."""
        return self.changed_content / self.content_words if self.content_words else 0.0

    @property
    def substitution_rate(self) -> float:
        """Share of aligned content words replaced by other words (a spinner's mark)."""
        return self.substituted_content / self.content_words if self.content_words else 0.0


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


def _widen(a: DocView, start: int, end: int, room: bool) -> tuple[int, int]:
    # A one-word swap reads better with its neighbour: "immune [system]" -> "immune process".
    # ``room``: both sentences have a word before the swap (never reach into the previous
    # sentence, or before the other document's first word).
    if end - start == 1 and room and not a.stop[start - 1]:
        return start - 1, end
    return start, end


def _coverage(a: DocView, b: DocView, rows: list[int], settings: DedupSettings) -> float:
    """Share of ``a``'s content words (long lines, and short lines that ``b`` shares)
    that ``b`` carries: the best of
    - the aligned sentences;
    - the span from the first to the last aligned sentence, when the alignment is dense
      inside it (a heavily spun sentence between two aligned ones is still carried);
    - word n-grams of ``a`` found anywhere in ``b`` (re-flowed lines, merged list items),
      looked up only when it can turn a partial copy into the same document."""
    lengths = np.array([e - s for s, e in a.sentences])
    counted = a.content.copy()
    counted[rows] = True  # a short line counts when the other document carries it too
    content_len = np.where(counted, lengths, 0)
    total = float(content_len.sum())
    aligned = float(content_len[rows].sum())
    span = float(content_len[rows[0] : rows[-1] + 1].sum())
    best = aligned
    if span and aligned >= settings.span_min_density * span:
        best = span
    n = settings.word_ngram
    # The n-gram lookup is worth its cost only when the sentences already carry at least
    # half the copy coverage and the pair is not yet the same document.
    floor, ceiling = settings.min_coverage / 2, settings.same_document_coverage
    if floor <= best / total < ceiling and len(a.grams) and len(b.gram_set):
        grams = a.grams[np.repeat(counted, lengths)[: len(a.grams)]]
        at = np.minimum(np.searchsorted(b.gram_set, grams), len(b.gram_set) - 1)
        found = int((b.gram_set[at] == grams).sum())
        best = max(best, float(found + (n - 1) * (found > 0)))
    return min(1.0, best / total)


def align_documents(a: DocView, b: DocView, settings: DedupSettings) -> Alignment:
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
    cells = list(zip(rows.tolist(), cols.tolist(), weights.tolist(), strict=True))
    chain = _best_chain(cells, len(b.codes))
    result.pairs = [(i, j, float(scores[i, j])) for i, j, _ in chain]
    if not result.pairs:
        return result
    result.a, result.b = a, b
    result.mean_similarity = sum(s for _, _, s in result.pairs) / len(result.pairs)
    result.coverage_a = _coverage(a, b, [i for i, _, _ in result.pairs], settings)
    result.coverage_b = _coverage(b, a, [j for _, j, _ in result.pairs], settings)
    return result


def count_edits(result: Alignment) -> None:
    """Fill the word-edit counts and substitutions of an alignment (the costly part,
    done only for pairs that passed the coverage checks)."""
    assert result.a is not None and result.b is not None
    for i, j, _ in result.pairs:
        _count_edits(result.a, result.b, i, j, result)


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


def _phrase(view: DocView, start: int, end: int, cased: bool) -> str:
    words = [view.words[w] for w in view.ids[start:end]]
    if cased:
        words = [
            w[:1].upper() + w[1:] if c else w
            for w, c in zip(words, view.cap[start:end], strict=True)
        ]
    return " ".join(words)


def _count_edits(a: DocView, b: DocView, i: int, j: int, result: Alignment) -> None:
    a0, a1 = a.sentences[i]
    b0 = b.sentences[j][0]
    result.content_words += a1 - a0 - sum(a.stop[a0:a1])
    for tag, s_start, s_end, d_start, d_end in _changed_runs(a.codes[i], b.codes[j]):
        if tag == "equal":
            result.same_words += s_end - s_start
            continue
        changed = s_end - s_start - sum(a.stop[a0 + s_start : a0 + s_end])
        result.changed_content += changed
        if s_end == s_start or d_end == d_start:
            continue  # a pure insertion or deletion is no substitution
        result.substituted_content += changed
        s0, s1 = _widen(a, a0 + s_start, a0 + s_end, s_start > 0 and d_start > 0)
        result.spans.append((s0, s1, b0 + d_start - (a0 + s_start - s0), b0 + d_end))
