"""Words of a text as the claim stages compare them: stemmed content words.

The bottom of the house for align and reconcile: no stage imports another's internals
to read words.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

_WORD = re.compile(r"[^\W_]+")
# A word with an inner apostrophe kept whole ("don't", "patient's"): sentence filters count these.
_WORD_WITH_APOSTROPHE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``, an inner apostrophe kept ("don't" is one word)."""
    return _WORD_WITH_APOSTROPHE.findall(text.lower())


def stem(word: str) -> str:
    """A crude English suffix stripper (enough to match 'cells'~'cell', 'treats'~'treat')."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-cased words of ``text`` that are not stop words."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]
