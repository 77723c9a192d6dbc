"""Claims, citations, conflicts and corpus.md from the seeds (real clean + dedup output)."""

import dataclasses
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "data" / "align"))
from align_fixture import seed_documents

from pipeline.align.segment import segment_claims
from pipeline.align.stage import align_claims
from pipeline.reconcile.conflicts import find_conflict
from pipeline.reconcile.corpus_md import render_corpus_md
from pipeline.reconcile.stage import reconcile_claims
from pipeline.settings import AlignSettings, ReconcileSettings

SPUN = "000_d9c78c9f329d1f8b"


def _run(docs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    sentences = segment_claims(docs, AlignSettings())
    alignments = align_claims(sentences, docs, AlignSettings())
    return reconcile_claims(sentences, alignments, docs, ReconcileSettings())


@pytest.fixture(scope="module")
def seeds():
    docs = seed_documents()
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
    _, claims, sources = seeds
    trust = dict(zip(sources["doc_id"], sources["trust"].fillna(-1).astype(int), strict=True))
    key = dict(zip(sources["doc_id"], sources["key"], strict=True))
    corroborated = claims[claims["status"] == "corroborated"].to_dict("records")
    assert corroborated
    for claim in corroborated:
        best = max(trust[s["doc_id"]] for s in claim["support"])
        assert trust[claim["doc_id"]] == best
        assert claim["citations"][0] == key[claim["doc_id"]]


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


def _docs(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Documents (doc_id, group_id, relation, publisher) with no text (reconcile needs none)."""
    frame = pd.DataFrame(rows, columns=["doc_id", "group_id", "relation", "publisher"])
    return frame.assign(url="", title="", retrieved="", trust=1, text="")


def _sentences(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"doc_id": d, "sentence_id": f"{d}#s{i:03d}", "position": i, "block": i,
             "list_id": "", "kind": "sentence", "text": t, "own_text": t, "intro": "",
             "section": "", "is_claim": True, "skip_reason": ""}
            for i, (d, t) in enumerate(rows)
        ]
    )  # fmt: skip


def _alignments(pairs: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["sentence_a", "sentence_b", "score"])


def test_a_spun_copy_without_its_original_adds_no_citation():
    docs = _docs(
        ("orig", "orig", "original", "Orig Site"),
        ("spun", "orig", "spun_copy", "Spun Site"),
        ("other", "other", "original", "Other Site"),
    )
    sentences = _sentences(
        [
            ("other", "Immunotherapy is given in cycles with rest periods."),
            ("spun", "Immunotherapy is presented in cycles with rest durations."),
        ]
    )
    al = _alignments([("other#s000", "spun#s001", 0.9)])
    claims, sources = reconcile_claims(sentences, al, docs, ReconcileSettings())
    spun_key = sources.loc[sources["doc_id"] == "spun", "key"].iloc[0]
    assert len(claims) == 1
    claim = claims.iloc[0]
    assert claim["citations"] == ["othersite"] and spun_key not in claim["citations"]
    assert claim["independent_sources"] == 1 and claim["status"] == "single_source"


def test_one_loose_alignment_does_not_chain_two_claims():
    docs = _docs(*[(d, d, "original", d.upper()) for d in ("a", "b", "c")])
    sentences = _sentences([
        ("a", "Some immunotherapies are given in cycles."),
        ("b", "You may get immunotherapy daily, weekly, monthly or in a cycle."),
        ("c", "You could get immunotherapy by IV, in pills, or in a cream."),
    ])  # fmt: skip
    al = _alignments([("a#s000", "b#s001", 0.95), ("b#s001", "c#s002", 0.9)])
    one_link_is_enough = dataclasses.replace(ReconcileSettings(), min_document_links=1)
    claims, _ = reconcile_claims(sentences, al, docs, one_link_is_enough)
    members = sorted(len(s) for s in claims["support"])
    assert members == [1, 2]  # c is aligned with b only, not with a: it stays apart


def test_conflict_rules():
    routes = "You could get immunotherapy intravenously (by IV), in pills or capsules, or a cream."
    assert find_conflict(routes, "Immunotherapy is performed as infusion.") == "exclusive"
    assert find_conflict("It works in around 25% of patients.", "It works in 40% of patients.") == (
        "number"
    )
    # two complementary lists of side effects: both true, never a conflict
    sides = "Side effects include muscle pain, chest pain, headaches and loss of appetite."
    assert find_conflict(sides, "Side effects include flu-like symptoms, fever, or rash.") is None


def test_spinner_noise_is_no_conflict():
    assert (
        find_conflict(
            "You may have treatment every day, week, or month.",
            "You might have remedy every single day, 7 days, or month.",
        )
        is None
    )
    assert (
        find_conflict(
            "One reason that the cancer cells can keep growing is that they hide.",
            "1 motive that the most cancers cells can continue to keep escalating is they cover.",
        )
        is None
    )
    assert (
        find_conflict(
            "Other side effects may include flu-like symptoms, or rarely, severe reactions.",
            "Other side effects might include flu-like indicators, or seldom, serious reactions.",
        )
        is None
    )


def test_a_lone_match_between_two_pages_goes_to_review():
    docs = _docs(("a", "a", "original", "Shop A"), ("b", "b", "original", "Shop B"))
    sentences = _sentences([("a", "No credit card is required to sign up."),
                            ("b", "You do not need a credit card to sign up.")])  # fmt: skip
    claims, _ = reconcile_claims(
        sentences, _alignments([("a#s000", "b#s001", 0.95)]), docs, ReconcileSettings()
    )
    assert list(claims["independent_sources"]) == [1, 1]
    reviewed = [r["sentence_id"] for c in claims["review"] for r in c]
    assert reviewed == ["b#s001"]


def test_no_false_conflicts_among_the_seeds(seeds):
    # an independent reading found none of the three conflicts flagged before to be a
    # contradiction ("some" vs "many" cancers, two complementary lists of side effects,
    # two lists of ways to give it)
    _, claims, _ = seeds
    assert (claims["status"] == "conflict").sum() == 0


def test_a_conflict_names_which_source_states_which_side():
    docs = _docs(("a", "a", "original", "Heart Trust"), ("b", "b", "original", "Care Line"))
    sentences = _sentences([
        ("a", "Check your blood pressure at home twice a day."),
        ("b", "Check your blood pressure at home once a week."),
    ])  # fmt: skip
    claims, sources = reconcile_claims(
        sentences, _alignments([("a#s000", "b#s001", 0.95)]), docs, ReconcileSettings()
    )
    assert list(claims["status"]) == ["conflict", "conflict"]
    entry = claims.iloc[0]["conflicts"][0]
    assert entry["type"] == "frequency"
    assert [s["key"] for s in entry["sides"]] == ["hearttrust", "careline"]
    assert entry["detail"] == (
        'hearttrust: "Check your blood pressure at home twice a day."; '
        'careline: "Check your blood pressure at home once a week."'
    )
    text = render_corpus_md(claims, sources)
    assert '**Conflict (frequency):** hearttrust: "Check your blood' in text


def test_corpus_md_has_citation_tags_and_references(seeds):
    _, claims, sources = seeds
    text = render_corpus_md(claims, sources)
    assert "[^medlineplus]" in text
    assert "## References" in text
    for key in sources["key"]:
        assert f"[^{key}]: " in text
    assert text == render_corpus_md(claims, sources)


def test_source_keys_are_unique_and_short(seeds):
    _, _, sources = seeds
    assert sources["key"].is_unique
    assert sources["key"].str.len().max() <= ReconcileSettings().max_key_length
    assert "clevelandclinic" in set(sources["key"])
