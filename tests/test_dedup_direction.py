"""Direction of partial copies on hand-written pages: which page the passage belongs to.

The original is a council news article; the copies set a part of it into pages of their
own (a village newsletter, a gardening blog on the same heat, an aggregator page).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.dedup.partial import placement
from pipeline.dedup.stage import find_copies
from pipeline.settings import DedupSettings

DATA = Path(__file__).resolve().parent / "data" / "dedup"
COUNCIL = (DATA / "heatwave_council.txt").read_text(encoding="utf-8").strip().split("\n\n")
NEWSLETTER = (DATA / "village_newsletter.txt").read_text(encoding="utf-8").strip().split("\n\n")
GARDEN = (DATA / "garden_blog.txt").read_text(encoding="utf-8").strip().split("\n\n")


def relation_of(copy: list[str], original: list[str] = COUNCIL) -> dict:
    """The one relation found between a copy page ("a_copy": the smaller doc_id, which
    the last-resort rule would call the original) and the original ("z_council")."""
    frame = pd.DataFrame(
        {
            "doc_id": ["a_copy", "z_council"],
            "text": ["\n\n".join(copy), "\n\n".join(original)],
        }
    )
    _docs, relations = find_copies(frame, DedupSettings())
    assert len(relations) == 1
    rel = relations.iloc[0].to_dict()
    assert rel["relation"] == "partial_copy"
    return rel


def test_partial_copy_original_is_the_page_whose_own_text_continues_the_passage():
    # half of the article inside a newsletter of local news: neither page holds the
    # other, coverage is about even, so containment cannot tell
    copy = [*NEWSLETTER[:4], "## Heat advice from the council", *COUNCIL[3:8], *NEWSLETTER[4:]]
    rel = relation_of(copy)
    assert (rel["copy"], rel["original"]) == ("a_copy", "z_council")
    assert "continues the shared passage" in rel["direction_basis"]
    ev = rel["evidence"]
    assert abs(ev["coverage_original"] - ev["coverage_copy"]) < 0.1
    assert ev["continuation_original"] > ev["continuation_copy"] + 0.1


def test_continuation_holds_when_the_copy_writes_about_the_same_subject():
    # a gardening blog on the same heatwave (sun, water, heat, shade) quoting the advice
    copy = [*GARDEN[:2], *COUNCIL[3:7], *GARDEN[2:]]
    rel = relation_of(copy)
    assert (rel["copy"], rel["original"]) == ("a_copy", "z_council")
    assert "continues the shared passage" in rel["direction_basis"]


def test_partial_copy_that_credits_its_source_is_the_copy():
    credit = "This article originally appeared on the Riverside Borough Council website."
    copy = ["# Local news round-up", *NEWSLETTER[1:3], *COUNCIL[1:6], credit, *NEWSLETTER[3:5]]
    rel = relation_of(copy)
    assert (rel["copy"], rel["original"]) == ("a_copy", "z_council")
    assert rel["direction_basis"].startswith("a_copy credits another page for the text")
    assert "Riverside Borough Council" in rel["evidence"]["attribution_line"]


def test_credits_for_a_chart_or_related_links_are_no_attribution():
    # originals credit their data and link to other stories: that is not a copy's credit
    original = [*COUNCIL[:3], "Source: Met Office", *COUNCIL[3:], "Read more: bin collection days"]
    copy = [*NEWSLETTER[:4], *COUNCIL[3:8], *NEWSLETTER[4:]]
    rel = relation_of(copy, original)
    assert (rel["copy"], rel["original"]) == ("a_copy", "z_council")
    assert "attribution_line" not in rel["evidence"]


def test_page_opening_mid_discourse_with_the_passage_is_the_copy():
    # the copy starts at "However, most people can keep cool ...": the sentence it
    # answers ("Older people ... are most at risk") is only in the council's article
    assert COUNCIL[4].startswith("However,")
    copy = ["# Ten tips for hot days", *COUNCIL[4:8], *NEWSLETTER[1:]]
    rel = relation_of(copy)
    assert (rel["copy"], rel["original"]) == ("a_copy", "z_council")
    assert "mid-discourse" in rel["direction_basis"]
    assert rel["evidence"]["dangling_opener"] == "however"


def test_article_opening_with_this_is_no_dangling_opener():
    # "This", "It", "Another" open real articles ("This week ..."): no evidence by rule
    from pipeline.dedup.partial import DANGLING_OPENERS

    assert {"this", "it", "another", "he"}.isdisjoint(DANGLING_OPENERS)
    assert {"however", "these", "they", "moreover"} <= DANGLING_OPENERS


def test_placement_counts_only_content_lines_outside_the_passage():
    from pipeline.dedup.span_align import doc_view
    from pipeline.dedup.tokens import tokenise

    text = "\n\n".join(["Menu | Home | News", *COUNCIL[1:3], NEWSLETTER[1]])
    view = doc_view(tokenise([text]), 0, DedupSettings())
    # sentence 0 is the menu line, 1-4 the council's two paragraphs, then the newsletter
    first = view.sentences[1][0]
    assert view.words[view.ids[first]] == "riverside" and view.cap[first]
    place = placement(view, [1, 2, 3, 4])
    assert place.content_before is False  # a menu line is no content
    assert place.own_words > 20 and place.continuation < 0.2
    assert place.attribution == ""
