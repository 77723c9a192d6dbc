"""Publisher chrome in text and Markdown captures: review dates, disclaimers, helpline,
chat and leaflet calls-to-action, promos, registration footers and feedback prompts go to
removed.jsonl with their reasons; medical advice that mentions calling, reviewing or
downloading stays."""

from __future__ import annotations

import dataclasses

import pandas as pd

from pipeline.clean.stage import clean_documents
from pipeline.settings import Settings

# Sentences a patient page must keep, including the ones that sound like calls to action.
AF_CONTENT = [
    "Atrial fibrillation (AF) is a heart condition that causes an irregular and often "
    "abnormally fast heart rate.",
    "Some people have no symptoms and only find out they have AF during a routine check.",
    "Call 999 if you have chest pain that feels heavy or tight, or you suddenly feel breathless.",
    "A GP will check your pulse and may arrange an electrocardiogram (ECG) to record your "
    "heart's rhythm.",
    "You can download an app to record your readings, but a GP still needs to confirm the "
    "diagnosis.",
    "Your doctor may review your medicines every year.",
    "Ask your pharmacist for advice before taking ibuprofen if you take an anticoagulant.",
    "Read the patient information leaflet that comes with your medicine.",
    "Home monitoring is not a substitute for regular checks at your surgery.",
    "Tell your doctor if you get side effects.",
]

AF_MARKDOWN = f"""Title: Atrial fibrillation - Northbay Health
URL Source: https://www.northbayhealth.org/conditions/atrial-fibrillation/
Markdown Content:
[Skip to main content](#main)

* [Conditions](https://www.northbayhealth.org/conditions/)
* [Support for you](https://www.northbayhealth.org/support/)
* [Donate](https://www.northbayhealth.org/donate/)

# Atrial fibrillation

Medically reviewed by Dr Priya Nair, FRCP, on 9 January 2025

Next review due: January 2028

{AF_CONTENT[0]} A normal heart rate should be regular and between 60 and 100 beats a
minute when you're resting.

## Symptoms of atrial fibrillation

In atrial fibrillation, the heart rate is irregular and can sometimes be very fast.
{AF_CONTENT[1]}

{AF_CONTENT[2]}

Questions about your symptoms? Our cardiac nurses are here to help on webchat, weekdays 9am to 5pm.

## Diagnosing atrial fibrillation

{AF_CONTENT[3]} You may be asked to wear a small portable monitor for 24 hours or longer.

{AF_CONTENT[4]}

> **Shop for a cause.** Visit our online shop for cards and gifts: every purchase funds research.

## Treating atrial fibrillation

{AF_CONTENT[5]} Treatment can include medicines to control the heart rate or rhythm, and
medicines called anticoagulants to reduce the risk of a stroke.

{AF_CONTENT[6]} Some painkillers increase the risk of bleeding.

{AF_CONTENT[7]} {AF_CONTENT[8]} {AF_CONTENT[9]}

Call our free support line on 0808 802 1234 (Monday to Friday, 9am to 5pm).

Our heart helpline is open on Saturdays too, and calls are free from mobiles.

Download this information as a PDF (420 KB)

You can order printed copies of our heart booklets free of charge.

Publication reference: NBH-AF-0112, version 4

This information is for general guidance only and does not replace advice from your own doctor.

Did you find this page useful?

Yes | No

Sign up for our monthly heart health email.

Northbay Health is a registered charity in England and Wales (1123456).

© 2025 Northbay Health
"""

# fragment of a chrome line -> (reason, rule) expected in removed.jsonl
AF_CHROME = {
    "Medically reviewed by Dr Priya Nair": ("metadata", "review_date"),
    "Next review due: January 2028": ("metadata", "review_date"),
    "Our cardiac nurses are here to help on webchat": ("chat_widget", "chat_cta"),
    "Visit our online shop for cards and gifts": ("advertisement", "promo_offer"),
    "Call our free support line": ("contact_cta", "phone_cta"),
    "Our heart helpline is open": ("contact_cta", "helpline_cta"),
    "Download this information as a PDF": ("leaflet_reference", "leaflet_download"),
    "order printed copies of our heart booklets": ("leaflet_reference", "leaflet_order"),
    "Publication reference: NBH-AF-0112": ("leaflet_reference", "leaflet_code"),
    "for general guidance only and does not replace advice": ("footer", "disclaimer"),
    "Did you find this page useful?": ("share_buttons", "liked_this"),
    "Sign up for our monthly heart health email.": ("newsletter", "newsletter"),
    "registered charity in England and Wales": ("footer", "charity_registration"),
}

# A lynx-style plain-text dump, hard-wrapped at 72 columns.
ASTHMA_TEXT = """Asthma in adults | Airwise

* Home
* Conditions
* Shop
* Donate

Asthma in adults

Page last updated: 02/11/2024. Due for review: 11/2027.

Asthma is a common lung condition that causes occasional breathing
difficulties. It affects people of all ages and often starts in childhood,
although it can also develop for the first time in adults.

The main symptoms of asthma are wheezing, breathlessness, a tight chest and
coughing. Symptoms often get worse at night or early in the morning, or in
response to a trigger such as exercise, an allergy or cold air.

Talk to one of our respiratory nurses on our helpline, open 7 days a week.

A GP can usually diagnose asthma by asking about your symptoms and doing some
simple tests, such as measuring how fast you can breathe out (peak flow).
Your asthma nurse will review your inhaler technique at your yearly check.

Join 20,000 supporters and get our members' magazine free. Give today.

Asthma is usually treated with inhalers. A reliever inhaler treats symptoms
when they happen, and a preventer inhaler stops symptoms developing. Some
people also need tablets. Phone 111 if your reliever inhaler is not helping.

Ref: AW-ASTH-07 v2.1

The content of this leaflet is provided for information purposes only.

Help us improve our website: take our 2 minute survey.

Registered charity number 1098765. Company limited by guarantee no. 4423105.
"""

ASTHMA_CONTENT = [
    "Asthma is a common lung condition that causes occasional breathing difficulties.",
    "The main symptoms of asthma are wheezing, breathlessness, a tight chest and coughing.",
    "Your asthma nurse will review your inhaler technique at your yearly check.",
    "Asthma is usually treated with inhalers.",
    "Phone 111 if your reliever inhaler is not helping.",
]

ASTHMA_CHROME = {
    "Page last updated: 02/11/2024": ("metadata", "dated_line"),
    "Talk to one of our respiratory nurses": ("contact_cta", "helpline_cta"),
    "Join 20,000 supporters": ("advertisement", "membership_promo"),
    "Ref: AW-ASTH-07 v2.1": ("leaflet_reference", "leaflet_code"),
    "provided for information purposes only": ("footer", "disclaimer"),
    "Help us improve our website": ("share_buttons", "feedback_prompt"),
    "Registered charity number 1098765": ("footer", "charity_registration"),
}


def _clean(content: str, fmt: str, settings: Settings) -> tuple[str, pd.DataFrame]:
    """Clean one capture as the build does: its clean text and its removed.jsonl rows."""
    documents = pd.DataFrame(
        [
            {
                "doc_id": "doc",
                "source_file": f"doc.{'md' if fmt == 'markdown' else 'txt'}",
                "format": fmt,
                "content": content,
                "url": "https://www.example.org/page",
                "flags": [],
            }
        ]
    )
    cleaned, removed, errors = clean_documents(documents, settings)
    assert errors.empty
    return " ".join(cleaned.loc[0, "text"].split()), removed


def _assert_removed_as(removed: pd.DataFrame, chrome: dict[str, tuple[str, str]]) -> None:
    for fragment, (reason, rule) in chrome.items():
        rows = removed[removed["text"].map(lambda t, f=fragment: f in " ".join(t.split()))]
        assert len(rows) == 1, f"{fragment!r} not removed once: {rows.to_dict('records')}"
        assert (rows.iloc[0]["reason"], rows.iloc[0]["rule"]) == (reason, rule), fragment


def _assert_kept(text: str, sentences: list[str]) -> None:
    missing = [s for s in sentences if " ".join(s.split()) not in text]
    assert not missing, missing


def test_markdown_patient_page_chrome_removed_with_reasons(settings: Settings) -> None:
    text, removed = _clean(AF_MARKDOWN, "markdown", settings)
    _assert_removed_as(removed, AF_CHROME)
    for fragment in AF_CHROME:
        assert fragment not in text
    assert "Yes | No" not in text  # the feedback prompt's buttons go with it
    assert "© 2025 Northbay Health" not in text
    _assert_kept(text, AF_CONTENT)
    assert text.startswith("# Atrial fibrillation")  # the title survives its review lines


def test_hard_wrapped_text_capture_chrome_removed_with_reasons(settings: Settings) -> None:
    text, removed = _clean(ASTHMA_TEXT, "text", settings)
    _assert_removed_as(removed, ASTHMA_CHROME)
    for fragment in ASTHMA_CHROME:
        assert fragment not in text
    _assert_kept(text, ASTHMA_CONTENT)


def test_promo_box_between_paragraphs_removed_and_text_after_it_kept(
    settings: Settings,
) -> None:
    after = "Cold air can trigger symptoms, so cover your nose and mouth with a scarf in winter."
    page = "\n\n".join(
        [
            "# Asthma triggers",
            ASTHMA_CONTENT[0] + " " + ASTHMA_CONTENT[1],
            "Every donation helps us fund research into better treatments. Give today.",
            "Get 15% off peak flow meters in our shop with code BREATHE15.",
            after,
        ]
    )
    text, removed = _clean(page, "markdown", settings)
    _assert_removed_as(
        removed,
        {
            "Every donation helps us fund research": ("advertisement", "fundraising_appeal"),
            "Get 15% off peak flow meters": ("advertisement", "promo_offer"),
        },
    )
    _assert_kept(text, [*ASTHMA_CONTENT[:2], after])


def test_chrome_wording_inside_long_prose_is_kept(settings: Settings) -> None:
    """The vocabularies judge short units only; a paragraph longer than the limit is text."""
    prose = (
        "Charities run helplines where trained nurses answer questions about asthma, and our "
        "helpline is one of them: nurses can talk you through an asthma action plan, explain "
        "how inhalers work and help you prepare questions for your next review with a GP."
    )
    short = "Our helpline is open weekdays from 9am to 5pm."
    page = "\n\n".join(["# Asthma support", ASTHMA_CONTENT[0], prose, ASTHMA_CONTENT[1], short])
    text, removed = _clean(page, "text", settings)
    _assert_kept(text, [ASTHMA_CONTENT[0], prose, ASTHMA_CONTENT[1]])
    _assert_removed_as(removed, {short: ("contact_cta", "helpline_cta")})
    # the limit is a setting: with a lower one the short line is judged prose as well
    narrow = dataclasses.replace(
        settings, clean=dataclasses.replace(settings.clean, chrome_line_max_words=5)
    )
    text, _ = _clean(page, "text", narrow)
    assert short in text
