"""Per-document steps: a page whose clean needs nothing from the rest of the corpus (no
site template lines: HTML) is cleaned where it is ingested, so its text makes one trip.

Issue #17, points 2 and 4: with the Dask engine the client no longer sends every page's
decoded HTML back to the workers for clean.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.document_steps import ingest_and_clean
from pipeline.io import read_raw_dir
from pipeline.runtime.cache import DocCache
from pipeline.runtime.engine import PandasEngine
from pipeline.settings import CleanSettings, Settings

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "wcxb-dev" / "html"


class CountingEngine(PandasEngine):
    """The in-process engine, counting the documents each step's batch function gets."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def map(
        self, fn: Callable[[Any, Any], Any], parts: Sequence[Any], shared: Any, on_done=None
    ) -> list:
        name = shared[0].__name__  # per_document passes (batch function, its settings)
        self.calls[name] = self.calls.get(name, 0) + sum(len(part) for part in parts)
        return super().map(fn, parts, shared, on_done)


def _quiet(_message: str) -> None:
    return None


@pytest.fixture
def mixed_raw(tmp_path: Path) -> Path:
    """Three real HTML pages and two text captures of one site (which share template lines)."""
    import gzip

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("0001", "0002", "0003"):
        page = gzip.decompress((SHARED / f"{name}.html.gz").read_bytes())
        (raw / f"{name}.html").write_bytes(page)
    footer = "Home | About us | Contact\nCopyright 2026 Example Health. All rights reserved.\n"
    for k, body in enumerate(
        [
            "Fever is a rise in body temperature above 38 degrees Celsius.\n",
            "Children with a fever should drink plenty of fluids and rest.\n",
        ]
    ):
        (raw / f"note{k}.txt").write_text(f"Example Health\n{body}{footer}", encoding="utf-8")
    rows = ["file,url,publisher,title,retrieved,trust"]
    rows += [f"note{k}.txt,https://example.org/note{k},,,," for k in range(2)]
    (raw / "sources.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return raw


def _run(raw: Path, engine: PandasEngine, settings: Settings, cache: DocCache) -> tuple:
    files, sources, _errors = read_raw_dir(raw, settings.ingest)
    return ingest_and_clean(files, sources, settings, engine, cache, _quiet)


def test_html_is_cleaned_where_it_is_ingested(mixed_raw: Path) -> None:
    engine = CountingEngine()
    _ingested, documents, removed, errors = _run(mixed_raw, engine, Settings(), DocCache(None))
    assert engine.calls == {"_ingest_batch": 5, "_clean_batch": 2}  # only the text captures
    assert len(documents) == 5 and errors.empty
    html = documents[documents["format"] == "html"]
    assert len(html) == 3 and html["text"].str.len().min() > 200
    assert set(removed["doc_id"]) >= set(html["doc_id"])  # each page's chrome was removed


def test_clean_settings_changed_after_a_cached_ingest(mixed_raw: Path, tmp_path: Path) -> None:
    """The ingest cache keeps no clean result: a changed clean setting recleans every page
    (ingest from the cache), the same as a build with no cache at all."""
    cache = DocCache(tmp_path / "cache")
    _run(mixed_raw, CountingEngine(), Settings(), cache)
    changed = Settings(clean=CleanSettings(recall_fallback_ratio=0.9))
    engine = CountingEngine()
    _, cached_docs, cached_removed, _ = _run(mixed_raw, engine, changed, cache)
    assert engine.calls == {"_clean_batch": 5}  # ingest hit, clean recomputed for all five
    _, fresh_docs, fresh_removed, _ = _run(mixed_raw, CountingEngine(), changed, DocCache(None))
    pd.testing.assert_frame_equal(cached_docs, fresh_docs)
    pd.testing.assert_frame_equal(cached_removed, fresh_removed)
