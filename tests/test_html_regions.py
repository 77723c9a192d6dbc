"""DOM recall fallback (html_regions) and the short furniture-line block rule."""

from __future__ import annotations

import dataclasses
import gzip

import lxml.html

from pipeline.clean.blocks import Block, render_text
from pipeline.clean.html.blocks import text_segments
from pipeline.clean.html.cleaner import clean_html, extend_to_repeated_items
from pipeline.clean.html.regions import region_text_blocks
from pipeline.clean.html.ui_rules import ui_rule
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


_POST = """
<article class="message message--post js-post {state}" id="post-{n}">
  <div class="message-user"><a class="username" href="/members/{user}">{user}</a>
    <span class="userTitle">Member</span></div>
  <div class="message-main"><header class="message-attribution">
    <time datetime="2025-03-0{n}">Mar {n}, 2025</time></header>
  <div class="message-body"><div class="bbWrapper">{body}</div></div>
  <footer class="message-footer"><a href="/posts/{n}/react">Like</a>
    <a href="/posts/{n}/reply">Reply</a></footer></div>
</article>"""
_REPLIES = [
    (
        "walt_r",
        "My oncologist switched me to pembrolizumab every three weeks after the "
        "second scan. The first two infusions were easy, but by the fourth I had a rash on "
        "my forearms and some joint pain in the mornings that the team treated with creams.",
    ),
    (
        "hanna",
        "Fatigue was the big one for me on nivolumab. Nobody warned me it would build "
        "up over the first two months. Keeping a symptom diary helped the nurses spot that my "
        "thyroid levels had dropped, which is apparently common with these drugs.",
    ),
    (
        "deb_k",
        "Please call your team about the diarrhoea straight away rather than waiting "
        "for the next appointment. Colitis from checkpoint inhibitors can get serious quickly, "
        "and they gave me steroids the same day, which settled it within a week.",
    ),
    (
        "marcus",
        "Two years on pembrolizumab here, scans stable since month six. The side "
        "effects for me were mostly itching and tiredness. Ask about the patient support line, "
        "it was open evenings and saved me several trips to the emergency department.",
    ),
]
_FIRST = (
    "I start immunotherapy for melanoma next month and would like to hear how other "
    "people coped with the side effects. The leaflet lists fatigue, rash and "
    "diarrhoea, but I would rather hear what it was actually like from patients."
)


def _thread_page() -> str:
    posts = [("june_p", _FIRST), *_REPLIES]
    body = "".join(
        _POST.format(n=n, user=user, body=text, state="is-unread" if n % 2 else "")
        for n, (user, text) in enumerate(posts, 1)
    )
    return f"""<html><head><title>Side effects of immunotherapy? | Patient Forum</title>
<meta property="og:type" content="article"></head><body>
<header class="p-header"><a href="/">Patient Forum</a><a href="/forums/">Forums</a></header>
<div class="p-body"><h1 class="p-title-value">Side effects of immunotherapy?</h1>
<div class="block-body js-replyNewMessageContainer">{body}</div>
<div class="block-outer"><a href="/threads/1/page-2">Next page</a></div></div>
<footer class="p-footer">Community rules. Privacy policy. Contact us.</footer>
</body></html>"""


def test_thread_keeps_every_post_not_just_the_first():
    text = render_text(clean_html(_thread_page(), None, SETTINGS).blocks)
    assert "I start immunotherapy for melanoma next month" in text
    for _, reply in _REPLIES:
        assert reply[:60] in text
    assert "Community rules" not in text


_COMMENT = """<li class="comment"><p class="comment-author">{user}</p>
<p>{text}</p><a href="#reply">Reply</a></li>"""


def test_comments_under_an_article_do_not_replace_it():
    paragraphs = "".join(
        f"<p>{t}</p>"
        for t in (
            "Immunotherapy helps the immune system find and destroy cancer cells. It is "
            "given by infusion into a vein, as tablets, or as a cream for some skin cancers.",
            "Checkpoint inhibitors release a brake on T cells. They are now used for "
            "melanoma, lung cancer, kidney cancer and several other cancers.",
            "Side effects happen because the immune system can also attack healthy organs. "
            "Most are mild, but inflammation of the bowel, lungs or liver needs prompt care.",
        )
    )
    comments = "".join(_COMMENT.format(user=u, text=t) for u, t in _REPLIES)
    html = f"""<html><head><title>How immunotherapy works</title></head><body>
<article class="post"><h1>How immunotherapy works</h1>{paragraphs}</article>
<section class="comments"><h2>Comments</h2><ol class="comment-list">{comments}</ol></section>
</body></html>"""
    text = render_text(clean_html(html, None, SETTINGS).blocks)
    assert "Checkpoint inhibitors release a brake on T cells" in text
    assert "Side effects happen because the immune system" in text
    assert "pembrolizumab every three weeks" not in text  # comments stay out


def _segments(html: str) -> list:
    return list(text_segments(lxml.html.document_fromstring(html).find("body")))


def test_first_post_kept_by_the_extractor_grows_to_the_whole_thread():
    segments = _segments(_thread_page())
    first_post = [Block("paragraph", _FIRST)]
    text = render_text(extend_to_repeated_items(first_post, segments, SETTINGS))
    for _, reply in _REPLIES:
        assert reply[:60] in text
    assert "Community rules" not in text and "Next page" not in text
    assert "Reply" not in text.split()  # one-word link furniture of each post is skipped


def test_a_run_that_does_not_hold_the_extracted_text_changes_nothing():
    segments = _segments(_thread_page())
    other = [
        Block(
            "paragraph",
            "Terms of use: posts are the opinions of their authors and "
            "are not medical advice. Always ask your own care team.",
        )
    ]
    assert extend_to_repeated_items(other, segments, SETTINGS) == other
    few = dataclasses.replace(SETTINGS, repeat_min_items=len(_REPLIES) + 2)
    first_post = [Block("paragraph", _FIRST)]
    assert extend_to_repeated_items(first_post, segments, few) == first_post


def test_real_patient_forum_thread_keeps_the_replies(shared_dir):
    page = shared_dir / "benchmarks" / "wcxb-dev" / "html" / "0524.html.gz"
    html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
    text = render_text(clean_html(html, None, SETTINGS).blocks)
    assert "Hi and thank you to anyone who takes the time to reply to me." in text  # first post
    for reply in (  # later posts, by other members (the gold text of the benchmark page)
        "Bodywide twitches while still being able to do normal things are essentially",
        "An eyelid twitch that you can cause by irritating the muscle is often related",
        "Still experiencing the eye twitch and body wide twitches.",
    ):
        assert reply in text
