"""Build-to-build diffs: diff_builds, format_diff_text and `curate diff`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.report import diff_builds, format_diff_text, load_processed

DATA = Path(__file__).parent / "data" / "report"
MED = "medlineplus/cancer immunotherapy"
SPUN = "content farm/immunotherapy – spun ü"


@pytest.fixture(scope="module")
def diff():
    return diff_builds(load_processed(DATA / "build_old"), load_processed(DATA / "build_new"))


def test_documents_added_removed_and_changed(diff) -> None:
    assert diff.documents_added == ["cancer.gov/what-is-immunotherapy"]
    assert diff.documents_removed == ["old-blog/immunotherapy-basics"]
    assert [c.key for c in diff.documents_changed] == [MED]
    fields = {f.field: f for f in diff.documents_changed[0].changes}
    assert set(fields) == {"title", "text"}
    assert fields["title"].new == "Cancer Immunotherapy | MedlinePlus"
    assert "+5 / -0 words" in fields["text"].new


def test_relations_found_lost_and_changed(diff) -> None:
    assert diff.relations_found == [
        "hostile/capture -> clevelandclinic/immunotherapy (partial_copy)"
    ]
    assert diff.relations_lost == [
        "old-blog/immunotherapy-basics -> clevelandclinic/immunotherapy (near_duplicate)"
    ]
    (changed,) = diff.relations_changed
    assert changed.key == f"{SPUN} -> {MED}"
    fields = {f.field: (f.old, f.new) for f in changed.changes}
    assert fields["relation"] == ("near_duplicate", "spun_copy")
    assert fields["confidence"] == ("0.71", "0.93")


def test_claims_matched_by_id(diff) -> None:
    assert [c.claim_id for c in diff.claims_added] == ["c-4d5e6f70", "c-6f708192"]
    assert [c.claim_id for c in diff.claims_removed] == ["c-5e6f7081"]
    (reworded,) = diff.claims_reworded
    assert reworded.claim_id == "c-1f2e3d4c"
    assert reworded.old_text.endswith("or as a cream for the skin.")
    assert reworded.new_text.endswith("or into the bladder.")
    assert [(s.claim_id, s.old, s.new) for s in diff.status_changes] == [
        ("c-1f2e3d4c", "corroborated", "conflict"),
        ("c-2b3c4d5e", "single_source", "conflict"),
    ]


def test_errors_and_removed_spans(diff) -> None:
    assert diff.errors_new == []
    assert diff.errors_resolved == ["empty.html [clean]: no main text left after cleaning"]
    (spans,) = diff.removed_spans_changed
    assert spans.key == MED
    assert [(f.field, f.old, f.new) for f in spans.changes] == [
        ("navigation", "", "Stay Connected"),
        ("contact_cta", "Sign up for the My MedlinePlus newsletter What's this? GO", ""),
    ]


def test_same_build_has_no_changes() -> None:
    tables = load_processed(DATA / "build_new")
    same = diff_builds(tables, {k: v.iloc[::-1] for k, v in tables.items()})
    assert same.is_empty()
    assert format_diff_text(same) == "No changes between the two builds.\n"


def test_diff_from_nothing_lists_everything_as_added() -> None:
    new = load_processed(DATA / "build_new")
    diff = diff_builds({}, new)
    assert len(diff.documents_added) == len(new["documents.jsonl"])
    assert len(diff.claims_added) == len(new["claims.jsonl"])
    assert diff.documents_changed == [] and diff.removed_spans_changed == []


def test_format_diff_text_lists_each_change(diff) -> None:
    text = format_diff_text(diff)
    assert "Documents added (1):\n  cancer.gov/what-is-immunotherapy\n" in text
    assert "Claims reworded (1):" in text
    assert "    + Immunotherapy can be given intravenously" in text
    assert "c-1f2e3d4c: corroborated -> conflict" in text
    assert "    + [navigation] 'Stay Connected'" in text
    assert "Relations lost (1):" in text


def test_changed_text_is_summarised(tmp_path: Path) -> None:
    old = {"documents.jsonl": pd.DataFrame([{"doc_id": "a", "text": "one two three four"}])}
    new = {"documents.jsonl": pd.DataFrame([{"doc_id": "a", "text": "one two five four six"}])}
    (change,) = diff_builds(old, new).documents_changed
    assert change.changes[0].new == "5 words (+2 / -1 words)"


def test_curate_diff_command_prints_the_text(diff) -> None:
    result = CliRunner().invoke(main, ["diff", str(DATA / "build_old"), str(DATA / "build_new")])
    assert result.exit_code == 0, result.output
    assert result.output == format_diff_text(diff)


def test_curate_diff_command_rejects_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "nope"), str(DATA / "build_new")])
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_a_sentence_joining_or_leaving_a_kept_claim_is_listed() -> None:
    def build(support: list[dict]) -> dict[str, pd.DataFrame]:
        claim = {
            "claim_id": "c-1",
            "text": "Immunotherapy can cause fatigue.",
            "status": "corroborated",
            "support": support,
        }
        return {"claims.jsonl": pd.DataFrame([claim])}

    kept = {"doc_id": "a", "text": "Immunotherapy can cause fatigue."}
    gone = {"doc_id": "b", "text": "Tiredness is a common side effect."}
    new = {"doc_id": "c", "text": "Many patients feel tired during immunotherapy."}
    diff = diff_builds(build([kept, gone]), build([kept, new]))
    assert [(c.doc_id, c.added) for c in diff.support_changes] == [("c", True), ("b", False)]
    text = format_diff_text(diff)
    assert "+ c: Many patients feel tired" in text and "- b: Tiredness" in text
    assert not diff.claims_added and not diff.claims_reworded


def test_citation_counts_and_decisions_are_diffed_and_printed() -> None:
    def claim(citations: list[str]) -> pd.DataFrame:
        row = {"claim_id": "c1", "text": "Fatigue is common.", "citations": citations}
        return pd.DataFrame([{**row, "independent_sources": len(citations)}])

    exclude = {"decision": "exclude", "target": "d", "detail": "dropped", "note": ""}
    old = {
        "claims.jsonl": claim(["a", "b", "c", "d"]),
        "decisions.jsonl": pd.DataFrame([{**exclude, "status": "error", "detail": "no such"}]),
    }
    new = {
        "claims.jsonl": claim(["a"]),
        "decisions.jsonl": pd.DataFrame([{**exclude, "status": "applied"}]),
    }
    diff = diff_builds(old, new)
    (cited,) = diff.citation_changes
    assert (cited.cited_before, cited.cited_after, cited.lost) == (4, 1, ("b", "c", "d"))
    (decision,) = diff.decisions_changed
    assert (decision.status, decision.was) == ("applied", "error: no such")
    text = format_diff_text(diff)
    assert "[[exclude]] d: applies differently; now applied: dropped (was error: no such)" in text
    assert (
        "c1: cited by 4 -> 1 source, independent sources 4 -> 1; no longer cites [b][c][d]" in text
    )
    assert diff_builds(new, new).is_empty()
