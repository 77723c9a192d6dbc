"""MiniLM on ONNX Runtime (issue #17): export the packaged weights, quantise, and measure.

    python benchmarks/bench_onnx_minilm.py export   # fp32, int8, int8pc into bench-out/onnx/
    python benchmarks/bench_onnx_minilm.py agree N  # N claims of processed/: agreement, CPU s
    MINILM_VARIANT=int8pc python benchmarks/bench_onnx_minilm.py run build --raw R --out O
    MINILM_VARIANT=fp32 python benchmarks/bench_onnx_minilm.py bench benchmarks/bench_claims.py

Variants: ``torch`` (sentence-transformers, align's encoder before session 10), ``fp32``
(the same graph exported by ``torch.onnx.export``: what align runs by default now,
through pipeline.align.onnx_minilm), ``int8`` (``quantize_dynamic``, one scale per weight
tensor) and ``int8pc`` (one scale per output channel). ``run`` and ``bench`` replace
align's encoder in this process only (and the embedding cache's identity, so no vectors
of another encoder are reused) and print the CPU seconds spent encoding. Figures:
docs/benchmarks.md.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pipeline.align.embed as embed  # noqa: E402
from pipeline.align.onnx_minilm import OnnxMiniLM  # noqa: E402

MODELS = ROOT / "bench-out" / "onnx"


def export(out: Path = MODELS) -> None:
    """Export the packaged MiniLM to ONNX (fp32) and quantise it to int8 two ways."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    out.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(str(embed.minilm_model_path()), local_files_only=True)

    class LastHidden(torch.nn.Module):
        """BertModel with keyword inputs, returning the token vectors only."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in range(3))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "seq"} for n in [*names, "last_hidden_state"]}
    fp32 = out / "minilm-fp32.onnx"
    started = time.perf_counter()
    torch.onnx.export(
        LastHidden().eval(), example, str(fp32), input_names=names,
        output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False,
    )  # fmt: skip
    print(f"exported in {time.perf_counter() - started:.1f}s")
    for name, per_channel in (("int8", False), ("int8pc", True)):
        target = out / f"minilm-{name}.onnx"
        quantize_dynamic(
            str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=per_channel
        )
    print(f"models in {out}")


def onnx_encoder(path: Path) -> OnnxMiniLM:
    """Align's ONNX encoder (pipeline.align.onnx_minilm) running the graph at ``path``."""
    return OnnxMiniLM(embed.minilm_model_path(), path)


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def count_encoding() -> list[float]:
    """Count what align's encoder does in this process from now on: returns the list
    [encode CPU s, texts], updated as it encodes (any encoder: torch or ONNX)."""
    spent = [0.0, 0.0]
    inner = embed.encode_raw

    def timed(enc, texts, batch_size):
        started = _cpu()
        try:
            return inner(enc, texts, batch_size)
        finally:
            spent[0] += _cpu() - started
            spent[1] += len(texts)

    embed.encode_raw = timed
    return spent


def swap_encoder(variant: str) -> list[float]:
    """Make align encode with ``variant`` in this process; returns [encode CPU s, texts]."""
    if variant == "torch":  # align's default is ONNX now: force sentence-transformers
        load = embed.load_minilm
        embed.load_minilm = lambda model="", runtime="": load(model, "torch")
    else:
        import pipeline.align.stage as align_stage

        encoder = onnx_encoder(MODELS / f"minilm-{variant}.onnx")
        embed.load_minilm = lambda model="", runtime="": encoder  # encode_raw runs it
        base_identity = embed.embedding_identity

        def identity(model: str, batch_size: int, runtime: str = "onnx") -> list[str]:
            return [*base_identity(model, batch_size, runtime), f"onnx-{variant}"]

        embed.embedding_identity = align_stage.embedding_identity = identity
    return count_encoding()


def agree(limit: int, variants: list[str]) -> None:
    """Agreement with torch (cosine of sentence and token vectors) and encode CPU seconds
    on the first ``limit`` claims of processed/, in documents of 40 as align encodes."""
    texts = [
        row["text"]
        for row in map(json.loads, (ROOT / "processed" / "sentences.jsonl").open())
        if row["is_claim"]
    ][:limit]
    results = {}
    for name in variants:
        if name == "torch":
            torch_encoder = embed.load_minilm(runtime="torch")

            def run(part: list[str], enc=torch_encoder) -> tuple[list, list, list]:
                return embed.encode_raw(enc, part, 16)
        else:
            onnx = onnx_encoder(MODELS / f"minilm-{name}.onnx")

            def run(part: list[str], enc=onnx) -> tuple[list, list, list]:
                return enc.encode_raw(part, 16)

        run(texts[:32])  # warm-up
        started = _cpu()
        out: tuple[list, list, list] = ([], [], [])
        for k in range(0, len(texts), 40):
            for kept, got in zip(out, run(texts[k : k + 40]), strict=True):
                kept.extend(got)
        results[name] = (out, _cpu() - started)
    ref, ref_cpu = results["torch"]
    print("| variant | encode CPU s | speed-up | sentence cos min / mean | token cos min / mean |")
    print("| --- | --- | --- | --- | --- |")
    for name, (out, cpu) in results.items():
        sent = np.array(
            [
                float(a @ b) / float(np.linalg.norm(a) * np.linalg.norm(b))
                for a, b in zip(ref[0], out[0], strict=True)
            ]
        )
        a, b = np.concatenate(ref[1]), np.concatenate(out[1])
        tok = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        cells = [f"{cpu:.1f}", f"{ref_cpu / cpu:.2f}"]
        cells += [f"{v.min():.4f} / {v.mean():.4f}" for v in (sent, tok)]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    """Command line: see the module docstring."""
    command, args = sys.argv[1], sys.argv[2:]
    if command == "export":
        export()
    elif command == "agree":
        agree(int(args[0]) if args else 2000, args[1:] or ["torch", "fp32", "int8", "int8pc"])
    elif command in ("run", "bench"):
        variant = os.environ.get("MINILM_VARIANT", "torch")
        spent = swap_encoder(variant)
        atexit.register(
            lambda: print(
                f"[{variant}] encode CPU {spent[0]:.1f}s for {spent[1]:.0f} texts; "
                f"process CPU {_cpu():.1f}s; encode share {spent[0] / max(_cpu(), 1e-9):.1%}",
                file=sys.stderr,
            )
        )
        if command == "bench":
            sys.argv = args
            runpy.run_path(args[0], run_name="__main__")
        else:
            from pipeline.cli import main as curate

            sys.argv = ["curate", *args]
            curate()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
