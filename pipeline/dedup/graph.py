"""From detected pairs to one original per copy and source groups."""

from __future__ import annotations

import pandas as pd

# When a copy matches several documents, prefer the closest kind of copy.
_RELATION_RANK = {"exact_duplicate": 0, "near_duplicate": 1, "spun_copy": 2, "partial_copy": 3}


def assign_groups(
    doc_ids: list[str], relations: pd.DataFrame
) -> tuple[list[str], list[str | None], list[str]]:
    """``group_id``, ``derived_from`` and ``relation`` for each of ``doc_ids``.

    Each copy points at one original: the pair of the closest relation, then the highest
    confidence, then the smaller original doc_id. A cycle of pointers (possible, since
    pairs are judged one by one) is cut at its smallest doc_id. ``group_id`` is the doc_id
    of the root reached by following the pointers; a document in no pair is its own group.
    """
    best: dict[str, tuple[tuple[int, float, str], str, str]] = {}
    for row in relations.itertuples(index=False):
        key = (_RELATION_RANK.get(row.relation, 9), -float(row.confidence), row.original)
        if row.copy not in best or key < best[row.copy][0]:
            best[row.copy] = (key, row.original, row.relation)
    parent = {copy: original for copy, (_, original, _) in best.items()}
    for start in sorted(parent):
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and node not in path:
            path.append(node)
            node = parent.get(node)
        if node is not None and node in path:  # a cycle: cut it at its smallest member
            cycle = path[path.index(node) :]
            parent.pop(min(cycle))
    roots: dict[str, str] = {}

    def root(node: str) -> str:
        trail = []
        while node in parent and node not in roots:
            trail.append(node)
            node = parent[node]
        found = roots.get(node, node)
        for visited in trail:
            roots[visited] = found
        return found

    group_id = [root(d) for d in doc_ids]
    derived_from = [parent.get(d) for d in doc_ids]
    relation = [best[d][2] if d in parent else "original" for d in doc_ids]
    return group_id, derived_from, relation
