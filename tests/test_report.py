"""Editor reports: escaping, links, removed spans in place, substitutions, determinism."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pandas as pd
import pytest
from lxml import html as lxml_html

from pipeline.report import load_processed, render_reports
from pipeline.report.links import document_page, relation_page, safe_url, slug
from pipeline.report.pages import interleave, text_blocks
from pipeline.report.wordiff import align_texts, word_diff

DATA = Path(__file__).parent / "data" / "report"
MED = "medlineplus/cancer immunotherapy"
SPUN = "content farm/immunotherapy – spun ü"
HOSTILE = "hostile/capture"


@pytest.fixture(scope="module")
def new_tables() -> dict[str, pd.DataFrame]:
    return load_processed(DATA / "build_new")


@pytest.fixture(scope="module")
def old_tables() -> dict[str, pd.DataFrame]:
    return load_processed(DATA / "build_old")


@pytest.fixture(scope="module")
def pages(new_tables, old_tables) -> dict[str, bytes]:
    return render_reports(new_tables, old_tables)


def parse(data: bytes) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(data.decode("utf-8"))


def visible_text(data: bytes) -> str:
    body = parse(data).body
    return " ".join(" ".join(body.itertext()).split())


def test_load_processed_fills_missing_files_with_contract_columns(tmp_path: Path) -> None:
    (tmp_path / "documents.jsonl").write_text(
        '{"doc_id": "a", "text": "Hello."}\n', encoding="utf-8"
    )
    tables = load_processed(tmp_path)
    assert list(tables["documents.jsonl"]["doc_id"]) == ["a"]
    assert "trust" in tables["documents.jsonl"].columns
    assert tables["claims.jsonl"].empty
    assert {"claim_id", "status", "support"} <= set(tables["claims.jsonl"].columns)
    assert "key" in tables["sources.csv"].columns


def test_pages_exist_for_every_document_and_relation(pages, new_tables) -> None:
    for doc_id in new_tables["documents.jsonl"]["doc_id"]:
        assert document_page(doc_id) in pages
    for row in new_tables["relations.jsonl"].to_dict("records"):
        assert relation_page(row["copy"], row["original"]) in pages
    assert {"index.html", "claims.html", "changes.html"} <= set(pages)


def test_file_names_are_safe_and_distinct_for_awkward_doc_ids() -> None:
    ids = ["a/b", "a b", "a-b", "ä/b", "../../etc/passwd", "", "x" * 300]
    names = [document_page(d) for d in ids]
    assert len(set(names)) == len(ids)
    for name in names:
        assert re.fullmatch(r"documents/[a-z0-9-]+\.html", name), name
        assert len(name) < 80


def test_hostile_capture_is_shown_as_text_and_creates_no_elements(pages) -> None:
    for name, data in pages.items():
        tree = parse(data)
        assert not tree.xpath("//script"), name
        assert not tree.xpath("//img | //iframe | //object | //embed"), name
        for element in tree.iter():
            assert not any(attr.lower().startswith("on") for attr in element.attrib), name
        for href in tree.xpath("//a/@href"):
            assert not href.strip().lower().startswith(("javascript:", "data:", "vbscript:")), name
    page = visible_text(pages[document_page(HOSTILE)])
    assert "<script>document.title='PWNED'</script>" in page
    assert "<img src=x onerror=\"document.title='PWNED'\">" in page
    assert "javascript:document.title='PWNED'" in page  # the url, shown but not linked


def test_only_http_urls_become_links() -> None:
    assert safe_url("https://medlineplus.gov/x.html") == "https://medlineplus.gov/x.html"
    assert safe_url("http://example.org") == "http://example.org"
    for bad in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example/x",
        "java\nscript:alert(1)",
        "",
        "/relative",
    ):
        assert safe_url(bad) is None, bad


def test_links_between_pages_resolve(pages) -> None:
    anchors = {name: set(parse(data).xpath("//@id")) for name, data in pages.items()}
    checked = 0
    for name, data in pages.items():
        for href in parse(data).xpath("//a/@href"):
            if href.startswith(("http://", "https://")):
                continue
            path, _, fragment = href.partition("#")
            target = (
                posixpath.normpath(posixpath.join(posixpath.dirname(name), path)) if path else name
            )
            assert target in pages, f"{name}: {href}"
            if fragment:
                assert fragment in anchors[target], f"{name}: {href}"
            checked += 1
    assert checked > 20


def test_document_page_shows_removed_spans_in_place(pages) -> None:
    text = visible_text(pages[document_page(MED)])
    assert text.index("Skip navigation") < text.index("Immunotherapy is a cancer treatment")
    assert text.index("About MedlinePlus | What's New") > text.index("severe reactions")
    tree = parse(pages[document_page(MED)])
    labels = [" ".join(e.text_content().split()) for e in tree.xpath("//*[@class='label']")]
    assert "navigation · rule text.skip_link · #0" in labels
    assert "footer · rule text.footer_links · #3" in labels


def test_interleave_places_spans_by_recorded_position() -> None:
    blocks = text_blocks("First paragraph.\n\nSecond paragraph.")
    removed = [
        {"seq": 0, "text": "Menu", "reason": "navigation", "rule": "r", "after_block": -1},
        {"seq": 1, "text": "Share this", "reason": "share_buttons", "rule": "r", "after_block": 0},
    ]
    items, placed = interleave(blocks, removed)
    assert placed
    assert [i["text"] for i in items] == [
        "Menu",
        "First paragraph.",
        "Share this",
        "Second paragraph.",
    ]


def test_relation_page_aligns_sentences_and_lists_substitutions(pages) -> None:
    data = pages[relation_page(SPUN, MED)]
    tree = parse(data)
    text = visible_text(data)
    assert "the original uses the common words where the two differ (34 to 10)" in text
    assert "stopword_8gram_jaccard" in text
    inserted = {" ".join(e.text_content().split()) for e in tree.xpath("//ins")}
    deleted = {" ".join(e.text_content().split()) for e in tree.xpath("//del")}
    assert {"immune process", "most cancers", "dwelling"} <= inserted  # evidence + word diff
    assert {"immune system", "living"} <= deleted
    rows = tree.xpath("//table[@class='align']//tr[td]")
    assert len(rows) >= 10


def test_word_diff_reports_substituted_phrases() -> None:
    left, right, subs = word_diff(
        "Immunotherapy helps your immune system fight cancer.",
        "Immunotherapy assists your immune process battle most cancers.",
    )
    assert ("helps", "assists") in subs
    assert ("system fight cancer", "process battle most cancers") in subs
    assert "".join(p.text for p in left) == "Immunotherapy helps your immune system fight cancer."
    assert [p.text.strip() for p in right if p.kind == "ins"] == [
        "assists",
        "process battle most cancers",
    ]


def test_align_texts_keeps_order_and_leaves_unmatched_sentences_alone() -> None:
    rows, subs = align_texts(
        "Cancer cells can hide. Doctors use surgery. Side effects are rare.",
        "Boilerplate line here. Cancer cells are able to hide. Side effects are seldom.",
    )
    paired = [r for r in rows if r.score is not None]
    assert len(paired) == 2
    assert ("rare", "seldom") in [(a, b) for a, b, _n in subs]
    only_copy = [r for r in rows if not r.original]
    assert "".join(p.text for p in only_copy[0].copy) == "Boilerplate line here."


def test_claims_page_shows_variants_status_and_conflicts_side_by_side(pages) -> None:
    tree = parse(pages["claims.html"])
    sections = tree.xpath("//section[@class='claim']")
    statuses = [s.xpath(".//span[contains(@class,'pill')]")[0].text for s in sections]
    assert statuses[:2] == ["conflict", "conflict"]  # conflicts first
    route = next(s for s in sections if "into the bladder" in s.text_content())
    side = " ".join(route.xpath(".//div[@class='side']")[0].text_content().split())
    assert "performed as an infusion into a vein" in side  # the conflicting claim's variant
    assert "in pills or capsules" in side
    corroborated = next(s for s in sections if "corroborated" in s.text_content())
    assert "most cancers remedy" in corroborated.text_content()  # the spun variant
    assert "spun_copy" in corroborated.text_content()


def test_index_shows_sources_relations_claims_errors_and_heatmap(pages) -> None:
    data = pages["index.html"]
    tree = parse(data)
    text = visible_text(data)
    assert "WARC file is truncated" in text
    assert "tortured_phrases" in text
    assert "[medlineplus]" in text
    assert re.search(r"conflict 2 corroborated 1 single_source 3", text)
    heat_links = tree.xpath("//table[@class='heat']//td/a/@href")
    assert relation_page(SPUN, MED) in heat_links
    assert len(tree.xpath("//table[@class='heat']//tr[td]")) == 5


def test_changes_page_lists_changes_or_says_there_is_no_previous_build(pages, new_tables) -> None:
    text = visible_text(pages["changes.html"])
    assert "Claims reworded (1)" in text
    assert "or into the bladder" in text
    assert (
        "Documents added (1) National Cancer Institute — Immunotherapy to Treat Cancer"
        " cancer.gov/what-is-immunotherapy" in text
    )
    alone = render_reports(new_tables, None)
    assert "No previous build to compare with." in visible_text(alone["changes.html"])


def test_rendering_is_deterministic_and_independent_of_row_order(new_tables, old_tables) -> None:
    first = render_reports(new_tables, old_tables)
    shuffled = {name: frame.iloc[::-1] for name, frame in new_tables.items()}
    assert render_reports(shuffled, old_tables) == first
    assert list(first) == sorted(first)


def test_pages_are_self_contained(pages) -> None:
    for name, data in pages.items():
        tree = parse(data)
        assert not tree.xpath("//link[@rel='stylesheet'] | //style[contains(., '@import')]"), name
        assert not tree.xpath("//*[@src]"), name
        assert b"url(" not in data, name


def test_empty_build_renders(tmp_path: Path) -> None:
    pages = render_reports(load_processed(tmp_path), None)
    assert "No documents." in visible_text(pages["index.html"])
    assert set(pages) == {"index.html", "claims.html", "changes.html"}


def test_slug_keeps_readable_part() -> None:
    assert slug("medlineplus/cancer immunotherapy").startswith("medlineplus-cancer-immunotherapy-")


def test_spans_without_positions_split_where_page_top_gives_way_to_bottom() -> None:
    reasons = ["metadata", "navigation", "image", "footer", "navigation", "breadcrumb",
               "footer", "link_list", "newsletter"]  # fmt: skip
    removed = [
        {"seq": i, "text": f"span {i}", "reason": r, "rule": "x"} for i, r in enumerate(reasons)
    ]
    items, placed = interleave(text_blocks("Main text."), removed)
    assert not placed
    assert [i["text"] for i in items] == [
        *(f"span {i}" for i in range(6)),
        "Main text.",
        "span 6",
        "span 7",
        "span 8",
    ]


def test_relation_to_a_missing_document_still_renders(new_tables) -> None:
    relations = pd.DataFrame(
        [{"copy": MED, "original": "gone/doc", "relation": "near_duplicate", "confidence": 0.5,
          "direction_basis": "older", "evidence": {}}]
    )  # fmt: skip
    pages = render_reports(
        {"documents": new_tables["documents.jsonl"], "relations": relations}, None
    )
    text = visible_text(pages[relation_page(MED, "gone/doc")])
    assert "Not in documents.jsonl, so shown empty: gone/doc" in text
    assert "gone/doc (not in documents)" in text
