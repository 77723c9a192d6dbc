"""MiniLM on ONNX Runtime gives the torch encoder's vectors (issue #17)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.align import embed
from pipeline.align.onnx_minilm import OnnxMiniLM, ensure_packaged_graph, export_graph, graph_path
from pipeline.errors import EmbedderUnavailable

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def claims() -> list[str]:
    """Claim sentences of the seeds' build, of every length, in documents of 40."""
    rows = map(json.loads, (ROOT / "processed" / "sentences.jsonl").open())
    return [row["text"] for row in rows if row["is_claim"]][:80]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_onnx_encoder_gives_the_torch_vectors(claims: list[str]) -> None:
    torch_encoder = embed.load_minilm(runtime="torch")
    onnx_encoder = embed.load_minilm(runtime="onnx")
    assert isinstance(onnx_encoder, OnnxMiniLM)
    for start in range(0, len(claims), 40):
        part = claims[start : start + 40]
        ref = embed.encode_raw(torch_encoder, part, 16)
        got = embed.encode_raw(onnx_encoder, part, 16)
        assert _cosines(np.stack(ref[0]), np.stack(got[0])).min() > 0.9999
        assert _cosines(np.concatenate(ref[1]), np.concatenate(got[1])).min() > 0.9999
        for ids_ref, ids_got in zip(ref[2], got[2], strict=True):
            assert ids_ref.tolist() == ids_got.tolist()


def test_vectors_without_tokens_match_too(claims: list[str]) -> None:
    ref, _ = embed.embed_sentences(claims[:20], "minilm")
    torch_vectors, _m, _t = embed.embed_with_tokens(claims[:20], token_dims=-1, runtime="torch")
    assert _cosines(ref, torch_vectors).min() > 0.9999


def test_cache_identity_names_the_runtime() -> None:
    onnx = embed.embedding_identity("", 16, "onnx")
    torch = embed.embedding_identity("", 16, "torch")
    assert onnx != torch
    assert any(part.startswith("onnxruntime==") for part in onnx)


def test_export_is_deterministic_and_atomic(tmp_path: Path) -> None:
    packaged = ensure_packaged_graph()
    again = export_graph(embed.minilm_model_path(), tmp_path / "again.onnx")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (packaged, again)]
    assert digest[0] == digest[1]
    assert [p.name for p in tmp_path.iterdir()] == ["again.onnx"]  # no .part left behind


def test_a_missing_graph_is_exported_where_curate_models_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATE_MODELS", str(tmp_path))
    weights = embed.minilm_model_path()
    target = graph_path(weights, embed.weights_digest())
    assert target.parent == tmp_path and not target.exists()
    embed._load_onnx.cache_clear()
    try:
        encoder = embed.load_minilm(runtime="onnx")
        assert encoder.graph == target and target.exists()
    finally:
        embed._load_onnx.cache_clear()


def test_a_broken_graph_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURATE_MODELS", str(tmp_path))
    weights = embed.minilm_model_path()
    target = graph_path(weights, embed.weights_digest())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"not an onnx graph")
    embed._load_onnx.cache_clear()
    try:
        with pytest.raises(EmbedderUnavailable, match=re.escape('align.encoder_runtime = "onnx"')):
            embed.load_minilm(runtime="onnx")
    finally:
        embed._load_onnx.cache_clear()
