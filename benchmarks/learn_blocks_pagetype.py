"""Page-level features for the page-type classifier of learn_blocks.py: URL path
tokens, og:type and JSON-LD types, title words (all hashed), tag counts, prices, cart and
reply wording, and the page's shares kept by curate, trafilatura and the DOM rules."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from learn_blocks_features import _h, _tag, names_list

from pipeline.clean.html.block_features import SPLIT, WORD
from pipeline.clean.html.page_kind import CART as _CART
from pipeline.clean.html.page_kind import JSONLD_TYPE as _JSONLD_TYPE
from pipeline.clean.html.page_kind import PRICE as _PRICE
from pipeline.clean.html.page_kind import REPLY as _REPLY

N_URL, N_META, N_TITLE = 64, 32, 32
PAGE_DENSE = names_list(
    "log_words log_segments link_share curate_share traf_share article n_form n_li n_p "
    "n_h n_table n_article n_input n_img n_button n_price cart reply_words dom_cut_share"
)
PAGE_NAMES = (
    PAGE_DENSE
    + [f"url_{i}" for i in range(N_URL)]
    + [f"meta_{i}" for i in range(N_META)]
    + [f"title_{i}" for i in range(N_TITLE)]
)


def page_features(root, url: str | None, html: str, page: dict) -> np.ndarray:
    """Page-level features for the page-type classifier."""
    v = np.zeros(len(PAGE_NAMES), dtype=np.float32)
    col = {name: i for i, name in enumerate(PAGE_NAMES)}
    for k in (
        "log_words",
        "log_segments",
        "link_share",
        "curate_share",
        "traf_share",
        "article",
        "dom_cut_share",
    ):
        v[col[k]] = page[k]
    counts = Counter(_tag(el) for el in root.iter())
    for k, tags in (
        ("n_form", ["form"]),
        ("n_li", ["li"]),
        ("n_p", ["p"]),
        ("n_h", ["h1", "h2", "h3"]),
        ("n_table", ["table"]),
        ("n_article", ["article"]),
        ("n_input", ["input"]),
        ("n_img", ["img"]),
        ("n_button", ["button"]),
    ):
        v[col[k]] = math.log1p(sum(counts[t] for t in tags))
    visible = " ".join(root.itertext())
    v[col["n_price"]] = math.log1p(len(_PRICE.findall(visible)))
    v[col["cart"]] = float(bool(_CART.search(visible)))
    v[col["reply_words"]] = math.log1p(len(_REPLY.findall(visible)))
    base = len(PAGE_DENSE)
    path = (url or "").split("//", 1)[-1].split("?", 1)[0].lower()
    for tok in SPLIT.split(path.split("/", 1)[1] if "/" in path else ""):
        if tok and not tok.isdigit():
            v[base + _h(tok, N_URL)] += 1
    metas = [str(x) for x in root.xpath("//meta[@property='og:type']/@content")]
    metas += _JSONLD_TYPE.findall(html)
    for tok in metas:
        v[base + N_URL + _h(tok.lower(), N_META)] += 1
    title = " ".join(str(x) for x in root.xpath("//head/title/text()"))
    for tok in set(WORD.findall(title.lower())):
        v[base + N_URL + N_META + _h(tok, N_TITLE)] += 1
    return v
