"""Sentence alignment and word-level differences between a copy and its original."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz, process

# Sentences per side aligned at most (alignment is quadratic).
MAX_SENTENCES = 400
# Similarity (0..1) from which two sentences may be aligned.
MIN_SENTENCE_SIMILARITY = 0.45
# Longest phrase (in words) still listed as a substitution rather than a rewrite.
MAX_SUBSTITUTION_WORDS = 6
# Share of each sentence's words an aligned pair must keep in common for its replaced runs
# to count as substitutions: below it the pair is two different sentences that happen to
# align (a partial copy's neighbours), not a rewrite of one sentence.
REWRITE_MIN_SHARED = 0.5

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_TOKEN = re.compile(r"(\w+|[^\w\s])(\s*)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Piece:
    """A run of text in a word diff: ``kind`` is ``same``, ``del`` or ``ins``."""

    kind: str
    text: str


@dataclass(frozen=True)
class AlignedRow:
    """One row of an alignment: an original sentence, a copy sentence, or both."""

    original: tuple[Piece, ...]
    copy: tuple[Piece, ...]
    score: float | None


def split_sentences(text: str) -> list[str]:
    """Sentences of a clean text (each line or list item is split on sentence ends)."""
    sentences: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("- ", "# ")):
            line = line[2:].strip()
        if line:
            sentences.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return sentences


def tokens(text: str) -> list[tuple[str, str]]:
    """``(token, following whitespace)`` pairs: words and single punctuation marks."""
    return [(m.group(1), m.group(2)) for m in _TOKEN.finditer(text)]


def word_diff(original: str, copy: str) -> tuple[list[Piece], list[Piece], list[tuple[str, str]]]:
    """Word diff of two sentences: original pieces, copy pieces, substituted phrases.

    Substitutions are ``(original words, copy words)`` pairs of replaced runs.
    """
    a, b = tokens(original), tokens(copy)
    matcher = SequenceMatcher(None, [t.lower() for t, _ in a], [t.lower() for t, _ in b], False)
    left: list[Piece] = []
    right: list[Piece] = []
    substitutions: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a_text = "".join(t + s for t, s in a[i1:i2])
        b_text = "".join(t + s for t, s in b[j1:j2])
        if tag == "equal":
            left.append(Piece("same", a_text))
            right.append(Piece("same", b_text))
            continue
        if a_text:
            left.append(Piece("del", a_text))
        if b_text:
            right.append(Piece("ins", b_text))
        if tag == "replace":
            pair = (_words(a[i1:i2]), _words(b[j1:j2]))
            if pair[0] and pair[1] and max(len(p.split()) for p in pair) <= MAX_SUBSTITUTION_WORDS:
                substitutions.append(pair)
    return left, right, substitutions


def _word_count(pieces: list[Piece], kinds: tuple[str, ...]) -> int:
    return sum(len(_WORD.findall(p.text)) for p in pieces if p.kind in kinds)


def is_rewrite(left: list[Piece], right: list[Piece]) -> bool:
    """True when two aligned sentences share at least :data:`REWRITE_MIN_SHARED` of each
    one's words: one sentence reworded, whose replaced runs are substitutions."""
    for pieces in (left, right):
        total = _word_count(pieces, ("same", "del", "ins"))
        if not total or _word_count(pieces, ("same",)) < REWRITE_MIN_SHARED * total:
            return False
    return True


def _words(run: list[tuple[str, str]]) -> str:
    text = "".join(t + s for t, s in run).strip()
    return text if any(ch.isalnum() for ch in text) else ""


def align_sentences(
    original: list[str], copy: list[str]
) -> list[tuple[int | None, int | None, float]]:
    """Monotone sentence alignment: ``(original index, copy index, similarity)`` in order.

    Maximises the summed similarity above :data:`MIN_SENTENCE_SIMILARITY` (a weighted
    longest common subsequence); unaligned sentences come with ``None`` on the other side.
    """
    a, b = original[:MAX_SENTENCES], copy[:MAX_SENTENCES]
    if not a or not b:
        return [(i, None, 0.0) for i in range(len(a))] + [(None, j, 0.0) for j in range(len(b))]
    scores = process.cdist(a, b, scorer=fuzz.ratio, processor=str.lower) / 100.0
    gain = scores - MIN_SENTENCE_SIMILARITY
    n, m = len(a), len(b)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            take = below[j + 1] + gain[i, j] if gain[i, j] > 0 else float("-inf")
            row[j] = max(take, below[j], row[j + 1])
    pairs: list[tuple[int | None, int | None, float]] = []
    i = j = 0
    while i < n and j < m:
        if gain[i, j] > 0 and best[i][j] == best[i + 1][j + 1] + gain[i, j]:
            pairs.append((i, j, float(scores[i, j])))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None, 0.0))
            i += 1
        else:
            pairs.append((None, j, 0.0))
            j += 1
    pairs.extend((k, None, 0.0) for k in range(i, len(original)))
    pairs.extend((None, k, 0.0) for k in range(j, len(copy)))
    return pairs


def align_texts(original: str, copy: str) -> tuple[list[AlignedRow], list[tuple[str, str, int]]]:
    """Aligned rows with word diffs, and the substitutions counted over the aligned pairs
    that are rewrites of one sentence (:func:`is_rewrite`).

    Substitutions are ``(original words, copy words, count)``, most frequent first.
    """
    a, b = split_sentences(original), split_sentences(copy)
    rows: list[AlignedRow] = []
    counts: Counter[tuple[str, str]] = Counter()
    for i, j, score in align_sentences(a, b):
        if i is not None and j is not None:
            left, right, subs = word_diff(a[i], b[j])
            if is_rewrite(left, right):
                counts.update((x.lower(), y.lower()) for x, y in subs)
            rows.append(AlignedRow(tuple(left), tuple(right), round(score, 2)))
        elif i is not None:
            rows.append(AlignedRow((Piece("del", a[i]),), (), None))
        elif j is not None:
            rows.append(AlignedRow((), (Piece("ins", b[j]),), None))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return rows, [(x, y, n) for (x, y), n in ranked]
