"""DOM rules for article pages: prose inside navigation-named wrappers, tag clouds and
drop-down pickers; and when the listing fallback may replace the extractor's article."""

from __future__ import annotations

import lxml.html

from pipeline.clean.blocks import render_text
from pipeline.clean.html.cleaner import clean_html
from pipeline.clean.html.rules import strip_boilerplate_elements
from pipeline.settings import CleanSettings

SETTINGS = CleanSettings()

ARTICLE = [
    "Three cases of a rare infection were reported in the region last week, and health "
    "officials said the risk of a wider outbreak remains low for now.",
    "Doctors treated the patients in isolation while investigators traced their contacts, "
    "and no further cases had been confirmed by the end of the week.",
    "The infection responds to common antibiotics when it is caught early, which is why "
    "officials asked anyone with a sudden fever after travel to see a doctor.",
    "Public health teams also visited local clinics to explain the symptoms to staff and to "
    "hand out guidance on testing, isolation and the reporting of suspected cases.",
    "Experts noted that similar clusters have appeared before and were contained quickly "
    "because clinics knew what to look for and reported suspected cases without delay.",
    "Officials promised daily updates until the investigation closes, and they asked the "
    "public not to share unverified claims about new infections on social media.",
    "Schools in the affected district stayed open, although two sports events were moved "
    "to later dates so that families could follow the advice on avoiding crowds.",
    "Pharmacies reported more questions than usual about fever medicines, and several of "
    "them put up posters that explain when a fever needs a doctor's attention.",
    "The regional hospital said it had enough beds and staff to cope, and that routine "
    "appointments would go ahead as planned for all of its other patients.",
    "A helpline for worried residents took several hundred calls in its first two days, "
    "most of them about travel plans and about symptoms that turned out to be colds.",
]
TAGS = ["vaccines", "travel", "fever", "clinics", "testing", "outbreaks", "antibiotics",
        "isolation", "symptoms", "guidance"]  # fmt: skip
SIDEBAR = "".join(
    f"<p>Reader comment {i}: thank you for the update, my family lives near the clinic and we "
    "have been worried about the news all week, so this report helps us a lot.</p>"
    for i in range(30)
)


def _page(body: str) -> str:
    return f"<html><head><title>Report</title></head><body>{body}</body></html>"


def _paragraphs() -> str:
    return "".join(f"<p>{p}</p>" for p in ARTICLE)


def _strip(html: str) -> tuple[str, list]:
    root = lxml.html.document_fromstring(html)
    removed = strip_boilerplate_elements(root, SETTINGS)
    return " ".join(root.find("body").text_content().split()), removed


def test_article_inside_a_pagination_named_wrapper_is_kept():
    html = _page(f'<div class="pagination-wrapper">{_paragraphs()}</div><aside>{SIDEBAR}</aside>')
    text, removed = _strip(html)
    assert all(p in text for p in ARTICLE)
    assert not any(r.reason == "navigation" for r in removed)


def test_real_pagination_row_is_still_cut():
    pager = '<div class="pagination">' + "".join(
        f'<a href="/page/{i}">{i}</a> ' for i in range(1, 9)
    ) + '<a href="/page/2">Next page</a></div>'  # fmt: skip
    text, removed = _strip(_page(f"<article>{_paragraphs()}</article>{pager}"))
    assert "Next page" not in text
    assert any("Next page" in r.text and r.reason == "navigation" for r in removed)


def test_tag_cloud_and_category_picker_are_cut_and_recorded():
    cloud = '<div class="well"><h4>Tags</h4>' + " ".join(
        f'<a class="label" href="/tag/{t}">{t}</a>' for t in TAGS
    ) + "</div>"  # fmt: skip
    picker = (
        '<select name="category"><option>Choose</option><option>Health</option>'
        "<option>Transport</option></select>"
    )
    text, removed = _strip(_page(f"<div>{cloud}{picker}</div><article>{_paragraphs()}</article>"))
    assert ARTICLE[0] in text
    assert "antibiotics isolation" not in text and "Transport" not in text
    assert any("vaccines" in r.text and r.reason == "link_list" for r in removed)
    assert any("Transport" in r.text and r.rule == "select_element" for r in removed)


def test_a_directory_page_keeps_its_list_of_names():
    names = ["Aberdeen", "Bristol", "Cardiff", "Derby", "Exeter", "Glasgow", "Hull", "Leeds",
             "Norwich", "Oxford", "Perth", "Swansea", "York"]  # fmt: skip
    items = "".join(f'<li><a href="/clinics/{n.lower()}">{n}</a></li>' for n in names)
    html = _page(f"<h1>Clinics by city</h1><p>Pick a city to see its clinics.</p><ul>{items}</ul>")
    text, removed = _strip(html)
    assert all(n in text for n in names) and not removed
    assert all(n in render_text(clean_html(html, None, SETTINGS).blocks) for n in names)


def test_article_is_not_replaced_by_the_page_around_it():
    """A news page: a 260-word article above 60 linked story cards. The extractor keeps
    the article (a small share of the page's words); the listing fallback must not swap
    it for the whole region, cards included."""
    teasers = "".join(
        f'<div class="card"><a href="/story/{i}"><h3>Story number {i} about local news</h3>'
        f"<p>A short teaser for story {i}, about a council meeting, road works and plans "
        "for the new library.</p></a></div>"
        for i in range(60)
    )
    html = _page(
        f"<main><h1>Rare infection reported</h1><div>{_paragraphs()}</div>"
        f"<section>{teasers}</section></main>"
    )
    text = render_text(clean_html(html, None, SETTINGS).blocks)
    assert ARTICLE[0] in text and ARTICLE[-1] in text
    assert "Story number 41" not in text


def test_title_heading_becomes_metadata_and_section_headings_stay():
    html = (
        "<html><head><title>Rare infection reported in the region | City News</title></head>"
        "<body><article><h1>Rare infection reported in the region</h1>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE[:3])
        + "<h2>What officials advise</h2>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE[3:])
        + "</article></body></html>"
    )
    cleaned = clean_html(html, None, SETTINGS)
    text = render_text(cleaned.blocks)
    assert "Rare infection reported in the region" not in text
    assert "What officials advise" in text and ARTICLE[0] in text
    assert any(r.rule == "title_heading" and r.reason == "metadata" for r in cleaned.removed)


def test_text_segments_skip_invisible_subtrees_but_keep_their_tails():
    from pipeline.clean.html.blocks import text_segments

    root = lxml.html.document_fromstring(
        "<html><body><div>Before the widget <template><div><p>Hidden offer</p></div>"
        "</template>and after it.</div><svg><a href='/x'><text>icon</text></a></svg>"
        "<p>A <a href='/y'>linked</a> word.</p></body></html>"
    )
    segments = [(text, share) for _, text, share in text_segments(root)]
    texts = [t for t, _ in segments]
    assert "Before the widget and after it." in texts
    assert not any("Hidden offer" in t or "icon" in t for t in texts)
    assert dict(segments)["A linked word."] == len("linked") / len("A linked word.")


def test_reading_time_line_is_metadata_in_html_and_text_captures():
    from pipeline.clean.text.signals import match_rule

    html = _page(f"<article><p>6 min read</p>{_paragraphs()}</article>")
    cleaned = clean_html(html, None, SETTINGS)
    assert "6 min read" not in render_text(cleaned.blocks)
    assert any(r.text == "6 min read" and r.rule == "reading_time" for r in cleaned.removed)
    assert match_rule("Reading time: 4 minutes") == ("metadata", "reading_time")
    assert match_rule("It takes 5 min to read the label, then ask a pharmacist.") is None


def test_chat_text_after_a_comment_still_triggers_the_banner_rule():
    html = _page(
        f"<article>{_paragraphs()}</article>"
        '<div class="bubble"><!-- widget -->We are online! Chat with us now.</div>'
    )
    text, removed = _strip(html)
    assert "We are online" not in text and ARTICLE[0] in text
    assert any("We are online" in r.text and r.reason == "chat_widget" for r in removed)
