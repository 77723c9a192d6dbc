"""Publisher chrome in text and Markdown captures: lines a site prints around every article.

Health and charity sites print the same kinds of line around their text: a review date
("Next review due: May 2027"), a disclaimer ("This leaflet does not replace advice from
your doctor"), a helpline or chat call-to-action ("Our nurses are on webchat 9am-5pm"), a
leaflet reference ("Ref: HLT-0423, version 3", "Download our leaflet (PDF, 2 MB)"), a
newsletter or shop promo, a donation appeal, a charity registration footer and a
feedback prompt ("Did you find this page useful?"). They are proper sentences of 5-20
words, so the prose score of :mod:`pipeline.clean.text.regions` takes them for text.

What sets them apart from medical advice that mentions calling, reviewing or downloading
("Call 999 if you have chest pain", "Your doctor may review your medicines") is who
speaks: the publisher about itself ("our helpline", "this leaflet", "us") or about the
page, or a label followed by a date or code. Every vocabulary below asks for one of
those, and judges only short units (``CleanSettings.chrome_*_max_words``). Reasons reuse
the names of :mod:`pipeline.clean.text.signals` (``metadata``, ``footer``, ``chat_widget``,
``contact_cta``, ``advertisement``, ``newsletter``, ``share_buttons``); leaflet codes,
downloads, print orders and format notices are ``leaflet_reference``. The rule names say
which kind of line it was. Text captures run them after their own rules; every kept block
of any format meets them again in :mod:`pipeline.clean.rules` (``chrome_in_all_blocks``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.clean.text.chrome_vocabulary import (
    CHAT_CTA,
    DISCLAIMER,
    DISCLAIMER_SELF,
    FEEDBACK,
    FILE,
    FUNDRAISING,
    HELPLINE_CTA,
    LEAFLET_CODE,
    LEAFLET_DOWNLOAD,
    LEAFLET_FORMATS,
    LEAFLET_ORDER,
    MEMBERSHIP,
    NEWSLETTER,
    PAGE_TOOLS,
    PROMO_OFFER,
    REGISTRATION,
    REVIEW_DATE,
    REVIEWED_BY,
    TEAM_CTA,
)
from pipeline.clean.text.signals import words
from pipeline.settings import CleanSettings

Size = Literal["label", "line", "disclaimer"]
_SIZES: tuple[Size, ...] = ("label", "line", "disclaimer")


@dataclass(frozen=True)
class ChromeRule:
    """A chrome vocabulary: ``pattern`` in a unit of at most the ``size`` word limit.

    ``triggers``: groups of words, every text the pattern matches holding a word of each
    group; ``marks``: substrings that are no words ("£", the "mb" of "2mb"). The pattern
    is only searched when the text has its triggers or a mark: most units are text, and
    a set lookup costs far less than a regex scan.
    """

    reason: str
    name: str
    pattern: re.Pattern[str]
    size: Size
    triggers: tuple[frozenset[str], ...]
    marks: tuple[str, ...] = ()

    def matches(self, lowered: str, tokens: frozenset[str]) -> bool:
        """True when the pattern is in ``lowered`` (lower-cased text, ``tokens`` its words)."""
        possible = (
            bool(self.triggers) and all(not group.isdisjoint(tokens) for group in self.triggers)
        ) or any(mark in lowered for mark in self.marks)
        return possible and self.pattern.search(lowered) is not None


def _index(rules: tuple[ChromeRule, ...]) -> dict[str, tuple[int, ...]]:
    """Word -> the rules (by position) whose first trigger group holds it."""
    index: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        for word in rule.triggers[0] if rule.triggers else ():
            index.setdefault(word, []).append(i)
    return {word: tuple(ids) for word, ids in index.items()}


def _chrome(
    reason: str, name: str, pattern: str, size: Size, *triggers: str, marks: tuple[str, ...] = ()
) -> ChromeRule:
    """A rule; each of ``triggers`` is one group of space-separated words."""
    groups = tuple(frozenset(group.split()) for group in triggers)
    return ChromeRule(reason, name, re.compile(pattern), size, groups, marks)


_PUB_WORDS = "this our these"
# Order matters: the first rule that fires names the reason. Patterns are matched against
# the lower-cased text.
CHROME_RULES: tuple[ChromeRule, ...] = (
    _chrome(
        "metadata",
        "review_date",
        REVIEW_DATE,
        "line",
        "reviewed updated published produced issued revised checked written modified review"
        " publication",
    ),
    _chrome("metadata", "review_date", REVIEWED_BY, "label", "reviewed checked"),
    _chrome(
        "leaflet_reference",
        "leaflet_code",
        LEAFLET_CODE,
        "label",
        "ref reference no number code id leaflet publication pil",
    ),
    _chrome(
        "share_buttons",
        "feedback_prompt",
        FEEDBACK,
        "line",
        "helpful useful clear easy rate tell feedback problem issue error mistake wrong improve"
        " survey questionnaire poll",
    ),
    _chrome(
        "share_buttons",
        "page_tools",
        PAGE_TOOLS,
        "label",
        "print email mail share save bookmark download",
    ),
    _chrome("leaflet_reference", "leaflet_download", LEAFLET_DOWNLOAD, "line", "download pdf"),
    _chrome("leaflet_reference", "leaflet_download", FILE, "label", marks=("kb", "mb")),
    _chrome(
        "leaflet_reference",
        "leaflet_order",
        LEAFLET_ORDER,
        "line",
        "copy copies version versions order request",
    ),
    _chrome(
        "leaflet_reference",
        "leaflet_formats",
        LEAFLET_FORMATS,
        "line",
        "available format formats language languages print braille audio read easyread",
    ),
    _chrome(
        "newsletter",
        "newsletter_promo",
        NEWSLETTER,
        "line",
        "email emails mail mails news enews bulletin bulletins newsletter newsletters updates"
        " digest alerts magazine subscribe sign register",
    ),
    _chrome("chat_widget", "chat_cta", CHAT_CTA, "line", "chat webchat"),
    _chrome(
        "contact_cta",
        "helpline_cta",
        HELPLINE_CTA,
        "line",
        "helpline helplines line lines service services freephone phone open",
    ),
    _chrome("contact_cta", "team_cta", TEAM_CTA, "line", "our"),
    _chrome(
        "advertisement",
        "promo_offer",
        PROMO_OFFER,
        "line",
        "off code our",
        marks=("%off",),
    ),
    _chrome("advertisement", "membership_promo", MEMBERSHIP, "line", "join become"),
    _chrome(
        "advertisement",
        "fundraising_appeal",
        FUNDRAISING,
        "line",
        "donation gift fundraise fundraising raise challenge give lottery",
        marks=("£", "$", "€"),
    ),
    _chrome(
        "footer",
        "charity_registration",
        REGISTRATION,
        "line",
        "registered charity company vat",
    ),
    _chrome("footer", "disclaimer", DISCLAIMER_SELF, "disclaimer", _PUB_WORDS, "not"),
    _chrome(
        "footer",
        "disclaimer",
        DISCLAIMER,
        "disclaimer",
        "disclaimer nothing only substitute replacement qualified liable responsible"
        " responsibility liability advice diagnose treat cure prevent",
    ),
)
_BY_TRIGGER = _index(CHROME_RULES)
_TRIGGER_WORDS = frozenset(_BY_TRIGGER)
_MARKED = tuple(i for i, rule in enumerate(CHROME_RULES) if rule.marks)


def _limit(size: Size, settings: CleanSettings) -> int:
    if size == "label":
        return settings.chrome_label_max_words
    if size == "disclaimer":
        return settings.chrome_disclaimer_max_words
    return settings.chrome_line_max_words


def match_chrome(text: str, settings: CleanSettings) -> tuple[str, str] | None:
    """``(reason, rule)`` of the first publisher-chrome rule that fires on ``text``, else None.

    Each rule judges only units up to its size's word limit in ``settings``; a longer
    paragraph is prose that mentions helplines, leaflets or reviews.
    """
    lowered = text.strip().lower()
    tokens = words(lowered)
    n_words = len(tokens)
    if n_words == 0:
        return None
    sizes = [size for size in _SIZES if n_words <= _limit(size, settings)]
    if not sizes:
        return None
    token_set = frozenset(tokens)
    candidates = {i for word in token_set & _TRIGGER_WORDS for i in _BY_TRIGGER[word]}
    candidates.update(i for i in _MARKED if any(m in lowered for m in CHROME_RULES[i].marks))
    for i in sorted(candidates):  # in rule order: the first rule that fires names the reason
        rule = CHROME_RULES[i]
        if rule.size in sizes and rule.matches(lowered, token_set):
            return rule.reason, rule.name
    return None
