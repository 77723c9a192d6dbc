"""DOM boilerplate rules applied before main-content extraction.

Each rule looks at one element (tag, ARIA role, class/id tokens, links, short text) and
names why it is boilerplate: live-chat widgets, cookie notices, newsletter boxes, share
rows, phone/WhatsApp calls to action, navigation, footers, ads, related links, comments.
Matched elements are cut from the lxml tree and returned as ``Removal`` records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from pipeline.clean.blocks import Removal
from pipeline.settings import CleanSettings

# class/id token -> reason. Tokens are the lowercased class/id split on space, "-", "_".
_TOKEN_REASONS: dict[str, str] = {}
for _reason, _words in {
    "chat_widget": "intercom drift tawk tawkto livechat zopim zendesk crisp tidio olark "
    "freshchat chatwoot chatbot chatbox chat whatsapp messenger tawk_to fb_dialog",
    "cookie_notice": "cookie cookies consent gdpr onetrust cookiebot cookielaw usercentrics "
    "didomi truste iubenda osano termly cookiebanner cookienotice cookieconsent",
    "newsletter": "newsletter newsletters subscribe subscription signup optin mailchimp mc4wp "
    "klaviyo",
    "share_buttons": "share shares sharing sharebar sharethis addthis addtoany a2a shariff "
    "sharedaddy socialshare social",
    "advertisement": "ad ads adv advert adverts advertisement advertising adsbygoogle dfp adslot "
    "adunit sponsor sponsored taboola outbrain",
    "related_links": "related recommended recommendations popular trending",
    "comments": "disqus",
    "navigation": "nav navbar navigation menu menubar breadcrumb breadcrumbs skiplink "
    "pagination offcanvas megamenu",
    "footer": "footer colophon",
}.items():
    for _word in _words.split():
        _TOKEN_REASONS[_word] = _reason

# Compound class names that tokenising misses ("cookieBanner", "intercom-lightweight-app").
_SUBSTRING_REASONS = [
    ("intercom", "chat_widget"),
    ("tawk", "chat_widget"),
    ("livechat", "chat_widget"),
    ("whatsapp", "chat_widget"),
    ("zopim", "chat_widget"),
    ("drift-", "chat_widget"),
    ("cookie", "cookie_notice"),
    ("consent", "cookie_notice"),
    ("onetrust", "cookie_notice"),
    ("newsletter", "newsletter"),
    ("sharethis", "share_buttons"),
    ("addthis", "share_buttons"),
    ("addtoany", "share_buttons"),
    ("social-share", "share_buttons"),
    ("disqus", "comments"),
    ("breadcrumb", "navigation"),
    ("adsbygoogle", "advertisement"),
    ("taboola", "advertisement"),
    ("outbrain", "advertisement"),
]
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")

# Dialogs, asides and comment sections are left to the extractor: forum posts, quotes
# and product reviews live in them as often as boilerplate does.
_TAG_REASONS = {"nav": "navigation", "footer": "footer"}
_ROLE_REASONS = {"navigation": "navigation", "contentinfo": "footer", "search": "navigation"}

_CHAT_TEXT = re.compile(
    r"\b(we(?:'|’| a)re online|chat with us|live chat|chat now|start (?:a )?chat|"
    r"message us on whatsapp|chat on whatsapp|whatsapp us)\b",
    re.I,
)
_COOKIE_TEXT = re.compile(r"\bcookies?\b", re.I)
_COOKIE_ACTION = re.compile(
    r"\b(accept|agree|consent|allow|decline|reject|privacy policy|we use|this (?:web)?site uses)\b",
    re.I,
)
_NEWSLETTER_TEXT = re.compile(
    r"\b(newsletter|subscribe|sign up for|"
    r"get (?:the latest|our) [\w ]{0,30}(?:in|to) your inbox)\b",
    re.I,
)
_CALL_TEXT = re.compile(r"\b(call|phone|ring|text|dial|contact)\b", re.I)
_KEEP_TAGS = {"html", "body", "main", "article"}
_CODE_TAGS = {"pre", "code", "kbd", "samp"}
_CTA_CONTAINERS = {"p", "div", "li", "section", "span", "a", "aside", "ul", "button"}
# A box this short around a phone link is the call-to-action's own label, even without
# call wording ("0800 123 456 - free").
CTA_LABEL_MAX_CHARS = 60
# A link menu's links hold at least this share of its non-space characters: nothing else.
LINK_MENU_MIN_LINK_CHARS = 0.9


def _norm(text: str) -> str:
    return " ".join(text.split())


# Evaluated in C: no Python proxy per descendant, no Python string splitting.
_TEXT = etree.XPath("normalize-space()", smart_strings=False)
_CUT_MARK = "data-curate-cut"
_IN_CUT = etree.XPath(f"boolean(ancestor-or-self::*[@{_CUT_MARK}])")
# Embedded posts (tweets, Instagram) sit in "social" wrappers but are quoted content.
_HAS_EMBED = etree.XPath("boolean(.//blockquote | .//iframe)")


def _attr_reason(el: HtmlElement) -> tuple[str, str] | None:
    """Reason from the element's tag, role, aria-modal or class/id names."""
    tag = el.tag
    if tag in _TAG_REASONS:
        return _TAG_REASONS[tag], f"{tag}_element"
    role = (el.get("role") or "").strip().lower()
    if role in _ROLE_REASONS:
        return _ROLE_REASONS[role], f"role_{role}"
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return None
    return _names_reason(f"{cls or ''} {ident or ''}")


@lru_cache(maxsize=8192)
def _names_reason(names: str) -> tuple[str, str] | None:
    """Reason from class and id names (pages repeat the same few class strings)."""
    names = names.lower()
    if not _NAMES.search(names):
        return None
    for token in _TOKEN_SPLIT.split(names):
        reason = _TOKEN_REASONS.get(token)
        if reason:
            return reason, f"class_token_{token}"
    for needle, reason in _SUBSTRING_REASONS:
        if needle in names:
            return reason, f"class_contains_{needle.strip('-')}"
    return None


def _text_reason(el: HtmlElement, text: str, chat_max: int) -> tuple[str, str] | None:
    """Reason from a short element's own words (banners without telling class names)."""
    if len(text) <= chat_max and _CHAT_TEXT.search(text):
        return "chat_widget", "chat_invitation_text"
    if _COOKIE_TEXT.search(text) and _COOKIE_ACTION.search(text):
        return "cookie_notice", "cookie_notice_text"
    if _NEWSLETTER_TEXT.search(text) and el.xpath(".//input[@type='email' or @name='email']"):
        return "newsletter", "newsletter_form"
    return None


def _contact_link_reason(link: HtmlElement) -> tuple[str, str]:
    href = (link.get("href") or "").lower()
    if "whatsapp" in href or "wa.me" in href:
        return "chat_widget", "whatsapp_link"
    return "contact_cta", "phone_link"


def _cta_container(link: HtmlElement, max_chars: int) -> HtmlElement | None:
    """The largest ancestor of a tel:/WhatsApp link that is still a short call to action."""
    best = None
    for el in [link, *link.iterancestors()]:
        if el.tag in _KEEP_TAGS or el.tag not in _CTA_CONTAINERS:
            break
        text = _TEXT(el)
        if len(text) > max_chars:
            break
        if el is link or _CALL_TEXT.search(text) or len(text) < CTA_LABEL_MAX_CHARS:
            best = el
    return best


def _is_prose(el: HtmlElement, text: str, settings: CleanSettings) -> bool:
    """Long text with few links: an article body, whatever its wrapper is called."""
    if len(text.split()) < settings.nav_prose_min_words:
        return False
    link_chars = sum(len(_TEXT(a)) for a in el.iter("a"))
    return link_chars < settings.nav_prose_max_link_share * len(text)


def _is_link_menu(box: HtmlElement, settings: CleanSettings) -> bool:
    """Many short links and (almost) nothing else: a menu, a tag cloud, an archive list."""
    links = [_TEXT(a) for a in box.iter("a")]
    links = [t for t in links if t]
    if len(links) < settings.link_menu_min_items:
        return False
    if sum(len(t.split()) for t in links) > settings.link_menu_max_item_words * len(links):
        return False
    link_chars = sum(len(t) - t.count(" ") for t in links)
    text = _TEXT(box)
    return link_chars >= LINK_MENU_MIN_LINK_CHARS * (len(text) - text.count(" "))


def _drop(el: HtmlElement) -> None:
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


# One regex over class and id names says whether a token or substring can match at all.
_NAME_PATTERN = (
    r"(?:^|[\s_-])(?:"
    + "|".join(sorted(map(re.escape, _TOKEN_REASONS), key=len, reverse=True))
    + r")(?:$|[\s_-])|"
    + "|".join(re.escape(n) for n, _ in _SUBSTRING_REASONS)
    + r"|(?:^|\s)(?:"
    + "|".join(_ROLE_REASONS)
    + r")(?:$|\s)"
)
_NAMES = re.compile(_NAME_PATTERN)
# Substrings that a text rule's trigger word needs ("hatsApp" for WhatsApp): a literal,
# case-sensitive scan per text node is the cheap net, _TEXT_TRIGGER the real test.
_TEXT_NEEDLES = re.compile("ookie|chat|Chat|hatsApp|hatsapp|nline|ewsletter|ubscribe|nbox")
_TEXT_TRIGGER = re.compile(r"cookie|\bchat|online|whatsapp|newsletter|subscribe|inbox", re.I)


_MENU_TAGS = ("ul", "ol", "div", "p", "section")


def _text_trigger_elements(body: HtmlElement) -> Iterator[HtmlElement]:
    """Elements whose own text or tail holds a trigger word, in document order of the text.

    A walk with substring tests, then one regex: several times cheaper than an XPath
    ``contains()`` net over every text node."""
    needle, search = _TEXT_NEEDLES.search, _TEXT_TRIGGER.search
    for event, el in etree.iterwalk(body, events=("start", "end", "comment", "pi")):
        if event == "start":
            text, owner = el.text, el
        elif el is body:
            continue
        else:  # a tail; text after a comment belongs to the comment's parent
            text, owner = el.tail, el if event == "end" else el.getparent()
        if text and needle(text) and search(text):
            yield owner


def _menu_candidates(body: HtmlElement, min_links: int) -> list[HtmlElement]:
    """Lists and boxes with ``min_links`` links as children or in their items, in document
    order (a tag cloud, a menu list)."""
    counts: dict[HtmlElement, int] = {}
    for link in body.iter("a"):
        parent = link.getparent()
        if parent is not None and parent.tag == "li":
            parent = parent.getparent()
        if parent is not None and parent.tag in _MENU_TAGS:
            counts[parent] = counts.get(parent, 0) + 1
    return [el for el in body.iter(*_MENU_TAGS) if counts.get(el, 0) >= min_links]


_LINK_CANDIDATES = (
    ".//a[starts-with(@href,'tel:') or contains(@href,'wa.me/') or contains(@href,'whatsapp.com/')]"
)


def _text_rule_box(
    start: HtmlElement, stop: set, settings: CleanSettings
) -> tuple[HtmlElement, tuple[str, str], str] | None:
    """The largest short ancestor of ``start`` whose wording marks it as a banner."""
    best = None
    for el in [start, *start.iterancestors()]:
        if el in stop or el.tag in _KEEP_TAGS:
            break
        if el.tag in _CODE_TAGS:  # code samples quote banners and headers verbatim
            return None
        text = _TEXT(el)
        if len(text) > settings.banner_max_chars:
            break
        hit = _text_reason(el, text, settings.chat_text_max_chars)
        if hit is not None:
            best = (el, hit, text)
    return best


def strip_boilerplate_elements(root: HtmlElement, settings: CleanSettings) -> list[Removal]:
    """Cut boilerplate elements out of ``root`` in place; return what was cut and why.

    Elements holding more than ``boilerplate_max_share`` of the page's text (and over
    ``boilerplate_min_guard_chars``) are never cut: a wrapper named "has-sidebar" is
    not a sidebar. ``main``/``article`` and their ancestors are never cut by name.
    Doomed elements are marked with an attribute first (so later rules skip what lies
    inside them without walking it in Python) and dropped at the end.
    """
    body = root.find("body") if root.tag == "html" else root
    if body is None:
        body = root
    page_chars = len(_TEXT(body))
    guard = max(settings.boilerplate_min_guard_chars, settings.boilerplate_max_share * page_chars)
    protected: set = set()
    for keep in [*root.iter("main", "article"), *root.xpath("//*[@role='main']")]:
        protected.add(keep)
        protected.update(keep.iterancestors())
    doomed: list[tuple[HtmlElement, str, str, str]] = []

    def mark(el: HtmlElement, reason: str, rule: str, text: str) -> None:
        doomed.append((el, reason, rule, text))
        el.set(_CUT_MARK, "")

    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:  # one pass; a cut element's subtree is not walked
        tag = el.tag
        if el in protected or tag in _KEEP_TAGS:  # start events come for elements only
            continue
        hit = _attr_reason(el)
        if tag in _TAG_REASONS:
            walker.skip_subtree()  # inside nav/footer: cut with it, or left to the extractor
        if hit is None or (hit[0] == "share_buttons" and _HAS_EMBED(el)):
            continue
        text = _TEXT(el)
        if hit[0] == "navigation" and hit[1].startswith("class_") and _is_prose(el, text, settings):
            continue  # a "pagination" or "menu" wrapper around the article itself
        if len(text) <= guard:
            mark(el, hit[0], hit[1], text)
            walker.skip_subtree()
    for start in _text_trigger_elements(body):
        if _IN_CUT(start):
            continue
        found = _text_rule_box(start, protected, settings)
        if found is not None:
            mark(found[0], found[1][0], found[1][1], found[2])
    for box in _menu_candidates(body, settings.link_menu_min_items):
        if box in protected or _IN_CUT(box) or not _is_link_menu(box, settings):
            continue
        text = _TEXT(box)
        if len(text) < settings.link_menu_max_share * page_chars:  # else: a directory page
            mark(box, "link_list", "link_menu", text)
    for box in body.iter("select"):  # drop-down choices (category pickers), never prose
        if not _IN_CUT(box):
            mark(box, "navigation", "select_element", _TEXT(box))
    for link in body.xpath(_LINK_CANDIDATES):
        if _IN_CUT(link):
            continue
        box = _cta_container(link, settings.cta_max_chars)
        if box is not None and box not in protected:
            reason, rule = _contact_link_reason(link)
            mark(box, reason, rule, _TEXT(box))
    removals: list[Removal] = []
    for el, reason, rule, text in doomed:
        parent = el.getparent()
        if parent is not None and _IN_CUT(parent):
            continue  # inside a larger cut box, whose text already covers it
        if text:  # text nodes joined with spaces: list items must not fuse ("PolicyTerms")
            removals.append(Removal(_norm(" ".join(el.itertext())), reason, rule))
        _drop(el)
    return removals
