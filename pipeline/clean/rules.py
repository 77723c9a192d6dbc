"""Block rules shared by the HTML and text cleaners: run on every cleaner's output.

1. Inline junk glued into sentences (a domain name fused to the next word, "Advertisement"
   or "Continue reading below" left inside a paragraph) is cut out of the text.
2. Chat-widget, share-row, call-to-action and cookie/newsletter blocks that an extractor
   let through are removed, with the widget's follow-on lines (greeting, option menu).
3. A sentence announcing a list that the capture lost ("Immune cells include:" followed by
   no items) gives the document the flag ``lost_list``; the text is kept.
"""

from __future__ import annotations

import re

from pipeline.clean.blocks import Block, Cleaned, Removal
from pipeline.clean.text.chrome import match_chrome
from pipeline.clean.text.signals import TLDS, ends_sentence, match_rule, words
from pipeline.settings import CleanSettings

LOST_LIST_FLAG = "lost_list"

# A domain name fused to the following word: "system's examplesite.comorgans".
_GLUED_DOMAIN = re.compile(
    rf"(?<![\w@/.-])(?:www\.)?[a-z][a-z0-9-]{{1,62}}\.(?:{TLDS})(?=[a-z]{{3,}}\b)", re.I
)
# Ad markers left between two sentences ("... a week. Advertisement Continue Reading Below
# Rest helps."), and link furniture glued to words ("(opens in a new window)", "[edit]").
_INLINE_JUNK = re.compile(
    r"(?:(?:(?<=[.!?])|(?<=[.!?][\"”’)])|^)\s*(?:(?:ADVERTISEMENT|Advertisement"
    r"|Continue [Rr]eading [Bb]elow|(?:Story|Article) continues below)\b\s*)+(?=[A-Z\"“]|$))"
    r"|\s*\((?:opens|open) in (?:a )?new (?:window|tab)\)|\[edit\]|\[citation needed\]"
)
_BARE_LIST_LEAD = re.compile(
    r"\b(?:include|includes|including(?: but not limited to)?|such as|as follows|the following)"
    r"\s*:?\s*$",
    re.I,
)
# A "sentence" ending in ":" that runs longer than this is a paragraph, not a list lead-in.
LIST_INTRO_MAX_WORDS = 80
# Inline ad markers are cut only from blocks longer than this: a block that is only
# "Advertisement" is a block rule's business.
INLINE_JUNK_MIN_WORDS = 3
# A block of at least this many words and sentences is prose: it ends a widget's spill.
SUBSTANTIAL_MIN_WORDS = 25
SUBSTANTIAL_MIN_SENTENCES = 2
# Reasons whose blocks take the rest of a short trailing widget with them.
_WIDGET_TAIL_REASONS = frozenset({"chat_widget"})


def is_list_intro(sentence: str) -> bool:
    """True when ``sentence`` announces a list: ends with ``:`` or with a dangling lead-in.

    "Immune cells include:", "Treatment length depends on:", "cancers, including but not
    limited to" are list intros; "Some cells include markers." is not.
    """
    text = sentence.strip()
    if not text or len(words(text)) > LIST_INTRO_MAX_WORDS:
        return False
    if text.endswith(":") and not re.search(r"https?:$", text):
        return True
    return bool(_BARE_LIST_LEAD.search(text)) and not ends_sentence(text)


def last_sentence(text: str) -> str:
    """The last sentence of a paragraph (split after ``. ! ?`` followed by a space)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])", text.strip())
    return parts[-1] if parts else ""


def cut_inline_junk(text: str) -> tuple[str, list[Removal]]:
    """``text`` without glued domain names and inline ad markers, plus what was cut."""
    removed: list[Removal] = []

    def _domain(match: re.Match[str]) -> str:
        removed.append(Removal(match.group(0), "inline_junk", "glued_domain"))
        return ""

    def _marker(match: re.Match[str]) -> str:
        removed.append(Removal(match.group(0).strip(), "inline_junk", "inline_marker"))
        return " "

    text = _GLUED_DOMAIN.sub(_domain, text)
    if len(words(text)) > INLINE_JUNK_MIN_WORDS:
        text = _INLINE_JUNK.sub(_marker, text)
    return " ".join(text.split()), removed


def _is_substantial(block: Block) -> bool:
    """A block that ends a widget's spill: a heading or two sentences of prose."""
    return block.kind == "heading" or (
        len(words(block.text)) >= SUBSTANTIAL_MIN_WORDS
        and len(re.findall(r"[.!?](?:\s|$)", block.text)) >= SUBSTANTIAL_MIN_SENTENCES
    )


def flag_lost_lists(blocks: list[Block]) -> bool:
    """True when a paragraph ends with a list intro and no list item follows it."""
    for i, block in enumerate(blocks):
        if block.kind != "paragraph" or not is_list_intro(last_sentence(block.text)):
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if following is None or following.kind != "item":
            return True
    return False


# A promo box opens with a label of its own ("New:", "Sponsored:", an all-capitals
# "FREE HEALTH CHECKS:") or sells the publisher's own service ("Book a consultation
# with one of our cardiologists").
_PROMO_LABEL = re.compile(
    r"^\W{0,3}(?i:new|offer|special offer|limited offer|sponsored|advertisement|promoted)"
    r"\W{0,3}:\W{0,3}\s"
    r"|^\W{0,3}(?=[A-Z ]*\b(?:FREE|NEW|OFFER|SALE)\b)[A-Z]+(?: [A-Z]+){1,5}:\s",
)
_OUR_OFFER = re.compile(
    r"\b(?:book|try|download|get|join|sign up|pop in(?:to)?|ask about|order)\b"
    r"[^.]{0,60}\bour\b[^.]{0,40}\b(?:app|clinics?|services?|branch(?:es)?|shop|store|"
    r"challenge|consultation|consultants?|cardiologists?|programme|program|team of)\b",
    re.I,
)


def promo_box(text: str, settings: CleanSettings) -> tuple[str, str] | None:
    """``("advertisement", "promo_box")`` for a short block that advertises the
    publisher's own offer, else None (a longer block is prose about a service)."""
    if len(words(text)) > settings.chrome_line_max_words:
        return None
    if _PROMO_LABEL.match(text.strip()) or _OUR_OFFER.search(text):
        return "advertisement", "promo_box"
    return None


def apply_block_rules(cleaned: Cleaned, settings: CleanSettings) -> Cleaned:
    """Inline junk, widget/share/CTA blocks and the ``lost_list`` flag on any cleaner's output."""
    blocks: list[Block] = []
    removed = list(cleaned.removed)
    widget: str | None = None
    last_substantial = max(
        (i for i, b in enumerate(cleaned.blocks) if _is_substantial(b)), default=-1
    )
    for i, block in enumerate(cleaned.blocks):
        text, cut = cut_inline_junk(block.text)
        removed.extend(cut)
        if not text:
            continue
        hit = match_rule(text, settings.widget_words_scale)
        if hit and hit[0] in {
            "chat_widget",
            "share_buttons",
            "contact_cta",
            "cookie_notice",
            "newsletter",
            "advertisement",
        }:
            removed.append(Removal(text, hit[0], hit[1]))
            widget = hit[0]
            continue
        chrome = match_chrome(text, settings) if settings.chrome_in_all_blocks else None
        if chrome is None and settings.chrome_in_all_blocks:
            chrome = promo_box(text, settings)
        if chrome and block.kind != "heading":  # review dates, leaflet codes, promos ...
            removed.append(Removal(text, chrome[0], chrome[1]))
            continue
        if widget in _WIDGET_TAIL_REASONS and i > last_substantial:
            removed.append(Removal(text, widget, "follows_" + widget))
            continue
        widget = None
        blocks.append(Block(block.kind, text))
    flags = list(cleaned.flags)
    if flag_lost_lists(blocks) and LOST_LIST_FLAG not in flags:
        flags.append(LOST_LIST_FLAG)
    return Cleaned(blocks=blocks, removed=removed, flags=flags)
