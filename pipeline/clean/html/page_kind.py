"""What the page-type model sees of one page: a row of page-level numbers.

URL path tokens, og:type and JSON-LD ``@type`` values and title words (hashed), counts
of forms, list items, paragraphs, headings, tables, articles, inputs, images, buttons,
prices, cart and reply wording, and the page numbers of ``block_features`` (size, link
share, share kept by the rules, share cut by the DOM rules, declared article).
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from lxml import etree

from pipeline.clean.html.block_features import SPLIT, WORD, bucket

PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")
N_URL, N_META, N_TITLE = 64, 32, 32
_COUNTED = {
    "n_form": ("form",),
    "n_li": ("li",),
    "n_p": ("p",),
    "n_h": ("h1", "h2", "h3"),
    "n_table": ("table",),
    "n_article": ("article",),
    "n_input": ("input",),
    "n_img": ("img",),
    "n_button": ("button",),
}
_FROM_BLOCKS = ("log_words", "log_segments", "link_share", "kept_share", "dom_cut_share", "article")
PAGE_DENSE = [*_FROM_BLOCKS, *_COUNTED, "n_price", "cart", "reply_words"]
PAGE_FEATURES = (
    PAGE_DENSE
    + [f"url_{i}" for i in range(N_URL)]
    + [f"meta_{i}" for i in range(N_META)]
    + [f"title_{i}" for i in range(N_TITLE)]
)
JSONLD_TYPE = re.compile(r'"@type"\s*:\s*"([\w:/.]+)"')
PRICE = re.compile(r"[$€£]\s?\d|\d[.,]\d\d\s?(?:€|eur|usd)", re.I)
REPLY = re.compile(r"\b(?:reply|replies|posted|joined|quote|thread|posts)\b", re.I)
CART = re.compile(r"add to (?:cart|bag|basket)", re.I)
_KINDS = etree.XPath(
    "//meta[@property='og:type']/@content | //script[@type='application/ld+json']/text()"
)
_TITLE = etree.XPath("//head/title/text()")


def page_features(
    root: etree._Element, url: str | None, visible_text: str, blocks_page: dict[str, float]
) -> np.ndarray:
    """The page-type row of one page (``PAGE_FEATURES`` order), from its tree (before the
    DOM rules), its visible text and ``PageBlocks.page``."""
    v = np.zeros(len(PAGE_FEATURES), dtype=np.float32)
    for i, name in enumerate(_FROM_BLOCKS):
        v[i] = blocks_page[name]
    counts = Counter(el.tag for el in root.iter() if isinstance(el.tag, str))
    at = len(_FROM_BLOCKS)
    for i, tags in enumerate(_COUNTED.values()):
        v[at + i] = math.log1p(sum(counts[t] for t in tags))
    at += len(_COUNTED)
    v[at] = math.log1p(len(PRICE.findall(visible_text)))
    v[at + 1] = float(bool(CART.search(visible_text)))
    v[at + 2] = math.log1p(len(REPLY.findall(visible_text)))
    base = len(PAGE_DENSE)
    path = (url or "").split("//", 1)[-1].split("?", 1)[0].lower()
    for tok in SPLIT.split(path.split("/", 1)[1] if "/" in path else ""):
        if tok and not tok.isdigit():
            v[base + bucket(tok, N_URL)] += 1
    for value in _KINDS(root):
        value = str(value)
        kinds = JSONLD_TYPE.findall(value) if "@type" in value else [value.strip()]
        for tok in kinds:
            v[base + N_URL + bucket(tok.lower(), N_META)] += 1
    title = " ".join(str(x) for x in _TITLE(root))
    for tok in set(WORD.findall(title.lower())):
        v[base + N_URL + N_META + bucket(tok, N_TITLE)] += 1
    return v
