"""clean_html: main content kept in order, every boilerplate piece cut and recorded."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.clean.blocks import render_text
from pipeline.clean.html.cleaner import clean_html, flatten_deep_html
from pipeline.settings import CleanSettings

DATA = Path(__file__).parent / "data" / "html"
SETTINGS = CleanSettings()


@pytest.fixture(scope="module")
def widget_page():
    html = (DATA / "article_with_widgets.html").read_text(encoding="utf-8")
    return clean_html(html, "https://example.org/immunotherapy", SETTINGS)


def test_article_text_kept_in_order_with_headings_and_items(widget_page):
    text = render_text(widget_page.blocks)
    order = [
        "Immunotherapy is a type of cancer treatment",
        "# Types of immunotherapy",
        "- Immune checkpoint inhibitors, which are drugs that block immune checkpoints.",
        "- Treatment vaccines, which work against cancer",
        "# How immunotherapy is given",
        "Side effects vary from person to person",
    ]
    positions = [text.find(piece) for piece in order]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)
    kinds = [b.kind for b in widget_page.blocks]
    assert kinds.count("item") == 4 and kinds.count("heading") >= 2


@pytest.mark.parametrize(
    ("snippet", "reason"),
    [
        ("We use cookies to improve your experience", "cookie_notice"),
        ("This site uses cookies for analytics", "cookie_notice"),  # no telling class name
        ("Hi there! We are online and ready to help.", "chat_widget"),  # Intercom
        ("Chat with us on WhatsApp", "chat_widget"),
        ("We're online! Ask our nurses anything.", "chat_widget"),  # class says nothing
        ("Subscribe to our weekly newsletter", "newsletter"),
        ("Share on Facebook", "share_buttons"),
        ("Call us today on 1-800-555-0199", "contact_cta"),
        ("Copyright 2024 Riverside Health", "footer"),
        ("Find a Doctor", "navigation"),
    ],
)
def test_boilerplate_cut_and_recorded_with_reason(widget_page, snippet, reason):
    assert snippet not in render_text(widget_page.blocks)
    hits = [r for r in widget_page.removed if snippet in r.text]
    assert hits, f"{snippet!r} not recorded as removed"
    assert hits[0].reason == reason
    assert hits[0].rule


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "<html><body></body></html>",
        "<!-- only a comment -->",
        "\x00\x01",
        "<div><span> </span><script>var a = 1;</script></div>",
    ],
)
def test_empty_or_garbage_pages_give_no_blocks(html):
    cleaned = clean_html(html, None, SETTINGS)
    assert cleaned.blocks == []


def test_deep_nesting_does_not_crash_and_keeps_text():
    depth = 100_000
    html = (
        "<html><body>" + "<div>" * depth + "<p>Deep paragraph text that should survive "
        "the flattening of absurd nesting levels.</p>"
        + "</div>" * depth
        + "<p>After the deep part comes one more ordinary paragraph of text.</p></body></html>"
    )
    cleaned = clean_html(html, None, SETTINGS)
    text = render_text(cleaned.blocks)
    assert "Deep paragraph text" in text
    assert "After the deep part" in text


def test_flatten_deep_html_caps_depth():
    html = "<div>" * 50 + "x" + "</div>" * 50
    flat = flatten_deep_html(html, 10)
    assert flat.count("<div>") == 10 and flat.count("</div>") == 10 and "x" in flat


def test_huge_page_is_cleaned_or_refused_clearly():
    paragraph = "<p>" + "Plain words in a very long page body. " * 40 + "</p>\n"
    html = "<html><body>" + paragraph * (50_000_000 // len(paragraph) + 1) + "</body></html>"
    small = CleanSettings(max_html_chars=1_000_000)
    with pytest.raises(ValueError, match="too large"):
        clean_html(html, None, small)
    bloated = "<html><body><p>Real article text that matters here.</p><script>" + "x" * 3_000_000
    bloated += "</script></body></html>"
    kept = render_text(clean_html(bloated, None, small).blocks)
    assert "Real article text" in kept


def _scrapinghub_page(benchmark: Path, prefix: str) -> tuple[str, str]:
    path = next((benchmark / "html").glob(prefix + "*.html.gz"))
    gold = json.loads((benchmark / "ground-truth.json").read_text(encoding="utf-8"))
    with gzip.open(path) as fh:
        html = fh.read().decode("utf-8", "replace")
    return html, gold[path.name.split(".")[0]]["articleBody"]


@pytest.mark.parametrize(
    ("prefix", "boilerplate", "reason"),
    [
        ("16c30add7e96315e", "Share this story Twitter Facebook", "share_buttons"),
        ("0e014df693f18282", "Home Natural & Eco-Friendly", "navigation"),
    ],
)
def test_benchmark_page_keeps_gold_and_drops_boilerplate(shared_dir, prefix, boilerplate, reason):
    html, gold = _scrapinghub_page(shared_dir / "benchmarks" / "extraction", prefix)
    cleaned = clean_html(html, None, SETTINGS)
    text = render_text(cleaned.blocks)
    first_sentence = gold.split("\n")[0][:80]
    assert first_sentence in text
    assert boilerplate not in text
    assert any(boilerplate in r.text and r.reason == reason for r in cleaned.removed)


def test_same_input_same_output(widget_page):
    html = (DATA / "article_with_widgets.html").read_text(encoding="utf-8")
    again = clean_html(html, "https://example.org/immunotherapy", SETTINGS)
    assert again.blocks == widget_page.blocks and again.removed == widget_page.removed


@pytest.fixture(scope="module")
def react_page():
    html = (DATA / "react_article_ui.html").read_text(encoding="utf-8")
    return clean_html(html, None, SETTINGS)


def test_text_after_comment_markers_is_kept(react_page):
    text = render_text(react_page.blocks)
    assert "had suffered months of dizziness and fatigue by the time he visited" in text


def test_line_breaks_do_not_fuse_words(react_page):
    paragraphs = [b.text for b in react_page.blocks]
    assert "June 9, West Palm Beach" in paragraphs
    assert "BeachJune" not in render_text(react_page.blocks)


def test_interface_labels_and_disclosures_removed_and_recorded(react_page):
    text = render_text(react_page.blocks)
    for junk in ("Sign in", "As an Amazon Associate", "Related: How allergies develop"):
        assert junk not in text
    reasons = {r.reason for r in react_page.removed}
    assert {"interface_label", "affiliate_disclosure", "related_links"} <= reasons
    assert "Most people do not get this" in text


def test_embedded_post_in_social_wrapper_is_not_cut_as_share_row(react_page):
    assert not any(r.rule == "class_token_social" for r in react_page.removed)


def test_removed_spans_are_not_recorded_twice(react_page):
    texts = [r.text for r in react_page.removed]
    assert len(texts) == len(set(texts))


def test_removed_link_list_keeps_words_apart():
    html = (
        "<html><body><main><p>"
        + "Our clinic treats allergies in adults and children. " * 8
        + "</p></main><nav><ul><li><a href='/p'>Privacy Policy</a></li>"
        "<li><a href='/t'>Terms</a></li></ul></nav></body></html>"
    )
    cleaned = clean_html(html, None, SETTINGS)
    nav = [r.text for r in cleaned.removed if r.reason == "navigation"]
    assert nav == ["Privacy Policy Terms"]
