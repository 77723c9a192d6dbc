"""Signals for telling content text from page furniture, shared by the text and HTML cleaners.

Two kinds of signal live here:

- *measures* of a span of text (word count, stopword share, sentence punctuation, phone
  numbers, dates, title case), which say how much a span reads like prose;
- *boilerplate rules*: small, generic vocabularies of widget, share, call-to-action,
  cookie, newsletter, breadcrumb, search-box, footer and metadata wording. Each rule has a
  word limit: the phrases count only in short spans, so an article *about* live chat or
  newsletters keeps its prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.text.words import WORD

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE = re.compile(
    rf"\b(?:\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|{_MONTH}\s+\d{{4}})\b",
    re.I,
)
_PHONE_CANDIDATE = re.compile(r"(?<![\w/.-])\+?\(?\d[\d ().-]{5,18}\d(?![\w/-])")
TLDS = (
    "co\\.uk|org\\.uk|ac\\.uk|nhs\\.uk|gov\\.uk|com\\.au|org\\.au|gov\\.au|co\\.nz|co\\.za|co\\.in|"
    "com|org|net|gov|edu|info|biz|health|care|io|co|us|uk|ca|au|in|de|fr|nl|eu|me|ai|app|"
    "clinic|news|online|site|ie|nz|za|sg"
)
URL = re.compile(rf"https?://\S+|www\.[\w.-]+\w|\b[\w-]+(?:\.[\w-]+)*\.(?:{TLDS})\b(?:/\S*)?", re.I)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters/digits runs, apostrophes kept inside words)."""
    return WORD.findall(text)


def stopword_share(tokens: list[str]) -> float:
    """Share of ``tokens`` that are English stopwords: prose is high, menus and titles low."""
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if t.lower().replace("’", "'") in STOP_WORDS) / len(tokens)


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with sentence punctuation (quotes/brackets allowed after it)."""
    return bool(re.search(r"[.!?…][\"'”’)\]]*\s*$", text))


def title_case_share(tokens: list[str]) -> float:
    """Share of content words (not stopwords, alphabetic) that start with a capital."""
    content = [t for t in tokens if t.isalpha() and t.lower() not in STOP_WORDS]
    if not content:
        return 0.0
    return sum(1 for t in content if t[0].isupper()) / len(content)


# Phone numbers have 7 (a local number) to 15 (ITU E.164's longest) digits.
PHONE_DIGITS = (7, 15)


def has_phone(text: str) -> bool:
    """True when ``text`` holds something shaped like a phone number (7 to 15 digits)."""
    for match in _PHONE_CANDIDATE.finditer(text):
        span = match.group(0)
        digits = sum(c.isdigit() for c in span)
        separated = any(c in span for c in " ().-") or span.startswith("+")
        if (
            PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]
            and separated
            and not DATE.fullmatch(span.strip())
        ):
            return True
    return False


@dataclass(frozen=True)
class Rule:
    """A boilerplate rule: ``pattern`` found in a span of at most ``max_words`` words."""

    reason: str
    name: str
    # Matched against lower-cased text, without re.I (Python's case-insensitive matching
    # is ~1.5x slower); the rule's letter classes are lower-cased with it.
    pattern: re.Pattern[str]
    max_words: int


def _rule(reason: str, name: str, pattern: str, max_words: int) -> Rule:
    return Rule(reason, name, re.compile(pattern.replace("[A-Z]", "[a-z]")), max_words)


_SOCIAL = (
    r"(?:facebook|twitter|x\.com|linked\s?in|pinterest|whats\s?app|reddit|telegram|"
    r"instagram|tumblr|flipboard|threads|bluesky)"
)
_CONTACT_VERB = (
    r"(?:call|calling|phone|tel|telephone|contact|reach|dial|text|whats\s?app|fax|write to)"
)
_CHAT = (
    r"\b(?:start|begin|open|launch) (?:a |the |live |new )*chat\b"
    r"|\bchat (?:with us|now|online"
    r"|with (?:an? |our )?(?:agent|expert|nurse|advisor|specialist|team))\b"
    r"|\blive chat\b|\bwe(?:'|’| a)re (?:online|offline|here to help)\b"
    r"|\bscan (?:the |this |our )?(?:qr )?code\b|\btype (?:your|a) message\b"
    r"|\bhow (?:can|may) (?:we|i) help(?: you)?(?: today)?\b|\bwhat can we do for you\b"
    r"|\bleave (?:us )?a message\b|\bonline now\b|\bchatbot\b"
    r"|\bpowered by (?:livechat|tawk|intercom|zendesk|drift|tidio|crisp|olark|hubspot)\b"
)
_SHARE = (
    r"(?:^|[|•·:]\s*)\W*(?:share|tweet|pin|post|e-?mail|send)\b(?: (?:this|it|on|via|to|with))*\W+"
    rf"(?:\w+\W+){{0,2}}{_SOCIAL}\b|^\W*share(?: this(?: \w+)?)?\W*$|^\W*share on \w+\W*$"
)
_METADATA_DATED = (
    r"^\W*(?:(?:page|topic|article|content|post|this page was)\s+)?(?:last\s+)?"
    rf"(?:updated|reviewed|modified|published|posted|revised|written)\b.{{0,120}}?{DATE.pattern}"
)
_BYLINE = (
    r"^\W*(?:by|author:?|written by|reviewed by|medically reviewed by)\s+"
    r"[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,4}(?:,?\s*[A-Z]{2,4})?\s*"
    rf"(?:[|,•·-]\s*|\s+on\s+)?(?:{DATE.pattern})?\W*$"
)
_SEARCH = (
    r"^\W*(?:search(?:\s+\S+){0,3}|search for:?|enter (?:a |your )?(?:search terms?|keywords?)"
    r"|type (?:your|a) search.*|what are you looking for\??)\W*$"
)
_COOKIES = (
    r"\bcookies?\b.{0,200}\b(?:consent|accept|agree|policy|settings|preferences|browsing|browser"
    r"|experience|privacy|use of|website|necessary|functional|analytics|third-party|tracking)\b"
    r"|\b(?:we|this (?:site|website)) uses? cookies\b"
)
_NEWSLETTER = (
    r"\b(?:sign up|subscribe|join|get|receive|free|weekly|monthly|our)\b.{0,40}\bnewsletters?\b"
    r"|\bnewsletters?\b.{0,40}\b(?:sign up|subscribe|inbox)\b"
    r"|\b(?:sign up|subscribe|join)\b.{0,60}\b(?:updates|mailing list|e-?mail|inbox)\b"
    r"|\benter your e-?mail\b"
)
_SPONSORED = (
    r"\bfeatured (?:practice|provider|partner|listing|clinic|doctor|physician|business|member)s?\b"
    r"|^\W*(?:sponsored|advertisement|promoted|ad)\W*$|\(sponsored\)|\badvertorial\b"
    r"|\bsponsored (?:content|post|listing|links?|results?)\b|\bpaid (?:content|partnership)\b"
)
_DIRECTORY_PROMO = (
    r"\b(?:search|browse|use) our (?:directory|database|listings?|network)\b"
    r"|\bfind an? (?:\w+ ){0,2}(?:practice|doctor|provider|clinic|specialist|dentist|physician"
    r"|lawyer|therapist)s? (?:near you|in your area|near me)\b"
)
_DONATION = (
    r"\b(?:donate (?:now|today|via|to us)|make a donation|become a (?:patron|member|supporter)"
    r"|support (?:us|our (?:work|journalism|site))|we (?:also )?use affiliate links)\b"
)
_CONTACT_US = (
    r"\b(?:call|contact|email|e-mail|message|text|whatsapp) us\b|\bget in touch\b"
    r"|\b(?:book|request|schedule|make) (?:an?|your) (?:free )?"
    r"(?:appointment|consultation|visit|call)\b"
    r"|\bspeak (?:to|with) (?:one of )?our\b"
)
_LEGAL_LINKS = (
    r"^\W*(?:privacy(?: policy)?|terms (?:of|and) (?:use|service|conditions)|cookie policy"
    r"|accessibility(?: statement)?|site ?map|disclaimers?|legal notice|imprint)\W*$"
)
_DISCLAIMER = (
    r"\b(?:is|are) not (?:intended (?:to be |as )?(?:a substitute|medical advice)"
    r"|a substitute for (?:professional )?(?:medical )?advice)"
    r"|\bnor is it a substitute for\b|\bfor (?:general )?information(?:al)? purposes only\b"
    r"|\b(?:does not|do not|is not intended to) (?:constitute|provide) (?:\w+ ){0,2}advice\b"
)

_COMMENT_FORM = (
    r"\b(?:leave a (?:reply|comment)|your email address will not be published"
    r"|required fields are marked|notify me of (?:new|follow-up) (?:comments|posts|replies)"
    r"|this site uses akismet|save my name, email|post (?:a )?comment)\b"
)

# Order matters: the first rule that fires names the reason. The last number is the rule's
# word limit: longer spans are prose that merely mentions the words.
# "5 min read", "3 MIN. READ", "Reading time: 4 minutes": a line of its own is metadata.
READING_TIME = (
    r"^\W*(?:\d+\s*(?:-|to)?\s*\d*\s*(?:min(?:ute)?s?|hrs?|hours?)\.?\s+(?:read|listen)\b"
    r"|(?:estimated\s+)?reading time\s*:?\s*\d+\s*(?:min(?:ute)?s?|hrs?|hours?)\b)\W*$"
)
RULES: tuple[Rule, ...] = (
    _rule(
        "navigation",
        "skip_link",
        r"^\W*(?:skip (?:to|navigation)|jump to (?:main )?content|back to top"
        r"|return to top)\b",
        6,
    ),
    _rule(
        "metadata",
        "url_label",
        r"^\W*(?:url of this page|permalink|canonical(?: url)?|source url|url source|page url)"
        r"\s*:\s*\S+",
        12,
    ),
    _rule("metadata", "dated_line", _METADATA_DATED, 30),
    _rule("metadata", "byline", _BYLINE, 14),
    _rule("metadata", "reading_time", READING_TIME, 8),
    _rule("breadcrumb", "you_are_here", r"^\W*(?:you are here|breadcrumbs?)\b", 12),
    _rule("breadcrumb", "home_trail", r"^\W*home\s*(?:->|»|›|>|→|/)", 16),
    _rule("breadcrumb", "trail_arrow", r"(?:->|»|›|→|>)\s*$", 6),
    _rule("search_box", "search_field", _SEARCH, 5),
    _rule("cookie_notice", "cookies", _COOKIES, 120),
    _rule("newsletter", "newsletter", _NEWSLETTER, 35),
    _rule("share_buttons", "share_row", _SHARE, 15),
    _rule("share_buttons", "social_names", rf"^\W*(?:follow us\b.*|(?:{_SOCIAL}\W*){{2,}})$", 12),
    _rule(
        "share_buttons",
        "liked_this",
        r"^\W*(?:did you )?(?:like|liked|enjoy|enjoyed|found|find) this "
        r"(?:article|post|page|story|content)\b"
        r"|^\W*was this (?:article|page|information|content) (?:helpful|useful)\b",
        12,
    ),
    _rule("chat_widget", "chat_phrase", _CHAT, 25),
    _rule("comment_form", "comment_form", _COMMENT_FORM, 30),
    _rule("advertisement", "sponsored", _SPONSORED, 40),
    _rule("advertisement", "directory_promo", _DIRECTORY_PROMO, 40),
    _rule("advertisement", "donation_appeal", _DONATION, 60),
    _rule("advertisement", "sponsor_line", r"\b(?:sponsored by|brought to you by)\b", 10),
    _rule("contact_cta", "contact_us", _CONTACT_US, 40),
    _rule(
        "footer",
        "copyright",
        r"(?:©|\(c\)|copyright)\s*(?:\d{4}|[A-Z])|\ball rights reserved\b",
        40,
    ),
    _rule("footer", "legal_links", _LEGAL_LINKS, 6),
    _rule("footer", "disclaimer", _DISCLAIMER, 80),
)

_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w.'-]*\s+){1,4}(?:street|st|avenue|ave|road|rd|pike|boulevard|blvd"
    r"|drive|dr|lane|ln|way|suite|court|ct|place|pl|highway|hwy|parkway|pkwy|square|sq)\b\.?"
    r".{0,60}?(?:\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b)",
    re.I,
)
_SEPARATED_MENU = re.compile(r"^(?:[^|•·]{1,30}[|•·]){2,}[^|•·]{1,30}$")
# Word limits of match_rule's checks after RULES (the separated menu's is not scaled).
_PHONE_CTA_MAX_WORDS = 50
_ADDRESS_MAX_WORDS = 45
_SEPARATED_MENU_MAX_WORDS = 20
_LONGEST_RULE = max(_PHONE_CTA_MAX_WORDS, _ADDRESS_MAX_WORDS, *(r.max_words for r in RULES))
# Reasons whose widgets spill over into neighbouring short lines (buttons, greetings).
WIDGET_REASONS = frozenset(
    {
        "chat_widget",
        "share_buttons",
        "newsletter",
        "search_box",
        "breadcrumb",
        "contact_cta",
        "advertisement",
        "cookie_notice",
    }
)


def match_rule(text: str, max_words_scale: float = 1.0) -> tuple[str, str] | None:
    """``(reason, rule)`` of the first boilerplate rule that fires on ``text``, else None.

    ``max_words_scale`` stretches every rule's word limit (1.0 = the documented limits).
    """
    stripped = text.strip()
    if not stripped:
        return None
    n_words = len(words(stripped))
    if n_words > max(_SEPARATED_MENU_MAX_WORDS, _LONGEST_RULE * max_words_scale):
        return None  # longer than any rule below judges: skip the pattern scan
    lowered = stripped.lower()
    for rule in RULES:
        if n_words <= rule.max_words * max_words_scale and rule.pattern.search(lowered):
            return rule.reason, rule.name
    if (
        n_words <= _PHONE_CTA_MAX_WORDS * max_words_scale
        and has_phone(stripped)
        and re.search(
            rf"\b{_CONTACT_VERB}\b|\bappointments?\b|\bconsultations?\b|\bhelpline\b",
            stripped,
            re.I,
        )
    ):
        return "contact_cta", "phone_cta"
    if n_words <= _ADDRESS_MAX_WORDS * max_words_scale and _ADDRESS.search(stripped):
        return "footer", "postal_address"
    if (
        n_words <= _SEPARATED_MENU_MAX_WORDS
        and _SEPARATED_MENU.match(stripped)
        and not ends_sentence(stripped)
    ):
        return "navigation", "separated_menu"
    return None


def is_url_only(text: str) -> bool:
    """True when ``text`` is nothing but URLs/e-mail addresses and punctuation."""
    rest = EMAIL.sub(" ", URL.sub(" ", text))
    return bool(text.strip()) and not re.search(r"\w", rest)
