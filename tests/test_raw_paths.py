"""raw_files lists paths and digests, never bytes: each page is read where it is ingested.

Issue #17, point 2: the client's memory does not grow with the corpus, and the Dask
engine ships paths to the workers, not pages.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from raw_files import raw_frame
from small_corpus import write_corpus

import pipeline.build
from pipeline.build import build
from pipeline.document_steps import ingest_and_clean
from pipeline.ingest.stage import ingest_file, validate_sources
from pipeline.io import read_raw_dir
from pipeline.io.raw import read_listed
from pipeline.runtime.cache import DocCache, sha256_text
from pipeline.runtime.engine import PandasEngine, make_engine
from pipeline.settings import AlignSettings, IngestSettings, Settings
from pipeline.tables import RAW_FILE_COLUMNS

# The lexical embedder keeps the builds fast (no model load).
FAST = Settings(align=AlignSettings(embedder="lexical"))
NO_SOURCES = pd.DataFrame(columns=["file"])


def _quiet(_message: str) -> None:
    return None


def _pages(raw: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(raw.iterdir()) if p.name != "sources.csv"}


def test_raw_files_holds_paths_and_digests_not_pages(tmp_path: Path) -> None:
    raw = write_corpus(tmp_path / "raw", 40)
    pages = _pages(raw)
    files, _, errors = read_raw_dir(raw, IngestSettings())
    assert errors == [] and list(files.columns) == RAW_FILE_COLUMNS
    assert sorted(files["source_file"]) == sorted(pages)
    for row in files.to_dict("records"):
        data = pages[row["source_file"]]
        assert Path(row["path"]).is_absolute() and Path(row["path"]).read_bytes() == data
        assert (row["size"], row["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert not any(isinstance(v, bytes) for v in files.to_numpy().ravel())
    # Each row is a path and a digest: its memory does not depend on the page's size.
    total = sum(len(d) for d in pages.values())
    assert files.memory_usage(deep=True).sum() < min(total / 5, 600 * len(pages))


def test_dask_ships_paths_to_the_workers_not_pages(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("distributed")
    raw = write_corpus(tmp_path / "raw", 40)
    pages = _pages(raw)
    files, sources, _ = read_raw_dir(raw, IngestSettings())
    local = ingest_and_clean(files, sources, FAST, PandasEngine(), DocCache(None), _quiet)
    engine = make_engine("dask", workers=1)
    shipped: list[bytes] = []
    send = engine.map

    def spy(fn: Any, parts: Any, shared: Any, on_done: Any = None) -> list:
        if shared[0].__name__ == "_ingest_batch":
            shipped.extend(pickle.dumps(part) for part in parts)
        return send(fn, parts, shared, on_done)

    monkeypatch.setattr(engine, "map", spy)
    try:
        remote = ingest_and_clean(files, sources, FAST, engine, DocCache(None), _quiet)
    finally:
        engine.close()
    assert shipped, "the ingest step sent nothing to the cluster"
    payload = b"".join(shipped)
    assert len(payload) < sum(len(d) for d in pages.values()) / 5
    for path, data in zip(files["path"], (pages[f] for f in files["source_file"]), strict=True):
        assert path.encode() in payload
        middle = data[len(data) // 2 : len(data) // 2 + 64]
        assert middle not in payload, "a page's bytes were shipped"
    for mine, theirs in zip(local, remote, strict=True):
        pd.testing.assert_frame_equal(mine, theirs)  # the workers read the same pages


def test_a_page_deleted_or_rewritten_after_listing_is_one_error_and_the_build_goes_on(
    tmp_path: Path, raw_dir: Path, monkeypatch
) -> None:
    raw = shutil.copytree(raw_dir, tmp_path / "raw")
    gone, changed = "000_d9c78c9f329d1f8b.txt", "001_a4ac4428451ab202.txt"
    listed: list[pd.DataFrame] = []
    list_raw = pipeline.build.read_raw_dir

    def list_then_change(*args: Any) -> Any:
        found = list_raw(*args)
        listed.append(found[0])
        (raw / gone).unlink()
        (raw / changed).write_text("Rewritten while the build ran.\n", encoding="utf-8")
        return found

    monkeypatch.setattr(pipeline.build, "read_raw_dir", list_then_change)
    build(raw, tmp_path / "out", FAST)
    out = tmp_path / "out"
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(e["source_file"], e["error"]) for e in errors] == [
        (gone, "file vanished after raw/ was listed; not ingested"),
        (changed, "file changed after raw/ was listed; not ingested"),
    ]
    assert "FileNotFoundError" in errors[0]["detail"] and "sha256" in errors[1]["detail"]
    assert not any(str(tmp_path) in e["detail"] for e in errors)  # no machine's paths
    documents = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    assert sorted(d["source_file"] for d in documents) == sorted(
        set(_pages(raw_dir)) - {gone, changed}
    )
    assert (out / "claims.jsonl").stat().st_size > 0
    # The build's own table held paths and digests only.
    assert list(listed[0].columns) == RAW_FILE_COLUMNS
    assert listed[0].memory_usage(deep=True).sum() < sum(map(len, _pages(raw_dir).values()))


def test_a_page_changed_after_listing_is_not_cached(tmp_path: Path, raw_dir: Path) -> None:
    """Its error says nothing about the listed bytes: once they are back, it is ingested."""
    seed = raw_dir / "002_5d08cec136fc3026.txt"
    files = raw_frame(tmp_path / "raw", {seed.name: seed.read_bytes()})
    cache = DocCache(tmp_path / "cache")
    (tmp_path / "raw" / seed.name).write_bytes(seed.read_bytes().upper())
    _, docs, _, errors = ingest_and_clean(files, NO_SOURCES, FAST, PandasEngine(), cache, _quiet)
    assert docs.empty and list(errors["error"]) == [
        "file changed after raw/ was listed; not ingested"
    ]
    (tmp_path / "raw" / seed.name).write_bytes(seed.read_bytes())
    _, docs, _, errors = ingest_and_clean(files, NO_SOURCES, FAST, PandasEngine(), cache, _quiet)
    assert list(docs["source_file"]) == [seed.name] and errors.empty


def test_read_listed_refuses_a_grown_file_without_reading_all_of_it(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Aspirin thins the blood.\n")
    files = raw_frame(tmp_path, {"page.txt": page.read_bytes()})
    size, digest = int(files["size"][0]), files["sha256"][0]
    assert read_listed(files["path"][0], size, digest) == page.read_bytes()
    page.write_bytes(page.read_bytes() * 1000)
    with pytest.raises(OSError, match="grew past the 25 bytes"):
        read_listed(files["path"][0], size, digest)


def test_an_ingest_entry_cached_before_still_hits(tmp_path: Path, raw_dir: Path) -> None:
    """The key holds the same sha256 as when the bytes themselves were hashed."""
    files, sources, _ = read_raw_dir(raw_dir, FAST.ingest)
    cache = DocCache(tmp_path / "cache")
    ingest_set = dataclasses.asdict(FAST.ingest)
    by_file, _ = validate_sources(sources)
    for name in files["source_file"]:
        data = (raw_dir / name).read_bytes()
        source = by_file.get(name, {})
        # The key as it was made when raw_files held the bytes: sha256_text(data).
        key = cache.key("ingest", name, sha256_text(data), source, ingest_set)
        outcomes = ingest_file(name, data, source, FAST.ingest)
        outcomes[0][1]["content"] = f"Planted for {name}."
        cache.put("ingest", key, [list(o) for o in outcomes])
    ingested, _, _, errors = ingest_and_clean(files, sources, FAST, PandasEngine(), cache, _quiet)
    assert cache.stats["ingest"] == {"cached": len(files), "computed": 0}
    assert list(ingested["content"]) == [f"Planted for {n}." for n in sorted(files["source_file"])]
    assert errors.empty
