"""Gradient-boosted trees evaluated with numpy, from a plain ``.npz`` file.

The clean stage's learned models (page type, block) are fitted with scikit-learn by
``benchmarks/train_block_model.py`` and shipped as arrays: no pickle, no scikit-learn at
run time, the same numbers on every machine. A node sends a row left when its feature
is ``<= threshold`` (a missing value goes where the fit sent missing values); a row's
raw score for a class is the baseline plus the leaf values of that class's trees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NODE_ARRAYS = ("feature", "threshold", "left", "right", "value", "is_leaf", "missing_left")


@dataclass(frozen=True)
class TreeEnsemble:
    """One boosted model: every tree's nodes in flat arrays, children as global indices."""

    feature: np.ndarray  # int32, per node
    threshold: np.ndarray  # float64
    left: np.ndarray  # int32
    right: np.ndarray  # int32
    value: np.ndarray  # float64, leaf values
    is_leaf: np.ndarray  # bool
    missing_left: np.ndarray  # bool
    roots: np.ndarray  # int32, the root node of each tree
    tree_class: np.ndarray  # int32, the class each tree adds to
    baseline: np.ndarray  # float64, per class (one entry for a binary model)

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (rows x classes) of the rows of ``X``: every (row, tree) walks down
        at once, and only the walks not yet at a leaf take the next step."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        n, width = X.shape
        trees = len(self.roots)
        node = np.tile(self.roots, n).astype(np.int64)  # row-major: (row, tree)
        row_at = np.repeat(np.arange(n, dtype=np.int64) * width, trees)
        flat = X.ravel()
        active = np.flatnonzero(~self.is_leaf[node])
        while active.size:
            at = node[active]
            x = flat[row_at[active] + self.feature[at]]
            left = x <= self.threshold[at]
            missing = np.isnan(x)
            if missing.any():
                left = np.where(missing, self.missing_left[at], left)
            step = np.where(left, self.left[at], self.right[at])
            node[active] = step
            active = active[~self.is_leaf[step]]
        values = self.value[node].reshape(n, trees)
        out = np.tile(self.baseline, (n, 1))
        for k in range(len(self.baseline)):
            out[:, k] += values[:, self.tree_class == k].sum(axis=1)
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities: of the positive class (a vector) for a binary model, else one
        column per class (softmax of the raw scores)."""
        raw = self.raw_scores(X)
        if raw.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-raw[:, 0]))
        raw -= raw.max(axis=1, keepdims=True)
        e = np.exp(raw)
        return e / e.sum(axis=1, keepdims=True)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The model as named arrays (for ``np.savez``), each name under ``prefix``."""
        out = {f"{prefix}.{name}": getattr(self, name) for name in NODE_ARRAYS}
        out.update(
            {
                f"{prefix}.roots": self.roots,
                f"{prefix}.tree_class": self.tree_class,
                f"{prefix}.baseline": self.baseline,
            }
        )
        return out

    @classmethod
    def from_arrays(cls, data, prefix: str) -> TreeEnsemble:
        """The model saved by :meth:`arrays` under ``prefix``."""
        get = {
            name: data[f"{prefix}.{name}"]
            for name in (*NODE_ARRAYS, "roots", "tree_class", "baseline")
        }
        return cls(**get)


def save_models(path: Path, models: dict[str, TreeEnsemble], meta: dict) -> None:
    """Write ``models`` and a JSON-able ``meta`` to one compressed ``.npz``."""
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    for name, model in models.items():
        arrays.update(model.arrays(name))
    with open(path, "wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **arrays)


def load_models(path: Path) -> tuple[dict[str, TreeEnsemble], dict]:
    """The models and the metadata of a file written by :func:`save_models`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        prefixes = sorted({key.split(".", 1)[0] for key in data.files if "." in key})
        return {p: TreeEnsemble.from_arrays(data, p) for p in prefixes}, meta
