"""A second build after editing raw/: changes.html and `curate diff` show what changed."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from pipeline.cli import main

EXTRA = (
    "Immunotherapy can also be combined with chemotherapy in some treatment plans,"
    " and your care team will explain the schedule.\n\n"
)


def test_second_build_after_editing_raw_reports_the_changes(raw_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    out = tmp_path / "processed"
    runner = CliRunner()
    assert runner.invoke(main, ["-q", "build", "--raw", str(raw), "--out", str(out)]).exit_code == 0
    first = tmp_path / "first"
    shutil.copytree(out, first)
    assert "no previous build" in (out / "reports" / "changes.html").read_text().lower()

    # Edit the corpus: drop the spun copy, add a paragraph inside one article.
    (raw / "000_d9c78c9f329d1f8b.txt").unlink()
    article = raw / "003_d38b71adad1e9bdf.txt"
    paragraphs = article.read_text(encoding="utf-8").split("\n\n")
    paragraphs.insert(3, EXTRA.strip())
    article.write_text("\n\n".join(paragraphs), encoding="utf-8")
    assert runner.invoke(main, ["-q", "build", "--raw", str(raw), "--out", str(out)]).exit_code == 0

    changes = (out / "reports" / "changes.html").read_text(encoding="utf-8")
    assert "000_d9c78c9f329d1f8b" in changes
    assert "003_d38b71adad1e9bdf" in changes
    assert "combined with chemotherapy" in changes

    result = runner.invoke(main, ["diff", str(first), str(out)])
    assert result.exit_code == 0
    text = result.output
    removed_section = text.split("Documents removed")[1].split("\n\n")[0]
    assert "000_d9c78c9f329d1f8b" in removed_section
    assert "Relations lost" in text and "spun_copy" in text.split("Relations lost")[1]
    assert "003_d38b71adad1e9bdf" in text.split("Documents changed")[1]
    assert "combined with chemotherapy" in text.split("Claims added")[1]

    # A rebuild with nothing changed keeps changes.html as it was.
    before = (out / "reports" / "changes.html").read_bytes()
    assert runner.invoke(main, ["-q", "build", "--raw", str(raw), "--out", str(out)]).exit_code == 0
    assert (out / "reports" / "changes.html").read_bytes() == before
