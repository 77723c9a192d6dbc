"""The learned block model: where it overrides the rules' choice of main content.

``pipeline/data/block_model.npz`` holds two boosted-tree models fitted on WCXB dev by
``benchmarks/train_block_model.py`` (its metrics: README, docs/learned-extraction.md):
a page-type model over ``page_kind.PAGE_FEATURES`` and a block model over
``block_features.BLOCK_FEATURES`` plus the page-type probabilities. With
``clean.block_model = "override"`` the rules still decide first; the model then cuts a
kept block it is confident is boilerplate (p < ``block_model_cut_below``) and adds a
block the extractor dropped that it is confident is content (p > ``block_model_add_above``;
never one a DOM rule cut: chat widgets, cookie notices, share rows stay the rules'). Each change is
recorded: a cut is a Removal whose rule names the model and its probability, an added
block takes its place in page order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.clean.blocks import Block, BlockKind, Removal
from pipeline.clean.html.block_features import BLOCK_FEATURES, WORD, PageBlocks
from pipeline.clean.html.page_kind import PAGE_FEATURES, PAGE_TYPES
from pipeline.clean.html.tree_model import TreeEnsemble, load_models

MODEL_PATH = Path(__file__).resolve().parents[2] / "data" / "block_model.npz"
MODEL_REASON = "learned_boilerplate"
_DOM_CUT = BLOCK_FEATURES.index("dom_cut")
# Blocks the interface-label or publisher-chrome rules recognise: those rules cut them
# later with a reason of their own ("metadata", "leaflet_reference"), so the model leaves
# them to the rules.
_NAMED = [BLOCK_FEATURES.index("ui_reason"), BLOCK_FEATURES.index("chrome_reason")]
# A block the rules dropped is added only when under this share of its word 3-grams is
# in the text already: the extractor may have kept the same words under another shape
# (a footnote mark, inline code), and adding them again would repeat the passage.
ADD_MAX_KEPT_SHARE = 0.5
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


@dataclass(frozen=True)
class BlockModel:
    """The shipped models and what they were fitted on."""

    page_type: TreeEnsemble
    blocks: TreeEnsemble
    meta: dict


class ModelMismatch(ValueError):
    """The model file was fitted on other features than this code computes."""


@lru_cache(maxsize=2)
def load_block_model(path: Path = MODEL_PATH) -> BlockModel:
    """The model file at ``path``, checked against this code's feature lists."""
    models, meta = load_models(path)
    if meta.get("block_features") != list(BLOCK_FEATURES) + [f"type_{t}" for t in PAGE_TYPES]:
        raise ModelMismatch(f"{path}: block features differ from this code's; retrain it")
    if meta.get("page_features") != list(PAGE_FEATURES):
        raise ModelMismatch(f"{path}: page features differ from this code's; retrain it")
    return BlockModel(models["page_type"], models["blocks"], meta)


def block_probabilities(model: BlockModel, blocks: PageBlocks, page_x: np.ndarray) -> np.ndarray:
    """Per block, the probability that it is main content (the page type, predicted from
    ``page_x``, is one of the block model's inputs)."""
    if not len(blocks.X):
        return np.zeros(0)
    types = model.page_type.predict_proba(page_x[None, :])[0]
    X = np.hstack([blocks.X, np.repeat(types[None, :].astype(np.float32), len(blocks.X), 0)])
    return model.blocks.predict_proba(X)


def _kind(tag: object) -> BlockKind:
    if tag in _HEADINGS:
        return "heading"
    return "item" if tag == "li" else "paragraph"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _grams(text: str) -> set[tuple[str, ...]]:
    """Word 3-grams of ``text`` (lower-cased; a text of 1-2 words is one gram)."""
    words = WORD.findall(text.lower())
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _positions(blocks: list[Block], texts: list[str]) -> list[int]:
    """Per kept block, the index of the first page block it holds (else the one before)."""
    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        first.setdefault(t, i)
    out, last = [], -1
    for b in blocks:
        text = _squash(b.text)
        at = first.get(text)
        if at is None:
            at = next((i for i, t in enumerate(texts) if i > last and t in text), last)
        out.append(at)
        last = max(last, at)
    return out


def override(
    kept: list[Block],
    page: PageBlocks,
    probs: np.ndarray,
    cut_below: float,
    add_above: float,
) -> tuple[list[Block], list[Removal], set[str]]:
    """The rules' blocks with the model's confident changes: a kept block that is one page
    block of p < ``cut_below`` is cut (a Removal naming its probability); page blocks of
    p > ``add_above`` that the rules dropped (and no DOM rule cut) are added in page
    order. Also the texts cut (they need no other record)."""
    removals: list[Removal] = []
    cut: set[str] = set()
    where: dict[str, int] = {}  # squashed text -> index of the first kept block that is exactly it
    for j, b in enumerate(kept):
        where.setdefault(_squash(b.text), j)
    out: list[Block | None] = list(kept)
    named: np.ndarray = (page.X[:, _NAMED] != 0).any(axis=1)
    for text, p, was_kept, by_rule in zip(page.texts, probs, page.kept, named, strict=True):
        # only a whole block: the same words inside a longer block may be its content
        at = where.pop(text, None) if was_kept and p < cut_below and not by_rule else None
        if at is not None:
            out[at] = None
            removals.append(Removal(text, MODEL_REASON, f"block_model p={p:.2f}"))
            cut.add(text)
    blocks = [b for b in out if b is not None]
    dom_cut = page.X[:, _DOM_CUT] if len(page.X) else np.zeros(0)
    adds = [  # never a block a DOM rule cut: those rules name what they cut
        i
        for i, (p, was_kept, ruled) in enumerate(zip(probs, page.kept, dom_cut, strict=True))
        if not was_kept and not ruled and p > add_above
    ]
    if not adds:
        return blocks, removals, cut
    have = _grams(" ".join(b.text for b in blocks))
    positioned = list(zip(_positions(blocks, page.texts), range(len(blocks)), blocks, strict=True))
    for i in adds:
        grams = _grams(page.texts[i])
        if len(grams & have) < ADD_MAX_KEPT_SHARE * len(grams):  # not already in the text
            block = Block(_kind(page.elements[i].tag), page.texts[i])
            positioned.append((i, len(positioned), block))
            have |= grams
    positioned.sort(key=lambda item: (item[0], item[1]))
    return [b for _, _, b in positioned], removals, cut
