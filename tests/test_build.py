"""End to end: `curate build` on the seeds and on a folder of bad input."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.build as build_module
from pipeline.cli import main
from pipeline.io.schema import FIELDS

EPOCH = "1700000000"


def _build(raw: Path, out: Path, monkeypatch, epoch: str = EPOCH) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = CliRunner().invoke(main, ["--quiet", "build", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.exception is None


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory, raw_dir):
    """The seeds built once into a temporary folder."""
    out = tmp_path_factory.mktemp("seeds") / "processed"
    mp = pytest.MonkeyPatch()
    _build(raw_dir, out, mp)
    mp.undo()
    return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_seed_outputs_follow_the_contract(seed_build):
    for name in ("documents.jsonl", "removed.jsonl", "errors.jsonl"):
        rows = _jsonl(seed_build / name)
        expected = [f for f, _t, _d in FIELDS[name]]
        assert all(list(row)[: len(expected)] == expected for row in rows), name
    docs = _jsonl(seed_build / "documents.jsonl")
    assert [d["doc_id"] for d in docs] == sorted(d["doc_id"] for d in docs)
    assert len(docs) == 5
    assert _jsonl(seed_build / "errors.jsonl") == []
    removed = _jsonl(seed_build / "removed.jsonl")
    assert {r["doc_id"] for r in removed} >= {
        "001_a4ac4428451ab202",
        "003_d38b71adad1e9bdf",
        "004_cb819cfe1ea844d4",
    }
    assert all(r["reason"] and r["rule"] for r in removed)


def test_manifest_records_inputs_outputs_and_settings(seed_build, raw_dir):
    manifest = json.loads((seed_build / "manifest.json").read_text())
    assert manifest["built_at"] == datetime.utcfromtimestamp(int(EPOCH)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    inputs = {i["file"] for i in manifest["inputs"]}
    assert inputs == {p.name for p in raw_dir.iterdir() if p.is_file()}
    outputs = {o["file"]: o for o in manifest["outputs"]}
    docs = outputs["documents.jsonl"]
    assert docs["rows"] == 5
    import hashlib

    assert (
        docs["sha256"] == hashlib.sha256((seed_build / "documents.jsonl").read_bytes()).hexdigest()
    )
    assert "clean" in manifest["parameters"]
    package = json.loads((seed_build / "datapackage.json").read_text())
    paths = {r["path"] for r in package["resources"]}
    assert {"documents.jsonl", "removed.jsonl", "errors.jsonl"} <= paths


def test_same_raw_gives_byte_identical_outputs(seed_build, raw_dir, tmp_path, monkeypatch):
    copy = tmp_path / "raw"
    shutil.copytree(raw_dir, copy)
    _build(copy, tmp_path / "again", monkeypatch)
    assert _tree(tmp_path / "again") == _tree(seed_build)


def test_committed_processed_matches_a_rebuild_of_raw(root, raw_dir, tmp_path, monkeypatch):
    committed = root / "processed"
    manifest = json.loads((committed / "manifest.json").read_text())
    stamp = datetime.strptime(manifest["built_at"], "%Y-%m-%dT%H:%M:%SZ")
    epoch = str(int((stamp - datetime(1970, 1, 1)).total_seconds()))
    # Built on top of a copy of itself, as `make all` does: changes.html keeps its baseline.
    shutil.copytree(committed, tmp_path / "processed")
    _build(raw_dir, tmp_path / "processed", monkeypatch, epoch)
    rebuilt, before = _tree(tmp_path / "processed"), _tree(committed)
    changed = sorted(k for k in set(rebuilt) | set(before) if rebuilt.get(k) != before.get(k))
    assert not changed, f"processed/ is stale, run `make all` and commit: {changed}"


def test_interrupted_build_leaves_previous_output_intact(
    seed_build, raw_dir, tmp_path, monkeypatch
):
    out = tmp_path / "processed"
    shutil.copytree(seed_build, out)
    before = _tree(out)

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "serialise", crash)
    with pytest.raises(KeyboardInterrupt):
        build_module.build(raw_dir, out, build_module.Settings())
    assert _tree(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".processed")]


def test_bad_input_folder_builds_with_one_error_line_each(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    article = (
        "<html><body><h1>Heat safety</h1><p>Drink water often when you work outside in hot "
        "weather, and rest in the shade.</p></body></html>"
    )
    (raw / "good page.html").write_text(article, encoding="utf-8")
    (raw / "über.txt").write_text("Wear a hat in strong sun to protect your scalp and face.\n")
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    (raw / "deep.html").write_text(
        "<div>" * 100_000 + "Deep text inside many divs." + "</div>" * 100_000
    )
    (raw / "sources.csv").write_text(
        "file,url,trust\ngood page.html,https://heat.example/page,two\n"
    )
    out = tmp_path / "processed"
    _build(raw, out, monkeypatch)
    docs = {d["doc_id"]: d for d in _jsonl(out / "documents.jsonl")}
    assert {"good page", "über"} <= set(docs)
    assert "Drink water often" in docs["good page"]["text"]
    errors = {(e["source_file"], e["error"].split(":")[0]) for e in _jsonl(out / "errors.jsonl")}
    assert ("empty.txt", "empty file") in errors
    assert ("image.html", "binary file") in errors
    assert any(f == "sources.csv" for f, _ in errors)
    deep_errors = [e for e in errors if e[0] == "deep.html"]
    assert "deep" in docs or len(deep_errors) == 1


def test_missing_raw_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(
        main, ["build", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code != 0
    assert "raw folder not found" in result.output
    assert "Traceback" not in result.output


def test_fifty_megabyte_page_is_cleaned_or_refused_clearly(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    paragraph = (
        "<p>Regular exercise strengthens the heart and lowers blood pressure in most adults,"
        " according to several long-term studies.</p>\n"
    )
    body = paragraph * (50_000_000 // len(paragraph))
    page = f"<html><head><title>Big</title></head><body>{body}</body></html>"
    (raw / "huge.html").write_text(page)
    (raw / "small.txt").write_text("Stretch gently before and after exercise to avoid injury.\n")
    out = tmp_path / "processed"
    _build(raw, out, monkeypatch)
    docs = {d["doc_id"] for d in _jsonl(out / "documents.jsonl")}
    errors = [e for e in _jsonl(out / "errors.jsonl") if e["source_file"] == "huge.html"]
    assert "small" in docs
    assert ("huge" in docs) != (len(errors) == 1)
    assert all("too large" in e["error"] for e in errors)


def test_stages_run_alone_give_the_same_tables_as_a_full_build(
    seed_build, raw_dir, tmp_path, monkeypatch
):
    out = tmp_path / "processed"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    runner = CliRunner()
    early = runner.invoke(main, ["dedup", "--raw", str(raw_dir), "--out", str(out)])
    assert early.exit_code != 0 and "run `curate clean` first" in early.output
    for stage in ("clean", "dedup", "align", "reconcile", "report"):
        result = runner.invoke(main, ["-q", stage, "--raw", str(raw_dir), "--out", str(out)])
        assert result.exit_code == 0, result.output
    staged, full = _tree(out), _tree(seed_build)
    data = [name for name in full if "/" not in name and name != "manifest.json"]
    assert {name: staged[name] for name in data} == {name: full[name] for name in data}
