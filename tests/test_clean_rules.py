"""Shared block rules: inline junk, widget text an extractor let through, lost lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.clean.blocks import Block, Cleaned, render_text
from pipeline.clean.rules import (
    LOST_LIST_FLAG,
    apply_block_rules,
    cut_inline_junk,
    flag_lost_lists,
    is_list_intro,
)
from pipeline.clean.text.cleaner import clean_text_capture
from pipeline.settings import CleanSettings

RAW = Path(__file__).resolve().parents[1] / "raw"
DATA = Path(__file__).resolve().parent / "data" / "text"
SETTINGS = CleanSettings()


def _text_capture(path: Path) -> Cleaned:
    if not path.exists():
        pytest.skip(f"{path.name} missing")
    fmt = "markdown" if path.suffix == ".md" else "text"
    return apply_block_rules(
        clean_text_capture(path.read_text(encoding="utf-8"), fmt, SETTINGS, frozenset()), SETTINGS
    )


def _seed(prefix: str) -> Path:
    matches = sorted(RAW.glob(f"{prefix}_*.txt"))
    return matches[0] if matches else RAW / f"{prefix}_missing.txt"


@pytest.mark.parametrize(
    "sentence",
    [
        "Immune cells include:",
        "The treatment:",
        "Treatment length depends on:",
        "Immunotherapy treats different types of cancers , including but not limited to",
        "Your doctor may recommend tests and procedures such as",
    ],
)
def test_list_intros(sentence: str) -> None:
    assert is_list_intro(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Some immune cells include markers on their surface.",
        "Immunotherapy is a cancer treatment.",
        "See https:",
        "",
        "Cancers such as melanoma respond well.",
    ],
)
def test_not_list_intros(sentence: str) -> None:
    assert not is_list_intro(sentence)


def test_lost_lists_flagged_on_captures_that_lost_them() -> None:
    assert LOST_LIST_FLAG in _text_capture(_seed("002")).flags
    kidney = _text_capture(DATA / "kidney_stones.txt")
    assert LOST_LIST_FLAG in kidney.flags
    # the announcing sentence stays in the text: the segment stage decides what to do with it
    assert "Signs and symptoms may include:" in render_text(kidney.blocks)


def test_no_lost_list_flag_when_lists_are_intact() -> None:
    intact = [_seed("001"), _seed("004"), DATA / "asthma_guide.md", DATA / "dental_implants.txt"]
    for path in intact:
        assert LOST_LIST_FLAG not in _text_capture(path).flags, path.name


def test_lost_list_at_end_of_document() -> None:
    blocks = [
        Block("paragraph", "Aspirin is used for pain."),
        Block("paragraph", "Side effects include:"),
    ]
    assert flag_lost_lists(blocks)
    blocks.append(Block("item", "stomach upset"))
    assert not flag_lost_lists(blocks)


def test_glued_domain_cut_from_sentence() -> None:
    cleaned = _text_capture(_seed("001"))
    text = render_text(cleaned.blocks)
    assert "white blood cells and the lymph system’s organs and tissues." in text
    assert "cancerfax.com" not in text
    junk = [r for r in cleaned.removed if r.reason == "inline_junk"]
    assert [(r.text, r.rule) for r in junk] == [("cancerfax.com", "glued_domain")]
    dental = render_text(_text_capture(DATA / "dental_implants.txt").blocks)
    assert "studies published on implant survival report" in dental


@pytest.mark.parametrize(
    "text",
    [
        "You can reach them at www.example-clinic.com, or by phone.",
        "Visit medlineplus.gov for more, e.g. the drug pages.",
        "Written in Node.js and served from example.org/path today.",
        "The U.S. Food and Drug Administration approved it.",
    ],
)
def test_legitimate_domains_and_abbreviations_untouched(text: str) -> None:
    assert cut_inline_junk(text) == (text, [])


def test_inline_advertisement_marker_cut() -> None:
    text = "Most people recover within a week. Advertisement Continue Reading Below Rest helps."
    cleaned, removed = cut_inline_junk(text)
    assert cleaned == "Most people recover within a week. Rest helps."
    assert [(r.text, r.reason) for r in removed] == [
        ("Advertisement Continue Reading Below", "inline_junk")
    ]
    prose = "The advertisement claimed the drug cured cancer, which regulators disputed."
    assert cut_inline_junk(prose) == (prose, [])


def test_widget_text_after_html_extraction_removed() -> None:
    article = [
        Block("heading", "Shingles"),
        Block(
            "paragraph",
            "Shingles is a painful rash caused by the same virus that causes "
            "chickenpox. It usually appears as a band of blisters on one side.",
        ),
        Block("paragraph", "Call your doctor if the rash is near your eye or you feel unwell."),
        Block(
            "paragraph",
            "Some clinics now offer live chat with a nurse, which patients in rural "
            "areas found useful in a 2021 survey of 400 practices, although phone "
            "triage remained more common across every age group we studied.",
        ),
        Block("paragraph", "Share on Facebook | Share on WhatsApp"),
        Block("paragraph", "Need help? Chat with us"),
        Block("paragraph", "Our advisors reply within minutes."),
        Block("item", "Book a vaccine"),
        Block("item", "Repeat prescriptions"),
    ]
    out = apply_block_rules(Cleaned(blocks=article), SETTINGS)
    kept = [b.text for b in out.blocks]
    assert kept[:3] == ["Shingles", article[1].text, article[2].text]
    assert article[3].text in kept  # prose about live chat is content, not a widget
    reasons = {r.text: r.reason for r in out.removed}
    assert reasons["Share on Facebook | Share on WhatsApp"] == "share_buttons"
    assert reasons["Need help? Chat with us"] == "chat_widget"
    assert reasons["Our advisors reply within minutes."] == "chat_widget"
    assert reasons["Repeat prescriptions"] == "chat_widget"
    assert len(out.blocks) == 4


def test_rules_keep_existing_removals_and_flags() -> None:
    before = Cleaned(blocks=[Block("paragraph", "Plain text that stays.")], removed=[], flags=["x"])
    out = apply_block_rules(before, SETTINGS)
    assert out.blocks == before.blocks and out.flags == ["x"]
    assert apply_block_rules(Cleaned(), SETTINGS) == Cleaned()


@pytest.mark.parametrize(
    "sentence",
    [
        "Many patients post to Facebook groups about their side effects.",
        "The trial, sponsored by the National Cancer Institute, enrolled 400 patients over five "
        "years in twelve hospitals across the country.",
        "Call your doctor if you have a fever or feel very tired.",
        "We thank our partners at the regional health board for their help.",
        "The newsletter era of medicine ended when journals moved online in the late 1990s.",
    ],
)
def test_prose_mentioning_widget_words_is_kept(sentence: str) -> None:
    blocks = [
        Block("paragraph", "Immunotherapy helps the immune system fight cancer cells."),
        Block("paragraph", sentence),
        Block("paragraph", "Side effects are usually mild and pass within a few days."),
    ]
    out = apply_block_rules(Cleaned(blocks=list(blocks)), SETTINGS)
    assert out.blocks == blocks and out.removed == []
