"""The editors' review queue: claims' `review` sentences, [[review]] decisions,
review.jsonl, the contract, and the queue on claims.html."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from lxml import html as lxml_html

from pipeline.build import serialise
from pipeline.decisions.hooks import decisions_after_reconcile
from pipeline.decisions.load import DecisionsError, Review, parse_decisions
from pipeline.decisions.review import review_snippet, toml_string
from pipeline.io.schema import FIELDS, columns
from pipeline.settings import Settings
from pipeline.tables import RAW_FILE_COLUMNS

D000 = "000_d9c78c9f329d1f8b"  # a spun copy of 004 (group 004)
D001 = "001_a4ac4428451ab202"  # CancerFax
D002 = "002_5d08cec136fc3026"  # Cleveland Clinic
D003 = "003_d38b71adad1e9bdf"  # What is Immunotherapy?
D004 = "004_cb819cfe1ea844d4"  # MedlinePlus
ACT = "c_0a1b2c3d4e5f"  # "Immunotherapy helps the immune system better act against cancer."
IV = "c_5f4e3d2c1b0a"  # "You get an intravenous infusion into a vein at a medical facility."
ACT_TEXT = "Immunotherapy helps the immune system better act against cancer."
IV_TEXT = "You get an intravenous infusion into a vein at a medical facility."
EFFICIENT = f"{D003}#s012"
SPUN = f"{D000}#s019"
BY_IV = f"{D004}#s031"
HOSTILE = f"{D002}#s040"

SOURCES = pd.DataFrame(
    [
        (D001, "cancerfax", D001, "original"),
        (D000, "cancerimmunotherapy", D004, "spun_copy"),
        (D002, "clevelandclinic", D002, "original"),
        (D004, "medlineplus", D004, "original"),
        (D003, "whatimmunotherapy", D003, "original"),
    ],
    columns=["doc_id", "key", "group_id", "relation"],
).reindex(columns=columns("sources.csv"), fill_value="")  # every column, as reconcile gives


def _support(doc_id: str, sentence_id: str, text: str, score: float = 1.0) -> dict:
    return {"doc_id": doc_id, "sentence_id": sentence_id, "text": text, "score": score,
            "via": "original"}  # fmt: skip


def _claim(claim_id: str, support: dict, citation: str, review: object, order: int) -> dict:
    return {
        "claim_id": claim_id, "text": support["text"], "status": "single_source",
        "independent_sources": 1, "citations": [citation], "support": [support],
        "conflicts": [], "review": review, "doc_id": support["doc_id"],
        "sentence_id": support["sentence_id"], "section": "How it works", "order": order,
    }  # fmt: skip


def reconciled(with_review: bool = True) -> dict[str, pd.DataFrame]:
    """Claims and sources as reconcile_claims returns them, with `review` lists."""
    act = _claim(
        ACT,
        _support(D001, f"{D001}#s015", ACT_TEXT),
        "cancerfax",
        [
            {"doc_id": D003, "sentence_id": EFFICIENT, "score": 0.62,
             "text": "Immunotherapy therefore helps the immune system work more efficiently."},
            {"doc_id": D000, "sentence_id": SPUN, "score": 0.55,
             "text": "Immunotherapy assists your immune process act towards most cancers."},
        ],
        100,
    )  # fmt: skip
    iv = _claim(
        IV,
        _support(D002, f"{D002}#s010", IV_TEXT),
        "clevelandclinic",
        [
            {"doc_id": D004, "sentence_id": BY_IV, "score": 0.41,
             "text": "Immunotherapy can be given by IV (intravenous), in pills or capsules,"
                     " in a cream, or directly into your bladder."},
            {"doc_id": D002, "sentence_id": HOSTILE, "score": 0.3,
             "text": 'Given <script>alert("x")</script> in a clinic & at home.'},
        ],
        200,
    )  # fmt: skip
    if not with_review:
        act.pop("review")
        iv.pop("review")
    claims = pd.DataFrame([iv, act])  # reconcile's order is by `order`; rows come any way
    return {"claims.jsonl": claims, "sources.csv": SOURCES.copy()}


def run_hook(decisions: str = "", tables: dict | None = None) -> dict[str, pd.DataFrame]:
    """decisions_after_reconcile on the reconciled tables with ``decisions`` (TOML)."""
    return decisions_after_reconcile(tables or reconciled(), {}, parse_decisions(decisions))


def claims_by_id(out: dict[str, pd.DataFrame]) -> dict[str, dict]:
    return {c["claim_id"]: c for c in out["claims.jsonl"].to_dict("records")}


def queue(out: dict[str, pd.DataFrame]) -> list[tuple[str, str, str]]:
    rows = out["review.jsonl"].to_dict("records")
    return [(r["claim_id"], r["sentence_id"], r["decision"]) for r in rows]


def statuses(out: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    rows = out["decisions.jsonl"].to_dict("records")
    return [(r["status"], r["detail"]) for r in rows if r["decision"] == "review"]


def accept(claim_id: str, sentence_id: str, yes: bool = True) -> str:
    return review_snippet(claim_id, sentence_id, accept=yes)


# --- parsing ----------------------------------------------------------------------------


def test_review_decisions_parse_with_a_boolean_accept_and_an_optional_note():
    parsed = parse_decisions(
        f'[[review]]\nclaim_id = "{ACT}"\nsentence_id = "{EFFICIENT}"\naccept = true\n'
        f'[[review]]\nclaim_id = "{IV}"\nsentence_id = "{BY_IV}"\naccept = false\n'
        'note = "about routes, not about infusion"\n'
    )
    assert parsed.review == (
        Review(ACT, EFFICIENT, True),
        Review(IV, BY_IV, False, "about routes, not about infusion"),
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('claim_id = "c_1"\nsentence_id = "a#s1"\naccept = "yes"', "accept must be true or false"),
        ('claim_id = "c_1"\nsentence_id = "a#s1"\naccept = 1', "accept must be true or false"),
        ('claim_id = "c_1"\nsentence_id = "a#s1"', "[[review]] #1: missing key accept"),
        ('claim_id = "c_1"\nsentence_id = ""\naccept = true', "sentence_id must not be empty"),
        ('claim_id = 7\nsentence_id = "a#s1"\naccept = true', "claim_id must be a string"),
        ('claim_id = "c_1"\nsentence = "a#s1"\naccept = true', "unknown key(s) sentence"),
    ],
)
def test_malformed_review_decisions_name_the_entry(entry, message):
    with pytest.raises(DecisionsError) as caught:
        parse_decisions(f"[[review]]\n{entry}\n")
    assert message in str(caught.value)
    assert "decisions.toml" in str(caught.value)


# --- the queue without decisions ---------------------------------------------------------


def test_pending_sentences_are_listed_sorted_with_their_source_key_and_do_not_cite():
    out = run_hook()
    assert queue(out) == [
        (ACT, SPUN, "pending"),
        (ACT, EFFICIENT, "pending"),
        (IV, HOSTILE, "pending"),
        (IV, BY_IV, "pending"),
    ]
    first = out["review.jsonl"].to_dict("records")[1]
    assert first == {
        "claim_id": ACT,
        "claim_text": "Immunotherapy helps the immune system better act against cancer.",
        "doc_id": D003,
        "sentence_id": EFFICIENT,
        "text": "Immunotherapy therefore helps the immune system work more efficiently.",
        "score": 0.62,
        "key": "whatimmunotherapy",
        "decision": "pending",
        "reason": "score below the cite threshold",
    }
    act = claims_by_id(out)[ACT]
    assert (act["status"], act["independent_sources"], act["citations"]) == (
        "single_source", 1, ["cancerfax"],
    )  # fmt: skip
    assert [s["sentence_id"] for s in act["review"]] == [EFFICIENT, SPUN]
    assert out["decisions.jsonl"].empty


@pytest.mark.parametrize("missing", ["column", "nan"])
def test_claims_without_a_review_list_have_an_empty_queue(missing):
    tables = reconciled(with_review=False)
    if missing == "nan":
        tables["claims.jsonl"]["review"] = float("nan")
    out = run_hook(tables=tables)
    assert out["review.jsonl"].empty
    assert list(out["review.jsonl"].columns) == [f for f, _t, _d in FIELDS["review.jsonl"]]
    assert [c["review"] for c in claims_by_id(out).values()] == [[], []]


# --- decisions ----------------------------------------------------------------------------


def test_accepting_a_sentence_from_another_group_corroborates_the_claim():
    out = run_hook(accept(ACT, EFFICIENT))
    act = claims_by_id(out)[ACT]
    assert act["status"] == "corroborated"
    assert act["independent_sources"] == 2
    assert act["citations"] == ["cancerfax", "whatimmunotherapy"]
    added = act["support"][-1]
    assert (added["sentence_id"], added["score"], added["via"]) == (EFFICIENT, 0.62, "original")
    assert [s["sentence_id"] for s in act["review"]] == [SPUN]  # decided: out of the queue
    assert (ACT, EFFICIENT, "accepted") in queue(out)
    assert (ACT, SPUN, "pending") in queue(out)
    [(status, detail)] = statuses(out)
    assert status == "applied" and "2 independent source(s), corroborated" in detail


def test_an_accepted_spun_copy_supports_but_never_counts():
    out = run_hook(accept(ACT, SPUN))
    act = claims_by_id(out)[ACT]
    assert act["support"][-1]["via"] == "spun_copy"
    assert (act["status"], act["independent_sources"], act["citations"]) == (
        "single_source", 1, ["cancerfax"],
    )  # fmt: skip
    assert (ACT, SPUN, "accepted") in queue(out)


def test_rejecting_a_sentence_keeps_it_out():
    out = run_hook(accept(IV, BY_IV, yes=False) + 'note = "routes, not infusion"\n')
    iv = claims_by_id(out)[IV]
    assert [s["sentence_id"] for s in iv["support"]] == [f"{D002}#s010"]
    assert (iv["status"], iv["independent_sources"]) == ("single_source", 1)
    assert [s["sentence_id"] for s in iv["review"]] == [HOSTILE]
    assert (IV, BY_IV, "rejected") in queue(out)
    [row] = out["decisions.jsonl"].to_dict("records")
    assert (row["status"], row["note"], row["target"]) == (
        "applied", "routes, not infusion", f"{IV} / {BY_IV}",
    )  # fmt: skip


def test_decisions_that_name_nothing_in_the_queue_are_stale():
    decisions = (
        accept("c_000000000000", EFFICIENT)  # no such claim
        + accept(IV, EFFICIENT)  # queued, but for another claim
        + accept(ACT, f"{D001}#s015")  # already a support
        + accept(ACT, EFFICIENT)
        + accept(ACT, EFFICIENT, yes=False)  # decided by the entry before
    )
    out = run_hook(decisions)
    assert [s for s, _d in statuses(out)] == ["stale", "stale", "stale", "applied", "stale"]
    details = [d for _s, d in statuses(out)]
    assert "not in this build: c_000000000000" in details[0]
    assert details[1] == f"{EFFICIENT} is not in the review queue of {IV}"
    assert details[2] == f"{D001}#s015 already supports {ACT}"
    assert (ACT, EFFICIENT, "accepted") in queue(out)
    assert len(queue(out)) == 4  # a stale decision adds no row


def test_a_review_decision_follows_its_claim_into_a_merge():
    merge = f'[[merge]]\nclaims = ["{IV}", "{ACT}"]\n'
    pending = run_hook(merge)  # ACT's queue moves to IV, the claim the editor sees
    assert (IV, SPUN, "pending") in queue(pending)
    decisions = accept(ACT, EFFICIENT) + accept(IV, SPUN, yes=False)
    out = run_hook(merge + decisions)  # merges apply first: both ids find IV's queue
    claims = claims_by_id(out)
    assert list(claims) == [IV]
    assert claims[IV]["citations"] == ["clevelandclinic", "cancerfax", "whatimmunotherapy"]
    assert [s["sentence_id"] for s in claims[IV]["review"]] == [BY_IV, HOSTILE]
    assert (IV, EFFICIENT, "accepted") in queue(out) and (IV, SPUN, "rejected") in queue(out)
    assert {c for c, _s, _d in queue(out)} == {IV}
    assert [s for s, _d in statuses(out)] == ["applied", "applied"]


# --- writing: review.jsonl, claims.jsonl, datapackage.json, claims.html ----------------------


def _documents() -> pd.DataFrame:
    rows = [
        {"doc_id": d, "text": "", "relation": r, "group_id": g, "flags": []}
        for d, g, r in zip(SOURCES["doc_id"], SOURCES["group_id"], SOURCES["relation"], strict=True)
    ]
    return pd.DataFrame(rows, columns=columns("documents.jsonl"))


def written(out: dict[str, pd.DataFrame], tmp: Path) -> dict[str, bytes]:
    """processed/ files as bytes for the hook's tables (plus the documents)."""
    tables = {**out, "documents.jsonl": _documents()}
    raw_files = pd.DataFrame(columns=RAW_FILE_COLUMNS)
    return serialise(tables, raw_files, {}, Settings())


def _jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def test_review_jsonl_is_written_sorted_and_byte_identical(tmp_path):
    files = written(run_hook(accept(IV, BY_IV, yes=False)), tmp_path)
    rows = _jsonl(files["review.jsonl"])
    assert [(r["claim_id"], r["sentence_id"], r["decision"]) for r in rows] == [
        (ACT, SPUN, "pending"),
        (ACT, EFFICIENT, "pending"),
        (IV, HOSTILE, "pending"),
        (IV, BY_IV, "rejected"),
    ]
    assert list(rows[0]) == [f for f, _t, _d in FIELDS["review.jsonl"]]
    shuffled = reconciled()
    shuffled["claims.jsonl"] = shuffled["claims.jsonl"].iloc[::-1].reset_index(drop=True)
    again = written(run_hook(accept(IV, BY_IV, yes=False), shuffled), tmp_path)
    assert again["review.jsonl"] == files["review.jsonl"]
    assert again["reports/claims.html"] == files["reports/claims.html"]
    claims = {c["claim_id"]: c for c in _jsonl(files["claims.jsonl"])}
    assert [s["sentence_id"] for s in claims[IV]["review"]] == [HOSTILE]
    assert list(claims[IV])[:8][-1] == "review"


def test_an_empty_queue_is_still_written_and_described(tmp_path):
    files = written(run_hook(tables=reconciled(with_review=False)), tmp_path)
    assert files["review.jsonl"] == b""
    package = json.loads(files["datapackage.json"])
    resources = {r["path"]: r for r in package["resources"]}
    fields = {f["name"]: f["type"] for f in resources["review.jsonl"]["schema"]["fields"]}
    assert fields == {
        "claim_id": "string", "claim_text": "string", "doc_id": "string",
        "sentence_id": "string", "text": "string", "score": "number", "key": "string",
        "decision": "string", "reason": "string",
    }  # fmt: skip
    claim_fields = {f["name"]: f for f in resources["claims.jsonl"]["schema"]["fields"]}
    assert claim_fields["review"]["type"] == "array"
    item_keys = [k["name"] for k in claim_fields["review"]["items"]["fields"]]
    assert item_keys == ["doc_id", "sentence_id", "text", "score"]
    manifest = {o["file"]: o for o in json.loads(files["manifest.json"])["outputs"]}
    assert manifest["review.jsonl"]["rows"] == 0


def _queue_section(page: bytes) -> lxml_html.HtmlElement:
    tree = lxml_html.document_fromstring(page.decode("utf-8"))
    [section] = tree.xpath('//section[@id="review-queue"]')
    return section


def test_claims_page_lists_pending_sentences_with_snippets_that_parse(tmp_path):
    page = written(run_hook(accept(IV, BY_IV, yes=False)), tmp_path)["reports/claims.html"]
    section = _queue_section(page)
    text = " ".join(" ".join(section.itertext()).split())
    assert "Review queue" in text and "Not citations." in text
    rows = section.xpath(".//table/tr[td]")
    assert len(rows) == 3  # pending only: the rejected sentence is gone
    cells = [" ".join(" ".join(td.itertext()).split()) for td in rows[1].xpath("td")]
    assert "Immunotherapy helps the immune system better act against cancer." in cells[0]
    assert "work more efficiently." in cells[1] and EFFICIENT in cells[1]
    assert "whatimmunotherapy" in cells[2] and cells[3] == "0.62"
    yes, no = ("".join(pre.itertext()) for pre in rows[1].xpath(".//pre"))
    assert tomllib.loads(yes) == {
        "review": [{"claim_id": ACT, "sentence_id": EFFICIENT, "accept": True}]
    }
    assert parse_decisions(no).review == (Review(ACT, EFFICIENT, False),)
    applied = run_hook(yes)
    assert (ACT, EFFICIENT, "accepted") in queue(applied)
    assert BY_IV not in text


def test_claims_page_escapes_queued_text_and_keeps_its_policy(tmp_path):
    page = written(run_hook(), tmp_path)["reports/claims.html"]
    tree = lxml_html.document_fromstring(page.decode("utf-8"))
    assert not tree.xpath("//script")
    assert b"&lt;script&gt;alert(" in page
    policy = tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert policy and "default-src 'none'" in policy[0]
    claim = tree.xpath(f'//section[@class="claim"][.//span[text()="{ACT}"]]')[0]
    assert "2 sentence(s) waiting for review" in " ".join(claim.itertext())


def test_toml_snippets_round_trip_awkward_ids():
    sentence_id = 'site/page "quoted" \\ back\x7f#s001'
    snippet = review_snippet("c_1", sentence_id, accept=False)
    assert tomllib.loads(snippet)["review"][0]["sentence_id"] == sentence_id
    assert toml_string('a"b') == '"a\\"b"'
