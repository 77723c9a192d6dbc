"""Metadata read from a capture itself: URL, title, description, publisher, dates.

Used only for what raw/sources.csv does not say (sources.csv always wins).

Not htmldate for dates: 6x this module's whole time (26 vs 4.3 ms a page, 300 WCXB pages), and of
the 171 dates it adds there 50 are year-only guesses (1 January); on some pages it returns
the published date where the page states a modified one. Not trafilatura's metadata: 14x the
time, and no better on those pages (gold title contained 240 vs 247, gold URL 246 vs 248).
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree
from lxml import html as lxml_html

_HEADER_LINE = re.compile(r"^\s*(Link|URL|Source|Description|Title|Keywords)\s*:\s*(.*?)\s*$", re.I)
_PAGE_URL = re.compile(r"^\s*URL of this page:\s*(https?://\S+)", re.I | re.M)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_DATE_LABEL = (
    r"(?:last\s+updated|updated|last\s+reviewed|reviewed|last\s+modified|published|posted)"
)
_DAY_MONTH_YEAR = r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})"
_MONTH_DAY_YEAR = r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})"
_NUMERIC = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_ISO = r"(\d{4})-(\d{2})-(\d{2})"
_DATE_AFTER_LABEL = re.compile(
    _DATE_LABEL
    + r"[^.\n]{0,60}?\b(?:on\s+|:\s*)?("
    + "|".join([_ISO, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC])
    + ")",
    re.I,
)


def _safe_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """An ISO date from a written date (``2 April 2020``, ``April 2, 2020``, ``10/01/2020``).

    Numeric dates are read month/day/year (the US order of the sites we capture),
    falling back to day/month/year when the first number cannot be a month.
    """
    text = text.strip()
    if m := re.fullmatch(_ISO, text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(_DAY_MONTH_YEAR, text):
        month = _MONTHS.get(m[2][:3].lower())
        return _safe_date(int(m[3]), month, int(m[1])) if month else None
    if m := re.fullmatch(_MONTH_DAY_YEAR, text):
        month = _MONTHS.get(m[1][:3].lower())
        return _safe_date(int(m[3]), month, int(m[2])) if month else None
    if m := re.fullmatch(_NUMERIC, text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        return _safe_date(year, first, second) or _safe_date(year, second, first)
    return None


def find_updated_date(text: str) -> str | None:
    """The latest "last updated / reviewed / published on <date>" date in ``text``."""
    found = [parse_date(m.group(1)) for m in _DATE_AFTER_LABEL.finditer(text)]
    dates = sorted(d for d in found if d)
    return dates[-1] if dates else None


# A text capture's header ("Title: ...", "URL: ...") sits in its first lines; later
# "Source: ..." lines are citations in the text.
HEADER_LINES = 12
# A first line longer than this is a paragraph, not a title.
MAX_TITLE_CHARS = 120


def text_metadata(text: str) -> dict[str, str | None]:
    """Metadata of a text or Markdown capture: header lines, first heading, dates."""
    meta: dict[str, str | None] = {"url": None, "title": None, "description": None}
    for line in text.splitlines()[:HEADER_LINES]:
        if m := _HEADER_LINE.match(line):
            key, value = m[1].lower(), m[2]
            if key in ("link", "url", "source") and value.startswith("http"):
                meta["url"] = meta["url"] or value.split()[0]
            elif key in ("description", "title") and value and value.lower() != "none":
                meta[key] = meta[key] or value
    if meta["url"] is None and (m := _PAGE_URL.search(text)):
        meta["url"] = m[1]
    if meta["title"] is None:
        meta["title"] = _text_title(text)
    meta["updated"] = find_updated_date(text)
    return meta


def _text_title(text: str) -> str | None:
    if m := _MD_HEADING.search(text):
        return " ".join(m[1].split())
    body = [line for line in text.splitlines() if not _HEADER_LINE.match(line)]
    blocks = [b for b in "\n".join(body).split("\n\n") if b.strip()]
    first = blocks[0].strip() if blocks else ""
    line = " ".join(first.split())
    if 0 < len(line) <= MAX_TITLE_CHARS and "\n" not in first and line[-1] not in ".!:,;":
        return line
    return None


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.I | re.S)
_BODY_START = re.compile(r"<body\b|</head\s*>", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.I | re.S)
_HEAD_PARSER = lxml_html.HTMLParser(encoding="utf-8", huge_tree=True)


# As in HTML's selectors: rel="Canonical" is canonical (ASCII case-insensitive value).
_CANONICAL_LINK = (
    '//link[translate(@rel, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")'
    ' = "canonical"]'
)


def _first(tree: etree._Element | None, xpath: str) -> etree._Element | None:
    """The first element matching ``xpath`` in document order, if any, leaving out the
    inert content of ``<template>`` elements (not part of the page in HTML)."""
    found = tree.xpath(f"{xpath}[not(ancestor::template)]") if tree is not None else []
    return found[0] if found else None


def html_metadata(html: str) -> dict[str, str | None]:
    """Metadata of an HTML capture: canonical link, title, description, site name, dates.

    Only the ``<head>`` is parsed (parsers slow down badly on pathological bodies);
    the "last updated" date is searched in the tag-stripped body text.
    """
    body_at = _BODY_START.search(html, 0, 2_000_000)
    head = html[: body_at.start()] if body_at else ""
    if not head and (m := _TITLE.search(html, 0, 200_000)):
        head = f"<title>{m[1]}</title>"
    # None when the head holds no element at all (empty, only a comment).
    tree = etree.fromstring(head.encode("utf-8"), _HEAD_PARSER) if head else None

    def attr(xpath: str, name: str) -> str | None:
        node = _first(tree, xpath)
        value = node.get(name) if node is not None else None
        return " ".join(value.split()) if value else None

    title_node = _first(tree, "//title")
    title = attr('//meta[@property="og:title"]', "content") or (
        " ".join(title_node.text_content().split()) if title_node is not None else None
    )
    published = attr('//meta[@property="article:modified_time"]', "content") or attr(
        '//meta[@property="article:published_time"]', "content"
    )
    body_text = _TAG.sub(" ", html[body_at.start() if body_at else 0 :][:5_000_000])
    return {
        "url": attr(_CANONICAL_LINK, "href") or attr('//meta[@property="og:url"]', "content"),
        "title": title or None,
        "description": attr('//meta[@name="description"]', "content")
        or attr('//meta[@property="og:description"]', "content"),
        "publisher": attr('//meta[@property="og:site_name"]', "content")
        or attr('//meta[@name="application-name"]', "content"),
        "updated": (parse_date(published[:10]) if published else None)
        or find_updated_date(body_text),
    }
