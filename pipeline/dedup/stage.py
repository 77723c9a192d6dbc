"""Dedup stage: exact, near-duplicate, spun and partial copies; originals; source groups.

0. one tokenising pass over the corpus (``dedup_text``): word ids, sentences and lines
   as flat numpy arrays, shared by every step below;
1. exact duplicates: equal text after NFKC, case folding and whitespace collapsing;
2. candidates (sub-quadratic): sampled word and function-word n-gram fingerprints in an
   inverted index (``dedup_candidates``), on one representative per exact group;
3. verification: in-order sentence alignment of both documents (``dedup_align``);
   coverage is measured over content (short unshared lines such as site chrome do not
   count). Both sides covered: the same document, a near duplicate when few content
   words were replaced by others, else a spun copy; one side only: a partial copy,
   provided the carried text is the text itself (few words replaced);
4. direction (``dedup_direction``): for same-document pairs wording frequency, garbled
   names, tortured phrases, then containment; for partial copies attribution lines,
   containment, an excerpt opening mid-discourse, continuation of the passage's
   vocabulary (``dedup_partial``); then provenance, then a fixed rule;
5. groups: each copy points at its best original; ``group_id`` is the root's doc_id.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.dedup.candidates import candidate_pairs, sample_fingerprints
from pipeline.dedup.direction import DocMeta, WordFrequencies, decide_direction
from pipeline.dedup.graph import assign_groups
from pipeline.dedup.lexicon import distinct_hits, lexicon_ids, load_lexicon
from pipeline.dedup.span_align import Alignment, DocView, align_documents, count_edits, doc_view
from pipeline.dedup.tokens import Tokens, Vocabulary, tokenise
from pipeline.runtime.engine import Engine, PandasEngine
from pipeline.runtime.memory import release_freed_memory
from pipeline.settings import DedupSettings

REQUIRED_COLUMNS = ["doc_id", "text"]
RELATION_COLUMNS = ["copy", "original", "relation", "confidence", "direction_basis", "evidence"]
_FEATURE_CACHE = 4096  # documents whose full features are kept while verifying pairs
_UNDATED = "9999"  # an undated document ranks after every dated one
# A relation's confidence weighs its mean sentence similarity and its larger coverage
# equally (the rest of the weight).
SIMILARITY_WEIGHT = 0.5


def _meta(row: dict[str, Any], hits: int) -> DocMeta:
    trust = row.get("trust")
    trust = None if trust is None or pd.isna(trust) else int(trust)
    date = None
    for column in ("updated", "retrieved"):
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            date = value.strip()
            break
    return DocMeta(str(row["doc_id"]), trust, date, hits)


def _exact_groups(keys: list[bytes | None], metas: list[DocMeta]) -> dict[int, int]:
    """member index -> index of its exact group's original (for groups of 2+)."""
    groups: dict[bytes, list[int]] = {}
    for idx, key in enumerate(keys):
        if key is not None:
            groups.setdefault(key, []).append(idx)

    def rank(idx: int) -> tuple[int, str, str]:
        meta = metas[idx]
        trust = -meta.trust if meta.trust is not None else 1
        return (trust, meta.date or _UNDATED, meta.doc_id)

    out: dict[int, int] = {}
    for members in groups.values():
        if len(members) > 1:
            members = sorted(members, key=rank)
            out.update({m: members[0] for m in members[1:]})
    return out


def _classify(align: Alignment, a: DocView, b: DocView, s: DedupSettings) -> str | None:
    """The relation of an aligned pair, or None (not related). Counts the word edits of
    pairs that pass the cheap checks."""

    def usable(f: DocView) -> int:
        return sum(1 for x, y in f.sentences if y - x >= s.sentence_min_words)

    needed = max(1, min(s.min_aligned_sentences, usable(a), usable(b)))
    if len(align.pairs) < needed:
        return None
    if max(align.coverage_a, align.coverage_b) < s.min_coverage:
        return None
    count_edits(align)
    if min(align.coverage_a, align.coverage_b) < s.same_document_coverage:
        # One page carries a part of the other plus its own text. The carried part must be
        # the text itself: sentences merely echoing a source with many words swapped
        # (same-topic pages, text recombined from several sources) are not a copy.
        return "partial_copy" if align.substitution_rate <= s.near_max_substitution else None
    if align.substitution_rate > s.near_max_substitution:
        return "spun_copy"
    return "near_duplicate"


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two unique sorted arrays."""
    if not len(a) or not len(b):
        return 0.0
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    inter = int((b[at] == a).sum())
    return inter / (len(a) + len(b) - inter)


def _pair_row(
    i: int,
    j: int,
    shared: int,
    feats: tuple[DocView, DocView],
    metas: list[DocMeta],
    s: DedupSettings,
    frequencies: WordFrequencies,
) -> dict[str, Any] | None:
    a, b = feats
    align = align_documents(a, b, s)
    relation = _classify(align, a, b, s)
    if relation is None:
        return None
    evidence: dict[str, Any] = {}
    direction = decide_direction(relation, align, metas[i], metas[j], s, frequencies, evidence)
    orig, copy = (metas[i], metas[j]) if direction.a_is_original else (metas[j], metas[i])
    cov_orig, cov_copy = (
        (align.coverage_a, align.coverage_b)
        if direction.a_is_original
        else (align.coverage_b, align.coverage_a)
    )
    if not direction.a_is_original:
        evidence["wording_a_commoner"], evidence["wording_b_commoner"] = (
            evidence.get("wording_b_commoner"),
            evidence.get("wording_a_commoner"),
        )
    evidence["wording_original_commoner"] = evidence.pop("wording_a_commoner", None)
    evidence["wording_copy_commoner"] = evidence.pop("wording_b_commoner", None)
    counts: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    first: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    for k in range(len(align.spans)):  # dicts keep first-seen (text) order
        key = align.substitution_ids(k)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, k)
    ranked = sorted(counts, key=lambda p: -counts[p])  # stable: ties stay in text order
    subs = []
    for key in ranked[: s.max_sample_substitutions]:
        x, y = align.substitution_text(first[key])
        subs.append([x, y] if direction.a_is_original else [y, x])
    evidence.update(
        {
            "word_ngram_jaccard": round(
                _jaccard(a.gram_set, b.gram_set),
                3,
            ),
            "shared_fingerprints": shared,
            "aligned_sentences": len(align.pairs),
            "coverage_original": round(cov_orig, 3),
            "coverage_copy": round(cov_copy, 3),
            "mean_sentence_similarity": round(align.mean_similarity, 3),
            "content_words_changed": round(align.content_change, 3),
            "content_words_substituted": round(align.substitution_rate, 3),
            "substitution_count": len(align.spans),
            "substitutions": subs,
            "direction_confidence": direction.confidence,
        }
    )
    coverage = max(align.coverage_a, align.coverage_b)
    confidence = SIMILARITY_WEIGHT * align.mean_similarity + (1 - SIMILARITY_WEIGHT) * coverage
    return {
        "copy": copy.doc_id,
        "original": orig.doc_id,
        "relation": relation,
        "confidence": round(min(1.0, confidence), 3),
        "direction_basis": direction.basis,
        "evidence": evidence,
    }


def _verify_candidates(
    tokens: Tokens, pairs: np.ndarray, metas: list[DocMeta], s: DedupSettings
) -> list[dict[str, Any]]:
    cache: dict[int, DocView] = {}
    frequencies = WordFrequencies(tokens.words)
    rows: list[dict[str, Any]] = []

    def view(idx: int) -> DocView:
        if idx not in cache:
            if len(cache) >= _FEATURE_CACHE:
                cache.pop(next(iter(cache)))
            cache[idx] = doc_view(tokens, idx, s)
        return cache[idx]

    for i, j, shared in pairs.tolist():
        row = _pair_row(i, j, shared, (view(i), view(j)), metas, s, frequencies)
        if row is not None:
            rows.append(row)
    return rows


def _verify_part(
    pairs: np.ndarray, shared: tuple[Tokens, list[DocMeta], DedupSettings]
) -> list[dict[str, Any]]:
    """Verify one partition of candidate pairs (an engine task)."""
    tokens, metas, settings = shared
    return _verify_candidates(tokens, pairs, metas, settings)


def find_copies(
    documents: pd.DataFrame, settings: DedupSettings, engine: Engine | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Detect copies among ``documents``; return (documents + group columns, relations).

    Adds ``group_id``, ``derived_from``, ``relation`` and the ``tortured_phrases`` flag to
    the documents (sorted by doc_id); the relations table has one row per detected pair
    (``copy, original, relation, confidence, direction_basis, evidence``), sorted.
    Raises ValueError when a required column is missing or doc_ids repeat. ``engine``
    (default: in-process) shuffles the fingerprints and verifies the candidate pairs in
    partitions; the groups are assigned once over all pairs, so they do not depend on it.
    """
    engine = engine or PandasEngine()
    missing = [c for c in REQUIRED_COLUMNS if c not in documents.columns]
    if missing:
        raise ValueError(f"dedup needs column(s) {', '.join(missing)}")
    docs = documents.copy()
    docs["doc_id"] = docs["doc_id"].astype(str)
    if docs["doc_id"].duplicated().any():
        dupes = sorted(docs.loc[docs["doc_id"].duplicated(), "doc_id"])[:3]
        raise ValueError(f"doc_id must be unique; repeated: {', '.join(dupes)}")
    docs = docs.sort_values("doc_id", kind="stable").reset_index(drop=True)
    texts = [t if isinstance(t, str) else "" for t in docs["text"].tolist()]
    vocab = Vocabulary()
    phrases = lexicon_ids(load_lexicon(), vocab)
    tokens = tokenise(texts, vocab)
    del vocab
    release_freed_memory()  # the tokeniser's temporaries
    hits = distinct_hits(tokens, phrases).tolist()
    n_words = np.diff(tokens.doc_start)
    enough = n_words >= settings.min_words
    metas: list[DocMeta] = []
    keys: list[bytes | None] = []
    flags: list[list[str]] = []
    columns = [c for c in ("doc_id", "trust", "updated", "retrieved", "flags") if c in docs]
    for row, key, n_hits, ok in zip(
        docs[columns].to_dict("records"), tokens.exact_keys, hits, enough.tolist(), strict=True
    ):
        metas.append(_meta(row, n_hits))
        old = row.get("flags")
        old = list(old) if isinstance(old, (list, tuple, np.ndarray)) else []
        if n_hits >= settings.tortured_min_hits:
            old.append("tortured_phrases")
        flags.append(sorted(set(old)))
        keys.append(key if ok else None)
    exact = _exact_groups(keys, metas)
    rows: list[dict[str, Any]] = []
    for member, original in sorted(exact.items()):
        evidence: dict[str, Any] = {}
        direction = decide_direction(
            "exact_duplicate", None, metas[original], metas[member], settings, None, evidence
        )
        rows.append(
            {
                "copy": metas[member].doc_id,
                "original": metas[original].doc_id,
                "relation": "exact_duplicate",
                "confidence": 1.0,
                "direction_basis": direction.basis,
                "evidence": {"normalised_text_equal": True},
            }
        )
        enough[member] = False  # its original stands for it
    values, owners = sample_fingerprints(
        tokens,
        enough,
        settings.word_ngram,
        settings.stopword_ngram,
        settings.word_sample_mod,
        settings.stopword_sample_mod,
    )
    pairs = candidate_pairs(
        values,
        owners,
        len(texts),
        settings.candidate_min_shared,
        settings.candidate_min_share,
        settings.max_fingerprint_df,
        engine.pair_counts,
    )
    del values, owners
    release_freed_memory()  # the fingerprint index
    parts = np.array_split(pairs, engine.partitions) if len(pairs) else []
    for found in engine.map(_verify_part, [p for p in parts if len(p)], (tokens, metas, settings)):
        rows.extend(found)
    relations = pd.DataFrame(rows, columns=RELATION_COLUMNS)
    relations = relations.sort_values(["original", "copy"], kind="stable").reset_index(drop=True)
    group_id, derived_from, relation = assign_groups(docs["doc_id"].tolist(), relations)
    docs["flags"] = flags
    docs["group_id"] = group_id
    docs["derived_from"] = pd.Series(derived_from, index=docs.index, dtype=object)
    docs["relation"] = relation
    return docs, relations
