"""One sentence naming several routes ~ a bulleted list of routes, and the conflict with
a page that names one route only (realistic chemotherapy pages, not the seeds)."""

import pandas as pd
import pytest

from pipeline.align import align_claims
from pipeline.reconcile import reconcile_claims
from pipeline.segment import segment_claims
from pipeline.settings import AlignSettings, ReconcileSettings

LEAFLET = (
    "Chemotherapy is a treatment that uses medicine to kill cancer cells.\n\n"
    "You might have chemotherapy as a drip into a vein, as tablets you swallow, or as an "
    "injection under your skin.\n\n"
    "Hair loss is a common side effect of many chemotherapy drugs.\n\n"
    "Your team will check your blood before each cycle."
)
CLINIC = (
    "Chemo uses strong drugs to destroy cancer cells in your body.\n\n"
    "There are several ways to have chemotherapy:\n\n"
    "- Intravenous: the drug drips slowly into a vein through a thin tube.\n"
    "- Oral: you take the drug as tablets or capsules at home.\n"
    "- Subcutaneous: a nurse injects the drug just under the skin.\n\n"
    "Many people lose some or all of their hair during chemo.\n\n"
    "Blood tests are done before every treatment."
)
BLOG = (
    "Chemotherapy kills fast-growing cells, including cancer cells.\n\n"
    "Chemotherapy is given as an infusion.\n\n"
    "Some people lose their hair during treatment."
)


def _docs(*pages: tuple[str, str]) -> pd.DataFrame:
    rows = [
        {"doc_id": d, "text": t, "group_id": d, "derived_from": None, "relation": "original",
         "url": "", "publisher": d, "title": "", "retrieved": "", "trust": 1}
        for d, t in pages
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _own(sentences: pd.DataFrame, starts: str) -> str:
    hit = sentences[sentences["own_text"].str.startswith(starts)]
    assert len(hit) == 1, starts
    return hit["sentence_id"].iloc[0]


@pytest.fixture(scope="module")
def aligned():
    docs = _docs(("a_leaflet", LEAFLET), ("b_clinic", CLINIC), ("c_blog", BLOG))
    sentences = segment_claims(docs, AlignSettings())
    alignments = align_claims(sentences, docs, AlignSettings())
    if not alignments["method"].str.startswith("minilm").all():
        pytest.skip("MiniLM is not installed here")
    return docs, sentences, alignments


def test_a_route_sentence_aligns_with_each_route_bullet(aligned):
    _, sentences, alignments = aligned
    routes = _own(sentences, "You might have chemotherapy as a drip")
    pairs = set(zip(alignments["sentence_a"], alignments["sentence_b"], strict=True))
    for bullet in ("Intravenous:", "Oral:", "Subcutaneous:"):
        assert (routes, _own(sentences, bullet)) in pairs, bullet


def test_one_route_only_conflicts_with_the_list_of_routes(aligned):
    docs, sentences, alignments = aligned
    claims, _ = reconcile_claims(sentences, alignments, docs, ReconcileSettings())
    infusion = claims[claims["text"] == "Chemotherapy is given as an infusion."].iloc[0]
    assert infusion["status"] == "conflict"
    assert [c["type"] for c in infusion["conflicts"]] == ["exclusive"]
    routes = claims[claims["text"].str.startswith("You might have chemotherapy as a drip")]
    assert routes.iloc[0]["status"] == "conflict"
    assert routes.iloc[0]["independent_sources"] == 2  # the leaflet and the clinic's bullets
