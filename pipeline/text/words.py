"""Words as the stages read them: the one place that says what a word is.

Each pattern has its reason; the stages import the one they need (no stage keeps its
own tokeniser). The claim stages also stem content words here.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

# Any run of word characters: how the HTML cleaner, UI rules and report diff count words.
WORD_RUN = re.compile(r"\w+")
# A word with inner apostrophes kept whole ("don't", "patient's"): text signals and the
# copy fingerprints of dedup read the same words.
WORD = re.compile(r"\w+(?:['’]\w+)*")
# Letters and digits only (no "_"): the content words two claims share.
LETTER_WORD = re.compile(r"[^\W_]+")
# ... with one inner apostrophe kept: the words of a claim sentence (length, claim ids).
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
    return [stem(w) for w in LETTER_WORD.findall(text.lower()) if w not in STOP_WORDS]
