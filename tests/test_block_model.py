"""The learned block model in the HTML clean: what it sees, what it may change, how each
change is recorded, and the shipped model file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import pipeline.clean.html.cleaner as cleaner
from pipeline.clean.blocks import render_text
from pipeline.clean.html.block_features import BLOCK_FEATURES
from pipeline.clean.html.block_model import (
    MODEL_PATH,
    MODEL_REASON,
    ModelMismatch,
    load_block_model,
    override,
)
from pipeline.clean.html.page_kind import PAGE_FEATURES
from pipeline.clean.html.tree_model import load_models, save_models
from pipeline.settings import CleanSettings

PAGE = Path(__file__).parent / "data" / "html" / "article_with_widgets.html"
URL = "https://example.org/immunotherapy"
SETTINGS = CleanSettings()
CUT = "As part of its normal function, the immune system detects and destroys"
ADD = "Riverside Health"  # the site name in <header>: dropped by the extractor, not a rule
RULED = "Questions about your treatment? Call us today"  # cut by a DOM rule (contact_cta)


@pytest.fixture(scope="module")
def described():
    return cleaner.page_inputs(PAGE.read_text(encoding="utf-8"), URL, SETTINGS)


def _probs(page, chosen: dict[str, float]) -> np.ndarray:
    """0.5 everywhere (no change at any cut), except the blocks starting like a key."""
    out = np.full(len(page.texts), 0.5)
    for i, text in enumerate(page.texts):
        for start, p in chosen.items():
            if text.startswith(start):
                out[i] = p
    return out


def test_blocks_are_described_before_the_dom_rules_cut_them(described):
    cleaned, page, page_x = described
    assert page.X.shape == (len(page.texts), len(BLOCK_FEATURES))
    assert page_x.shape == (len(PAGE_FEATURES),)
    assert np.isfinite(page.X).all() and np.isfinite(page_x).all()
    cut = page.X[:, BLOCK_FEATURES.index("dom_cut")]
    texts = dict(zip(page.texts, cut, strict=True))
    assert texts["Hi there! We are online and ready to help."] == 1.0  # the chat widget
    assert texts["Types of immunotherapy"] == 0.0
    kept = dict(zip(page.texts, page.kept, strict=True))
    assert kept["Types of immunotherapy"] == 1.0 and kept["Accept all"] == 0.0
    assert render_text(cleaned.blocks) == render_text(cleaner.clean_html(
        PAGE.read_text(encoding="utf-8"), URL, SETTINGS).blocks)  # fmt: skip


def test_override_cuts_confident_boilerplate_and_adds_confident_content_in_page_order(
    described,
):
    cleaned, page, _ = described
    probs = _probs(page, {CUT: 0.03, ADD: 0.95, RULED: 0.99})
    blocks, removals, cut = override(cleaned.blocks, page, probs, 0.1, 0.9)
    text = render_text(blocks)
    assert CUT not in text
    assert removals == [removal for removal in removals if removal.reason == MODEL_REASON] and [
        r.rule for r in removals
    ] == ["block_model p=0.03"]
    assert removals[0].text.startswith(CUT) and cut == {removals[0].text}
    assert text.index(ADD) < text.index("Understanding Immunotherapy")
    assert RULED not in text  # the model never overrules a DOM rule's cut
    untouched, none, _ = override(cleaned.blocks, page, probs, 0.02, 0.96)
    assert untouched == cleaned.blocks and none == []


def test_clean_html_records_each_model_change_once(described, monkeypatch):
    _, page, _ = described
    probs = _probs(page, {CUT: 0.03, ADD: 0.95})
    monkeypatch.setattr(cleaner, "load_block_model", lambda: None)
    monkeypatch.setattr(cleaner, "block_probabilities", lambda *_: probs)
    on = dataclasses.replace(
        SETTINGS, block_model="override", block_model_cut_below=0.1, block_model_add_above=0.9
    )
    got = cleaner.clean_html(PAGE.read_text(encoding="utf-8"), URL, on)
    text = render_text(got.blocks)
    assert ADD in text and CUT not in text
    about_cut = [r for r in got.removed if r.text.startswith(CUT)]
    assert [(r.reason, r.rule) for r in about_cut] == [(MODEL_REASON, "block_model p=0.03")]
    assert not [r for r in got.removed if r.text.startswith(ADD)]


def test_a_model_fitted_on_other_features_is_refused(tmp_path):
    models, meta = load_models(MODEL_PATH)
    path = tmp_path / "old.npz"
    save_models(path, models, {**meta, "block_features": meta["block_features"][:-1]})
    with pytest.raises(ModelMismatch, match="retrain"):
        load_block_model(path)


def test_the_shipped_model_is_small_matches_the_code_and_keeps_an_article():
    assert MODEL_PATH.stat().st_size < 5_000_000
    model = load_block_model()
    assert model.meta["cuts"]["cut_below"] == SETTINGS.block_model_cut_below
    assert model.meta["cuts"]["add_above"] == SETTINGS.block_model_add_above
    on = dataclasses.replace(SETTINGS, block_model="override")
    got = cleaner.clean_html(PAGE.read_text(encoding="utf-8"), URL, on)
    text = render_text(got.blocks)
    for piece in ("Immunotherapy is a type of cancer treatment", "# Types of immunotherapy",
                  "Side effects vary from person to person", "Treatment vaccines"):  # fmt: skip
        assert piece in text
    for removal in got.removed:
        if removal.reason == MODEL_REASON:
            assert float(removal.rule.split("p=")[1]) < SETTINGS.block_model_cut_below
