"""The relation, document and changes pages as editors read them (issue #19): the
side-by-side view first with the evidence in words below, substitutions only from
rewritten sentences, removed navigation folded, page dates, and a changes page that says
which builds it compares, what decisions did and how a claim's citations moved."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from lxml import html as lxml_html

from pipeline.report import load_processed, render_reports
from pipeline.report.changes_view import BuildPair, build_stamp, manifest_stamp
from pipeline.report.evidence_words import explain_evidence
from pipeline.report.links import document_page, relation_page
from pipeline.report.pages import fold_removed_runs, interleave, text_blocks
from pipeline.report.wordiff import align_texts, word_diff

DATA = Path(__file__).parent / "data" / "report"


def parse(data: bytes) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(data)


def main_text(data: bytes) -> str:
    return " ".join(" ".join(parse(data).find(".//main").itertext()).split())


def test_unrelated_aligned_sentences_give_no_substitution() -> None:
    # A partial copy: the second pair aligns (similar enough letter by letter) but is two
    # different sentences; its replaced run must not be listed as a substitution.
    unrelated = (
        "Other side effects may include flu symptoms and a rash.",
        "Call the 24 hour line about symptoms and a rash.",
    )
    assert word_diff(*unrelated)[2], "the pair alone does give a replaced run"
    rows, subs = align_texts(
        "It can cause side effects. " + unrelated[0], "It might cause side effects. " + unrelated[1]
    )
    assert [r.score is not None for r in rows] == [True, True]
    assert subs == [("can", "might", 1)]


def test_spun_sentences_keep_their_substitutions() -> None:
    _rows, subs = align_texts(
        "Immunotherapy helps your immune system fight cancer.",
        "Immunotherapy helps your immune process fight most cancers.",
    )
    assert ("system", "process", 1) in subs and ("cancer", "most cancers", 1) in subs


def test_evidence_is_explained_in_words_and_unknown_keys_are_kept() -> None:
    sentences = explain_evidence(
        {
            "aligned_sentences": 17,
            "coverage_original": 0.958,
            "coverage_copy": 0.956,
            "wording_original_commoner": 38,
            "wording_copy_commoner": 5,
            "substitutions": [["type", "kind"]],
            "some_new_score": 0.25,
        }
    )
    assert sentences[0].startswith("17 sentences of the copy align")
    assert "96% of the original's words" in sentences[0]
    assert "commoner word 38 times and the copy 5 times" in sentences[1]
    assert sentences[-1] == "some_new_score: 0.25"
    assert not any("type" in s for s in sentences)  # substitutions have their own table
    partial = {"aligned_sentences": 1, "wording_original_commoner": None}
    assert explain_evidence(partial) == ["1 sentence of the copy aligns with the original's."]


def _nav_run(doc_id: str, count: int, after_block: int, start: int) -> list[dict]:
    return [
        {
            "doc_id": doc_id,
            "seq": start + k,
            "text": f"Menu entry {k}",
            "reason": "navigation",
            "rule": "menu_run",
            "after_block": after_block,
        }
        for k in range(count)
    ]


def test_a_run_of_removed_menu_items_is_one_folded_item() -> None:
    blocks = text_blocks("# Title\n\nFirst paragraph.\n\nSecond paragraph.")
    removed = _nav_run("d", 40, -1, 0) + _nav_run("d", 1, 1, 40) + _nav_run("d", 3, 2, 41)
    items, placed = interleave(blocks, removed)
    folded = fold_removed_runs(items)
    assert placed
    assert [i["kind"] for i in folded] == [
        "removed_run",
        "heading",
        "paragraph",
        "removed",  # a lone span stays a box of its own
        "paragraph",
        "removed_run",
    ]
    assert len(folded[0]["spans"]) == 40 and folded[0]["reasons"] == [("navigation", 40)]
    assert folded[0]["preview"].startswith("Menu entry 0 · Menu entry 1")


def _tables(documents: list[dict], removed: list[dict] | None = None, **more) -> dict:
    tables = {"documents.jsonl": pd.DataFrame(documents)}
    if removed is not None:
        tables["removed.jsonl"] = pd.DataFrame(removed)
    tables.update({name: pd.DataFrame(rows) for name, rows in more.items()})
    return tables


def _doc(doc_id: str, **fields) -> dict:
    return {
        "doc_id": doc_id,
        "text": "# Heading\n\nSome kept text.",
        "relation": "original",
        **fields,
    }


def test_document_page_folds_the_menu_and_shows_the_page_dates() -> None:
    doc = _doc("site/page", publisher="Example Health", title="Flu", updated="2024-03-01")
    doc["retrieved"] = "2024-05-02"
    pages = render_reports(_tables([doc], _nav_run("site/page", 78, -1, 0)), None)
    page = parse(pages[document_page("site/page")])
    runs = page.xpath("//details[contains(@class, 'removed-run')]")
    assert len(runs) == 1
    assert len(runs[0].xpath(".//div[@class='removed']")) == 78
    assert "78 removed spans" in runs[0].find("summary").text_content()
    assert not page.xpath("//div[@class='text']/div[@class='removed']")
    meta = " ".join(page.xpath("//p[@class='doc-meta']")[0].text_content().split())
    assert "updated 2024-03-01 · retrieved 2024-05-02" in meta
    assert page.findtext(".//h1").startswith("Example Health — Flu")


def test_relation_page_shows_the_side_by_side_before_the_folded_evidence() -> None:
    new = load_processed(DATA / "build_new")
    pages = render_reports(new, None)
    spun = relation_page("content farm/immunotherapy – spun ü", "medlineplus/cancer immunotherapy")
    page = parse(pages[spun])
    order = [e.get("class") or e.tag for e in page.xpath("//main/*")]
    assert order.index("align") < order.index("evidence") < order.index("substitutions")
    evidence = page.xpath("//details[@class='evidence']")[0]
    assert evidence.get("open") is None
    assert "sentences of the copy align" in evidence.text_content()
    head = page.xpath("//table[@class='align']//th")[0].text_content()
    assert "MedlinePlus" in head  # sources by label, not by doc_id


def _claim(claim_id: str, citations: list[str]) -> dict:
    return {
        "claim_id": claim_id,
        "text": "Immunotherapy can cause fatigue.",
        "status": "corroborated" if len(citations) > 1 else "single_source",
        "independent_sources": len(citations),
        "citations": citations,
        "support": [{"doc_id": k, "text": f"Fatigue ({k})."} for k in citations],
    }


def test_changes_page_names_builds_decisions_new_spans_and_citation_counts() -> None:
    docs = [_doc(d, publisher=d.upper(), source_file=f"{d}.html") for d in "abcdfg"]
    old = _tables(docs, claims=[_claim("c1", ["a", "b", "c", "d"])])
    new_docs = [d for d in docs if d["doc_id"] in "abc"] + [_doc("e", publisher="NEW SITE")]
    failed = {"source_file": "f.html", "stage": "clean", "error": "no main text left"}
    decision = {"decision": "exclude", "target": "d", "status": "applied", "entry": 1}
    decision |= {"detail": "dropped from the corpus", "note": "content farm"}
    new = _tables(
        new_docs,
        _nav_run("e", 2, -1, 0),
        claims=[_claim("c1", ["a"])],
        decisions=[decision],
        errors=[failed],
    )
    manifest = {"built_at": "2024-01-01T00:00:00Z", "tool_version": "0.1.0", "outputs": []}
    data = json.dumps(manifest).encode()
    builds = BuildPair(manifest_stamp(data), build_stamp({}, "2024-02-02T00:00:00Z", "0.1.0"))
    page = render_reports(new, old, None, builds)["changes.html"]
    text = main_text(page)
    assert "previous 2024-01-01T00:00:00Z" in text and "this one 2024-02-02T00:00:00Z" in text
    assert "Decisions (1) decision target what changed" in text
    assert "[[exclude]] d new decision applied" in text
    assert "D d excluded by [[exclude]] #1 content farm" in text
    assert "F f its capture failed no main text left" in text
    assert "G g no editor decision or error names it: its capture is no longer in raw/" in text
    assert "NEW SITE e 2 removed spans: navigation × 2" in text
    (line,) = [
        " ".join(li.text_content().split())
        for li in parse(page).xpath("//ul[@class='support-lines']/li")
    ]
    assert "cited by 4 → 1 source, independent sources 4 → 1; no longer cites [b][c][d]" in line
    assert "3 supporting sentences added or gone" in line


def test_build_stamps_agree_on_equal_tables() -> None:
    files = {"documents.jsonl": b"{}\n", "reports/index.html": b"<p>", "corpus.md": b"# x"}
    current = build_stamp(files, "2024-01-01T00:00:00Z", "0.1.0")
    sha = hashlib.sha256(files["documents.jsonl"]).hexdigest()
    written = {"outputs": [{"file": "documents.jsonl", "sha256": sha}], "built_at": "x"}
    previous = manifest_stamp(json.dumps(written).encode())
    assert previous is not None and previous.tables_digest == current.tables_digest
    assert previous.manifest_sha256 and not current.manifest_sha256
    assert manifest_stamp(b"not json") is None


@pytest.mark.parametrize("name", ["build_new", "build_old"])
def test_pages_escape_labels_from_hostile_captures(name: str) -> None:
    pages = render_reports(load_processed(DATA / name), load_processed(DATA / "build_old"))
    for page in pages.values():
        assert not parse(page).xpath("//main//script | //main//img")


CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser")) if p), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed")


def top_in_browser(page: bytes, selector: str, folder: Path) -> int:
    """Where ``selector``'s first element starts (px from the top) in Chromium at 1280 px
    wide. A test-only copy of the page drops its CSP and reports the value in its title."""
    html = re.sub(rb'<meta http-equiv="Content-Security-Policy"[^>]*>', b"", page)
    probe = (
        '<script>addEventListener("load", () => { document.title = "TOP=" + Math.round('
        f"document.querySelector({json.dumps(selector)}).getBoundingClientRect().top); }});"
        "</script></body>"
    )
    copy = folder / "probe.html"
    copy.write_bytes(html.replace(b"</body>", probe.encode()))
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += [f"--user-data-dir={folder / 'profile'}", "--window-size=1280,1000"]
    result = subprocess.run(
        [*command, "--dump-dom", copy.as_uri()], capture_output=True, text=True, timeout=120
    )
    found = re.search(r"<title>TOP=(-?\d+)</title>", result.stdout)
    assert found, result.stderr[-2000:]
    return int(found.group(1))


@needs_chromium
def test_side_by_side_and_text_start_within_the_first_screen(tmp_path: Path) -> None:
    pages = render_reports(load_processed(DATA / "build_new"), None)
    spun = relation_page("content farm/immunotherapy – spun ü", "medlineplus/cancer immunotherapy")
    assert top_in_browser(pages[spun], "table.align", tmp_path) < 900
    doc = _doc("site/page", publisher="Example Health", title="Flu")
    menu = _nav_run("site/page", 78, -1, 0)
    page = render_reports(_tables([doc], menu), None)[document_page("site/page")]
    assert top_in_browser(page, ".text p", tmp_path) < 900
