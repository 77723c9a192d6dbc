"""Alignment of claims across the seed documents, as the real clean + dedup stages leave them."""

import dataclasses
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "data" / "align"))
from align_fixture import gold_pairs, seed_documents

from pipeline.align.segment import segment_claims
from pipeline.align.stage import align_claims
from pipeline.settings import AlignSettings


@pytest.fixture(scope="module")
def seeds():
    settings = AlignSettings()
    docs = seed_documents()
    sentences = segment_claims(docs, settings)
    return docs, sentences, align_claims(sentences, docs, settings)


def _id(sentences: pd.DataFrame, doc: str, starts: str) -> str:
    own = sentences["own_text"].str.startswith(starts) & sentences["doc_id"].str.startswith(doc)
    assert own.sum() == 1, starts
    return sentences.loc[own, "sentence_id"].iloc[0]


def _aligned(alignments: pd.DataFrame, a: str, b: str) -> bool:
    pairs = set(zip(alignments["sentence_a"], alignments["sentence_b"], strict=True))
    return (a, b) in pairs or (b, a) in pairs


def test_paraphrase_biological_therapy_aligns(seeds):
    _, sentences, alignments = seeds
    a = _id(sentences, "004", "It is a type of biological therapy.")
    b = _id(sentences, "002", "The treatment is sometimes called biological therapy.")
    assert _aligned(alignments, a, b)


def test_items_of_lists_sharing_an_intro_align_only_when_they_say_the_same():
    settings = AlignSettings()
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "text": [
                "Diabetes can go unnoticed for years.\n\nSymptoms include:\n"
                "- feeling very thirsty\n- blurred vision\n- passing urine more often than usual",
                "Many people have no symptoms at first.\n\nSymptoms include:\n"
                "- being very thirsty all the time\n- cuts and wounds that take longer to heal\n"
                "- losing weight without trying",
            ],
        }
    )
    sentences = segment_claims(docs, settings)
    alignments = align_claims(sentences, docs, settings)
    own = dict(zip(sentences["sentence_id"], sentences["own_text"], strict=True))
    pairs = {(own[a], own[b]) for a, b in zip(alignments["sentence_a"], alignments["sentence_b"],
                                                strict=True)}  # fmt: skip
    assert pairs <= {("feeling very thirsty", "being very thirsty all the time")}


def test_spun_copy_aligns_sentence_by_sentence_to_its_original(seeds):
    _, _, alignments = seeds
    spun = alignments[alignments["same_group"]]
    assert set(spun["doc_a"]) == {"000_d9c78c9f329d1f8b"}
    assert len(spun) >= 18  # the copy has 20 claim sentences, all rewritten word by word


def test_alignment_precision_on_labelled_pairs_is_reasonable(seeds):
    _, sentences, alignments = seeds
    gold = gold_pairs(sentences).pairs
    pairs = zip(alignments["sentence_a"], alignments["sentence_b"], strict=True)
    found = {frozenset(p) for p in pairs}
    # precision first: measured .957 / .336 (bench_align.py); before the calibrated
    # score, .796 / .687
    assert len(found & gold) / len(found) >= 0.9
    assert len(found & gold) / len(gold) >= 0.3


def test_every_labelled_sentence_is_found_in_the_real_clean_text(seeds):
    _, sentences, _ = seeds
    gold = gold_pairs(sentences)
    assert gold.lost == []
    assert len(gold.spun) == 20
    assert len(gold.pairs) == 131
    claims = set(sentences.loc[sentences["is_claim"], "sentence_id"])
    assert all(pair <= claims for pair in gold.pairs)


def test_alignment_is_deterministic(seeds):
    docs, sentences, alignments = seeds
    again = align_claims(sentences, docs, AlignSettings())
    pd.testing.assert_frame_equal(alignments, again)


def test_lexical_fallback_still_aligns_the_spun_copy():
    settings = dataclasses.replace(AlignSettings(), embedder="lexical")
    docs = seed_documents()
    sentences = segment_claims(docs, settings)
    alignments = align_claims(sentences, docs, settings)
    assert alignments["method"].eq("lexical+lexical").all()
    assert alignments["same_group"].sum() >= 5  # measured 7 (MiniLM: 18 of 20)


def test_empty_and_single_document_inputs():
    settings = AlignSettings()
    docs = seed_documents().iloc[:1]
    sentences = segment_claims(docs, settings)
    assert align_claims(sentences, docs, settings).empty
    assert align_claims(sentences.iloc[:0], docs, settings).empty
