"""Segmentation of clean texts into claim sentences."""

import pandas as pd

from pipeline.align.segment import segment_claims
from pipeline.settings import AlignSettings

TEXT = """# How is immunotherapy given?

Different forms of immunotherapy may be given in different ways. These include:

- Oral The immunotherapy comes in pills or capsules that you swallow.
- Topical The immunotherapy comes in a cream that you rub onto your skin.

Your immune system is made up of organs and immune cells. Immune cells include:

Immunotherapy treats different types of cancers , including but not limited to

You may have side effects from immunotherapy."""


def _segment(text: str) -> pd.DataFrame:
    docs = pd.DataFrame({"doc_id": ["d1"], "text": [text]})
    return segment_claims(docs, AlignSettings())


def test_list_intro_is_joined_to_each_item_and_is_no_claim_itself():
    rows = _segment(TEXT)
    items = rows[rows["kind"] == "item"]
    assert len(items) == 2
    for text in items["text"]:
        assert text.startswith("Different forms of immunotherapy may be given in different ways.")
    assert items["is_claim"].all()
    intro = rows[rows["text"] == "These include:"]
    assert not intro["is_claim"].any()


def test_lost_list_intros_and_headings_are_no_claims():
    rows = _segment(TEXT)
    claims = set(rows.loc[rows["is_claim"], "text"])
    assert "Immune cells include:" not in claims
    assert not any(t.startswith("Immunotherapy treats different types") for t in claims)
    assert "How is immunotherapy given?" not in claims
    assert (rows.loc[rows["kind"] == "heading", "is_claim"] == False).all()  # noqa: E712
    assert "Your immune system is made up of organs and immune cells." in claims
    assert "You may have side effects from immunotherapy." in claims


def test_sentence_ids_are_stable_and_carry_the_section():
    first, second = _segment(TEXT), _segment(TEXT)
    assert first["sentence_id"].tolist() == second["sentence_id"].tolist()
    assert first["sentence_id"].is_unique
    assert set(first.loc[first["kind"] == "item", "section"]) == {"How is immunotherapy given?"}


def test_odd_input_does_not_crash():
    docs = pd.DataFrame(
        {"doc_id": ["empty", "none", "junk"], "text": ["", None, "\x00\x01 ::: -- #\n\n- \n# "]}
    )
    rows = segment_claims(docs, AlignSettings())
    assert not rows["is_claim"].any()
