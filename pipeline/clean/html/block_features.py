"""What the learned block model sees of one page: a row of numbers per visible text block.

Blocks are the page's visible text segments (``text_segments``) taken before the DOM
rules ran, so a block the rules cut is still described (with the rule's reason). Each
row says how long and how link-heavy the block is, where it sits (position, depth, tag
path, the landmark elements around it, class/id tokens of it and its ancestors, hashed),
how often its kind repeats (same tag and class under the same kind of parent), what the
rules decided (cut and why, kept by the extractor, neighbours kept, interface wording)
and what the page is like (size, kept share, declared article). Nothing is learned here:
the numbers only describe; ``block_model`` turns them into probabilities.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from lxml import etree

from pipeline.clean.blocks import Block, Removal
from pipeline.clean.html.ui_rules import ui_rule
from pipeline.clean.text.chrome import match_chrome
from pipeline.settings import CleanSettings

WORD = re.compile(r"\w+")
SPLIT = re.compile(r"[^a-z0-9]+")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
SEPARATORS = "|•»›·/"
_NO_DIGITS = str.maketrans("", "", "0123456789")


def _names(text: str) -> list[str]:
    """Space-separated names as a list."""
    return text.split()


TAGS = _names(
    "body div p li td th span a h1 h2 h3 h4 h5 h6 section article main header footer "
    "nav aside form figure figcaption ul ol dl dt dd table tr pre blockquote label "
    "button summary details address strong em b i small time font center"
)
TAG_CODE = {t: i + 1 for i, t in enumerate(TAGS)}
FLAG_TAGS = _names(
    "nav header footer aside form figure main article li table h1 h2 h3 h4 a button "
    "label noscript dialog"
)
_FLAG_BIT = {t: 1 << i for i, t in enumerate(FLAG_TAGS)}
ROLE_MAIN_BIT, HIDDEN_BIT = 1 << len(FLAG_TAGS), 1 << (len(FLAG_TAGS) + 1)
REASONS = _names(
    "chat_widget cookie_notice newsletter share_buttons advertisement related_links "
    "comments navigation footer link_list contact_cta interface_label site_furniture "
    "metadata affiliate_disclosure"
)
REASON_CODE = {r: i + 1 for i, r in enumerate(REASONS)}
N_OWN, N_ANC, N_PATH = 64, 64, 16
_UP = [f"up{k}_{x}" for k in (1, 2, 3) for x in ("words", "link", "kept")]
DENSE = (
    _names(
        "log_words log_chars link_share title_share digit_share upper_share "
        "log_sent_ends ends_punct sep_share idx_frac word_frac depth tag parent_tag"
    )
    + [f"in_{t}" for t in FLAG_TAGS]
    + _names(
        "in_role_main in_hidden log_sig_count sig_word_share log_same_siblings "
        "dom_cut dom_reason cut_by_name ui_reason chrome_reason in_kept kept_share "
        "prev_kept next_kept win2_kept win5_kept win5_dom"
    )
    + _UP
    + _names(
        "page_log_words page_log_segments page_link_share page_kept_share "
        "page_dom_cut_share page_article"
    )
)
BLOCK_FEATURES = (
    DENSE
    + [f"own_{i}" for i in range(N_OWN)]
    + [f"anc_{i}" for i in range(N_ANC)]
    + [f"path_{i}" for i in range(N_PATH)]
)
_COL = {name: i for i, name in enumerate(BLOCK_FEATURES)}


@dataclass
class PageBlocks:
    """A page's blocks before any model: texts, elements, rows, and page-level numbers."""

    texts: list[str]
    elements: list[etree._Element]
    X: np.ndarray  # blocks x BLOCK_FEATURES, float32
    n_words: np.ndarray
    kept: np.ndarray  # 1.0 where the rules' output holds the block's text
    page: dict[str, float]


def bucket(token: str, n: int) -> int:
    """Deterministic hash bucket (Python's ``hash`` is salted per process)."""
    return zlib.crc32(token.encode()) % n


def class_tokens(el: etree._Element) -> list[str]:
    """class and id tokens of one element: lowercased, split on non-alphanumerics and
    camelCase, numbers left out."""
    raw = CAMEL.sub(" ", f"{el.get('class') or ''} {el.get('id') or ''}").lower()
    return [t for t in SPLIT.split(raw) if t and not t.isdigit()]


def _tag(el: etree._Element | None) -> str:
    return el.tag if el is not None and isinstance(el.tag, str) else ""


def _own_flags(el: etree._Element) -> int:
    bits = _FLAG_BIT.get(_tag(el), 0)
    if el.get("role") == "main":
        bits |= ROLE_MAIN_BIT
    style = (el.get("style") or "").replace(" ", "").lower()
    if (
        el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    ):
        bits |= HIDDEN_BIT
    return bits


def window_mean(values: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Weighted mean of ``values`` over the k blocks either side (the block included)."""
    cv = np.concatenate([[0.0], np.cumsum(values * weights)])
    cw = np.concatenate([[0.0], np.cumsum(weights)])
    n = len(values)
    lo = np.clip(np.arange(n) - k, 0, n)
    hi = np.clip(np.arange(n) + k + 1, 0, n)
    return ((cv[hi] - cv[lo]) / np.maximum(cw[hi] - cw[lo], 1e-9)).astype(np.float32)


def _cut_reasons(
    elements: list[etree._Element], chains: list[list], root: etree._Element, removed: list
) -> list[tuple[str, str] | None]:
    """Per block: the DOM rule that cut it (reason, rule), None when still in the tree."""
    by_text = {r.text: (r.reason, r.rule) for r in removed}
    by_top: dict = {}
    out: list[tuple[str, str] | None] = []
    for el, chain in zip(elements, chains, strict=True):
        top = chain[-1] if chain else el
        if top is root:
            out.append(None)
            continue
        if top not in by_top:
            key = " ".join(" ".join(top.itertext()).split())
            by_top[top] = by_text.get(key, ("navigation", "unknown"))
        out.append(by_top[top])
    return out


def page_blocks(
    segments: list[tuple[etree._Element, str, float]],
    root: etree._Element,
    removed: list[Removal],
    kept_blocks: list[Block],
    article: bool,
    title_words: set[str],
    settings: CleanSettings,
) -> PageBlocks:
    """Rows for ``segments`` (taken before the DOM rules cut ``removed`` out of ``root``),
    given what the rules kept (``kept_blocks``)."""
    segments = [s for s in segments if WORD.search(s[1])]
    texts = [s[1] for s in segments]
    elements = [s[0] for s in segments]
    n = len(texts)
    X = np.zeros((n, len(BLOCK_FEATURES)), dtype=np.float32)
    words = [WORD.findall(t.lower()) for t in texts]
    nw = np.array([len(w) for w in words], dtype=np.float32)
    total = max(float(nw.sum()), 1.0)
    link = np.array([s[2] for s in segments], dtype=np.float32)
    kept_flat = "\n".join(" ".join(b.text.split()) for b in kept_blocks)
    kept_bag = Counter(WORD.findall(kept_flat.lower()))
    in_kept = np.array([1.0 if t in kept_flat else 0.0 for t in texts], dtype=np.float32)
    kept_share = np.array(
        [sum(1 for w in ws if w in kept_bag) / len(ws) if ws else 0.0 for ws in words],
        dtype=np.float32,
    )
    chains = [list(el.iterancestors()) for el in elements]
    cuts = _cut_reasons(elements, chains, root, removed)
    dom = np.array([0.0 if c is None else 1.0 for c in cuts], dtype=np.float32)
    # element -> landmark bits, class-token buckets, kinds of children, subtree sums
    own_bits: dict = {}
    buckets: dict = {}
    siblings: dict = {}
    bits = np.zeros(n, dtype=np.int64)
    sums: dict = {}
    sig = []
    for i, (el, chain) in enumerate(zip(elements, chains, strict=True)):
        parent = chain[0] if chain else None
        sig.append((_tag(el), el.get("class"), _tag(parent), _get(parent, "class")))
        add = (nw[i], link[i] * nw[i], kept_share[i] * nw[i])
        for anc in chain:
            acc = sums.get(anc)
            if acc is None:
                sums[anc] = list(add)
            else:
                acc[0] += add[0]
                acc[1] += add[1]
                acc[2] += add[2]
    sig_count = Counter(sig)
    sig_words: dict[tuple, float] = {}
    for s, k in zip(sig, nw, strict=True):
        sig_words[s] = sig_words.get(s, 0.0) + float(k)
    c = _COL
    toks = [t.split() for t in texts]
    n_toks = np.array([max(len(t), 1) for t in toks], dtype=np.float64)
    chars = np.array([len(t) for t in texts], dtype=np.float64)
    X[:, c["log_words"]] = np.log1p(nw.astype(np.float64))
    X[:, c["log_chars"]] = np.log1p(chars)
    X[:, c["link_share"]] = link
    if title_words:
        X[:, c["title_share"]] = [
            sum(1 for w in ws if w in title_words) / len(ws) if ws else 0.0 for ws in words
        ]
    X[:, c["digit_share"]] = [len(t) - len(t.translate(_NO_DIGITS)) for t in texts] / chars
    X[:, c["upper_share"]] = [sum(w[:1].isupper() for w in ts) for ts in toks] / n_toks
    X[:, c["log_sent_ends"]] = np.log1p([len(SENTENCE_END.findall(t)) for t in texts])
    X[:, c["ends_punct"]] = [t[-1] in ".!?:;" for t in texts]
    X[:, c["sep_share"]] = [sum(t.count(ch) for ch in SEPARATORS) for t in texts] / n_toks
    X[:, c["idx_frac"]] = np.arange(n) / max(n - 1, 1)
    X[:, c["word_frac"]] = (np.cumsum(nw, dtype=np.float64) - nw) / total
    X[:, c["depth"]] = [len(chain) for chain in chains]
    X[:, c["tag"]] = [TAG_CODE.get(_tag(el), 0) for el in elements]
    X[:, c["parent_tag"]] = [TAG_CODE.get(_tag(ch[0]), 0) if ch else 0 for ch in chains]
    X[:, c["log_sig_count"]] = np.log([sig_count[s] for s in sig])
    X[:, c["sig_word_share"]] = [sig_words[s] / total for s in sig]
    X[:, c["dom_cut"]] = dom
    X[:, c["dom_reason"]] = [REASON_CODE.get(cut[0], 0) if cut else 0 for cut in cuts]
    X[:, c["cut_by_name"]] = [
        cut is not None and cut[1].startswith(("class_", "role_")) for cut in cuts
    ]
    unknown = len(REASONS) + 1
    hashed: list[int] = []  # flat (row * width + column) of every hashed count
    width = len(BLOCK_FEATURES)
    base_own, base_anc = len(DENSE), len(DENSE) + N_OWN
    base_path = base_anc + N_ANC
    for i, (el, text, chain) in enumerate(zip(elements, texts, chains, strict=True)):
        row = X[i]
        for k, anc in enumerate(chain[:3]):
            w, lw, kw = sums[anc]
            row[c["up1_words"] + 3 * k] = w / total
            row[c["up1_link"] + 3 * k] = lw / max(w, 1.0)
            row[c["up1_kept"] + 3 * k] = kw / max(w, 1.0)
        for node in (el, *chain):
            b = own_bits.get(node)
            if b is None:
                b = own_bits[node] = _own_flags(node)
            bits[i] |= b
        if chain:
            kinds = siblings.get(chain[0])
            if kinds is None:
                kinds = siblings[chain[0]] = Counter((s.tag, s.get("class")) for s in chain[0])
            row[c["log_same_siblings"]] = math.log(max(kinds[el.tag, el.get("class")], 1))
        if len(toks[i]) <= settings.pointer_max_words:  # the short lines those rules judge
            ui = ui_rule(Block("paragraph", text), settings)
            row[c["ui_reason"]] = REASON_CODE.get(ui[0], unknown) if ui else 0
            chrome = match_chrome(text, settings)
            row[c["chrome_reason"]] = REASON_CODE.get(chrome[0], unknown) if chrome else 0
        at = i * width
        hashed += [at + base_own + j for j in _buckets(el, buckets)[0]]
        for anc in chain[:5]:
            hashed += [at + base_anc + j for j in _buckets(anc, buckets)[1]]
        hashed += [at + base_path + j for j in _path_buckets(_path(el, chain))]
    np.add.at(X.reshape(-1), np.array(hashed, dtype=np.int64), 1.0)
    for t, bit in _FLAG_BIT.items():
        X[:, c[f"in_{t}"]] = (bits & bit) != 0
    X[:, c["in_role_main"]] = (bits & ROLE_MAIN_BIT) != 0
    X[:, c["in_hidden"]] = (bits & HIDDEN_BIT) != 0
    X[:, c["in_kept"]], X[:, c["kept_share"]] = in_kept, kept_share
    if n > 1:
        X[1:, c["prev_kept"]], X[:-1, c["next_kept"]] = in_kept[:-1], in_kept[1:]
    X[:, c["win2_kept"]] = window_mean(kept_share, nw, 2)
    X[:, c["win5_kept"]] = window_mean(kept_share, nw, 5)
    X[:, c["win5_dom"]] = window_mean(dom, nw, 5)
    page = {
        "log_words": math.log1p(total),
        "log_segments": math.log1p(n),
        "link_share": float((link * nw).sum() / total),
        "kept_share": float((kept_share * nw).sum() / total),
        "dom_cut_share": float((dom * nw).sum() / total),
        "article": float(article),
    }
    for name, value in page.items():
        X[:, c[f"page_{name}"]] = value
    return PageBlocks(texts, elements, X, nw, in_kept, page)


def _path(el: etree._Element, chain: list) -> tuple[str, ...]:
    """Tags from the third ancestor down to the element."""
    return tuple(_tag(a) for a in reversed((el, *chain[:3])))


def _get(el: etree._Element | None, attr: str) -> str | None:
    return el.get(attr) if el is not None else None


def _buckets(el: etree._Element, cache: dict) -> tuple[list[int], list[int]]:
    """The element's class/id tokens as (own, ancestor) hash buckets, computed once."""
    got = cache.get(el)
    if got is None:
        toks = class_tokens(el)
        got = cache[el] = ([bucket(t, N_OWN) for t in toks], [bucket(t, N_ANC) for t in toks])
    return got


@lru_cache(maxsize=4096)
def _path_buckets(path: tuple[str, ...]) -> list[int]:
    """Hash buckets of the tag bigrams of a path (outermost first)."""
    return [bucket(f"{a}>{b}", N_PATH) for a, b in pairwise(path)]
