"""The tortured-phrase lexicon (package data) and matching it against a text.

``pipeline/data/tortured_phrases.tsv`` is the Problematic Paper Screener list (Cabanac,
Labbe, Magazinov; CC BY 4.0), filtered by ``benchmarks/build_tortured_list.py``. Reading
that package file is the one piece of I/O here; it is read once and never changes.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from importlib import resources

import numpy as np

from pipeline.dedup.tokens import Tokens, Vocabulary
from pipeline.text.words import WORD as _WORD

Lexicon = dict[tuple[str, ...], str]
_CHUNK_WORDS = 4_000_000  # words scanned at a time


def phrase_words(text: str) -> list[str]:
    """Case-folded words of a phrase, tokenised as the detector tokenises texts."""
    return [w.casefold().replace("’", "'") for w in _WORD.findall(text)]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The shipped lexicon: tortured phrase (as a word tuple) -> the established phrase."""
    text = resources.files("pipeline").joinpath("data/tortured_phrases.tsv").read_text("utf-8")
    lexicon: Lexicon = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or "\t" not in line:
            continue
        tortured, correct = line.split("\t", 1)
        lexicon[tuple(tortured.split())] = correct
    return lexicon


def phrase_starts(lexicon: Lexicon) -> dict[tuple[str, str], list[int]]:
    """First two words -> lengths of the phrases starting with them (for fast matching)."""
    starts: dict[tuple[str, str], set[int]] = {}
    for key in lexicon:
        if len(key) >= 2:
            starts.setdefault((key[0], key[1]), set()).add(len(key))
    return {pair: sorted(lengths) for pair, lengths in starts.items()}


def count_hits(
    text: str, lexicon: Lexicon, starts: dict[tuple[str, str], list[int]] | None = None
) -> dict[tuple[str, ...], int]:
    """How often each lexicon phrase occurs in ``text`` (whole words, case-insensitive).

    ``starts`` is :func:`phrase_starts` of the lexicon; pass it when matching many texts.
    """
    if not lexicon or not text:
        return {}
    return count_word_hits(phrase_words(text), lexicon, starts)


def count_word_hits(
    words: list[str], lexicon: Lexicon, starts: dict[tuple[str, str], list[int]] | None = None
) -> dict[tuple[str, ...], int]:
    """:func:`count_hits` on text already split into case-folded words."""
    if starts is None:
        starts = phrase_starts(lexicon)
    hits: dict[tuple[str, ...], int] = {}
    for start, pair in enumerate(itertools.pairwise(words)):
        lengths = starts.get(pair)
        if lengths is None:
            continue
        for n in lengths:
            key = tuple(words[start : start + n])
            if len(key) == n and key in lexicon:
                hits[key] = hits.get(key, 0) + 1
    return hits


def lexicon_ids(lexicon: Lexicon, vocab: Vocabulary) -> set[tuple[int, ...]]:
    """The lexicon's phrases (2+ words) as word-id tuples of ``vocab`` (adding the words)."""
    return {tuple(vocab.word_id(w) for w in key) for key in lexicon if len(key) >= 2}


def distinct_hits(tokens: Tokens, phrases: set[tuple[int, ...]]) -> np.ndarray:
    """How many distinct lexicon phrases occur in each document of ``tokens``.

    One pass over the corpus: positions whose first two words start a phrase are found
    with numpy, and only those few are checked in Python."""
    n_docs = len(tokens.doc_start) - 1
    out = np.zeros(n_docs, dtype=np.int64)
    ids = tokens.ids
    if not phrases or len(ids) < 2:
        return out
    lengths: dict[int, set[int]] = {}
    for key in phrases:
        lengths.setdefault((key[0] << 32) | key[1], set()).add(len(key))
    first = np.zeros(max(len(tokens.words), max(k[0] for k in phrases) + 1), dtype=bool)
    first[[k[0] for k in phrases]] = True
    known = np.array(sorted(lengths), dtype=np.int64)
    hits: list[np.ndarray] = []
    for lo in range(0, len(ids) - 1, _CHUNK_WORDS):  # chunks bound the temporaries
        pos = lo + np.flatnonzero(first[ids[lo : min(lo + _CHUNK_WORDS, len(ids) - 1)]])
        pair = (ids[pos].astype(np.int64) << 32) | ids[pos + 1].astype(np.int64)
        hits.append(pos[np.isin(pair, known)])
    pos = np.concatenate(hits)
    docs = tokens.doc_of(pos)
    found: set[tuple[int, tuple[int, ...]]] = set()
    for p, d in zip(pos.tolist(), docs.tolist(), strict=True):
        end = int(tokens.doc_start[d + 1])
        key2 = (int(ids[p]) << 32) | int(ids[p + 1])
        for n in lengths[key2]:
            if p + n <= end:
                key = tuple(ids[p : p + n].tolist())
                if key in phrases:
                    found.add((d, key))
    for d, _ in found:
        out[d] += 1
    return out
