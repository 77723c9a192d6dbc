"""Which scored candidate pairs become alignments, and what copies inherit.

1. A pair is kept when its score passes ``min_score`` and it is the best pair of one of
   its sentences in that document pair (so one sentence may take several partners, each
   of which it is the best of: one-to-many), or when it passes ``sure_score``; a mutual
   best pair (the best of both its sentences) needs only ``mutual_score``, and inside
   one copy group (a copy and its original, found by dedup) only ``copy_min_score``:
   a spun sentence scores low against its original, but it is still its best match.
2. Once a sentence aligns with one item of a list, the list's other items need only
   ``list_item_score`` (a sentence naming routes ~ the IV / Oral / Topical bullets).
3. Copies: a sentence of a copy (``derived_from`` another document) that aligns with a
   sentence of its original takes that sentence's alignments with third documents, and
   its own direct ones with them are dropped. A spun copy's rewording ("most cancers
   remedy") only blurs what it says; the original says the same thing clearly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.settings import AlignSettings

ALIGNMENT_COLUMNS = [
    "sentence_a",
    "sentence_b",
    "doc_a",
    "doc_b",
    "score",
    "cosine",
    "margin",
    "similarity",
    "lexical",
    "method",
    "same_group",
]
_VALUES = ["score", "cosine", "margin", "similarity", "lexical"]


def _sibling_items(
    claims: pd.DataFrame, table: pd.DataFrame, passed: np.ndarray, cut: float
) -> np.ndarray:
    """One-to-many: pairs of a sentence with more items of a list it already aligns with."""
    lists = claims["list_id"].fillna("").astype(str).to_numpy()
    out = np.zeros(len(table), dtype=bool)
    for item, other in (("a", "b"), ("b", "a")):
        list_of = lists[table[item].to_numpy()]
        keys = pd.MultiIndex.from_arrays([list_of, table[other].to_numpy()])
        in_list = list_of != ""
        out |= in_list & keys.isin(keys[in_list & passed]) & (table["score"].to_numpy() >= cut)
    return out


def _passes(table: pd.DataFrame, settings: AlignSettings, same_group: np.ndarray) -> np.ndarray:
    """Rule 1: above ``min_score`` and best of a side, or above ``sure_score``;
    a mutual best pair (best of both its sentences) needs only ``mutual_score``, and
    only ``copy_min_score`` inside one copy group (a spun sentence and its original)."""
    score = table["score"]
    best_a = table.groupby(["a", "doc_b"])["score"].transform("max")
    best_b = table.groupby(["b", "doc_a"])["score"].transform("max")
    is_best_a, is_best_b = score >= best_a - 1e-9, score >= best_b - 1e-9
    mutual = is_best_a & is_best_b
    passed = (score >= settings.min_score) & (
        is_best_a | is_best_b | (score >= settings.sure_score)
    )
    passed |= mutual & (score >= settings.mutual_score)
    passed |= mutual & same_group & (score >= settings.copy_min_score)
    return passed.to_numpy().copy()


def inherit_through_copies(
    kept: pd.DataFrame, docs: np.ndarray, derived: dict[str, str]
) -> pd.DataFrame:
    """Copy sentences take their original sentence's alignments with third documents."""
    if not derived or kept.empty:
        return kept
    da, db = docs[kept["a"].to_numpy()], docs[kept["b"].to_numpy()]
    link_ab = np.array([derived.get(x) == y for x, y in zip(da, db, strict=True)], dtype=bool)
    link_ba = np.array([derived.get(y) == x for x, y in zip(da, db, strict=True)], dtype=bool)
    links = pd.concat(
        [
            pd.DataFrame({"copy": kept["a"][link_ab], "orig": kept["b"][link_ab],
                          "s": kept["score"][link_ab]}),
            pd.DataFrame({"copy": kept["b"][link_ba], "orig": kept["a"][link_ba],
                          "s": kept["score"][link_ba]}),
        ]
    )  # fmt: skip
    if links.empty:
        return kept
    links = links.sort_values(["copy", "s"], ascending=[True, False], kind="stable")
    partner = links.drop_duplicates("copy").set_index("copy")["orig"]
    copies = set(partner.index)
    same_pair = link_ab | link_ba
    direct = ~same_pair & (kept["a"].isin(copies).to_numpy() | kept["b"].isin(copies).to_numpy())
    kept = kept[~direct]
    pairs = pd.DataFrame({"copy": partner.index.to_numpy(), "orig": partner.to_numpy()})
    out = [kept]
    for side, other in (("a", "b"), ("b", "a")):
        rows = pairs.merge(kept, left_on="orig", right_on=side)  # the original's pairs
        third = docs[rows[other].to_numpy()]
        rows = rows[(third != docs[rows["copy"].to_numpy()]) & (third != docs[rows["orig"]])]
        out.append(
            pd.DataFrame({"a": rows["copy"], "b": rows[other], **{v: rows[v] for v in _VALUES}})
        )
    table = pd.concat(out, ignore_index=True)
    return table.sort_values("score", ascending=False, kind="stable")


def select_pairs(
    claims: pd.DataFrame,
    table: pd.DataFrame,
    groups: dict[str, str],
    derived: dict[str, str],
    method: str,
    settings: AlignSettings,
) -> pd.DataFrame:
    """Alignments (``ALIGNMENT_COLUMNS``) from scored candidates ``table`` (a, b, values)."""
    docs = claims["doc_id"].astype(str).to_numpy()
    ids = claims["sentence_id"].astype(str).to_numpy()
    table = table.assign(doc_a=docs[table["a"]], doc_b=docs[table["b"]])
    group_of = np.array([groups.get(d, d) for d in docs])
    same_group = group_of[table["a"].to_numpy()] == group_of[table["b"].to_numpy()]
    passed = _passes(table, settings, same_group)
    passed |= _sibling_items(claims, table, passed, settings.list_item_score)
    kept = table.loc[passed, ["a", "b", *_VALUES]]
    if settings.inherit_copies:
        kept = inherit_through_copies(kept, docs, derived)
    if kept.empty:
        return pd.DataFrame(columns=ALIGNMENT_COLUMNS)
    first = np.where(ids[kept["a"]] < ids[kept["b"]], kept["a"], kept["b"])
    second = np.where(ids[kept["a"]] < ids[kept["b"]], kept["b"], kept["a"])
    frame = pd.DataFrame(
        {
            "sentence_a": ids[first],
            "sentence_b": ids[second],
            "doc_a": docs[first],
            "doc_b": docs[second],
            "score": kept["score"].astype(float).round(4).to_numpy(),
            "cosine": kept["cosine"].astype(float).round(4).to_numpy(),
            "margin": kept["margin"].astype(float).round(4).to_numpy(),
            "similarity": kept["similarity"].astype(float).round(4).to_numpy(),
            "lexical": kept["lexical"].astype(float).round(4).to_numpy(),
            "method": f"{method}+lexical",
            "same_group": group_of[first] == group_of[second],
        },
        columns=ALIGNMENT_COLUMNS,
    )
    frame = frame.sort_values("score", ascending=False, kind="stable")
    frame = frame.drop_duplicates(["sentence_a", "sentence_b"])
    return frame.sort_values(["sentence_a", "sentence_b"]).reset_index(drop=True)
