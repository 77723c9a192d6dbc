"""corpus.md and sources.csv for editors (issue #19, items 3 and 7): copies name their
original and never look like it, citation keys keep whole words, section headings are
the page's own, and a split claim stands under its own sentence's section."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.build import build
from pipeline.reconcile.corpus_md import render_corpus_md
from pipeline.reconcile.sources import build_sources, citation_key, title_without_site
from pipeline.settings import ReconcileSettings, Settings

SPUN = "000_d9c78c9f329d1f8b"  # a spun copy of 004, titled "Cancer Immunotherapy: MedlinePlus"
CANCERFAX = "001_a4ac4428451ab202"
CLEVELAND = "002_5d08cec136fc3026"
MEDLINE = "004_cb819cfe1ea844d4"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _corroborated_with(claims: list[dict], doc_id: str) -> dict:
    """A corroborated claim worded by MedlinePlus that ``doc_id`` also supports."""
    return next(
        c
        for c in claims
        if c["status"] == "corroborated"
        and c["doc_id"] == MEDLINE
        and any(s["doc_id"] == doc_id for s in c["support"])
    )


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory, raw_dir) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "processed"
    build(raw_dir, out, Settings())
    return out


@pytest.fixture(scope="module")
def split_build(tmp_path_factory, raw_dir, seed_build) -> tuple[Path, str]:
    """The seeds rebuilt with CancerFax's sentence split out of a MedlinePlus claim."""
    claim = _corroborated_with(_jsonl(seed_build / "claims.jsonl"), CANCERFAX)
    sentence = next(s for s in claim["support"] if s["doc_id"] == CANCERFAX)["sentence_id"]
    tmp = tmp_path_factory.mktemp("split")
    raw = tmp / "raw"
    shutil.copytree(raw_dir, raw)
    decision = f'[[split]]\nclaim_id = "{claim["claim_id"]}"\nsentence_id = "{sentence}"\n'
    (raw / "decisions.toml").write_text(decision, encoding="utf-8")
    build(raw, tmp / "processed", Settings())
    return tmp / "processed", sentence


def _headings(corpus: str) -> dict[str, list[str]]:
    """status section (## ...) -> its ### headings in order."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in corpus.splitlines():
        if line.startswith("## "):
            current = line[3:]
            out[current] = []
        elif line.startswith("###"):
            out[current].append(line[3:].strip())
    return out


def test_keys_keep_whole_words_and_a_copy_without_a_name_is_keyed_after_its_original():
    assert citation_key("Northside Oncology Partners", "", "", "x") == "northsideoncologypartners"
    long_name = "Northside Regional Oncology and Haematology Partners Network"
    key = citation_key(long_name, "", "", "x")
    assert key == "northsideregionaloncologyand"  # whole words only, within the limit
    assert len(key) <= ReconcileSettings().max_key_length
    docs = pd.DataFrame(
        [
            {"doc_id": "a", "publisher": "MedlinePlus", "title": "Cancer Immunotherapy",
             "trust": 3, "group_id": "a", "relation": "original"},
            {"doc_id": "b", "publisher": None, "title": "Cancer Immunotherapy: MedlinePlus",
             "trust": None, "group_id": "a", "relation": "spun_copy"},
            {"doc_id": "c", "publisher": None, "title": "Cancer Immunotherapy | MedlinePlus",
             "trust": None, "group_id": "a", "relation": "near_duplicate"},
            {"doc_id": "d", "publisher": "Health Tips Daily", "title": "Cancer: MedlinePlus",
             "trust": 0, "group_id": "a", "relation": "spun_copy"},
        ]
    )  # fmt: skip
    keys = build_sources(docs, ReconcileSettings()).set_index("doc_id")["key"].to_dict()
    assert keys == {
        "a": "medlineplus",
        "b": "medlineplus-copy-2",  # a near duplicate ranks before a spun copy
        "c": "medlineplus-copy",
        "d": "healthtipsdaily",
    }


def test_title_without_site_drops_only_a_joined_site_name():
    assert title_without_site("Cancer Immunotherapy: MedlinePlus", "MedlinePlus") == (
        "Cancer Immunotherapy"
    )
    assert title_without_site("MedlinePlus - Cancer", "medlineplus") == "Cancer"
    assert title_without_site("MedlinePlus", "MedlinePlus") == "MedlinePlus"
    assert title_without_site("Why MedlinePlus works", "MedlinePlus") == "Why MedlinePlus works"


def test_the_spun_copy_is_marked_names_its_original_and_is_not_keyed_like_it(seed_build):
    sources = pd.read_csv(seed_build / "sources.csv", dtype=str)
    assert sources["key"].is_unique
    spun = sources.set_index("doc_id").loc[SPUN]
    assert spun["key"] == "medlineplus-copy"
    corpus = (seed_build / "corpus.md").read_text(encoding="utf-8")
    line = next(x for x in corpus.splitlines() if x.startswith("[^medlineplus-copy]: "))
    assert line == (
        "[^medlineplus-copy]: Cancer Immunotherapy; **spun copy** of MedlinePlus, Cancer"
        " Immunotherapy (reference medlineplus), not an independent source"
    )
    assert "of another source" not in corpus


def test_section_headings_are_the_pages_own_never_the_site_name_alone(seed_build):
    corpus = (seed_build / "corpus.md").read_text(encoding="utf-8")
    sources = pd.read_csv(seed_build / "sources.csv", dtype=str).fillna("")
    names = set(sources["publisher"]) - {""}
    sentences = _jsonl(seed_build / "sentences.jsonl")
    page_headings = {s["text"] for s in sentences if s["kind"] == "heading"}
    titles = set(sources["title"])
    for status, headings in _headings(corpus).items():
        if status == "References":
            continue
        assert headings, status
        for heading in headings:
            assert heading and heading not in names, heading
            own = heading in page_headings or heading in titles
            assert own or heading.endswith(", untitled section"), heading
        assert len(headings) == len(set(headings)), status  # no section twice
    assert re.search(r"^### Cleveland Clinic, untitled section$", corpus, re.M)
    assert "### A note from Cleveland Clinic" in corpus.splitlines()


def test_a_split_claim_stands_under_its_own_sentences_section(split_build):
    out, sentence_id = split_build
    sentences = {s["sentence_id"]: s for s in _jsonl(out / "sentences.jsonl")}
    claims = _jsonl(out / "claims.jsonl")
    alone = next(c for c in claims if c["sentence_id"] == sentence_id)
    assert alone["doc_id"] == CANCERFAX
    for claim in claims:
        assert claim["section"] == sentences[claim["sentence_id"]]["section"], claim["claim_id"]
    orders = [c["order"] for c in claims if c["doc_id"] == CANCERFAX]
    assert min(orders) <= alone["order"] <= max(orders)  # among its own page's claims
    corpus = (out / "corpus.md").read_text(encoding="utf-8")
    for status, headings in _headings(corpus).items():
        assert len(headings) == len(set(headings)), (status, headings)
    decision = _jsonl(out / "decisions.jsonl")[0]
    assert decision["status"] == "applied", decision


def test_references_render_without_the_copys_original(seed_build):
    sources = pd.read_csv(seed_build / "sources.csv", dtype=str)
    alone = sources[sources["doc_id"] != MEDLINE]
    claims = pd.DataFrame(_jsonl(seed_build / "claims.jsonl"))
    corpus = render_corpus_md(claims, alone)
    assert "**spun copy** of a source not in this corpus" in corpus
