"""Fit the shipped projection of MiniLM token vectors (pipeline/data/minilm_token_basis.npz).

BERTScore keeps each word piece's vector on its 128 main axes (float16), a third of the
memory of all 384. The axes come from a PCA of token vectors of reference sentences:
a fixed sample of sentences from the gold texts of ../shared/benchmarks (WCXB and the
extraction set: web articles, products, forums, ...), never from the corpus being built,
so a sentence's token vectors are the same in every corpus and can be cached.

    .venv/bin/python benchmarks/fit_token_basis.py [--sentences 3000] [--dims 128]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "benchmarks"

from pipeline.align.embed import TOKEN_BASIS_FILE, _load_minilm, encode_raw, minilm_model_path  # noqa: E402
from pipeline.align.tokens import fit_projection  # noqa: E402

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def reference_sentences(count: int) -> list[str]:
    """A fixed sample (by hash) of 6-60 word sentences of the benchmarks' gold texts."""
    texts = []
    for line in (SHARED / "wcxb-dev" / "ground-truth.jsonl").read_text().split("\n"):
        if line.strip():
            texts.append(json.loads(line).get("main_content") or "")
    truth = json.loads((SHARED / "extraction" / "ground-truth.json").read_text())
    texts += [row.get("articleBody") or "" for _, row in sorted(truth.items())]
    sentences = {
        s.strip()
        for text in texts
        for para in text.split("\n")
        for s in _SENTENCE.split(para)
        if 6 <= len(s.split()) <= 60
    }
    ranked = sorted(sentences, key=lambda s: hashlib.sha1(s.encode()).hexdigest())
    return ranked[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--dims", type=int, default=128)
    args = parser.parse_args()
    sentences = reference_sentences(args.sentences)
    encoder = _load_minilm(str(minilm_model_path()))
    _, tokens, _ = encode_raw(encoder, sentences, 64)
    flat = np.concatenate(tokens)
    mean, basis = fit_projection(flat, args.dims)
    TOKEN_BASIS_FILE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(TOKEN_BASIS_FILE, mean=mean, basis=basis)
    print(f"{len(sentences)} sentences, {len(flat)} word pieces -> {TOKEN_BASIS_FILE}")


if __name__ == "__main__":
    main()
