"""The command line (issue #19, items 9-12): -q/-v after the command, one line a stage,
help that says what each command does with --raw and --out, commands in pipeline order,
bare ``curate``, an empty raw/, ``diff --json`` and a did-you-mean for a mistyped doc_id."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from small_corpus import write_corpus

from pipeline.cli import main
from pipeline.decisions import parse_decisions
from pipeline.decisions.documents import apply_source_decisions, check_document_references
from pipeline.report import diff_builds, load_processed
from pipeline.stages import REGISTRY, STAGES

PIPELINE_ORDER = ["build", "clean", "dedup", "align", "reconcile", "report", "diff"]
DIFF_DATA = Path(__file__).parent / "data" / "report"


def _curate(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="curate")


@pytest.fixture()
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A raw/ of three pages and a settings file with the fast lexical embedder."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    config = tmp_path / "fast.toml"
    config.write_text('[align]\nembedder = "lexical"\n', encoding="utf-8")
    return write_corpus(tmp_path / "raw", 3), config


def test_quiet_and_verbose_work_after_the_command_too(corpus, tmp_path: Path) -> None:
    raw, config = corpus
    args = ["build", "--raw", raw, "--config", config]
    plain = _curate(*args, "--out", tmp_path / "plain")
    assert plain.exit_code == 0, plain.output
    steps = [line.split(":")[1].strip() for line in plain.output.splitlines()]
    for stage in ("ingest", "clean", "dedup", "align", "reconcile"):
        assert steps.count(stage) == 1, plain.output  # one line a stage
    assert "from cache" not in plain.output and "/s)" not in plain.output
    verbose = _curate(*args, "--out", tmp_path / "verbose", "--cache", tmp_path / "new", "-v")
    assert verbose.exit_code == 0, verbose.output
    assert "clean: 3 computed, 0 from cache" in verbose.output
    assert re.search(r"clean: 3/3 in [\d.]+s", verbose.output)
    for quiet in (["-q", *args], [*args, "-q"], [*args, "--quiet"]):
        result = _curate(*quiet, "--out", tmp_path / "quiet")
        assert (result.exit_code, result.output) == (0, ""), quiet
    assert (tmp_path / "quiet" / "documents.jsonl").is_file()


def test_bare_curate_prints_the_commands_in_pipeline_order() -> None:
    result = _curate()
    assert result.exit_code == 0
    assert result.output.startswith("Usage: curate")
    listed = result.output.split("Commands:\n")[1].splitlines()
    assert [line.split()[0] for line in listed if line.strip()] == PIPELINE_ORDER
    assert not any(line.endswith("...") for line in listed)  # no summary cut short
    assert _curate("--help").output == result.output


def _option_help(command: str, option: str) -> str:
    (param,) = [p for p in main.commands[command].params if p.name == option]
    return str(getattr(param, "help", ""))


@pytest.mark.parametrize("stage", [*STAGES, "report"])
def test_each_command_says_what_it_does_with_raw_and_out(stage: str) -> None:
    raw_help, out_help = _option_help(stage, "raw"), _option_help(stage, "out")
    applies_decisions = stage in REGISTRY and "decisions.jsonl" in REGISTRY[stage].outputs
    if stage == "clean":  # the stage that reads the captures themselves
        assert "captures to ingest" in raw_help and "write" in out_help
        return
    assert ("decisions.toml" in raw_help) == applies_decisions, raw_help
    if not applies_decisions:
        assert "read only for manifest.json" in raw_help
    assert out_help.startswith("Processed folder to read") or "are read" in out_help
    for name in REGISTRY[stage].outputs if stage in REGISTRY else ():
        if name not in ("documents.jsonl", "decisions.jsonl"):  # dedup rewrites documents
            table = name.removesuffix(".jsonl").rstrip("s")
            assert table in out_help, (name, out_help)


def test_an_empty_raw_stops_the_build_unless_allowed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / ".git").mkdir(parents=True)
    (raw / ".git" / "HEAD").write_text("ref: main\n")
    (raw / "sources.csv").write_text("file,url\n")
    (raw / "README.md").write_text("captures go here\n")
    out = tmp_path / "processed"
    for command in ("build", "clean", "dedup", "report"):
        result = _curate(command, "--raw", raw, "--out", out)
        assert result.exit_code != 0, command
        assert f"{raw}/ holds no captures" in result.output and "--allow-empty" in result.output
    assert not out.exists()
    allowed = _curate("build", "--raw", raw, "--out", out, "--allow-empty")
    assert allowed.exit_code == 0, allowed.output
    assert "holds no captures" in allowed.output and "built 0 documents" in allowed.output
    assert (out / "documents.jsonl").read_text() == ""
    (raw / "pages").mkdir()
    (raw / "pages" / "one.txt").write_text("Wear a hat in strong sun to protect your scalp.\n")
    again = _curate("clean", "--raw", raw, "--out", out)
    assert again.exit_code == 0, again.output
    assert "holds no captures" not in again.output


def test_diff_json_holds_what_the_text_shows(tmp_path: Path) -> None:
    old, new = DIFF_DATA / "build_old", DIFF_DATA / "build_new"
    result = _curate("diff", "--json", old, new)
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    expected = diff_builds(load_processed(old), load_processed(new))
    assert found["identical"] is False
    assert found["documents_added"] == expected.documents_added
    assert [c["claim_id"] for c in found["claims_added"]] == [
        c.claim_id for c in expected.claims_added
    ]
    change = expected.documents_changed[0]
    assert found["documents_changed"][0]["changes"][0] == {
        "field": change.changes[0].field,
        "old": change.changes[0].old,
        "new": change.changes[0].new,
    }
    same = json.loads(_curate("diff", "--json", old, old).output)
    assert same["identical"] is True and same["documents_added"] == []


def test_a_mistyped_doc_id_gets_a_did_you_mean() -> None:
    raw_ids = ["001_heat_safety", "002_sun_hats", "003_water"]
    decisions = parse_decisions(
        '[[exclude]]\ndoc_id = "002_sun_hat"\n\n'
        '[[trust]]\ndoc_id = "zzz"\ntrust = 1\n\n'
        '[[not_related]]\na = "001_heat_safty"\nb = "003_water"\n'
    )
    documents = pd.DataFrame({"doc_id": raw_ids, "trust": pd.array([2, 2, 2], dtype="Int64")})
    removed = pd.DataFrame(columns=["doc_id"])
    _, _, rows = apply_source_decisions(documents, removed, decisions, raw_ids)
    details = {row["decision"]: row["detail"] for row in rows}
    assert details["exclude"].endswith("002_sun_hat (did you mean 002_sun_hats?)")
    assert details["trust"].endswith("has doc_id zzz")  # nothing close: no guess
    (pair,) = check_document_references(decisions, raw_ids)
    assert "001_heat_safty (did you mean 001_heat_safety?)" in pair["detail"]


def test_readme_lists_the_commands_as_help_does() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Command line")[1].split("```")[1]
    listed = re.findall(r"^curate (\w+)[^\n]*?  +(\S[^\n]*)$", block, flags=re.MULTILINE)
    assert [name for name, _ in listed] == PIPELINE_ORDER
    help_lines = _curate().output.split("Commands:\n")[1].splitlines()
    summaries = dict(line.split(None, 1) for line in help_lines if line.strip())
    assert dict(listed) == summaries
