"""Editorial decisions (raw/decisions.toml): parsing, and each kind end to end."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.build import build, run_one_stage
from pipeline.cli import main
from pipeline.decisions.claims import apply_claim_decisions, split_claim_id
from pipeline.decisions.load import DecisionsError, Merge, Relation, Trust, parse_decisions
from pipeline.settings import Settings

D000 = "000_d9c78c9f329d1f8b"  # a spun copy of 004
D001 = "001_a4ac4428451ab202"  # CancerFax, trust 1
D002 = "002_5d08cec136fc3026"  # Cleveland Clinic, trust 2
D003 = "003_d38b71adad1e9bdf"
D004 = "004_cb819cfe1ea844d4"  # MedlinePlus, trust 3


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _csv(path: Path) -> list[dict]:
    import csv

    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _build_with(tmp: Path, raw_dir: Path, decisions: str | None) -> Path:
    raw = tmp / "raw"
    shutil.copytree(raw_dir, raw)
    if decisions is not None:
        (raw / "decisions.toml").write_text(decisions, encoding="utf-8")
    out = tmp / "processed"
    build(raw, out, Settings())
    return out


def _status(out: Path, decision: str) -> list[dict]:
    return [r for r in _jsonl(out / "decisions.jsonl") if r["decision"] == decision]


# --- parsing ----------------------------------------------------------------------------


def test_every_kind_parses_into_frozen_typed_entries():
    decisions = parse_decisions(
        """
        [[exclude]]
        doc_id = "003_x"
        reason = "content farm"
        [[trust]]
        doc_id = "001_x"
        trust = 0
        note = "CancerFax sells treatments"
        [[not_related]]
        a = "001_x"
        b = "002_x"
        [[relation]]
        copy = "000_x"
        original = "004_x"
        relation = "spun_copy"
        [[pin]]
        claim_id = "c_1"
        text = "Immunotherapy helps the immune system fight cancer."
        [[merge]]
        claims = ["c_1", "c_2"]
        [[split]]
        claim_id = "c_1"
        sentence_id = "004_x#s012"
        """
    )
    assert decisions.exclude[0].reason == "content farm"
    assert decisions.trust == (Trust("001_x", 0, "CancerFax sells treatments"),)
    assert decisions.relation == (Relation("000_x", "004_x", "spun_copy"),)
    assert decisions.merge == (Merge(("c_1", "c_2")),)
    assert decisions.split[0].sentence_id == "004_x#s012"
    assert decisions.pin[0].text.startswith("Immunotherapy")
    with pytest.raises(dataclasses.FrozenInstanceError):
        decisions.trust[0].trust = 3  # type: ignore[misc]
    assert parse_decisions("") == type(decisions)()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[exclude]]\ndoc_id = "003_x', "not valid TOML"),
        ('[[exclued]]\ndoc_id = "003_x"', "unknown kind(s) of decision exclued"),
        (
            '[[exclude]]\ndoc_id = "a"\n[[exclude]]\ndoc = "003_x"',
            "[[exclude]] #2: unknown key(s) doc",
        ),
        ('[[trust]]\ndoc_id = "001_x"', "[[trust]] #1: missing key trust"),
        ('[[trust]]\ndoc_id = "001_x"\ntrust = "high"', "trust must be a whole number"),
        ('[[relation]]\ncopy = "a"\noriginal = "b"\nrelation = "copy"', "relation must be one of"),
        ('[[merge]]\nclaims = ["c_1"]', "at least two different claim_ids"),
        ('[[pin]]\nclaim_id = "c_1"\ntext = ""', "[[pin]] #1: text must not be empty"),
        ('[exclude]\ndoc_id = "003_x"', "write each exclude decision as [[exclude]]"),
    ],
)
def test_malformed_decisions_name_the_entry(text, message):
    with pytest.raises(DecisionsError) as caught:
        parse_decisions(text)
    assert message in str(caught.value)
    assert "decisions.toml" in str(caught.value)


def test_a_malformed_decisions_file_stops_the_build_before_writing(tmp_path, raw_dir):
    with pytest.raises(ValueError, match="unknown key"):
        _build_with(tmp_path, raw_dir, '[[exclude]]\ndocid = "x"\n')
    assert not (tmp_path / "processed").exists()


# --- end to end -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, raw_dir) -> Path:
    """The seeds built without decisions."""
    return _build_with(tmp_path_factory.mktemp("baseline"), raw_dir, None)


@pytest.fixture(scope="module")
def source_decisions(tmp_path_factory, raw_dir) -> Path:
    """exclude 003, trust 001 = 5, 000/004 not related, plus an unknown doc and claim."""
    decisions = f"""
    [[exclude]]
    doc_id = "{D003}"
    reason = "content farm"
    [[exclude]]
    doc_id = "999_not_in_raw"
    note = "typo of an editor"
    [[trust]]
    doc_id = "{D001}"
    trust = 5
    [[not_related]]
    a = "{D004}"
    b = "{D000}"
    note = "both quote the NCI page"
    [[pin]]
    claim_id = "c_000000000000"
    text = "A claim that no longer exists."
    """
    return _build_with(tmp_path_factory.mktemp("sources"), raw_dir, decisions)


def test_without_decisions_the_statuses_table_is_empty(baseline):
    assert (baseline / "decisions.jsonl").read_bytes() == b""
    assert "No editorial decisions" in (baseline / "reports" / "index.html").read_text()


def test_exclude_removes_the_document_everywhere(source_decisions):
    out = source_decisions
    assert D003 not in {d["doc_id"] for d in _jsonl(out / "documents.jsonl")}
    assert D003 not in {r["doc_id"] for r in _jsonl(out / "removed.jsonl")}
    assert D003 not in {s["doc_id"] for s in _csv(out / "sources.csv")}
    supporting = {s["doc_id"] for c in _jsonl(out / "claims.jsonl") for s in c["support"]}
    assert D003 not in supporting and D004 in supporting
    [applied, _unknown] = _status(out, "exclude")
    assert applied["target"] == D003 and applied["status"] == "applied"
    assert "content farm" in applied["detail"]


def test_an_unknown_doc_id_is_one_error_row_and_the_build_goes_on(source_decisions):
    out = source_decisions
    errors = [e for e in _jsonl(out / "errors.jsonl") if e["source_file"] == "decisions.toml"]
    assert len(errors) == 1
    assert errors[0]["stage"] == "decisions"
    assert "999_not_in_raw" in errors[0]["error"]
    unknown = _status(out, "exclude")[1]
    assert (unknown["status"], unknown["note"]) == ("error", "typo of an editor")
    assert len(_jsonl(out / "documents.jsonl")) == 4  # the other decisions still applied
    assert "999_not_in_raw" in (out / "reports" / "index.html").read_text()


def test_trust_override_changes_sources_and_the_canonical_wording(baseline, source_decisions):
    sources = {s["doc_id"]: s for s in _csv(source_decisions / "sources.csv")}
    assert sources[D001]["trust"] == "5"
    [status] = _status(source_decisions, "trust")
    assert (status["status"], status["detail"]) == ("applied", "trust 1 -> 5")
    # A claim MedlinePlus (trust 3) worded in the baseline now takes CancerFax's wording.
    shared = next(
        c
        for c in _jsonl(baseline / "claims.jsonl")
        if c["doc_id"] == D004 and any(s["doc_id"] == D001 for s in c["support"])
    )
    cancerfax = next(s for s in shared["support"] if s["doc_id"] == D001)
    now = next(
        c
        for c in _jsonl(source_decisions / "claims.jsonl")
        if cancerfax["sentence_id"] in {s["sentence_id"] for s in c["support"]}
    )
    assert now["text"] == cancerfax["text"] != shared["text"]


def test_not_related_makes_the_copy_an_original_of_its_own(baseline, source_decisions):
    before = {d["doc_id"]: d for d in _jsonl(baseline / "documents.jsonl")}
    assert before[D000]["derived_from"] == D004  # the machine's judgement
    docs = {d["doc_id"]: d for d in _jsonl(source_decisions / "documents.jsonl")}
    assert docs[D000]["relation"] == "original"
    assert docs[D000]["group_id"] == D000 and docs[D000]["derived_from"] is None
    pairs = {(r["copy"], r["original"]) for r in _jsonl(source_decisions / "relations.jsonl")}
    assert (D000, D004) not in pairs and (D004, D000) not in pairs
    [status] = _status(source_decisions, "not_related")
    assert status["status"] == "applied" and "spun_copy" in status["detail"]


def test_a_stale_claim_decision_shows_as_stale(source_decisions):
    [status] = _status(source_decisions, "pin")
    assert (status["status"], status["target"]) == ("stale", "c_000000000000")
    index = (source_decisions / "reports" / "index.html").read_text()
    row = next(line for line in index.splitlines() if "c_000000000000" in line)
    assert 'class="attention"' in row and "decision-stale" in row
    assert "stale or in error" in index
    errors = _jsonl(source_decisions / "errors.jsonl")
    assert not any("c_000000000000" in e["error"] for e in errors)


def test_relation_decision_flips_the_direction(tmp_path, raw_dir):
    decisions = f"""
    [[relation]]
    copy = "{D004}"
    original = "{D000}"
    relation = "spun_copy"
    note = "000 was published first"
    """
    out = _build_with(tmp_path, raw_dir, decisions)
    docs = {d["doc_id"]: d for d in _jsonl(out / "documents.jsonl")}
    assert (docs[D004]["derived_from"], docs[D004]["relation"]) == (D000, "spun_copy")
    assert docs[D004]["group_id"] == D000
    assert (docs[D000]["relation"], docs[D000]["derived_from"]) == ("original", None)
    relations = [
        r for r in _jsonl(out / "relations.jsonl") if {r["copy"], r["original"]} == {D000, D004}
    ]
    assert len(relations) == 1
    assert (relations[0]["copy"], relations[0]["original"]) == (D004, D000)
    assert relations[0]["confidence"] == 1.0
    assert relations[0]["direction_basis"] == "editor decision: 000 was published first"
    [status] = _status(out, "relation")
    assert status["status"] == "applied" and f"was: {D000} spun_copy of {D004}" in status["detail"]


def _only_from(claims: list[dict], doc_id: str) -> dict:
    return next(
        c
        for c in claims
        if c["status"] == "single_source" and {s["doc_id"] for s in c["support"]} == {doc_id}
    )


def test_pin_merge_and_split_reshape_the_claims(tmp_path, raw_dir, baseline):
    claims = _jsonl(baseline / "claims.jsonl")
    cleveland, cancerfax = _only_from(claims, D002), _only_from(claims, D001)
    split_from = next(c for c in claims if c["status"] == "corroborated")
    moved = next(s for s in split_from["support"] if s["doc_id"] != split_from["doc_id"])
    sources = pd.read_csv(baseline / "sources.csv", dtype=str)
    keys = dict(zip(sources["doc_id"], sources["key"], strict=True))
    moved_key = keys[moved["doc_id"]]
    pinned = next(c for c in claims if c["claim_id"] not in {split_from["claim_id"]})
    decisions = f"""
    [[pin]]
    claim_id = "{pinned["claim_id"]}"
    text = "Immunotherapy, as the editors word it."
    [[merge]]
    claims = ["{cleveland["claim_id"]}", "{cancerfax["claim_id"]}"]
    note = "same statement in other words"
    [[split]]
    claim_id = "{split_from["claim_id"]}"
    sentence_id = "{moved["sentence_id"]}"
    """
    out = _build_with(tmp_path, raw_dir, decisions)
    after = {c["claim_id"]: c for c in _jsonl(out / "claims.jsonl")}
    assert len(after) == len(claims)  # one claim merged away, one split off
    assert {r["status"] for r in _jsonl(out / "decisions.jsonl")} == {"applied"}

    assert after[pinned["claim_id"]]["text"] == "Immunotherapy, as the editors word it."
    assert "Immunotherapy, as the editors word it." in (out / "corpus.md").read_text()

    merged = after[cleveland["claim_id"]]
    assert cancerfax["claim_id"] not in after
    assert merged["text"] == cleveland["text"]
    assert {s["doc_id"] for s in merged["support"]} == {D001, D002}
    assert merged["independent_sources"] == 2
    assert sorted(merged["citations"]) == ["cancerfax", "clevelandclinic"]
    assert merged["status"] == "corroborated"

    rest = after[split_from["claim_id"]]
    assert moved["sentence_id"] not in {s["sentence_id"] for s in rest["support"]}
    assert rest["independent_sources"] == split_from["independent_sources"] - 1
    assert moved_key not in rest["citations"]
    [alone] = [
        c
        for c in after.values()
        if moved["sentence_id"] in {s["sentence_id"] for s in c["support"]}
    ]
    assert alone["claim_id"] not in {c["claim_id"] for c in claims}
    assert (alone["text"], alone["status"], alone["citations"]) == (
        moved["text"],
        "single_source",
        [moved_key],
    )


def test_stages_run_alone_apply_the_same_decisions(source_decisions, tmp_path):
    raw = source_decisions.parent / "raw"
    out = tmp_path / "processed"
    for stage in ("clean", "dedup", "align", "reconcile"):
        run_one_stage(stage, raw, out, Settings())
    for name in ("decisions.jsonl", "errors.jsonl", "documents.jsonl", "relations.jsonl"):
        assert (out / name).read_bytes() == (source_decisions / name).read_bytes(), name


def test_curate_build_reports_a_malformed_decisions_file_in_one_line(tmp_path, raw_dir):
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    (raw / "decisions.toml").write_text('[[trust]]\ndoc_id = "x"\ntrust = "high"\n')
    out = tmp_path / "processed"
    result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code != 0
    assert "decisions.toml: [[trust]] #1: trust must be a whole number" in result.output
    assert "internal error" not in result.output and not out.exists()


def _claim(claim_id: str, support: list[tuple[str, str, str]], conflicts: list[str]) -> dict:
    return {
        "claim_id": claim_id,
        "text": support[0][2],
        "status": "conflict" if conflicts else "single_source",
        "independent_sources": 1,
        "citations": [],
        "support": [
            {"doc_id": d, "sentence_id": s, "text": t, "score": 1.0, "via": "original"}
            for d, s, t in support
        ],
        "conflicts": [{"claim_id": c, "type": "number", "detail": "x"} for c in conflicts],
        "doc_id": support[0][0],
        "sentence_id": support[0][1],
        "section": "",
        "order": int(claim_id[-1]),
    }


def _sources(*doc_ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"doc_id": d, "key": f"key{d}", "group_id": d} for d in doc_ids],
        columns=["doc_id", "key", "group_id"],
    )


def test_merging_claims_merges_their_conflicts_without_repeats():
    claims = pd.DataFrame(
        [
            _claim("c_1", [("a", "a#s1", "Dose is 5 mg.")], ["c_3"]),
            _claim("c_2", [("b", "b#s1", "The dose is 5 mg.")], ["c_3", "c_1"]),
            _claim("c_3", [("c", "c#s1", "Dose is 50 mg.")], ["c_1", "c_2"]),
        ]
    )
    decisions = parse_decisions('[[merge]]\nclaims = ["c_1", "c_2"]')
    merged, rows = apply_claim_decisions(claims, _sources("a", "b", "c"), decisions)
    by_id = {c["claim_id"]: c for c in merged.to_dict("records")}
    assert sorted(by_id) == ["c_1", "c_3"]
    assert [c["claim_id"] for c in by_id["c_1"]["conflicts"]] == ["c_3"]
    assert [c["claim_id"] for c in by_id["c_3"]["conflicts"]] == ["c_1"]
    assert (by_id["c_1"]["independent_sources"], by_id["c_1"]["citations"]) == (2, ["keya", "keyb"])
    assert by_id["c_1"]["status"] == "conflict"
    assert rows[0]["status"] == "applied"


def test_splitting_the_canonical_sentence_rewords_the_claim_and_keeps_its_id():
    claims = pd.DataFrame(
        [_claim("c_1", [("a", "a#s1", "Wrong one."), ("b", "b#s4", "Right one.")], [])]
    )
    decisions = parse_decisions('[[split]]\nclaim_id = "c_1"\nsentence_id = "a#s1"')
    split, rows = apply_claim_decisions(claims, _sources("a", "b"), decisions)
    by_id = {c["claim_id"]: c for c in split.to_dict("records")}
    assert by_id["c_1"]["text"] == "Right one." and by_id["c_1"]["sentence_id"] == "b#s4"
    new_id = split_claim_id("a#s1", "Wrong one.")
    assert by_id[new_id]["text"] == "Wrong one." and by_id[new_id]["citations"] == ["keya"]
    assert rows[0]["detail"] == f"now its own claim {new_id}; c_1 now worded as b#s4"
    again, _ = apply_claim_decisions(claims, _sources("a", "b"), decisions)
    assert sorted(again["claim_id"]) == sorted(split["claim_id"])  # stable ids
