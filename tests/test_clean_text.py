"""The text/Markdown block classifier on the seeds and on our own fixture captures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.clean.blocks import Cleaned, render_text
from pipeline.clean.text.cleaner import (
    clean_text_capture,
    find_template_lines,
    site_of,
    template_key,
)
from pipeline.settings import CleanSettings

RAW = Path(__file__).resolve().parents[1] / "raw"
DATA = Path(__file__).resolve().parent / "data" / "text"
SETTINGS = CleanSettings()


def _seed(prefix: str) -> str:
    matches = sorted(RAW.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not in raw/")
    return matches[0].read_text(encoding="utf-8")


def _clean(text: str, fmt: str = "text", template: frozenset[str] = frozenset()) -> Cleaned:
    return clean_text_capture(text, fmt, SETTINGS, template)


def _reason_of(cleaned: Cleaned, fragment: str) -> str:
    reasons = {r.reason for r in cleaned.removed if fragment in r.text}
    assert len(reasons) == 1, f"{fragment!r} removed with reasons {reasons}"
    return reasons.pop()


def _assert_in_order(text: str, sentences: list[str]) -> None:
    positions = [text.find(s) for s in sentences]
    assert -1 not in positions, [s for s, p in zip(sentences, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


def test_medlineplus_chrome_removed_with_reasons() -> None:
    cleaned = _clean(_seed("004"))
    text = render_text(cleaned.blocks)
    expected = {
        "Link: https://medlineplus.gov": "metadata",
        "Keywords: None": "metadata",
        "Skip navigation": "navigation",
        "You Are Here:": "breadcrumb",
        "Home ->": "breadcrumb",
        "Search MedlinePlus": "search_box",
        "URL of this page:": "metadata",
        "Immunotherapy (American Cancer Society)": "link_list",
        "CancerImmunotherapy.jpg": "image",
        "Sign up for the My MedlinePlus newsletter": "newsletter",
        "8600 Rockville Pike": "footer",
        "Page last updated on 2 April 2020": "metadata",
        "Follow us": "share_buttons",
    }
    for fragment, reason in expected.items():
        assert _reason_of(cleaned, fragment) == reason, fragment
    for gone in [
        "Skip navigation",
        "Drugs & Supplements",
        "Learn More",
        "Rockville",
        "Disclaimers",
        "MedlinePlus links to health information",
        "Return to top",
        "Site Map",
    ]:
        assert gone not in text


def test_medlineplus_summary_kept_and_rejoined() -> None:
    cleaned = _clean(_seed("004"))
    assert cleaned.blocks[0].kind == "heading" and cleaned.blocks[0].text == "Cancer Immunotherapy"
    paragraphs = [b.text for b in cleaned.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 5  # five hard-wrapped paragraphs, each re-joined into one
    assert paragraphs[2].startswith("When you have cancer, some of your cells begin to multiply")
    assert "cancer cells with less harm to normal cells." in paragraphs[2]
    _assert_in_order(
        render_text(cleaned.blocks),
        [
            "Immunotherapy is a cancer treatment that helps your immune system fight cancer.",
            "Doctors don't yet use immunotherapy as often as other cancer treatments",
            "You could get immunotherapy intravenously (by IV), in pills or capsules",
            "Other side effects may include flu-like symptoms, or rarely, severe reactions.",
        ],
    )


def test_commercial_page_lists_kept_and_chat_widget_removed() -> None:
    cleaned = _clean(_seed("001"))
    items = [b.text for b in cleaned.blocks if b.kind == "item"]
    assert "Have proteins on their surface that turn off immune cells." in items
    assert "Intravenous (IV): The immunotherapy goes directly into a vein." in items
    assert "The type of immunotherapy you get" in items
    assert _reason_of(cleaned, "call us at +91") == "contact_cta"
    for widget in [
        "Start chat",
        "We Are Online!",
        "Scan the code",
        "Welcome to CancerFax",
        "CancerFax is a pioneering platform",
        "Proton therapy",
    ]:
        assert _reason_of(cleaned, widget) == "chat_widget", widget
    text = render_text(cleaned.blocks)
    assert text.endswith("check for improvements in your work with the blood.")
    assert "# How is immunotherapy given?" in text


def test_directory_article_ad_share_and_phone_removed() -> None:
    cleaned = _clean(_seed("003"))
    text = render_text(cleaned.blocks)
    assert _reason_of(cleaned, "is our featured practice") == "advertisement"
    assert _reason_of(cleaned, "(520) 201-5140") == "contact_cta"
    assert _reason_of(cleaned, "Share on Pinterest") == "share_buttons"
    assert "Share on" not in text and "featured practice" not in text
    assert text.endswith("skin rashes, and loss of appetite.")
    assert [b.text for b in cleaned.blocks if b.kind == "heading"][:2] == [
        "What is Immunotherapy?",
        "What Is Immunotherapy?",
    ]


def test_line_per_paragraph_capture_keeps_every_content_line() -> None:
    cleaned = _clean(_seed("002"))
    text = render_text(cleaned.blocks)
    _assert_in_order(
        text,
        [
            "Immunotherapy is a cancer treatment that engages your immune system",
            "Immune cells include:",
            "Immunotherapy is performed as infusion.",
            "You should call your healthcare provider if you experience:",
            "Immunotherapy holds a lot of promise",
        ],
    )
    assert _reason_of(cleaned, "Last reviewed by a Cleveland Clinic") == "metadata"
    assert "# A note from Cleveland Clinic" in text


def test_markdown_capture_fixture() -> None:
    cleaned = _clean((DATA / "asthma_guide.md").read_text(encoding="utf-8"), "markdown")
    text = render_text(cleaned.blocks)
    assert text.startswith("# Asthma in adults\n\nAsthma is a common long-term condition")
    assert _reason_of(cleaned, "URL Source:") == "metadata"
    assert _reason_of(cleaned, "We use cookies") == "cookie_notice"
    assert _reason_of(cleaned, "[Accept all]") == "cookie_notice"  # the banner's buttons
    assert _reason_of(cleaned, "[Conditions A-Z]") == "link_list"
    assert _reason_of(cleaned, "› Asthma in adults") == "breadcrumb"
    assert _reason_of(cleaned, "By Dr Helen Okafor") == "metadata"
    assert _reason_of(cleaned, "inhaler-photo.jpg") == "image"
    assert _reason_of(cleaned, "Share this page") == "share_buttons"
    assert _reason_of(cleaned, "monthly newsletter") == "newsletter"
    assert _reason_of(cleaned, "All rights reserved") == "footer"
    assert _reason_of(cleaned, "Leeds LS1 4AB") == "footer"
    assert "allergies such as hay fever or eczema." in text  # link anchor kept, URL dropped
    assert "A symptom diary can help" in text  # emphasis markers dropped
    assert "- Cold air and sudden changes in the weather" in text  # numbered list -> items
    assert "- breathlessness" in text
    assert "Using your inhaler correctly" not in text and "cookie" not in text
    assert text.endswith("review it with you at least once a year.")


def test_hard_wrapped_text_with_other_chat_widget_wording() -> None:
    cleaned = _clean((DATA / "dental_implants.txt").read_text(encoding="utf-8"))
    text = render_text(cleaned.blocks)
    assert text.startswith("# Dental implants: what to expect\n\nA dental implant is a small")
    assert (
        "Most people feel some soreness and swelling for a few days after surgery. "
        "Simple painkillers such as paracetamol"
    ) in text
    assert "- The bone grows around the implant over three to six months." in text
    assert _reason_of(cleaned, "Home | Treatments") == "navigation"
    assert _reason_of(cleaned, "Book your free consultation") == "contact_cta"
    assert _reason_of(cleaned, "Tweet this") == "share_buttons"
    for widget in [
        "Hi there!",
        "Have a question about treatment",
        "Chat now",
        "Ask about finance",
        "Powered by Tidio",
    ]:
        assert _reason_of(cleaned, widget) == "chat_widget", widget
    assert "Advertisement" not in text and "Chat" not in text


def _sunrise_frame() -> pd.DataFrame:
    rows = [
        {
            "doc_id": f"sunrise/{p.stem}",
            "format": "text",
            "content": p.read_text(encoding="utf-8"),
            "url": f"https://www.sunrise-practice.example/{p.stem}",
            "publisher": "Sunrise",
        }
        for p in sorted((DATA / "sunrise").glob("*.txt"))
    ]
    other = rows[0]["content"].replace("Sunrise", "Moonrise")
    rows.append(
        {
            "doc_id": "other/page",
            "format": "text",
            "content": other,
            "url": "https://moonrise.example/page",
            "publisher": None,
        }
    )
    rows.append(
        {
            "doc_id": "nourl",
            "format": "markdown",
            "content": rows[1]["content"],
            "url": None,
            "publisher": None,
        }
    )
    return pd.DataFrame(rows)


def test_template_lines_found_per_site_and_removed() -> None:
    frame = _sunrise_frame()
    template = find_template_lines(frame, SETTINGS)
    line = "Sunrise Family Practice is part of the Northfield Health Partnership."
    partnership = template_key(line)
    assert partnership in template["sunrise/flu_vaccine"]
    assert template["other/page"] == frozenset() and template["nourl"] == frozenset()
    assert not any("flu vaccine" in line for line in template["sunrise/flu_vaccine"])
    doc = frame.set_index("doc_id").loc["sunrise/blood_tests"]
    cleaned = _clean(doc.content, template=template["sunrise/blood_tests"])
    text = render_text(cleaned.blocks)
    assert _reason_of(cleaned, "part of the Northfield Health Partnership") == "template"
    assert _reason_of(cleaned, "closed on bank holidays") == "template"
    assert "Northfield Health Partnership" not in text and "since 1987" not in text
    assert text.startswith("# Getting your blood test results\n\nMost blood test results")
    assert "phone lines are busiest in the morning." in text


def test_copies_of_one_page_are_not_template() -> None:
    page = (DATA / "sunrise" / "flu_vaccine.txt").read_text(encoding="utf-8")
    frame = pd.DataFrame(
        [
            {
                "doc_id": f"copy{i}",
                "format": "text",
                "content": page,
                "url": f"https://sunrise-practice.example/flu?v={i}",
                "publisher": None,
            }
            for i in range(3)
        ]
    )
    assert all(v == frozenset() for v in find_template_lines(frame, SETTINGS).values())


def test_site_of() -> None:
    assert site_of("https://WWW.Example.org/a/b") == "example.org"
    assert site_of("medlineplus.gov/x.html") == "medlineplus.gov"
    assert site_of(None) is None and site_of("") is None and site_of(float("nan")) is None


@pytest.mark.parametrize(
    "text", ["", "   \n\n \t ", "\x00\x01\x02", "#", "- ", "![]()", "[", "(((("]
)
def test_empty_and_degenerate_input(text: str) -> None:
    cleaned = _clean(text)
    assert cleaned.blocks == []


def test_garbage_and_huge_input_do_not_crash() -> None:
    garbage = "".join(chr((i * 7919) % 0x2FFF + 32) for i in range(20000))
    _clean(garbage)
    sentence = "Immunotherapy helps the immune system fight cancer cells in the body. "
    huge = "".join(f"Part {i}. " + sentence * 20 + "\n\n" for i in range(400))
    cleaned = _clean(huge + "[" * 5000 + "\n" + "(" * 5000)
    assert len(cleaned.blocks) == 400


def test_repeated_paragraph_kept_once() -> None:
    page = (DATA / "kidney_stones.txt").read_text(encoding="utf-8")
    paragraphs = page.split("\n")
    doubled = "\n".join([*paragraphs[:6], paragraphs[0], *paragraphs[6:]])
    cleaned = _clean(doubled)
    first = paragraphs[0]
    assert [b.text for b in cleaned.blocks].count(first) == 1
    assert _reason_of(cleaned, first) == "repeated_text"


def test_wrong_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="markdown"):
        clean_text_capture("<p>x</p>", "html", SETTINGS, frozenset())


def test_same_input_same_output() -> None:
    text = _seed("004")
    first, second = _clean(text), _clean(text)
    assert first == second


def test_markdown_table_and_wrapped_list_items() -> None:
    capture = """# Managing gout

Gout is a type of arthritis that causes sudden, severe attacks of pain, swelling and
redness in one or more joints, most often the big toe. Attacks can come back over time.

You can lower your risk of another attack if you:

* drink plenty of water and avoid sugary drinks, especially ones sweetened with
  fructose, which raises uric acid levels
* cut down on alcohol, particularly beer and spirits

| Medicine | Use | When |
|---|---|---|
| Colchicine | Treats attacks | Within 12 hours |
| Allopurinol | Prevents attacks | Every day |

Talk to your doctor before you stop taking any medicine, even when you feel well again.
"""
    blocks = _clean(capture, "markdown").blocks
    assert [b.kind for b in blocks] == [
        "heading",
        "paragraph",
        "paragraph",
        "item",
        "item",
        "paragraph",
        "paragraph",
        "paragraph",
        "paragraph",
    ]
    assert blocks[3].text.endswith("sweetened with fructose, which raises uric acid levels")
    assert blocks[7].text == "Allopurinol; Prevents attacks; Every day"
