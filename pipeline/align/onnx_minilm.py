"""MiniLM on ONNX Runtime: the same vectors as sentence-transformers for less CPU.

The packaged weights are exported once to an ONNX graph (``torch.onnx.export``, opset
17; two exports give the same bytes) and kept beside the environment, in
``<sys.prefix>/share/curate/`` (``CURATE_MODELS`` overrides; ``~/.cache/curate`` when the
environment is read-only). The file name carries the weights' digest and the torch
version that exported it, so other weights or another torch export again, never reuse.
``make setup`` exports it; a build that finds it missing exports it first (~7 s).

Measured (docs/benchmarks.md, issue #17): cosine 1.0000 with the torch encoder for every
sentence and token vector, byte-identical processed/ on the seeds and on 100 WCXB pages,
0.71-0.83x the encoding CPU. Quantised (int8) graphs were rejected: they lose held-out
fact recall (.235 -> .167 / .222).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from pipeline.errors import EmbedderUnavailable

OPSET = 17
# sentence-transformers' default when sentence_bert_config.json says nothing.
DEFAULT_MAX_TOKENS = 256
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def models_dir() -> Path:
    """Where exported graphs live: ``CURATE_MODELS``, else beside the environment."""
    configured = os.environ.get("CURATE_MODELS", "")
    if configured:
        return Path(configured)
    beside = Path(sys.prefix) / "share" / "curate"
    if os.access(beside if beside.exists() else Path(sys.prefix), os.W_OK):
        return beside
    return Path.home() / ".cache" / "curate"


def package_version(name: str) -> str | None:
    """The installed version of package ``name``, None when it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def graph_path(weights: Path, weights_digest: str) -> Path:
    """The ONNX file for the weights under ``weights`` (whose digest is given)."""
    torch_version = (package_version("torch") or "missing").replace("+", "-")
    return models_dir() / f"minilm-{weights_digest[:16]}-torch{torch_version}.onnx"


def export_graph(weights: Path, target: Path) -> Path:
    """Export the MiniLM under ``weights`` to ``target`` (written whole, then renamed)."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise EmbedderUnavailable(f"cannot export to ONNX: {exc}") from exc

    bert = AutoModel.from_pretrained(str(weights), local_files_only=True).eval()

    class LastHidden(torch.nn.Module):
        """BertModel with positional inputs, returning the token vectors only."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in _INPUTS)
    axes = {name: {0: "batch", 1: "seq"} for name in [*_INPUTS, "last_hidden_state"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".onnx.part", dir=target.parent)
    os.close(handle)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shapes fixed by the example
            torch.onnx.export(
                LastHidden(), example, temporary, input_names=list(_INPUTS),
                output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=OPSET,
                dynamo=False,
            )  # fmt: skip
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)  # two processes exporting at once: the last one wins
    except Exception as exc:  # the exporter raises many kinds; all mean "no graph"
        Path(temporary).unlink(missing_ok=True)
        raise EmbedderUnavailable(f"exporting MiniLM to ONNX failed: {exc}") from exc
    return target


class OnnxMiniLM:
    """MiniLM as an ONNX Runtime session, with sentence-transformers' tokenizer, batching
    (longest texts first) and mean pooling: :meth:`encode_raw` returns what
    ``pipeline.align.embed.encode_raw`` returns for the torch encoder."""

    def __init__(self, weights: Path, graph: Path) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbedderUnavailable(f"onnxruntime is not installed ({exc})") from exc
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        # Idle threads sleep instead of spinning: on a shared machine spinning threads
        # burnt 21-26 CPU-s where sleeping ones took 13-14 for the same 1,500 claims
        # (same vectors; ~15% more wall time on an idle machine).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(
                str(graph), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a truncated or foreign file
            raise EmbedderUnavailable(f"cannot load {graph}: {exc}") from exc
        try:
            config = json.loads((weights / "sentence_bert_config.json").read_text())
            self.max_tokens = int(config.get("max_seq_length", DEFAULT_MAX_TOKENS))
        except (OSError, ValueError):
            self.max_tokens = DEFAULT_MAX_TOKENS
        # The fast tokenizer itself (what transformers' AutoTokenizer wraps), configured as
        # sentence-transformers calls it: the same ids, type ids and masks on all 9,607
        # texts checked (WCXB claims and edge cases), without importing transformers.
        try:
            self.tokenizer = Tokenizer.from_file(str(weights / "tokenizer.json"))
        except Exception as exc:  # missing or unreadable tokenizer.json
            raise EmbedderUnavailable(f"cannot load the tokenizer under {weights}: {exc}") from exc
        self.tokenizer.enable_truncation(max_length=self.max_tokens, strategy="longest_first")
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
        self.graph = graph

    def encode_raw(self, texts: list[str], batch_size: int) -> tuple[list, list, list]:
        """Unit sentence vectors, token vectors (no CLS/SEP) and word-piece ids per text."""
        # sentence-transformers' order (its argsort, ties included) and its stripping, so
        # batches hold the same texts and pad alike
        order = np.argsort([-len(text) for text in texts])
        sentences: list = [None] * len(texts)
        tokens: list = [None] * len(texts)
        ids: list = [None] * len(texts)
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i].strip() for i in rows])
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
            }
            hidden = self.session.run(None, feed)[0]
            mask = feed["attention_mask"].astype(bool)
            for row, i in enumerate(rows):
                vectors = hidden[row][mask[row]].astype(np.float32)
                mean = vectors.mean(axis=0)
                sentences[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
                tokens[i] = vectors[1:-1]
                ids[i] = feed["input_ids"][row][mask[row]][1:-1]
        return sentences, tokens, ids


def ensure_graph(weights: Path, weights_digest: str) -> Path:
    """The graph of the weights under ``weights``, exported first when it is missing."""
    graph = graph_path(weights, weights_digest)
    if not graph.exists():
        print(f"curate: exporting MiniLM to ONNX once, into {graph}", file=sys.stderr)
        export_graph(weights, graph)
    return graph


def load_onnx_minilm(weights: Path, weights_digest: str) -> OnnxMiniLM:
    """The ONNX encoder of ``weights``, exporting the graph first when it is missing."""
    return OnnxMiniLM(weights, ensure_graph(weights, weights_digest))


def runtime_identity() -> list[str]:
    """What besides the weights decides the ONNX encoder's vectors."""
    return [f"onnxruntime=={package_version('onnxruntime') or 'missing'}", f"opset {OPSET}"]


def ensure_packaged_graph() -> Path:
    """Export the packaged MiniLM's graph unless it is there already; its path."""
    from pipeline.align.embed import minilm_model_path, weights_digest

    return ensure_graph(minilm_model_path(), weights_digest())


def main() -> None:
    """``make setup``: export the packaged graph now, so no build pays for it."""
    print(f"curate: MiniLM's ONNX graph is {ensure_packaged_graph()}")
