"""The tortured-phrase lexicon (package data) and matching it against a text.

``pipeline/data/tortured_phrases.tsv`` is the Problematic Paper Screener list (Cabanac,
Labbe, Magazinov; CC BY 4.0), filtered by ``benchmarks/build_tortured_list.py``. Reading
that package file is the one piece of I/O here; it is read once and never changes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_WORD = re.compile(r"\w+(?:['’]\w+)*")

Lexicon = dict[tuple[str, ...], str]


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


def count_hits(text: str, lexicon: Lexicon) -> dict[tuple[str, ...], int]:
    """How often each lexicon phrase occurs in ``text`` (whole words, case-insensitive)."""
    if not lexicon or not text:
        return {}
    lengths = sorted({len(k) for k in lexicon})
    words = phrase_words(text)
    hits: dict[tuple[str, ...], int] = {}
    for start in range(len(words)):
        for n in lengths:
            key = tuple(words[start : start + n])
            if len(key) == n and key in lexicon:
                hits[key] = hits.get(key, 0) + 1
    return hits
