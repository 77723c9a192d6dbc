"""A realistic HTML corpus of N pages for the scale benchmark (issue #6), streamed to disk.

Sources: the 1,678 real pages under ../shared/benchmarks (extraction/html: 181 articles,
wcxb-dev/html: 1,497 pages of seven types) and their gold main texts.

How a corpus of N pages is made (everything drawn from ``random.Random(seed)``):

- Templates: each benchmark page is parsed once; the ``p``/``li``/``blockquote``/``dd``
  elements whose text belongs to the page's gold main text become *slots*, ``<title>``
  and the first ``<h1>`` too. A page whose slots hold under half of its gold text is not
  used as a template (its main text lives outside paragraphs and would be repeated
  verbatim on every page made from it). Everything else (menus, footers, sidebars,
  scripts, styles: the site chrome) is kept as it is, so the pages made from one template
  look like sibling pages of one site, which is what the site-template rules expect.
- Originals: 15% of them are a benchmark page written unchanged (a real page with its
  real text; each at most once), so 1k and 100k corpora have the same mix. The others
  fill the template's slots with a new text on the page's own topic: a word-bigram
  chain over the page's gold text and the 3 gold texts sharing most of its keywords
  (``corpus_gen.TopicTexts``), 650-1,050 words (about 4-6.5 KB of text), so pages are
  distinct documents with no shared passages, but same topic, vocabulary and layout as
  real ones. Templates come in runs of 4 consecutive pages (sibling pages of one site),
  cycling through the shuffled templates.
- Planted copies: ``--copy-rate`` (default 15%) of the pages copy one of the last 2,000
  originals with ``corpus_gen``'s copy functions (exact, near, spun, partial; the same mix
  as the dedup benchmark), in the template of the run they fall in (usually another
  site: syndication).

Output: ``OUT/raw/pNNN/NNNNNNN.html`` (1,000 pages per folder; ``--gzip`` writes
``.html.gz``, which ingest reads too), ``OUT/raw/sources.csv`` (a distinct URL per page:
sibling pages must not share one) and ``OUT/planted.csv`` (copy, original, relation,
level: the answer key, outside raw/). Pages are written as they are made; memory stays
at the templates plus a bounded pool of recent originals, whatever N is.

    python benchmarks/scale_corpus.py --pages 10000 --out /tmp/scale10k
"""

from __future__ import annotations

import argparse
import csv
import gzip
import html
import json
import pickle
import random
import re
import sys
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_gen import _RELATION, TopicTexts, _copy_of

BENCH_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
SLOT_TAGS = ("p", "li", "blockquote", "dd")
COPY_KINDS = ["exact"] * 10 + ["near"] * 25 + ["spun"] * 45 + ["partial"] * 20
RECENT_ORIGINALS = 2000
# Share of originals written as the captured page itself (each page at most once).
REAL_SHARE = 0.15
# Consecutive pages made from one template (sibling pages of one site).
SAME_SITE_RUN = 4
PAGES_PER_FOLDER = 1000
_MARK = re.compile(r"@@(SLOT\d+|TITLE|H1)@@")
_CHARSET = re.compile(r"""(<meta[^>]*charset\s*=\s*["']?)([\w:-]+)""", re.I)


@dataclass
class Template:
    """One benchmark page cut into fixed HTML parts around its content slots."""

    key: str
    url: str
    original_gz: bytes  # the page as captured, gzip-compressed
    gold: str
    parts: list[str]  # HTML pieces; odd positions are slot names (SLOTn, TITLE, H1)
    slot_tags: dict[str, str]
    base: int  # index of the page's gold text in the topic model


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _gold_pages(bench_dir: Path) -> list[tuple[str, str, str, Path]]:
    """(key, url, gold text, html path) of every benchmark page, sorted by key."""
    out: list[tuple[str, str, str, Path]] = []
    truth = json.loads((bench_dir / "extraction" / "ground-truth.json").read_text("utf-8"))
    for key, item in truth.items():
        path = bench_dir / "extraction" / "html" / f"{key}.html.gz"
        url = item.get("url") or f"https://article{key[:8]}.example/"
        out.append((f"x{key}", url, item.get("articleBody") or "", path))
    with open(bench_dir / "wcxb-dev" / "ground-truth.jsonl", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            path = bench_dir / "wcxb-dev" / "html" / f"{item['id']}.html.gz"
            url = item.get("url") or f"https://wcxb{item['id']}.example/"
            out.append((f"w{item['id']}", url, item.get("main_content") or "", path))
    return sorted(o for o in out if o[3].is_file() and len(o[2].split()) >= 50)


def make_template(key: str, url: str, gold: str, gz: bytes, base: int) -> Template | None:
    """The page (gzip bytes) as a template, or None when its slots hold under half of the
    gold text."""
    text = gzip.decompress(gz).decode("utf-8", errors="replace")
    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return None
    gold_norm = _norm(gold)
    slots: list[lxml.html.HtmlElement] = []
    covered = 0
    for el in root.iter(*SLOT_TAGS):
        content = _norm(el.text_content())
        if len(content.split()) < 8 or content[:60] not in gold_norm:
            continue
        if any(parent in slots for parent in el.iterancestors(*SLOT_TAGS)):
            continue
        slots.append(el)
        covered += len(content)
    if not slots or covered < 0.5 * len(gold_norm):
        return None
    slot_tags: dict[str, str] = {}
    for n, el in enumerate(slots):
        for child in list(el):
            el.remove(child)
        el.text = f"@@SLOT{n}@@"
        slot_tags[f"SLOT{n}"] = el.tag
    for tag, mark in (("title", "TITLE"), ("h1", "H1")):
        found = next(root.iter(tag), None)
        if found is not None:
            for child in list(found):
                found.remove(child)
            found.text = f"@@{mark}@@"
    page = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    page = _CHARSET.sub(lambda m: m.group(1) + "utf-8", page)
    return Template(key, url, gz, gold, _MARK.split(page), slot_tags, base)


def load_templates(bench_dir: Path = BENCH_DIR) -> tuple[list[Template], TopicTexts]:
    """Every usable benchmark page as a template, and the topic model over the gold texts.

    Parsing 1,678 pages takes half a minute: the result is pickled in the temp folder,
    keyed by this file's and the benchmark folder's modification times.
    """
    stamp = f"{Path(__file__).stat().st_mtime_ns}-{bench_dir.stat().st_mtime_ns}"
    cache = Path(tempfile.gettempdir()) / "curate_scale_templates.pkl"
    if cache.is_file():
        with open(cache, "rb") as handle:
            saved_stamp, saved = pickle.load(handle)
        if saved_stamp == stamp:
            return saved
    pages = _gold_pages(bench_dir)
    topics = TopicTexts(["\n\n".join(_paragraphs(g)) for _, _, g, _ in pages])
    templates = []
    for base, (key, url, gold, path) in enumerate(pages):
        template = make_template(key, url, gold, path.read_bytes(), base)
        if template is not None:
            templates.append(template)
    with open(cache, "wb") as handle:
        pickle.dump((stamp, (templates, topics)), handle)
    return templates, topics


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def render(template: Template, paragraphs: list[str], title: str) -> bytes:
    """The template with ``paragraphs`` spread over its slots, in order."""
    names = [p for i, p in enumerate(template.parts) if i % 2 and p.startswith("SLOT")]
    per_slot: dict[str, list[str]] = {name: [] for name in names}
    for i, para in enumerate(paragraphs):
        per_slot[names[min(i * len(names) // max(len(paragraphs), 1), len(names) - 1)]].append(para)
    out: list[str] = []
    for i, part in enumerate(template.parts):
        if not i % 2:
            out.append(part)
        elif part in ("TITLE", "H1"):
            out.append(html.escape(title))
        else:
            tag = template.slot_tags[part]
            out.append(f"</{tag}>\n<{tag}>".join(html.escape(p) for p in per_slot[part]))
    return "".join(out).encode("utf-8")


def _title(paragraphs: list[str]) -> str:
    words = paragraphs[0].split()[:9] if paragraphs else ["Untitled"]
    return " ".join(words).rstrip(".,;:")


class _ChainCache(OrderedDict):
    """Keeps the topic model's bigram chains to a bounded number (memory stays flat)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: object, value: object) -> None:
        super().__setitem__(key, value)
        while len(self) > self.limit:
            self.popitem(last=False)


class PageMaker:
    """Makes page after page of one corpus; ``next_page`` is deterministic in ``seed``."""

    def __init__(
        self,
        templates: list[Template],
        topics: TopicTexts,
        seed: int = 0,
        copy_rate: float = 0.15,
        html_pages: bool = True,
    ) -> None:
        self.rng = random.Random(seed)
        self.html_pages = html_pages  # False: only the text (``last_text``), no HTML
        self.last_text: list[str] = []
        self.templates = templates
        self.topics = topics
        self.topics.chains = _ChainCache(50)  # type: ignore[assignment]
        self.copy_rate = copy_rate
        self.order = list(range(len(templates)))
        self.rng.shuffle(self.order)
        self.used: set[int] = set()
        self.count = 0
        self.recent: OrderedDict[str, list[str]] = OrderedDict()
        self.chains: _ChainCache = _ChainCache(50)

    def _template(self) -> int:
        # Runs of SAME_SITE_RUN pages per template: each bigram chain is built once a run.
        return self.order[(self.count // SAME_SITE_RUN) % len(self.order)]

    def _generate(self, base: int, n_words: int) -> list[str]:
        """Paragraphs of a text on gold text ``base``'s topic (as ``TopicTexts.generate``,
        with the chain's start words kept and cheaper draws)."""
        if base not in self.chains:
            chain = self.topics._chain(base)
            starts = [w for w in chain if w[:1].isupper()] or list(chain)
            self.chains[base] = (chain, starts)
        chain, starts = self.chains[base]
        rand = self.rng.random
        paragraphs: list[str] = []
        words = [starts[int(rand() * len(starts))]]
        for _ in range(n_words - 1):
            nxt = chain.get(words[-1]) or starts
            word = nxt[int(rand() * len(nxt))]
            words.append(word)
            if word[-1:] in ".?!" and len(words) > 40:
                paragraphs.append(" ".join(words))
                words = [starts[int(rand() * len(starts))]]
        paragraphs.append(" ".join(words))
        return paragraphs

    def next_page(self, name: str) -> tuple[bytes, str, tuple[str, str, str] | None]:
        """(HTML bytes, URL, planted (original name, relation, level) or None) of the next page."""
        rng = self.rng
        t_index = self._template()
        template = self.templates[t_index]
        self.count += 1
        url = f"{template.url.split('#')[0].rstrip('/')}/page-{self.count}"
        if self.recent and rng.random() < self.copy_rate:
            original = rng.choice(list(self.recent))
            text = "\n\n".join(self.recent[original])
            copy_text, level = _copy_of(text, rng.choice(COPY_KINDS), rng, self.topics)
            paragraphs = [p for p in copy_text.split("\n\n") if p.strip()]
            relation = _RELATION[re.sub(r"\d+", "", level)]
            self.last_text = paragraphs
            page = render(template, paragraphs, _title(paragraphs)) if self.html_pages else b""
            return page, url, (original, relation, level)
        if t_index not in self.used and rng.random() < REAL_SHARE:
            self.used.add(t_index)
            paragraphs = _paragraphs(template.gold)
            page, url = gzip.decompress(template.original_gz), template.url
        else:
            paragraphs = self._generate(template.base, rng.randint(650, 1050))
            page = render(template, paragraphs, _title(paragraphs)) if self.html_pages else b""
        self.last_text = paragraphs
        self.recent[name] = paragraphs
        while len(self.recent) > RECENT_ORIGINALS:
            self.recent.popitem(last=False)
        return page, url, None


def page_name(number: int, gzipped: bool = False) -> str:
    """The raw/-relative name of page ``number``."""
    suffix = ".html.gz" if gzipped else ".html"
    return f"p{number // PAGES_PER_FOLDER:03d}/{number:07d}{suffix}"


def write_corpus(
    out: Path,
    pages: int,
    seed: int = 0,
    copy_rate: float = 0.15,
    gzipped: bool = False,
    bench_dir: Path = BENCH_DIR,
    quiet: bool = False,
) -> dict[str, float]:
    """Write ``pages`` pages to ``out/raw`` (+ sources.csv) and ``out/planted.csv``."""
    started = time.perf_counter()
    templates, topics = load_templates(bench_dir)
    maker = PageMaker(templates, topics, seed, copy_rate)
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    total_bytes = copies = 0
    with (
        open(raw / "sources.csv", "w", newline="", encoding="utf-8") as src_handle,
        open(out / "planted.csv", "w", newline="", encoding="utf-8") as key_handle,
    ):
        sources, planted = csv.writer(src_handle), csv.writer(key_handle)
        sources.writerow(["file", "url", "publisher", "title", "retrieved", "trust"])
        planted.writerow(["copy", "original", "relation", "level"])
        for number in range(pages):
            name = page_name(number, gzipped)
            data, url, copy_of = maker.next_page(name)
            path = raw / name
            if number % PAGES_PER_FOLDER == 0:
                path.parent.mkdir(exist_ok=True)
            path.write_bytes(gzip.compress(data, compresslevel=1, mtime=0) if gzipped else data)
            total_bytes += len(data)
            sources.writerow([name, url, "", "", "", ""])
            if copy_of is not None:
                copies += 1
                planted.writerow([name, *copy_of])
            if not quiet and number and number % 10000 == 0:
                print(f"scale_corpus: {number} pages", file=sys.stderr)
    return {
        "pages": pages,
        "templates": len(templates),
        "copies": copies,
        "html_mb": total_bytes / 1e6,
        "seconds": time.perf_counter() - started,
    }


def one_new_page(bench_dir: Path = BENCH_DIR, seed: int = 10_000_019) -> bytes:
    """One page that is in no corpus (another seed): the page added for the rebuild test."""
    templates, topics = load_templates(bench_dir)
    maker = PageMaker(templates, topics, seed, copy_rate=0.0)
    maker.used = set(range(len(templates)))  # a generated text, never a benchmark page
    return maker.next_page("new")[0]


def main() -> None:
    """Command line: ``--pages N --out DIR [--seed S] [--copy-rate R] [--gzip]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--copy-rate", type=float, default=0.15)
    parser.add_argument("--gzip", action="store_true", help="write .html.gz pages")
    args = parser.parse_args()
    stats = write_corpus(args.out, args.pages, args.seed, args.copy_rate, args.gzip)
    print(
        f"scale_corpus: {stats['pages']} pages ({stats['copies']} planted copies) from "
        f"{stats['templates']} templates, {stats['html_mb']:.0f} MB of HTML, "
        f"{stats['seconds']:.1f}s -> {args.out}"
    )


if __name__ == "__main__":
    main()
