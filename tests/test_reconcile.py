"""Claims, citations, conflicts and corpus.md from the seed fixture."""

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "data" / "align"))
from align_fixture import fixture_documents

from pipeline.align import align_claims
from pipeline.conflicts import find_conflict
from pipeline.corpus_md import render_corpus_md
from pipeline.reconcile import reconcile_claims
from pipeline.segment import segment_claims
from pipeline.settings import AlignSettings, ReconcileSettings

SPUN = "000_d9c78c9f329d1f8b"


def _run(docs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    sentences = segment_claims(docs, AlignSettings())
    alignments = align_claims(sentences, docs, AlignSettings())
    return reconcile_claims(sentences, alignments, docs, ReconcileSettings())


@pytest.fixture(scope="module")
def seeds():
    docs = fixture_documents()
    claims, sources = _run(docs)
    return docs, claims, sources


def test_spun_copy_adds_no_independent_support_and_no_wording(seeds):
    _, claims, sources = seeds
    spun_key = sources.loc[sources["doc_id"] == SPUN, "key"].iloc[0]
    backed = claims[claims["support"].map(lambda s: any(x["doc_id"] == SPUN for x in s))]
    assert len(backed) >= 15
    for claim in backed.to_dict("records"):
        assert claim["doc_id"] != SPUN
        assert spun_key not in claim["citations"]
        groups = {x["doc_id"] for x in claim["support"] if x["doc_id"] != SPUN}
        assert claim["independent_sources"] == len(groups)
        assert any(x["via"] == "spun_copy" for x in claim["support"])
    only_spun = backed[backed["independent_sources"] == 1]
    assert (only_spun["status"] != "corroborated").all()


def test_canonical_wording_comes_from_the_most_trusted_source(seeds):
    _, claims, _ = seeds
    bio = claims[claims["text"] == "It is a type of biological therapy."]
    assert len(bio) == 1
    claim = bio.iloc[0]
    assert claim["citations"][0] == "medlineplus"
    assert "clevelandclinic" in claim["citations"]
    assert claim["status"] in ("corroborated", "conflict")


def test_claim_ids_survive_an_unrelated_document(seeds):
    docs, claims, _ = seeds
    extra = pd.DataFrame(
        [
            {
                "doc_id": "zzz_gardening",
                "url": "https://example.org/tomatoes",
                "publisher": "Garden Weekly",
                "title": "Growing tomatoes",
                "retrieved": "",
                "trust": 1,
                "group_id": "zzz_gardening",
                "derived_from": None,
                "relation": "original",
                "flags": [],
                "text": "Tomatoes need six hours of sun a day.\n\n"
                "Water the plants deeply twice a week in dry weather.",
            }
        ]
    )
    again, _ = _run(pd.concat([docs, extra], ignore_index=True))
    before = set(claims["claim_id"])
    after = set(again["claim_id"])
    assert len(before & after) / len(before) >= 0.9
    assert before == after - set(again.loc[again["doc_id"] == "zzz_gardening", "claim_id"])


def test_conflict_rules():
    routes = "You could get immunotherapy intravenously (by IV), in pills or capsules, or a cream."
    assert find_conflict(routes, "Immunotherapy is performed as infusion.") == "exclusive"
    assert find_conflict("It works in around 25% of patients.", "It works in 40% of patients.") == (
        "number"
    )
    sides = "Side effects include muscle pain, chest pain, headaches and loss of appetite."
    assert find_conflict(sides, "Side effects include flu-like symptoms, fever, or rash.") == (
        "different_lists"
    )


def test_spinner_noise_is_no_conflict():
    assert find_conflict(
        "You may have treatment every day, week, or month.",
        "You might have remedy every single day, 7 days, or month.",
    ) is None
    assert find_conflict(
        "One reason that the cancer cells can keep growing is that they hide.",
        "1 motive that the most cancers cells can continue to keep escalating is they cover.",
    ) is None
    assert find_conflict(
        "Other side effects may include flu-like symptoms, or rarely, severe reactions.",
        "Other side effects might include flu-like indicators, or seldom, serious reactions.",
    ) is None


def test_seed_conflicts_are_found_between_groups(seeds):
    _, claims, _ = seeds
    conflicted = claims[claims["status"] == "conflict"]
    assert len(conflicted) >= 2
    ids = set(claims["claim_id"])
    for claim in conflicted.to_dict("records"):
        for conflict in claim["conflicts"]:
            assert conflict["claim_id"] in ids
            assert " vs " in conflict["detail"]


def test_corpus_md_has_citation_tags_and_references(seeds):
    _, claims, sources = seeds
    text = render_corpus_md(claims, sources)
    assert "[^medlineplus]" in text
    assert "## References" in text
    for key in sources["key"]:
        assert f"[^{key}]: " in text
    assert "**Conflict" in text
    assert text == render_corpus_md(claims, sources)


def test_source_keys_are_unique_and_short(seeds):
    _, _, sources = seeds
    assert sources["key"].is_unique
    assert sources["key"].str.len().max() <= ReconcileSettings().max_key_length
    assert "clevelandclinic" in set(sources["key"])
