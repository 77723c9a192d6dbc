"""Removed spans are placed where they sat in the capture (removed.jsonl after_block)."""

from __future__ import annotations

from pipeline.clean.blocks import Block, Cleaned, Removal
from pipeline.clean.positions import locate_removals
from pipeline.clean.stage import clean_capture
from pipeline.settings import CleanSettings


def _clean(raw_dir, name: str) -> tuple[str, Cleaned]:
    content = (raw_dir / name).read_text(encoding="utf-8")
    return content, clean_capture(content, "text", None, CleanSettings())


def test_site_chrome_sits_before_and_after_the_article(raw_dir):
    content, cleaned = _clean(raw_dir, "004_cb819cfe1ea844d4.txt")
    positions = locate_removals(content, "text", cleaned)
    last = len(cleaned.blocks) - 1
    place = {r.text: after for r, after in zip(cleaned.removed, positions, strict=True)}
    assert place["Keywords: None"] == -1
    assert place["You Are Here:"] == -1
    # The breadcrumb repeats the page title; it still belongs above the title.
    assert place["Cancer Immunotherapy"] == -1
    assert place["NIH: National Cancer Institute"] == last
    assert [after for text, after in place.items() if text.startswith("Page last updated")] == [
        last
    ]


def test_inline_junk_stays_inside_its_paragraph_and_the_widget_at_the_end(raw_dir):
    content, cleaned = _clean(raw_dir, "001_a4ac4428451ab202.txt")
    reasons = [r.reason for r in cleaned.removed]
    positions = dict(zip(reasons, positions_of(content, cleaned), strict=True))
    assert positions["inline_junk"] == 0
    assert positions["chat_widget"] == len(cleaned.blocks) - 1


def positions_of(content: str, cleaned: Cleaned) -> list[int]:
    """after_block of each removal, in order."""
    return locate_removals(content, "text", cleaned)


def test_html_spans_are_found_through_markup_and_entities():
    page = (
        "<nav><a href='/'>Home</a> &gt; Guides</nav><h1>Sun &amp; skin</h1>"
        "<p>Use sunscreen daily.</p><div class='share'>Share on Facebook</div>"
        "<p>Reapply every two hours.</p><footer>&copy; 2024 Skin Org</footer>"
    )
    cleaned = Cleaned(
        blocks=[
            Block("heading", "Sun & skin"),
            Block("paragraph", "Use sunscreen daily."),
            Block("paragraph", "Reapply every two hours."),
        ],
        removed=[
            Removal("Home > Guides", "breadcrumb", "r"),
            Removal("Share on Facebook", "share_buttons", "r"),
            Removal("© 2024 Skin Org", "footer", "r"),
            Removal("text that is nowhere", "footer", "r"),
        ],
    )
    assert locate_removals(page, "html", cleaned) == [-1, 1, 2, 2]
