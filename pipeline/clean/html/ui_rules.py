"""Block rules for what HTML extractors let through: interface labels and disclosures.

Applied to the extractor's Blocks (not the DOM), so they catch boilerplate whatever its
markup: a lone "Sign in" or "Add to Cart" line, "You are not logged in.", an affiliate
disclosure ("As an Amazon Associate we earn from qualifying purchases"), a paywall or
donation plea, a "Get X delivered to your inbox" promo, a short shop or forum furniture
line ("Free shipping on orders $75+", "Joined Mar 2019", "© 2025 Site", "Page 1 of 8"), a
reading-time line ("5 min read").
Each rule only judges short blocks, so a paragraph that merely mentions the words is kept.
"""

from __future__ import annotations

import re

from pipeline.clean.blocks import Block, Removal
from pipeline.clean.text.signals import READING_TIME
from pipeline.settings import CleanSettings
from pipeline.text.words import WORD_RUN as _WORD

# Whole-block interface labels (compared after lowercasing and dropping punctuation).
_UI_LABELS = frozenset(
    """
sign in|sign up|sign in now|sign up now|log in|login|log out|logout|log in now|register|
sign in register|log in register|login register|create an account|create account|my account|
you are not logged in|you must be logged in to post a comment|not logged in|
add to cart|add to bag|add to basket|add to wishlist|add to wish list|add to favorites|
buy now|shop now|view cart|checkout|quick view|quick shop|compare|
loading|load more|show more|see more|view more|view all|see all|see all reviews|
read more|continue reading|back to top|back to blog|back to blogs|back to news|
sort|sort by|filter|filters|sort and filter|filter and sort|sort filter|
skip to content|skip to main content|toggle navigation|menu|close|search|
create new collection|write a review|leave a comment|leave a reply|post a comment|
print|email|share|share this|share this article|share this post|tweet|pin it|
previous|next|previous post|next post|previous article|next article|
follow us|subscribe|subscribe now|subscribe today|related|related posts|related articles|
you might also like|you may also like|recommended for you|more from|more stories|
was this helpful|was this page helpful|was this article helpful|table of contents|contents|
jump to navigation|jump to search|jump to navigation jump to search|filter sort|refine by|
joined|messages|posts|reaction score|join date|new member|member|follow the author|
get started|get started today|book now|learn more|contact us|request a quote|get a quote|
add to compare|regular price|sale price|unit price|in stock|out of stock|sold out|
notify me when available|notify me when back in stock|save this event|share this event|
""".replace("\n", "").split("|")
) - {""}

_DISCLOSURE = re.compile(
    r"\b(?:affiliate links?|qualifying purchases|(?:may |might )?(?:earn|receive) (?:a )?"
    r"(?:small )?(?:commission|compensation)|supported by (?:commissions|readers)|"
    r"affiliate (?:marketer|partner|commission)|as an amazon associate)\b",
    re.I,
)
_PROMO = re.compile(
    r"\b(?:delivered (?:straight |right )?to your inbox|exclusive to [\w+ ]{1,30}subscribers|"
    r"subscribe to (?:our|the) newsletter|sign up for (?:our|the) newsletter|"
    r"support (?:the \w+|our journalism|independent journalism)|"
    r"fund independent journalism|this (?:story|article) is funded by|"
    r"already have an account|(?:sign|log) in (?:or|to) (?:create|register|comment|reply)|"
    r"(?:create an account|register) (?:or (?:sign|log) in )?to (?:comment|reply|post))\b",
    re.I,
)
# A short line pointing elsewhere: "Related: ...", "You might also like: ...", "Written by X".
_POINTER = re.compile(
    r"^(?:related|see also|read more|read next|read also|also read|more|you might also like|"
    r"you may also like|recommended)\s*:|^(?:written|posted|published) by\s+\S",
    re.I,
)


# Short shop, forum and site-furniture lines: shipping promos, member statistics,
# copyright lines, pagination, "customers also viewed" headings.
_SHORT_FURNITURE = re.compile(
    r"\b(?:free (?:shipping|delivery|returns|engraving)|ships (?:by|in|within|today)|"
    r"flat rate|pick-?up in store|returns? (?:&|and) exchanges|earn rewards|"
    r"(?:customers|people) who (?:viewed|bought)|(?:people|customers) also (?:viewed|bought)|"
    r"recently viewed|frequently bought together|complete the (?:set|look)|"
    r"all rights reserved)\b"
    r"|^(?:©|\(c\)|copyright\b)"
    r"|^page \d+ of \d+$"
    r"|^(?:joined|join date|messages|posts|reaction score|likes received|member since)"
    r"\s*:?\s*[\w ,./-]{0,15}$",
    re.I,
)


_READING_TIME = re.compile(READING_TIME, re.I)


def label_words(text: str) -> str:
    """``text`` as its lower-cased words joined by single spaces (punctuation dropped)."""
    return " ".join(_WORD.findall(text.lower()))


def ui_rule(block: Block, settings: CleanSettings) -> tuple[str, str] | None:
    """Why ``block`` is interface boilerplate, as (reason, rule); None when it is content."""
    label = label_words(block.text)
    if label in _UI_LABELS:
        return "interface_label", "ui_label"
    n_words = len(label.split())
    if n_words > settings.disclosure_max_words:
        return None
    if _PROMO.search(block.text):
        return "newsletter", "promo_text"
    if n_words <= settings.furniture_max_words:
        if _SHORT_FURNITURE.search(block.text.strip()):
            return "site_furniture", "furniture_line"
        if _READING_TIME.search(block.text):
            return "metadata", "reading_time"
    if block.kind == "heading":
        return None
    if _DISCLOSURE.search(block.text):
        return "affiliate_disclosure", "disclosure_text"
    if n_words <= settings.pointer_max_words and _POINTER.search(block.text):
        return "related_links", "pointer_line"
    return None


def drop_ui_blocks(
    blocks: list[Block], settings: CleanSettings
) -> tuple[list[Block], list[Removal]]:
    """Split extractor blocks into kept content and removed interface/disclosure blocks."""
    kept: list[Block] = []
    removed: list[Removal] = []
    for block in blocks:
        hit = ui_rule(block, settings)
        if hit is None:
            kept.append(block)
        else:
            removed.append(Removal(block.text, hit[0], hit[1]))
    return kept, removed
