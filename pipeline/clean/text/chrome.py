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
which kind of line it was. Only the text path uses these rules (after every rule of its
own): the HTML path has its own in :mod:`pipeline.clean.html.ui_rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.clean.text.signals import DATE, words
from pipeline.settings import CleanSettings

# "this leaflet", "our website", "the information on this page": the publication itself.
_PUB = (
    r"(?:web ?pages?|pages?|(?:web)?sites?|leaflets?|booklets?|brochures?|fact ?sheets?"
    r"|information|articles?|guides?|content|publications?|documents?|resources?|materials?"
    r"|posts?|blogs?)"
)
_SELF = (
    rf"(?:(?:this|our|these) {_PUB}"
    rf"|the (?:information|content|material) (?:on|in) (?:this|our) {_PUB})"
)
# A date, a month/year ("03/2026"), a dotted date ("12.03.2024") or, right after a
# review label, a bare year.
_DATED = rf"(?:{DATE.pattern}|\b\d{{1,2}}/\d{{4}}\b|\b\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}\b)"
_YEAR = r"\b(?:19|20)\d\d\b"
# Words that may come before "reviewed"/"updated" in a review-date line (not "study",
# "trial", "guidance": "The study, published in May 2023, ..." is text).
_REVIEW_PREFIX = (
    r"(?:this|the|our|page|topic|article|content|post|information|leaflet|booklet|factsheet"
    r"|guide|medically|clinically|expertly|originally|first|last|next|date|of|was|is|has|been"
    r"|due|for)"
)
_REVIEW_VERB = r"(?:reviewed|updated|published|produced|issued|revised|checked|written|modified)"
_REVIEW_LABEL = (
    r"(?:(?:date of |next |last )*(?:planned |scheduled |full )?(?:review|publication)"
    r"(?: date| due(?: date)?)?"
    r"|(?:next )?due for review|(?:date )?(?:last )?(?:reviewed|published|produced|issued|updated))"
)
_REVIEW_DATE = (
    rf"^\W*(?:{_REVIEW_PREFIX}\s+){{0,5}}{_REVIEW_VERB}\b.{{0,80}}?{_DATED}"
    rf"|^\W*{_REVIEW_LABEL}\s*(?::|-|–)\s*(?:on |in )?(?:{_DATED}|{_YEAR})"
    rf"|\b(?:next review|review date|due for review|review due)\b\s*:?\s*(?:{_DATED}|{_YEAR})"
    rf"|\b(?:published|reviewed|updated|revised|last reviewed|last updated)\s*:\s*{_DATED}"
)
_REVIEWED_BY = (
    r"^\W*(?:(?:medically|clinically|expertly|expert|peer)[- ])?(?:reviewed|fact[- ]checked) by\b"
)

# "This leaflet ... should not replace ...": the publication disclaims itself.
_DISCLAIMER_SELF = (
    rf"\b{_SELF}\b.{{0,60}}?\b(?:(?:is|are) not (?:intended|meant|designed) (?:to|as|for)"
    r"|(?:should|must|does|do|can|will|is|are) not (?:be used (?:to replace|as|in place of)"
    r"|replace|be (?:taken|relied|considered|construed|treated) (?:as|up ?on)|substitute"
    r"|take the place of)|(?:is|are) not (?:an? )?(?:substitute|replacement) for)"
    rf"|\b{_SELF}\b.{{0,40}}\b(?:does|do|can|will|is|are) not (?:intended to )?"
    r"(?:offer|give|provide|constitute) (?:\w+ ){0,2}(?:advice|diagnos[ie]s)\b"
)
_DISCLAIMER = (
    r"^\W*(?:medical |legal |important )?disclaimer\s*[:.–-]"
    r"|\bnothing (?:on|in) (?:this|our) " + _PUB + r"\b.{0,40}\b(?:advice|substitute|replace)"
    r"|\bfor (?:general |educational |informational |information |reference )*"
    r"(?:purposes|use|information|education|reference)(?: purposes)? only\b"
    r"|\b(?:substitute|replacement) for (?:(?:professional|medical|individual|personal|expert"
    r"|qualified|the|your) )*(?:advice|consultation|diagnosis)\b"
    r"|\bor (?:any )?other qualified (?:health ?(?:care)?|medical) (?:provider|professional"
    r"|practitioner)s?\b"
    r"|\b(?:we|the publishers?|the authors?) (?:are|is|will|shall|cannot|can ?not|do|does)"
    r"(?: not)? (?:be )?(?:held )?(?:liable|responsible for|accept (?:any )?(?:responsibility"
    r"|liability))\b|\b(?:accepts?|takes?|assumes?) no (?:responsibility|liability)\b"
    r"|\bnot (?:be )?(?:construed|taken|relied (?:up)?on) as (?:medical|professional) advice\b"
    r"|\b(?:is|are) not (?:intended|meant) to (?:diagnose|treat|cure|prevent)\b"
)

_STAFF = (
    r"(?:team|nurses?|pharmacists?|experts?|advis[eo]rs?|specialists?|doctors?|gps?"
    r"|counsell?ors?|volunteers?|advice team|helpline team)"
)
# "webchat" alone is a product feature on software pages: it needs a call around it.
_CHAT_CTA = (
    r"\b(?:on|via|by|through|use|start|open|try) (?:our )?(?:live |online )?web ?chat\b"
    r"|\bweb ?chat (?:is |are )?(?:open|available|now|online)\b|\bchat online\b|\bonline chat\b"
    r"|\bchat (?:to|with) (?:one of )?our\b|\bchat (?:to|with) an? \w+ (?:online|now|today)\b"
)
# The call opens the unit or follows a question lead ("Questions? Our nurses are here to
# help"): inside a sentence ("Plus, our support team is here to help if ...") it is text.
_TEAM_CTA = (
    r"(?:^|[?!:]\s+)\W*(?:(?:you can |please |or )?(?:message|whats ?app|text|e-?mail|contact"
    r"|ask|talk to) (?:one of )?our"
    rf" (?:\w+ )?{_STAFF}\b|our (?:\w+ ){{0,2}}{_STAFF} (?:are |is )?(?:here|available|on hand"
    r"|ready|happy|waiting) to (?:help|answer|talk|listen|support|advise)\b)"
)
_LINE = (
    r"(?:helplines?|support lines?|advice lines?|information lines?|phone lines?|nurse lines?"
    r"|telephone (?:service|line)s?|support services?|information services?)"
)
_HELPLINE_CTA = (
    rf"\bour (?:\w+ ){{0,3}}{_LINE}\b"
    r"|^\W*(?:freephone|free ?phone|lines? (?:are )?open|open (?:mon|monday|7 days|24 hours))\b"
)

# "(PDF, 2 MB)", "(312 KB)": a file link's size ("(pdf)" alone titles a resource list).
_FILE = r"\(\s*(?:(?:pdf|docx?|word|epub|rtf)\b[^)]{0,20})?\d(?:\.\d+)?\s?(?:kb|mb)\s*\)"
# Downloading the publication itself ("download our leaflet", "download this page as a
# PDF"), not an app or a checklist the text recommends.
_DOWNLOAD_OBJECT = (
    r"(?:copy|version|leaflets?|booklets?|brochures?|fact ?sheets?|guides?|pdfs?|page"
    r"|information|posters?|publications?|resources?|information pack)"
)
_LEAFLET_DOWNLOAD = (
    rf"\bdownload (?:our|this|these) (?:\w+ ){{0,2}}{_DOWNLOAD_OBJECT}\b"
    r"|\bdownload (?:a |an |the )?(?:free |printable |printer-friendly |pdf |full |accessible "
    rf"|easy read )*(?:copy|version|pdf) of (?:this|our|these) {_PUB}\b"
    r"|\b(?:(?:this|our) " + _PUB + r"|a copy) (?:as|in) (?:a )?pdf\b"
)
_LEAFLET_ORDER = (
    r"\b(?:order|request|get|ask for)\b (?:an? |your |free |printed |print |paper |hard "
    r"|additional |extra )*(?:cop(?:y|ies)|versions?) of (?:this|our|these) (?:\w+ ){0,2}"
    rf"{_PUB}\b|\b(?:order|request) (?:free |printed |paper )*(?:cop(?:y|ies) of )?our "
    r"(?:\w+ ){0,2}(?:leaflets?|booklets?|publications?|fact ?sheets?|guides?|information)\b"
)
_FORMATS = (
    r"(?:large print|braille|audio|easy ?read|(?:other |different |community )?languages?"
    r"|(?:other |alternative |accessible |different )formats?|on request)"
)
_LEAFLET_FORMATS = (
    rf"\b(?:this|our) {_PUB}\b.{{0,30}}\bavailable (?:in|as|on)\b.{{0,30}}\b{_FORMATS}"
    rf"|\bif you (?:need|would like|want) (?:this|our|the) {_PUB}\b.{{0,30}}\b(?:format|language"
    r"|large print|braille|audio|easy read)s?\b"
    r"|^\W*(?:other|alternative|accessible) (?:formats?|languages?)\s*:"
)
# "Ref: HLT-0423, version 3", "Leaflet number: 1234/VER2", "NB/CV/0042", "PIL-0423 v3.0":
# a code holds a letter or a 3-digit run ("Reference: 3.5-5.0 mmol/L" is a lab range).
_CODE = (
    r"(?:(?=[\w/.-]*(?:[a-z]|\d{3}))(?=[\w/.-]*\d)[a-z\d]+(?:[-/.][a-z\d]+)+"
    r"|[a-z]{2,}\d[\w/.-]*)"
)
_LEAFLET_CODE = (
    r"^\W*(?:(?:patient|information|leaflet|publication|document|booklet|factsheet|our|pil)\s+)*"
    r"(?:ref(?:erence)?|no|number|code|id|leaflet|publication|pil)\b\.?"
    r"(?:\s*(?:no|number|code|id)\b\.?)?\s*:?\s*#?" + _CODE
)

_NEWSLETTER = (
    r"\b(?:get|receive|sign up (?:to|for)|subscribe to|join) (?:our|the) (?:free |weekly "
    r"|monthly |daily |regular |latest |e-?mail |e-)*(?:e-?mails?|e-?news|bulletins?"
    r"|newsletters?|updates|digest|alerts|magazine)\b"
    r"|\bsubscribe\b(?: (?:now|today|here))?\s*(?:for|to get|to receive) (?:the latest|our"
    r"|free|regular|weekly|monthly)\b"
    r"|\b(?:sign up|register) (?:now |today |here )?(?:for|to (?:get|receive)) (?:our|free"
    r"|regular|weekly|monthly)\b.{0,30}\b(?:tips|news|updates|e-?mails?|offers|stories)\b"
)
# Not a bare "20% off" or "Save 10%": on a shop page the price is the text.
# A voucher code is letters then digits ("HEALTH20"; "the code 302" is a status code),
# or the call ends at a checkout; a text about promo codes is no promo.
_PROMO_OFFER = (
    r"\b\d{1,2}\s?% off (?:your|all|at our|in our)\b"
    r"|\b(?:with|use|enter|apply|discount|promo|promotional|voucher|coupon) (?:the )?(?:\w+ )?"
    r"code:? [a-z]+\d|\bcode\b.{0,30}\bat checkout\b"
    r"|\b(?:visit|browse|shop|explore|buy from|order from) (?:in )?our (?:online )?(?:shop|store"
    r"|range|products)\b|\bshop our (?:full )?range\b|\b(?:at|in) our (?:online )?"
    r"(?:shop|store)\b"
)
_MEMBERSHIP = (
    r"\bjoin (?:over |more than |our )?[\d,.]+k? (?:other )?(?:members|people|subscribers"
    r"|supporters|readers)\b|\bbecome a (?:member|friend|supporter)\b"
)
_FUNDRAISING = (
    r"\b(?:every|your) (?:donation|gift)\b.{0,40}\b(?:helps? us|our work|our research"
    r"|helps? (?:to )?fund|could (?:pay|fund|buy)|will (?:pay|fund|buy)|can (?:pay|fund|buy))\b"
    r"|\b(?:fundrais(?:e|ing)|raise money|raise funds) (?:for|with) us\b|\btake on a challenge\b"
    r"|\bleave a gift in your will\b|\bgive (?:today|now|monthly)\b|\bplay our (?:\w+ )?lottery\b"
    r"|(?:£|\$|€)\d+ (?:could|can|will) (?:help|pay|fund|buy)\b"
)
_REGISTRATION = (
    r"\bregistered (?:as a )?charity\b|\bcharity (?:reg(?:istration|istered)?\.? )?(?:no|number)\b"
    r"|\bcompany (?:no|number|registration|limited by guarantee)\b"
    r"|\bregistered (?:office|company|in england|in scotland|in wales)\b|\bvat (?:no|number|reg)\b"
)
# A row of page tools ("Print | Email | Share") or one tool on the page ("Print this
# page"); never one bare word ("Email" labels a form field, "Save" a shop button).
_TOOL = r"(?:print|e-?mail|share|save|bookmark|download)"
_TOOL_OBJECT = r"(?: this| the)? (?:page|article|leaflet|story|post|pdf)"
_PAGE_TOOLS = (
    rf"^\W*{_TOOL}{_TOOL_OBJECT}\W*$"
    rf"|^\W*{_TOOL}(?:{_TOOL_OBJECT})?(?:\s*[|•·/,]\s*(?:{_TOOL}|pdf)(?:{_TOOL_OBJECT})?){{1,4}}\W*$"
)
_FEEDBACK = (
    rf"\b(?:did you find|was|is|were) (?:this|the|these|our) {_PUB}\b(?: \w+){{0,2}} (?:helpful"
    r"|useful|clear|easy to understand)\b"
    rf"|\bhow (?:useful|helpful|clear) (?:was|is|were|did you find) (?:this|the|our) {_PUB}\b"
    rf"|\brate (?:this|our) {_PUB}\b|\btell us what you think\b"
    r"|\b(?:give|send|leave|share) (?:us )?(?:your |some )?feedback\b"
    rf"|\bfeedback (?:on|about) (?:this|our) {_PUB}\b"
    r"|\breport (?:a |an )?(?:problem|issue|error|mistake) (?:with|on|in|about) (?:this|the) "
    rf"{_PUB}\b|\bis there (?:anything|something) wrong with (?:this|the) {_PUB}\b"
    r"|\bhelp us improve\b|\btake (?:our|this) (?:short |quick |\d+[- ]minutes? )*(?:survey"
    r"|questionnaire|poll)\b"
)

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
        _REVIEW_DATE,
        "line",
        "reviewed updated published produced issued revised checked written modified review"
        " publication",
    ),
    _chrome("metadata", "review_date", _REVIEWED_BY, "label", "reviewed checked"),
    _chrome(
        "leaflet_reference",
        "leaflet_code",
        _LEAFLET_CODE,
        "label",
        "ref reference no number code id leaflet publication pil",
    ),
    _chrome(
        "share_buttons",
        "feedback_prompt",
        _FEEDBACK,
        "line",
        "helpful useful clear easy rate tell feedback problem issue error mistake wrong improve"
        " survey questionnaire poll",
    ),
    _chrome(
        "share_buttons",
        "page_tools",
        _PAGE_TOOLS,
        "label",
        "print email mail share save bookmark download",
    ),
    _chrome("leaflet_reference", "leaflet_download", _LEAFLET_DOWNLOAD, "line", "download pdf"),
    _chrome("leaflet_reference", "leaflet_download", _FILE, "label", marks=("kb", "mb")),
    _chrome(
        "leaflet_reference",
        "leaflet_order",
        _LEAFLET_ORDER,
        "line",
        "copy copies version versions order request",
    ),
    _chrome(
        "leaflet_reference",
        "leaflet_formats",
        _LEAFLET_FORMATS,
        "line",
        "available format formats language languages print braille audio read easyread",
    ),
    _chrome(
        "newsletter",
        "newsletter_promo",
        _NEWSLETTER,
        "line",
        "email emails mail mails news enews bulletin bulletins newsletter newsletters updates"
        " digest alerts magazine subscribe sign register",
    ),
    _chrome("chat_widget", "chat_cta", _CHAT_CTA, "line", "chat webchat"),
    _chrome(
        "contact_cta",
        "helpline_cta",
        _HELPLINE_CTA,
        "line",
        "helpline helplines line lines service services freephone phone open",
    ),
    _chrome("contact_cta", "team_cta", _TEAM_CTA, "line", "our"),
    _chrome(
        "advertisement",
        "promo_offer",
        _PROMO_OFFER,
        "line",
        "off code our",
        marks=("%off",),
    ),
    _chrome("advertisement", "membership_promo", _MEMBERSHIP, "line", "join become"),
    _chrome(
        "advertisement",
        "fundraising_appeal",
        _FUNDRAISING,
        "line",
        "donation gift fundraise fundraising raise challenge give lottery",
        marks=("£", "$", "€"),
    ),
    _chrome(
        "footer",
        "charity_registration",
        _REGISTRATION,
        "line",
        "registered charity company vat",
    ),
    _chrome("footer", "disclaimer", _DISCLAIMER_SELF, "disclaimer", _PUB_WORDS, "not"),
    _chrome(
        "footer",
        "disclaimer",
        _DISCLAIMER,
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
