"""DOM recall fallback (html_regions) and the short furniture-line block rule."""

from __future__ import annotations

import lxml.html

from pipeline.blocks import Block, render_text
from pipeline.clean_html import clean_html
from pipeline.html_regions import region_text_blocks
from pipeline.html_ui_rules import ui_rule
from pipeline.settings import CleanSettings

SETTINGS = CleanSettings()

_CARD = """
<li class="card"><h3><a href="/p/{n}">Hand-thrown stoneware mug number {n}</a></h3>
<p>Glazed in speckled oat, holds 350 ml, dishwasher safe.</p>
<span class="price">$2{n}.00</span></li>"""

SHOP_PAGE = f"""<html><head><title>Mugs | Clayworks</title></head><body>
<header><a href="/">Clayworks</a> <a href="/mugs">Mugs</a> <a href="/bowls">Bowls</a></header>
<div class="page"><div class="wrap"><h1>Stoneware mugs</h1>
<p>Every mug is thrown by hand in our studio, so no two are quite alike.</p>
<ul class="grid">{"".join(_CARD.format(n=n) for n in range(1, 9))}</ul></div>
<aside><h4>Popular searches</h4><p>Teapots, planters, gift cards and seconds.</p></aside>
</div>
<footer>Terms of service. Shipping information. Contact the studio.</footer>
</body></html>"""


def test_listing_page_keeps_every_card_title_and_description():
    text = render_text(clean_html(SHOP_PAGE, None, SETTINGS).blocks)
    for n in range(1, 9):
        assert f"Hand-thrown stoneware mug number {n}" in text
    assert "Glazed in speckled oat" in text
    assert "Terms of service" not in text
    assert "Popular searches" not in text


def test_region_is_the_container_of_what_the_extractor_kept():
    root = lxml.html.document_fromstring(SHOP_PAGE)
    body = root.find("body")
    cards = body.xpath("//li[@class='card']")
    blocks = region_text_blocks(body, [cards[0], cards[2]], SETTINGS)
    assert blocks is not None
    text = render_text(blocks)
    assert "mug number 8" in text  # two kept cards: the whole grid is the region
    assert "Clayworks" not in text  # header is page frame, outside the region
    assert "Popular searches" not in text


def test_compact_region_gives_none_so_the_extractor_decides():
    root = lxml.html.document_fromstring(SHOP_PAGE)
    body = root.find("body")
    first_card = body.xpath("//li[@class='card']")[0]
    assert region_text_blocks(body, [first_card], SETTINGS) is None


def test_region_skips_short_all_link_segments():
    html = """<html><body><div><ul><li><a href="/a">Home</a></li><li><a href="/b">Shop</a></li>
    </ul><p>Our kiln fires twice a week, so orders ship within ten days.</p></div></body></html>"""
    body = lxml.html.document_fromstring(html).find("body")
    blocks = region_text_blocks(body, [], SETTINGS)
    assert blocks is not None
    text = render_text(blocks)
    assert "Home" not in text and "kiln fires twice" in text


def test_region_without_kept_elements_reads_the_whole_body():
    body = lxml.html.document_fromstring(
        "<html><body><div><p>Alpha beta gamma delta.</p></div>"
        "<p>Epsilon zeta eta.</p></body></html>"
    ).find("body")
    assert [b.text for b in region_text_blocks(body, [], SETTINGS) or []] == [
        "Alpha beta gamma delta.",
        "Epsilon zeta eta.",
    ]


def test_furniture_lines_are_removed():
    for line in [
        "Free Shipping on Domestic Orders $75+",
        "Joined Mar 2019",
        "Messages: 1,204",
        "© 2025 Clayworks Studio. All rights reserved.",
        "Page 1 of 8",
        "Customers who viewed this item also viewed",
        "Returns & exchanges accepted",
    ]:
        assert ui_rule(Block("paragraph", line), SETTINGS) == (
            "site_furniture",
            "furniture_line",
        ), line


def test_furniture_wording_inside_content_is_kept():
    prose = (
        "We offer free shipping because the studio is small and most of our customers live "
        "within a few miles, so delivery by bicycle costs us almost nothing at all."
    )
    assert ui_rule(Block("paragraph", prose), SETTINGS) is None
    assert (
        ui_rule(
            Block(
                "paragraph",
                "Joined the studio in 2019 as an apprentice potter "
                "and learned to throw large platters",
            ),
            SETTINGS,
        )
        is None
    )


def test_new_interface_labels_are_removed():
    for label in ["Was this helpful?", "Table of Contents", "Sold out", "Learn more"]:
        assert ui_rule(Block("paragraph", label), SETTINGS) == ("interface_label", "ui_label")
