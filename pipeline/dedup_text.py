"""Per-document features the dedup stage compares: words, sentences, shingle hashes.

Everything here is a pure function of one text (plus a word-id table shared within one
``find_copies`` call), so it can run row-wise and in any order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

# Function words that synonym spinners leave alone (after Stamatatos 2011, "Plagiarism
# detection using stopword n-grams"): their order is the skeleton of a text.
_STOPWORDS_TEXT = """
    a about after all also an and any are as at be because been before being between both
    but by can could did do does each for from had has have he her his how if in into is it
    its may might more most must no not of on only or other our out over she should so some
    such than that the their them then there these they this those through to too under up
    very was we were what when where which while who will with would you your
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“'(\[]?[A-Z0-9])")
_MASK64 = (1 << 64) - 1


def normalise_text(text: str) -> str:
    """Unicode NFKC, case-folded, with every run of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def word_hash(word: str) -> int:
    """A stable 63-bit hash of a word (independent of PYTHONHASHSEED)."""
    digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


@dataclass
class DocFeatures:
    """What dedup needs of one document, computed once."""

    words: list[str]  # case-folded words, in order
    cased: list[str]  # the same words as written (for names)
    sentences: list[tuple[int, int]]  # word ranges [start, end) of each sentence
    codes: list[str]  # each sentence as a string with one character per word id
    hashes: np.ndarray  # uint64 hash of every word
    is_stop: np.ndarray  # bool per word: a function word


def split_sentences(text: str) -> list[str]:
    """Sentences of a clean text: every heading, list item and paragraph line is split
    at sentence ends; list/heading markers are dropped."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line.startswith(("- ", "# ")):
            line = line[2:]
        if line:
            out.extend(part for part in _SENTENCE_END.split(line) if part.strip())
    return out


def _code_char(word_id: int) -> str:
    # One Unicode character per word id, skipping the surrogate block; ids past the
    # Unicode range wrap around (a collision only makes two rare words compare equal).
    code = 0x100 + word_id % 0x10F000
    if code >= 0xD800:
        code += 0x800
    return chr(min(code, 0x10FFFF))


def _vocab_entry(word: str, vocab: dict[str, tuple[int, str]]) -> tuple[int, str]:
    entry = vocab.get(word)
    if entry is None:
        entry = (word_hash(word), _code_char(len(vocab)))
        vocab[word] = entry
    return entry


def document_features(text: str, vocab: dict[str, tuple[int, str]]) -> DocFeatures:
    """Features of one clean text. ``vocab`` maps word -> (hash, code character) and grows
    as needed; pass the same dict for every document of one call so codes agree."""
    text = unicodedata.normalize("NFKC", text or "")
    words: list[str] = []
    cased: list[str] = []
    sentences: list[tuple[int, int]] = []
    codes: list[str] = []
    hashes: list[int] = []
    for sentence in split_sentences(text):
        tokens = _WORD.findall(sentence)
        if not tokens:
            continue
        folded = [t.casefold().replace("’", "'") for t in tokens]
        entries = [vocab.get(w) or _vocab_entry(w, vocab) for w in folded]
        sentences.append((len(words), len(words) + len(tokens)))
        words.extend(folded)
        cased.extend(tokens)
        hashes.extend(e[0] for e in entries)
        codes.append("".join(e[1] for e in entries))
    return DocFeatures(
        words=words,
        cased=cased,
        sentences=sentences,
        codes=codes,
        hashes=np.array(hashes, dtype=np.uint64),
        is_stop=np.array([w in STOPWORDS for w in words], dtype=bool),
    )


def word_hashes(text: str, vocab: dict[str, int]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Words of ``text``, the hash of each and whether it is a function word (light pass).

    ``vocab`` caches word -> hash within one call."""
    words = [
        w.replace("’", "'")
        for w in _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())
    ]
    hashes = np.fromiter(
        (vocab.get(w) or vocab.setdefault(w, word_hash(w)) for w in words),
        dtype=np.uint64,
        count=len(words),
    )
    is_stop = np.fromiter((w in STOPWORDS for w in words), dtype=bool, count=len(words))
    return words, hashes, is_stop


def _mix(values: np.ndarray) -> np.ndarray:
    # splitmix64 finaliser: spreads the bits so "hash % m" samples fairly.
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(30))
        values = values * np.uint64(0xBF58476D1CE4E5B9)
        values = values ^ (values >> np.uint64(27))
        values = values * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


def shingle_hashes(hashes: np.ndarray, n: int) -> np.ndarray:
    """Hashes of every run of ``n`` consecutive items (order-sensitive), unique, sorted."""
    if len(hashes) < n:
        return np.zeros(0, dtype=np.uint64)
    count = len(hashes) - n + 1
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            acc = acc * np.uint64(0x100000001B3) + _mix(hashes[k : k + count] + np.uint64(k))
    return np.unique(_mix(acc))


def word_shingles(features: DocFeatures, n: int) -> np.ndarray:
    """Unique hashes of the word ``n``-grams of a document."""
    return shingle_hashes(features.hashes, n)


def stopword_shingles(features: DocFeatures, n: int) -> np.ndarray:
    """Unique hashes of ``n``-grams of the document's function words only (its skeleton)."""
    return shingle_hashes(features.hashes[features.is_stop], n)


def exact_key(text: str) -> str:
    """Key equal for texts that differ only in whitespace, case and Unicode form."""
    return hashlib.blake2b(normalise_text(text).encode("utf-8", "surrogatepass")).hexdigest()
