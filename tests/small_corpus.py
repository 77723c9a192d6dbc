"""A small raw/ folder with planted copies of the seeds (for engine and cache tests)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus_gen import edit_words, reflow, spin  # noqa: E402

_NAV = "<nav><a href='/'>Home</a> | <a href='/about'>About us</a> | <a href='/c'>Contact</a></nav>"


def _html(title: str, text: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n") if p.strip())
    return (
        f"<html><head><title>{title}</title></head><body>{_NAV}"
        f"<article><h1>{title}</h1>{paras}</article>"
        "<footer>Copyright 2024 Example Health. All rights reserved.</footer></body></html>"
    )


def seed_texts() -> list[str]:
    """The texts of the project's seeds (raw/*.txt)."""
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "raw").glob("*.txt"))]


def corpus_pages(size: int, seed: int = 0) -> dict[str, str]:
    """``size`` pages (file name -> content): seeds, their copies of every kind, HTML."""
    rng = random.Random(seed)
    seeds = seed_texts()
    pages = {f"seed_{i}.txt": text for i, text in enumerate(seeds[:size])}
    k = 0
    while len(pages) < size:
        base = seeds[k % len(seeds)]
        other = seeds[(k + 1) % len(seeds)]
        kind = k % 6
        if kind == 0:
            text = spin(base, rng.choice([0.15, 0.3, 0.5]), rng)
        elif kind == 1:
            text = reflow(edit_words(base, 0.05, rng), rng)
        elif kind == 2:
            paras = base.split("\n\n")
            text = "\n\n".join(paras[: len(paras) // 2] + other.split("\n\n")[-3:])
        elif kind == 3:
            text = " ".join(base.split(" ")).upper() if rng.random() < 0.3 else base
        elif kind == 4:
            words = other.split()
            rng.shuffle(words)
            text = "\n\n".join(" ".join(words[i : i + 40]) + "." for i in range(0, 200, 40))
        else:
            pages[f"page_{k:03d}.html"] = _html(f"Page {k}", spin(base, 0.1, rng))
            k += 1
            continue
        pages[f"page_{k:03d}.txt"] = text
        k += 1
    return pages


def write_corpus(raw: Path, size: int, seed: int = 0) -> Path:
    """Write :func:`corpus_pages` into ``raw`` (created) and return it."""
    raw.mkdir(parents=True, exist_ok=True)
    for name, text in corpus_pages(size, seed).items():
        (raw / name).write_text(text, encoding="utf-8")
    return raw
