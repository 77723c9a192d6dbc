"""Per-document cache: one new page is the only one cleaned again; output never changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from small_corpus import write_corpus

from pipeline.build import build
from pipeline.cli import main
from pipeline.runtime.cache import DocCache, default_cache_dir
from pipeline.runtime.progress import BarFactory, LogBar, NullBar, start_bar
from pipeline.settings import AlignSettings, Settings

FAST = Settings(align=AlignSettings(embedder="lexical"))
NEW_PAGE = (
    "Sunscreen and skin checks\n\n"
    "Dermatologists advise applying a broad-spectrum sunscreen every morning, even on "
    "cloudy days. Reapply it every two hours when you are outdoors.\n\n"
    "Check your skin once a month for new moles or spots that change in size or colour."
)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture()
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    return write_corpus(tmp_path / "raw", 14)


def test_adding_one_page_cleans_only_that_page(corpus: Path, tmp_path: Path) -> None:
    cache = DocCache(tmp_path / "cache")
    build(corpus, tmp_path / "first", FAST, cache=cache)
    assert cache.stats["clean"] == {"cached": 0, "computed": 14}
    (corpus / "page_new.txt").write_text(NEW_PAGE, encoding="utf-8")
    again = DocCache(tmp_path / "cache")
    lines: list[str] = []
    build(corpus, tmp_path / "cached", FAST, progress=lines.append, cache=again)
    assert "clean: 1 computed, 14 from cache" in lines
    report = again.stats["report"]
    assert f"report: {report['computed']} computed, {report['cached']} from cache" in lines
    for step in ("ingest", "clean"):
        assert again.stats[step] == {"cached": 14, "computed": 1}, step
    assert again.stats["segment"]["computed"] == 1  # (pages with no text are not segmented)
    assert "align-pair" not in again.stats  # lexical vectors weigh terms by corpus IDF
    # report pages: every old document's page is kept, the new one is rendered; a page
    # whose document changed (a new copy relation, say) would be rendered again
    assert cache.stats["report"]["cached"] == 0
    assert again.stats["report"]["computed"] >= 1
    assert again.stats["report"]["cached"] >= 14 - again.stats["report"]["computed"]
    build(corpus, tmp_path / "uncached", FAST)
    assert _files(tmp_path / "cached") == _files(tmp_path / "uncached")


def test_changed_settings_or_content_miss_the_cache(corpus: Path, tmp_path: Path) -> None:
    build(corpus, tmp_path / "a", FAST, cache=DocCache(tmp_path / "cache"))
    (corpus / "page_001.txt").write_text(NEW_PAGE, encoding="utf-8")
    cache = DocCache(tmp_path / "cache")
    build(corpus, tmp_path / "b", FAST, cache=cache)
    assert cache.stats["clean"] == {"cached": 13, "computed": 1}
    other = Settings(align=AlignSettings(embedder="lexical", min_claim_words=5))
    cache = DocCache(tmp_path / "cache")
    build(corpus, tmp_path / "c", other, cache=cache)
    assert cache.stats["clean"]["computed"] == 0
    assert cache.stats["segment"]["cached"] == 0


def test_corrupt_cache_entries_are_recomputed(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    build(corpus, tmp_path / "a", FAST, cache=DocCache(root))
    entries = sorted(p for p in root.rglob("*.json"))
    for k, path in enumerate(entries):
        if k % 3 == 0:
            path.write_bytes(path.read_bytes()[:-7])  # truncated
        elif k % 3 == 1:
            path.write_bytes(b"not json at all")
        else:
            os.chmod(path, 0)  # unreadable (root reads it anyway: then it is a hit)
    cache = DocCache(root)
    build(corpus, tmp_path / "b", FAST, cache=cache)
    assert sum(s["computed"] for s in cache.stats.values()) >= len(entries) * 2 // 3
    build(corpus, tmp_path / "c", FAST)
    assert _files(tmp_path / "b") == _files(tmp_path / "c")
    blocked = tmp_path / "a_file"  # a cache folder that cannot be created
    blocked.write_text("x", encoding="utf-8")
    build(corpus, tmp_path / "d", FAST, cache=DocCache(blocked))
    assert _files(tmp_path / "d") == _files(tmp_path / "c")


def test_cli_cache_lives_beside_out_and_can_be_disabled(corpus: Path, tmp_path: Path) -> None:
    config = tmp_path / "fast.toml"
    config.write_text('[align]\nembedder = "lexical"\n', encoding="utf-8")
    out = tmp_path / "site" / "processed"
    args = ["build", "--raw", str(corpus), "--out", str(out), "--config", str(config)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert default_cache_dir(out) == tmp_path / "site" / ".curate-cache"
    assert any((tmp_path / "site" / ".curate-cache" / "clean").rglob("*.json"))
    assert not any(".curate-cache" in p.as_posix() for p in out.rglob("*"))
    result = CliRunner().invoke(main, [*args, "--no-cache", "--out", str(tmp_path / "nc")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / ".curate-cache").exists()
    assert _files(out) == _files(tmp_path / "nc")


def test_progress_is_log_lines_off_a_terminal_and_nothing_when_quiet() -> None:
    lines: list[str] = []
    bar = BarFactory(lines.append, quiet=False, verbose=0)("clean", 3)
    assert isinstance(bar, LogBar)  # pytest's stderr is no terminal
    bar.update(3)
    bar.close()
    assert len(lines) == 1 and lines[0].startswith("clean: 3/3 in ") and "/s)" in lines[0]
    assert isinstance(BarFactory(lines.append, quiet=True, verbose=0)("clean", 3), NullBar)
    assert isinstance(start_bar(lines.append, "x", 1), LogBar)


def test_progress_draws_no_bar_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            return None

    monkeypatch.setenv("CI", "true")
    assert isinstance(BarFactory(print, False, 0, Terminal())("clean", 3), LogBar)
    monkeypatch.delenv("CI")
    monkeypatch.setenv("TERM", "xterm")
    bar = BarFactory(print, False, 0, Terminal())("clean", 3)
    assert not isinstance(bar, (LogBar, NullBar))  # a tqdm bar
    bar.close()


def test_adding_one_page_embeds_only_that_page(tmp_path: Path, monkeypatch) -> None:
    """MiniLM vectors are kept per document: a new page is the only one encoded, and the
    build equals one without any cache."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    raw = write_corpus(tmp_path / "raw", 5)
    build(raw, tmp_path / "first", Settings(), cache=DocCache(tmp_path / "cache"))
    (raw / "page_new.txt").write_text(NEW_PAGE, encoding="utf-8")
    cache = DocCache(tmp_path / "cache")
    build(raw, tmp_path / "cached", Settings(), cache=cache)
    embedded = cache.stats["embed"]
    assert embedded["computed"] == 1 and embedded["cached"] >= 2, embedded
    # every document pair is a candidate in so small a corpus: only the new page's pairs
    # with the n old pages are scored, the n old pages' pairs come from the cache
    pairs, n = cache.stats["align-pair"], embedded["cached"]
    assert pairs == {"computed": n, "cached": n * (n - 1) // 2}, pairs
    build(raw, tmp_path / "uncached", Settings())
    assert _files(tmp_path / "cached") == _files(tmp_path / "uncached")


def test_prune_cache_drops_entries_of_removed_pages_and_keeps_the_rest(
    corpus: Path, tmp_path: Path
) -> None:
    config = tmp_path / "lexical.toml"
    config.write_text('[align]\nembedder = "lexical"\n', encoding="utf-8")
    cache_dir = tmp_path / "cache"
    args = ["build", "--raw", str(corpus), "--out", str(tmp_path / "out")]
    args += ["--config", str(config), "--cache", str(cache_dir)]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = {p for p in cache_dir.rglob("*") if p.is_file()}
    dropped = sorted(corpus.glob("*.txt"))[0]
    dropped.unlink()
    result = CliRunner().invoke(main, [*args, "--prune-cache"])
    assert result.exit_code == 0, result.output
    after = {p for p in cache_dir.rglob("*") if p.is_file()}
    assert before - after  # the removed page's entries (and old pages it changed) are gone
    assert "unused entries" in result.output
    # what is left is exactly what the same inputs need: nothing is computed again
    cache = DocCache(cache_dir)
    build(corpus, tmp_path / "again", FAST, cache=cache)
    assert all(s["computed"] == 0 for s in cache.stats.values()), cache.stats
    assert {p for p in cache_dir.rglob("*") if p.is_file()} == after
