"""tree_model: boosted trees evaluated from flat arrays, saved and loaded without pickle."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.clean.html.tree_model import TreeEnsemble, load_models, save_models


def _stump(feature: int, threshold: float, left: float, right: float, offset: int, miss: bool):
    """Nodes of one split: root, left leaf, right leaf (children as global indices)."""
    return {
        "feature": [feature, 0, 0],
        "threshold": [threshold, 0.0, 0.0],
        "left": [offset + 1, 0, 0],
        "right": [offset + 2, 0, 0],
        "value": [0.0, left, right],
        "is_leaf": [False, True, True],
        "missing_left": [miss, False, False],
    }


def _ensemble(stumps, classes, baseline) -> TreeEnsemble:
    nodes = {k: [] for k in stumps[0]}
    for s in stumps:
        for k, v in s.items():
            nodes[k] += v
    return TreeEnsemble(
        np.array(nodes["feature"], np.int32),
        np.array(nodes["threshold"], float),
        np.array(nodes["left"], np.int32),
        np.array(nodes["right"], np.int32),
        np.array(nodes["value"], float),
        np.array(nodes["is_leaf"], bool),
        np.array(nodes["missing_left"], bool),
        np.array([3 * i for i in range(len(stumps))], np.int32),
        np.array(classes, np.int32),
        np.array(baseline, float),
    )


def _binary() -> TreeEnsemble:
    return _ensemble(
        [_stump(0, 0.5, -1.0, 2.0, 0, True), _stump(1, 10.0, 0.5, -0.5, 3, False)], [0, 0], [0.1]
    )


def test_binary_probability_is_the_sigmoid_of_baseline_plus_leaves():
    model = _binary()
    X = np.array([[0.2, 3.0], [0.5, 11.0], [0.9, 10.0]])
    raw = [0.1 - 1.0 + 0.5, 0.1 - 1.0 - 0.5, 0.1 + 2.0 + 0.5]  # x <= threshold goes left
    expected = [1 / (1 + math.exp(-r)) for r in raw]
    assert model.predict_proba(X) == pytest.approx(expected)


def test_missing_values_follow_the_fitted_side():
    model = _binary()
    got = model.raw_scores(np.array([[np.nan, np.nan]]))[0, 0]
    assert got == pytest.approx(0.1 - 1.0 - 0.5)  # tree 1 sends missing left, tree 2 right


def test_multiclass_rows_sum_to_one_and_favour_the_class_with_more_score():
    model = _ensemble(
        [_stump(0, 0.0, 1.0, -1.0, 0, False), _stump(0, 0.0, -1.0, 3.0, 3, False)],
        [0, 2],
        [0.0, 0.0, 0.0],
    )
    probs = model.predict_proba(np.array([[-1.0], [1.0]]))
    assert probs.shape == (2, 3)
    assert probs.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert probs[0].argmax() == 0 and probs[1].argmax() == 2


def test_saved_models_load_with_the_same_predictions_and_metadata(tmp_path):
    model = _binary()
    path = tmp_path / "m.npz"
    save_models(path, {"blocks": model}, {"cuts": {"cut_below": 0.1}, "names": ["a", "b"]})
    loaded, meta = load_models(path)
    X = np.random.default_rng(0).normal(size=(50, 2)) * 10
    assert np.array_equal(loaded["blocks"].predict_proba(X), model.predict_proba(X))
    assert meta == {"cuts": {"cut_below": 0.1}, "names": ["a", "b"]}
    with np.load(path, allow_pickle=False) as data:  # plain arrays: no pickle needed
        assert "blocks.threshold" in data.files
