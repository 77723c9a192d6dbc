"""Tokenise a whole corpus once: word ids, sentences and lines as flat numpy arrays.

Arrow splits a batch of texts on blanks and hashes the tokens (in C++); each distinct
token of the batch is looked up once and maps to its case-folded words, capitals and a
possible sentence end (new forms are read by a regex once, when first seen); numpy then
expands the token stream and finds line breaks and sentence ends.
Everything later (fingerprints, tortured phrases, pair alignment) reads these arrays, so
no text is split twice and no per-document Python objects are kept.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.text.arrays import span_positions, unique_sorted
from pipeline.text.words import WORD as _WORD

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

# Codes in the token stream besides words: a line break, a sentence end, and a [.!?]
# ending a blank-separated token (a sentence end when the next word is capitalised).
_LINE, _SENTENCE, _MAYBE_END = -1, -2, -3
_LINE_TOKEN = "\ue000"  # stands for a line break in the token stream (a private-use char)
_LINE_SPACED = f" {_LINE_TOKEN} "


def normalise_text(text: str) -> str:
    """Unicode NFKC, case-folded, with every run of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def exact_key(text: str) -> str:
    """Key equal for texts that differ only in whitespace, case and Unicode form."""
    return hashlib.blake2b(normalise_text(text).encode("utf-8", "surrogatepass")).hexdigest()


def word_hash(word: str) -> int:
    """A stable 63-bit hash of a word (independent of PYTHONHASHSEED)."""
    digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


class Vocabulary(dict):
    """Blank-separated token as written -> its token id. Each token id stands for a run
    of codes (``codes[offsets[t]:offsets[t + 1]]``): ``4 * folded word id + 2 * starts
    with a digit + capitalised`` per word, then ``_MAYBE_END`` if it ends with . ! or ?.

    ``words[i]`` is the case-folded word of id ``i``; ids follow first sight."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.folded: dict[str, int] = {}
        self.codes: list[int] = []
        self.offsets: list[int] = [0]
        self.case_free: list[int] = []  # token id -> id of the case-folded token
        self._case_free_ids: dict[str, int] = {}
        self._arrays = (np.zeros(0, np.int64), np.zeros(0, np.int64))  # see _tables
        self[_LINE_TOKEN] = self._add([_LINE], "")

    def word_id(self, folded: str) -> int:
        """Id of a case-folded word (added when new)."""
        fid = self.folded.get(folded)
        if fid is None:
            fid = self.folded[folded] = len(self.words)
            self.words.append(folded)
        return fid

    def _add(self, codes: list[int], token: str) -> int:
        folded = token.casefold()
        self.case_free.append(self._case_free_ids.setdefault(folded, len(self._case_free_ids)))
        self.codes.extend(codes)
        self.offsets.append(len(self.codes))
        return len(self.offsets) - 2

    def __missing__(self, token: str) -> int:
        codes = [
            4 * self.word_id(word.casefold().replace("’", "'"))
            + 2 * word[0].isdigit()
            + word[0].isupper()
            for word in _WORD.findall(token)
        ]
        if token[-1] in ".!?":
            codes.append(_MAYBE_END)
        self[token] = token_id = self._add(codes, token)
        return token_id

    def _tables(self) -> tuple[np.ndarray, np.ndarray]:
        """``offsets`` and ``codes`` as arrays (extended, not rebuilt, as tokens are added)."""
        old_offsets, old_codes = self._arrays
        if len(old_offsets) < len(self.offsets):
            old_offsets = np.concatenate([old_offsets, self.offsets[len(old_offsets) :]])
            old_codes = np.concatenate([old_codes, self.codes[len(old_codes) :]])
            self._arrays = (old_offsets.astype(np.int64), old_codes.astype(np.int64))
        return self._arrays

    def expand(self, token_ids: np.ndarray) -> np.ndarray:
        """The code stream of a sequence of token ids."""
        offsets, codes = self._tables()
        return codes[span_positions(offsets[token_ids], np.diff(offsets)[token_ids])]


@dataclass
class Tokens:
    """A tokenised corpus. Word positions are global (all documents concatenated)."""

    ids: np.ndarray  # int32 folded word id of every word
    cap: np.ndarray  # bool: the word was written with a capital first letter
    doc_start: np.ndarray  # int64 (n_docs + 1): word offsets of the documents
    sent_start: np.ndarray  # int64 (n_sents + 1): word offsets of the sentences
    doc_sent: np.ndarray  # int64 (n_docs + 1): sentence offsets of the documents
    sent_line_words: np.ndarray  # int32 per sentence: words on the line it belongs to
    words: list[str]  # folded id -> word
    hashes: np.ndarray  # uint64 per word id (stable across runs and corpora)
    is_stop: np.ndarray  # bool per word id: a function word
    exact_keys: list[bytes]  # per document: equal for texts equal up to case and blanks
    # (comparable within one ``tokenise`` call only)

    def doc_of(self, positions: np.ndarray) -> np.ndarray:
        """The document index of each global word position."""
        return np.searchsorted(self.doc_start, positions, side="right") - 1


def _streams(texts: list[str], vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of a batch of texts, each text led by a line-break token with one at
    every line break; and the token offsets of the texts. Arrow splits the texts and
    hashes the tokens in C++; only the batch's distinct tokens are looked up (new ones
    get ids in order of first sight)."""
    # Encoded here, not by arrow: CPython would keep a UTF-8 copy inside every non-ASCII
    # str that arrow read, for the life of the text (a lone surrogate becomes "?").
    data = [t.encode("utf-8", "replace") for t in texts]
    arr = pa.array(data, type=pa.large_binary()).view(pa.large_string())
    del data
    line, blank = (pa.scalar(x, pa.large_string()) for x in (_LINE_TOKEN, " "))
    arr = pc.replace_substring(arr, "\n", _LINE_SPACED)
    arr = pc.binary_join_element_wise(line, arr, blank)
    lists = pc.utf8_split_whitespace(arr)  # the same white space as str.split
    encoded = pc.dictionary_encode(pc.list_flatten(lists))
    distinct = encoded.dictionary.to_pylist()
    lookup = np.fromiter((vocab[t] if t else -1 for t in distinct), np.int32, len(distinct))
    ids = lookup[encoded.indices.to_numpy()]
    owner = np.repeat(np.arange(len(texts)), pc.list_value_length(lists).to_numpy())
    kept = ids >= 0  # arrow keeps an empty token for blanks at either end of a text
    counts = np.bincount(owner[kept], minlength=len(texts))
    return ids[kept], np.concatenate([[0], np.cumsum(counts)])


def _resolve_ends(codes: np.ndarray) -> np.ndarray:
    """A possible sentence end is one when the next word starts with a capital or digit
    (as in "... end. The next"); otherwise it is dropped."""
    ends = np.flatnonzero(codes == _MAYBE_END)
    nxt = codes[np.minimum(ends + 1, len(codes) - 1)]
    real = (ends + 1 < len(codes)) & (nxt >= 0) & ((nxt & 3) != 0)
    codes[ends[real]] = _SENTENCE
    return codes[codes != _MAYBE_END]


def _exact_keys(stream: np.ndarray, bounds: np.ndarray, vocab: Vocabulary) -> list[bytes]:
    """Per document, a digest of its case-folded tokens (line breaks dropped): equal for
    texts equal after NFKC, case folding and whitespace collapsing (see :func:`exact_key`)."""
    folded = np.array(vocab.case_free, dtype=np.int64)[stream]
    folded = np.where(stream == vocab[_LINE_TOKEN], -1, folded)
    keys = []
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        part = folded[lo:hi]
        keys.append(hashlib.blake2b(part[part >= 0].tobytes(), digest_size=16).digest())
    return keys


_BATCH_DOCS = 2048  # documents tokenised per batch (bounds the temporary arrays)


def _batch(texts: list[str], vocab: Vocabulary) -> dict[str, Any]:
    """Tokenise a batch of texts; word and sentence offsets start at 0 for the batch."""
    texts = [
        t if unicodedata.is_normalized("NFKC", t) else unicodedata.normalize("NFKC", t)
        for t in texts
    ]
    stream, bounds = _streams(texts, vocab)
    # line breaks before each document (each document starts with one)
    doc_lines = np.concatenate([[0], np.cumsum([t.count("\n") + 1 for t in texts])])
    keys = _exact_keys(stream, bounds, vocab)
    codes = _resolve_ends(vocab.expand(stream))
    word_pos = np.flatnonzero(codes >= 0)
    line_of_word = (np.cumsum(codes == _LINE) - 1)[word_pos]
    sent_of_word = (np.cumsum(codes < 0) - 1)[word_pos]
    doc_start = np.searchsorted(line_of_word, doc_lines)
    new_sent = np.ones(len(word_pos), dtype=bool)
    new_sent[1:] = sent_of_word[1:] != sent_of_word[:-1]
    first_words = np.flatnonzero(new_sent)
    line_words = np.bincount(line_of_word, minlength=int(doc_lines[-1]))
    word_codes = codes[word_pos]
    return {
        "ids": (word_codes >> 2).astype(np.int32),
        "cap": (word_codes & 1).astype(bool),
        "doc_start": doc_start[:-1],
        "sent_start": first_words,
        "doc_sent": np.searchsorted(first_words, doc_start[:-1]),
        "sent_line_words": line_words[line_of_word[first_words]].astype(np.int32),
        "exact_keys": keys,
    }


def tokenise(texts: list[str], vocab: Vocabulary | None = None) -> Tokens:
    """Tokenise every text once (NFKC first). ``vocab`` may be pre-seeded (lexicon words)."""
    vocab = vocab if vocab is not None else Vocabulary()
    parts: dict[str, list] = defaultdict(list)
    n_words = n_sents = 0
    for first in range(0, len(texts), _BATCH_DOCS):
        batch = _batch(texts[first : first + _BATCH_DOCS], vocab)
        parts["doc_start"].append(batch["doc_start"] + n_words)
        parts["sent_start"].append(batch["sent_start"] + n_words)
        parts["doc_sent"].append(batch["doc_sent"] + n_sents)
        for name in ("ids", "cap", "sent_line_words", "exact_keys"):
            parts[name].append(batch[name])
        n_words += len(batch["ids"])
        n_sents += len(batch["sent_start"])

    def joined(name: str, end: int | None = None, dtype: type = np.int64) -> np.ndarray:
        arrays = [*parts[name], *([np.array([end])] if end is not None else [])]
        return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)

    words = vocab.words
    return Tokens(
        ids=joined("ids", dtype=np.int32),
        cap=joined("cap", dtype=bool),
        doc_start=joined("doc_start", n_words),
        sent_start=joined("sent_start", n_words),
        doc_sent=joined("doc_sent", n_sents),
        sent_line_words=joined("sent_line_words", dtype=np.int32),
        words=words,
        hashes=np.fromiter((word_hash(w) for w in words), dtype=np.uint64, count=len(words)),
        is_stop=np.fromiter((w in STOPWORDS for w in words), dtype=bool, count=len(words)),
        exact_keys=[key for keys in parts["exact_keys"] for key in keys],
    )


def mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits so ``hash % m`` samples fairly."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(30))
        values = values * np.uint64(0xBF58476D1CE4E5B9)
        values = values ^ (values >> np.uint64(27))
        values = values * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


def ngram_hashes(hashes: np.ndarray, n: int) -> np.ndarray:
    """Hash of every run of ``n`` consecutive items (order-sensitive), in position order."""
    if len(hashes) < n:
        return np.zeros(0, dtype=np.uint64)
    count = len(hashes) - n + 1
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):  # polynomial over the (already random) word hashes
            acc = acc * np.uint64(0x100000001B3) + hashes[k : k + count]
    return mix64(acc)


def shingle_hashes(hashes: np.ndarray, n: int) -> np.ndarray:
    """Unique sorted hashes of the ``n``-grams of one sequence of word hashes."""
    return unique_sorted(ngram_hashes(hashes, n))
