"""Publisher chrome inside an HTML article (review dates, leaflet links, promo boxes) is
removed with its reason, as in text captures; advice that mentions the same words stays."""

from __future__ import annotations

from pipeline.clean.blocks import render_text
from pipeline.clean.stage import clean_capture
from pipeline.settings import CleanSettings

PAGE = """<!doctype html><html><head><title>High blood pressure</title></head><body>
<header><nav><a href="/">Home</a> <a href="/conditions">Conditions</a></nav></header>
<main><article>
<h1>High blood pressure</h1>
<p>High blood pressure rarely has symptoms, so the only way to know your numbers is to
have your blood pressure measured.</p>
<p>Ask your pharmacist before taking decongestants, because some of them can raise your
blood pressure.</p>
<p>Important: do not stop taking your tablets without talking to your doctor first.</p>
<p>Your doctor may review your medicines every year and change the dose if you need it.</p>
<p><strong>New:</strong> our free Heart Check app lets you log readings at home.</p>
<p>Book a same-week appointment with one of our specialist nurses at any of our clinics.</p>
<p>Download our leaflet (PDF, 1.2 MB) with a blood pressure diary you can print.</p>
<p>Last reviewed: 4 February 2025. Next review due: February 2028.</p>
</article></main>
<footer><p>&copy; 2025 Northbay Health</p></footer>
</body></html>"""

CONTENT = [
    "High blood pressure rarely has symptoms",
    "Ask your pharmacist before taking decongestants",
    "Important: do not stop taking your tablets",
    "Your doctor may review your medicines every year",
]
CHROME = [
    "our free Heart Check app",
    "Book a same-week appointment",
    "Download our leaflet",
    "Last reviewed: 4 February 2025",
]


def test_chrome_in_an_html_article_is_removed_with_its_reason():
    cleaned = clean_capture(PAGE, "html", None, CleanSettings())
    text = render_text(cleaned.blocks)
    for sentence in CONTENT:
        assert sentence in text
    for line in CHROME:
        assert line not in text
        assert any(line in r.text for r in cleaned.removed), line
    reasons = {r.reason for r in cleaned.removed if any(c in r.text for c in CHROME)}
    assert "advertisement" in reasons and len(reasons) >= 2


def test_the_chrome_rules_for_every_block_can_be_turned_off():
    settings = CleanSettings(chrome_in_all_blocks=False)
    text = render_text(clean_capture(PAGE, "html", None, settings).blocks)
    assert "Book a same-week appointment" in text
