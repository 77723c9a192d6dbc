"""Claims a reader can trust, on the hand-labelled topic corpora (tests/data/align/<topic>/):
the real pipeline builds each corpus from its raw captures, and the labels (written by
meaning, per sentence) say whether a citation states the claim's fact and whether a
conflict is a real contradiction."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "data" / "align"))
from claim_metrics import claim_metrics, figures, merged
from labelled_corpus import NO_FACT, load, sentence_facts, topics

from pipeline.build import run_stages
from pipeline.io import read_raw_dir
from pipeline.settings import Settings
from pipeline.tables import ERROR_COLUMNS

TOPICS = topics()


@pytest.fixture(scope="module", params=TOPICS)
def built(request) -> tuple:
    """(labels, tables) of one topic, built by the real stages without a cache."""
    corpus = load(request.param)
    settings = Settings()
    files, sources, errors = read_raw_dir(corpus.raw, settings.ingest)
    tables = run_stages(
        files, sources, settings, read_errors=pd.DataFrame(errors, columns=ERROR_COLUMNS)
    )
    return corpus, tables


def test_citations_state_the_claims_fact(built):
    corpus, tables = built
    counts = merged([claim_metrics(corpus, tables)], "all")
    assert counts["cited"] >= 20  # the corpus has facts several sources state
    assert figures(counts)["citation_precision"] >= 0.92


def test_look_alikes_are_never_conflicts(built):
    corpus, tables = built
    facts, _ = sentence_facts(corpus, tables["sentences.jsonl"], tables["documents.jsonl"])
    for claim in tables["claims.jsonl"].to_dict("records"):
        for entry in claim["conflicts"]:
            a, b = (facts.get(s["sentence_id"], frozenset()) for s in entry["sides"])
            assert not {frozenset((x, y)) for x in a for y in b} & corpus.lookalikes, entry


def test_a_conflict_says_which_source_states_which_side(built):
    _, tables = built
    keys = set(tables["sources.csv"]["key"])
    entries = [e for c in tables["claims.jsonl"]["conflicts"] for e in c]
    for entry in entries:
        assert len(entry["sides"]) == 2
        assert {s["key"] for s in entry["sides"]} <= keys
        for side in entry["sides"]:
            assert f'{side["key"]}: "{side["text"]}"' in entry["detail"]


def test_no_two_sources_corroborate_a_sentence_without_a_fact(built):
    corpus, tables = built
    facts, _ = sentence_facts(corpus, tables["sentences.jsonl"], tables["documents.jsonl"])
    for claim in tables["claims.jsonl"].to_dict("records"):
        if claim["independent_sources"] >= 2:
            assert facts.get(claim["sentence_id"], frozenset()) - NO_FACT, claim["text"]


def test_a_partial_copys_own_sentences_are_cited_to_it(built):
    corpus, tables = built
    documents = tables["documents.jsonl"]
    partial = documents[documents["relation"] == "partial_copy"]
    if partial.empty:
        pytest.skip("copy detection did not find this corpus's partial copy")
    doc = partial.iloc[0]
    key = tables["sources.csv"].set_index("doc_id").at[doc["doc_id"], "key"]
    facts, _ = sentence_facts(corpus, tables["sentences.jsonl"], documents)
    file_of = dict(zip(documents["doc_id"], documents["source_file"], strict=True))
    original_facts = {
        f for sid, fs in facts.items() if file_of.get(sid.split("#")[0]) == corpus.copies.get(
            doc["source_file"], doc["derived_from"]) for f in fs
    }  # fmt: skip
    own = 0
    for claim in tables["claims.jsonl"].to_dict("records"):
        for support in claim["support"]:
            sid = support["sentence_id"]
            mine = support["doc_id"] == doc["doc_id"]
            if mine and facts.get(sid, frozenset()) - NO_FACT - original_facts:
                own += 1
                assert key in claim["citations"], claim["text"]
    assert own >= 5  # the page adds text of its own
