"""Per-block features for the learned block model (issue #18), built on the clean stage.

A page's blocks are the clean stage's own visible text segments
(``pipeline.clean.html.blocks.text_segments`` over the tree ``parse_html`` gives); each
segment's verdicts come from the stage itself: cut by a DOM rule
(``strip_boilerplate_elements``, with the rule), kept in the full clean output
(``clean_capture``), kept by trafilatura default. Labels: share of a block's words (or,
for blocks of 4+ words, of its word 3-grams) found in the gold main content.

Nothing here is tuned: it describes blocks; ``learn_blocks.py`` fits and scores.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from bench_extraction import trafilatura_default

from pipeline.clean.blocks import render_text
from pipeline.clean.html.block_features import (
    FLAG_TAGS,
    N_ANC,
    N_OWN,
    N_PATH,
    TAG_CODE,
    WORD,
    bucket,
    class_tokens,
    window_mean,
)
from pipeline.clean.html.blocks import text_segments
from pipeline.clean.html.cleaner import declares_article, parse_html
from pipeline.clean.html.rules import strip_boilerplate_elements
from pipeline.clean.stage import clean_capture
from pipeline.settings import CleanSettings


def names_list(text: str) -> list[str]:
    """Space-separated names as a list."""
    return text.split()


# The rules alone, as measured in session 10: the stage's own block model (on by default
# since) was fitted on these pages and would leak into the prototype's inputs.
SETTINGS = dataclasses.replace(CleanSettings(), block_model="off")
REASONS = names_list(
    "chat_widget cookie_notice newsletter share_buttons advertisement related_links comments "
    "navigation footer link_list contact_cta"
)
REASON_CODE = {r: i + 1 for i, r in enumerate(REASONS)}
_h = bucket  # short names for the many hashed columns below
names = class_tokens


def _tag(el) -> str:
    return el.tag if isinstance(el.tag, str) else ""


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (
        el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _attached(el, root) -> bool:
    last = el
    for anc in el.iterancestors():
        last = anc
    return last is root


def _cut_root(el):
    top = el
    for anc in el.iterancestors():
        top = anc
    return top


def bag(text: str) -> Counter:
    return Counter(WORD.findall(text.lower()))


def shingles(words: list[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _share_in(words: list[str], have: Counter) -> float:
    return sum(1 for w in words if w in have) / len(words) if words else 0.0


DENSE = names_list(
    "log_words log_chars link_share digit_share upper_share log_sent_ends ends_punct "
    "sep_share idx_frac word_frac depth tag parent_tag "
    + " ".join(f"in_{t}" for t in FLAG_TAGS)
    + " in_role_main in_hidden log_sig_count sig_word_share log_same_siblings "
    "dom_cut dom_reason cut_by_name in_curate curate_share in_traf traf_share "
    "prev_curate next_curate prev_traf next_traf win2_traf win5_traf win5_curate win5_dom "
    "page_log_words page_curate_share page_traf_share page_log_segments page_article "
    "page_link_share title_share "
    + " ".join(f"up{k}_{x}" for k in (1, 2, 3) for x in ("words", "link", "traf", "curate"))
)
CATEGORICAL = ("tag", "parent_tag", "dom_reason")
BLOCK_NAMES = (
    DENSE
    + [f"own_{i}" for i in range(N_OWN)]
    + [f"anc_{i}" for i in range(N_ANC)]
    + [f"path_{i}" for i in range(N_PATH)]
)


@dataclass
class Page:
    """One page's blocks, their features and labels, and the two anchors' outputs."""

    pid: str
    site: str
    page_type: str
    texts: list[str] = field(default_factory=list)
    X: np.ndarray | None = None  # blocks x BLOCK_NAMES, float32
    n_words: np.ndarray | None = None
    label_words: np.ndarray | None = None  # share of block words in the gold bag
    label_shingles: np.ndarray | None = None  # 3-gram share; short blocks: phrase in gold
    page_x: np.ndarray | None = None  # PAGE_NAMES
    curate_text: str = ""
    traf_text: str = ""
    gold_words: int = 0
    cpu: dict[str, float] = field(default_factory=dict)


def _contained(texts: list[str], output: str) -> tuple[np.ndarray, np.ndarray]:
    """Per segment: exact containment in ``output`` and share of its words in output's bag."""
    flat = " ".join(output.split())
    have = bag(output)
    exact = np.array([1.0 if t in flat else 0.0 for t in texts], dtype=np.float32)
    share = np.array([_share_in(WORD.findall(t.lower()), have) for t in texts], np.float32)
    return exact, share


def segment_page(html: str, url: str | None):
    """The clean stage's segments of a page, each with its DOM-rule verdict.

    Returns (root, segments [(el, text, link_share, cut_rule)], removals) or None."""
    root = parse_html(html, SETTINGS)
    if root is None:
        return None
    body = root.find("body")
    base = body if body is not None else root
    segs = [s for s in text_segments(base) if WORD.search(s[1])]
    article = declares_article(root)
    removals = strip_boilerplate_elements(root, SETTINGS)
    rule_of = {r.text: (r.reason, r.rule) for r in removals}
    out = []
    for el, text, link_share in segs:
        cut = None
        if not _attached(el, root):
            top = _cut_root(el)
            key = " ".join(" ".join(top.itertext()).split())
            cut = rule_of.get(key, ("navigation", "unknown"))
        out.append((el, text, link_share, cut))
    return root, out, article


def block_features(segs, article: bool, curate_text: str, traf_text: str, title: set[str]):
    """Feature matrix (blocks x BLOCK_NAMES) and page-level numbers of one page."""
    texts = [t for _, t, _, _ in segs]
    n = len(texts)
    X = np.zeros((n, len(BLOCK_NAMES)), dtype=np.float32)
    col = {name: i for i, name in enumerate(BLOCK_NAMES)}
    words = [WORD.findall(t.lower()) for t in texts]
    nw = np.array([len(w) for w in words], dtype=np.float32)
    total = max(float(nw.sum()), 1.0)
    in_cur, cur_share = _contained(texts, curate_text)
    in_trf, trf_share = _contained(texts, traf_text)
    sig = []
    for el, _, _, _ in segs:
        parent = el.getparent()
        sig.append(
            (
                _tag(el),
                el.get("class"),
                _tag(parent) if parent is not None else "",
                parent.get("class") if parent is not None else None,
            )
        )
    sig_count = Counter(sig)
    sig_words: Counter = Counter()
    for s, k in zip(sig, nw, strict=True):
        sig_words[s] += k
    offset = 0.0
    dom = np.zeros(n, dtype=np.float32)
    link = np.array([s[2] for s in segs], dtype=np.float32)
    chains = [list(el.iterancestors()) for el, _, _, _ in segs]  # proxies kept alive
    sub: dict = {}  # element -> [words, link words, trafilatura words, curate words]
    for i, chain in enumerate(chains):
        add = (nw[i], link[i] * nw[i], trf_share[i] * nw[i], cur_share[i] * nw[i])
        for anc in chain:
            acc = sub.setdefault(anc, [0.0, 0.0, 0.0, 0.0])
            for j in range(4):
                acc[j] += add[j]
    for i, (el, text, link_share, cut) in enumerate(segs):
        row = X[i]
        row[col["log_words"]] = math.log1p(nw[i])
        row[col["log_chars"]] = math.log1p(len(text))
        row[col["link_share"]] = link_share
        row[col["title_share"]] = _share_in(words[i], title) if title else 0.0
        row[col["digit_share"]] = sum(c.isdigit() for c in text) / len(text)
        toks = text.split()
        row[col["upper_share"]] = sum(t[:1].isupper() for t in toks) / max(len(toks), 1)
        row[col["log_sent_ends"]] = math.log1p(len(re.findall(r"[.!?](?:\s|$)", text)))
        row[col["ends_punct"]] = float(text[-1] in ".!?:;")
        row[col["sep_share"]] = sum(text.count(c) for c in "|•»›·/") / max(len(toks), 1)
        row[col["idx_frac"]] = i / max(n - 1, 1)
        row[col["word_frac"]] = offset / total
        offset += nw[i]
        ancestors = chains[i]
        for k, anc in enumerate(ancestors[:3], 1):
            w, lw, tw, cw = sub[anc]
            row[col[f"up{k}_words"]] = w / total
            row[col[f"up{k}_link"]] = lw / max(w, 1)
            row[col[f"up{k}_traf"]] = tw / max(w, 1)
            row[col[f"up{k}_curate"]] = cw / max(w, 1)
        row[col["depth"]] = len(ancestors)
        row[col["tag"]] = TAG_CODE.get(_tag(el), 0)
        row[col["parent_tag"]] = TAG_CODE.get(_tag(ancestors[0]), 0) if ancestors else 0
        chain = [el, *ancestors]
        tags = {_tag(a) for a in chain}
        for t in FLAG_TAGS:
            row[col[f"in_{t}"]] = float(t in tags)
        row[col["in_role_main"]] = float(any(a.get("role") == "main" for a in chain))
        row[col["in_hidden"]] = float(any(_hidden(a) for a in chain))
        row[col["log_sig_count"]] = math.log(sig_count[sig[i]])
        row[col["sig_word_share"]] = sig_words[sig[i]] / total
        parent = el.getparent()
        if parent is not None:
            same = sum(1 for c in parent if c.tag == el.tag and c.get("class") == el.get("class"))
            row[col["log_same_siblings"]] = math.log(max(same, 1))
        if cut is not None:
            dom[i] = 1.0
            row[col["dom_cut"]] = 1.0
            row[col["dom_reason"]] = REASON_CODE.get(cut[0], 0)
            row[col["cut_by_name"]] = float(cut[1].startswith(("class_", "role_")))
        for tok in names(el):
            row[len(DENSE) + _h(tok, N_OWN)] += 1
        for anc in ancestors[:5]:
            for tok in names(anc):
                row[len(DENSE) + N_OWN + _h(tok, N_ANC)] += 1
        path = [_tag(a) for a in reversed(chain[:4])]
        for a, b in pairwise(path):
            row[len(DENSE) + N_OWN + N_ANC + _h(f"{a}>{b}", N_PATH)] += 1
    X[:, col["in_curate"]], X[:, col["curate_share"]] = in_cur, cur_share
    X[:, col["in_traf"]], X[:, col["traf_share"]] = in_trf, trf_share
    X[1:, col["prev_curate"]], X[:-1, col["next_curate"]] = in_cur[:-1], in_cur[1:]
    X[1:, col["prev_traf"]], X[:-1, col["next_traf"]] = in_trf[:-1], in_trf[1:]
    X[:, col["win2_traf"]] = window_mean(trf_share, nw, 2)
    X[:, col["win5_traf"]] = window_mean(trf_share, nw, 5)
    X[:, col["win5_curate"]] = window_mean(cur_share, nw, 5)
    X[:, col["win5_dom"]] = window_mean(dom, nw, 5)
    page = {
        "log_words": math.log1p(total),
        "log_segments": math.log1p(n),
        "link_share": float((link * nw).sum() / total),
        "curate_share": float((cur_share * nw).sum() / total),
        "traf_share": float((trf_share * nw).sum() / total),
        "article": float(article),
        "dom_cut_share": float((dom * nw).sum() / total),
    }
    for name in ("curate_share", "traf_share", "link_share", "log_words", "log_segments"):
        X[:, col[f"page_{name}"]] = page[name]
    X[:, col["page_article"]] = page["article"]
    return texts, X, nw, page


def build_page(pid: str, site: str, row: dict, html: str) -> Page:
    """Segments, verdicts, features and labels of one page, with CPU seconds per part:
    ``segment`` (parse, DOM rules, features), ``curate`` (clean_capture), ``traf``."""
    url = row.get("url") or None
    page = Page(pid, site, row["page_type"])
    t0 = time.process_time()
    curate = render_text(clean_capture(html, "html", url, SETTINGS).blocks)
    t1 = time.process_time()
    traf = trafilatura_default(html)
    t2 = time.process_time()
    got = segment_page(html, url)
    page.curate_text, page.traf_text = curate, traf
    gold = bag(row["main_content"])
    page.gold_words = sum(gold.values())
    if got is None or not got[1]:
        page.cpu = {"curate": t1 - t0, "traf": t2 - t1, "segment": time.process_time() - t2}
        return page
    root, segs, article = got
    title = {w for x in root.xpath("//head/title/text()") for w in WORD.findall(str(x).lower())}
    texts, X, nw, pstats = block_features(segs, article, curate, traf, title)
    from learn_blocks_pagetype import page_features  # it imports this module's helpers

    page.page_x = page_features(root, url, html, pstats)
    page.cpu = {"curate": t1 - t0, "traf": t2 - t1, "segment": time.process_time() - t2}
    page.texts, page.X, page.n_words = texts, X, nw
    gold_words = WORD.findall(row["main_content"].lower())
    gold_sh, gold_seq = shingles(gold_words), f" {' '.join(gold_words)} "
    lw, ls = [], []
    for t in texts:
        w = WORD.findall(t.lower())
        lw.append(_share_in(w, gold))
        if len(w) >= 4:  # share of its 3-grams in the gold's
            ls.append(len(shingles(w) & gold_sh) / (len(w) - 2))
        else:  # a short block: its words as one phrase of the gold
            ls.append(float(f" {' '.join(w)} " in gold_seq))
    page.label_words = np.array(lw, dtype=np.float32)
    page.label_shingles = np.array(ls, dtype=np.float32)
    return page
