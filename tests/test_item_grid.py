"""Product cards and teasers after a short category text (clean_html.add_item_grid)."""

from __future__ import annotations

import dataclasses
import gzip

import lxml.html

from pipeline.clean.blocks import Block, render_text
from pipeline.clean.html.blocks import text_segments
from pipeline.clean.html.cleaner import add_item_grid, clean_html, declares_article
from pipeline.settings import CleanSettings

SETTINGS = CleanSettings()

_INTRO = (
    "Our mesh task chairs keep you cool through long working days. Choose a padded "
    "seat for comfort or an all-mesh seat for airflow; every chair here has adjustable "
    "lumbar support and a five-year warranty."
)
_CARD = """<li class="product"><a href="/chairs/{n}">{name}</a>
<span class="price">${n}49.00</span><span class="brand">{brand}</span>
<p class="rating">4.{n} out of 5 stars from 2{n}0 reviews</p></li>"""
_CHAIRS = [
    ("Airflow High Back Mesh Task Chair", "Northline"),
    ("Contour Mid Back Mesh Chair", "Northline"),
    ("Breeze Armless Mesh Stool", "Seatwell"),
    ("Tilt Pro Ergonomic Mesh Chair", "Seatwell"),
    ("Lattice Heavy Duty Mesh Chair", "Ortho Works"),
    ("Vent Compact Mesh Chair", "Ortho Works"),
    ("Span Executive Mesh Chair", "Deskhaus"),
    ("Pivot Drafting Mesh Chair", "Deskhaus"),
]
_GRID = "".join(
    _CARD.format(n=n, name=name, brand=brand) for n, (name, brand) in enumerate(_CHAIRS, 1)
)


def _category_page(head: str = "", between: str = "") -> str:
    return f"""<html><head><title>Mesh chairs | Seat Shop</title>{head}</head><body>
<header><a href="/">Seat Shop</a> <a href="/chairs">Chairs</a> <a href="/desks">Desks</a></header>
<main><div class="category"><h1>Mesh chairs</h1><p>{_INTRO}</p></div>{between}
<ul class="products">{_GRID}</ul></main>
<footer><p>Seat Shop Ltd, 12 Mill Lane, Leeds. Call 0113 496 0000.</p></footer>
</body></html>"""


def _segments(html: str) -> list:
    return list(text_segments(lxml.html.document_fromstring(html).find("body")))


def test_category_text_is_followed_by_its_product_cards():
    blocks = add_item_grid([Block("paragraph", _INTRO)], _segments(_category_page()), SETTINGS)
    text = render_text(blocks)
    assert text.startswith(_INTRO)  # the extractor's text stays first
    for name, brand in _CHAIRS:
        assert name in text and brand in text
    assert "Seat Shop Ltd" not in text and "Desks" not in text


def test_a_grid_outside_the_region_of_the_kept_text_is_not_added():
    # a long story between the category text and the grid: their common container holds
    # far more than both together, so the cards are not part of what was kept
    story = "<div class='story'>" + "<p>" + " ".join(["Seating guide."] * 200) + "</p></div>"
    html = f"""<html><body><div class="page"><div class="category"><p>{_INTRO}</p></div>
{story}</div><aside><ul class="products">{_GRID}</ul></aside></body></html>"""
    kept = [Block("paragraph", _INTRO)]
    assert add_item_grid(kept, _segments(html), SETTINGS) == kept


def test_long_output_or_too_few_cards_changes_nothing():
    segments = _segments(_category_page())
    long_text = [Block("paragraph", " ".join([_INTRO] * 10))]
    assert add_item_grid(long_text, segments, SETTINGS) == long_text
    kept = [Block("paragraph", _INTRO)]
    more = dataclasses.replace(SETTINGS, grid_min_items=len(_CHAIRS) + 1)
    assert add_item_grid(kept, segments, more) == kept


def test_a_page_that_calls_itself_an_article_is_recognised():
    og = '<meta property="og:type" content="article">'
    ld = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    product = '<script type="application/ld+json">{"@type": "Product"}</script>'
    assert declares_article(lxml.html.document_fromstring(_category_page(og)))
    assert declares_article(lxml.html.document_fromstring(_category_page(ld)))
    assert not declares_article(lxml.html.document_fromstring(_category_page(product)))
    assert not declares_article(lxml.html.document_fromstring(_category_page()))


def test_real_category_page_keeps_its_products(shared_dir):
    page = shared_dir / "benchmarks" / "wcxb-dev" / "html" / "4468.html.gz"
    html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
    text = render_text(clean_html(html, None, SETTINGS).blocks)
    assert "consider the benefits of a padded seat versus a full-mesh seat" in text  # intro
    for product in (  # cards of the grid (the benchmark's gold text has them)
        "SitOnIt Wit High Back WFH Mesh Task Chair",
        "Friant Zone Too Tasker",
        "Dauphin Magnum Heavy Duty Ergonomic Tilter",
    ):
        assert product in text


def test_real_news_article_keeps_its_breaking_news_teasers_out(shared_dir):
    articles = shared_dir / "benchmarks" / "extraction" / "html"
    path = next(articles.glob("e372e42c0a3df7b8*.html.gz"))
    html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    text = render_text(clean_html(html, None, SETTINGS).blocks)
    assert "US Senate unanimously passes Hong Kong rights bill" not in text
