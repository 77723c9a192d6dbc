"""Per-document steps (ingest, clean, segment) on an engine, through the cache.

Each step computes a cache key per document from what its result depends on, reads the
hits, runs the misses in partitions on the engine and stores their results. Results
are plain JSON-able values assembled into tables in document order, so the tables do
not depend on the engine, the partitioning or what came from the cache.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd

from pipeline.align import segment_claims
from pipeline.clean import assemble_cleaned, clean_row, find_template_lines
from pipeline.ingest import (
    Listed,
    ingest_listed,
    listed_files,
    merge_ingested,
    unread,
    validate_sources,
)
from pipeline.runtime.cache import DocCache, sha256_text
from pipeline.runtime.cache_shapes import clean_entry_ok, ingest_entry_ok, segment_entry_ok
from pipeline.runtime.engine import Engine, chunks
from pipeline.runtime.progress import Progress, start_bar
from pipeline.settings import AlignSettings, CleanSettings, IngestSettings, Settings
from pipeline.tables import error_row

Batch = Callable[[list[Any], Any], list[Any]]
# Parts a step's misses are cut into: enough for a smooth bar and balanced workers.
_MIN_PARTS = 50


def _run_batch(batch: list[Any], spec: tuple[Batch, Any]) -> list[Any]:
    fn, shared = spec
    return fn(batch, shared)


def per_document(
    step: str,
    keys: list[str],
    payloads: Callable[[int], Any],
    fn: Batch,
    shared: Any,
    engine: Engine,
    cache: DocCache,
    progress: Progress,
    valid: Callable[[Any], bool] | None = None,
    keep: Callable[[Any], bool] | None = None,
    stored: Callable[[Any], Any] | None = None,
    ready: dict[int, Any] | None = None,
) -> list[Any]:
    """One result per key: from ``cache`` when it holds one (of the shape ``valid``
    accepts: anything else is a miss), else ``ready[index]`` when an earlier step already
    computed it, else computed by ``fn([payloads(i), ...], shared)`` in partitions on
    ``engine``. Computed results are stored (``stored(value)`` of them when given: what
    the cache keeps of a result that carries more), unless ``keep`` refuses them."""
    results: list[Any] = [None] * len(keys)
    misses: list[int] = []
    for index, key in enumerate(keys):
        hit, value = cache.get(step, key)
        if hit and (valid is None or valid(value)):
            results[index] = value
        else:
            misses.append(index)
    cache.count(step, len(keys) - len(misses), len(misses))
    ready = ready or {}
    for index in (i for i in misses if i in ready):
        results[index] = ready[index]
        cache.put(step, keys[index], results[index])
    misses = [i for i in misses if i not in ready]
    if misses:
        parts = chunks(misses, max(_MIN_PARTS, engine.partitions * 8))
        bar = start_bar(progress, step, len(misses))
        computed = engine.map(
            _run_batch,
            [[payloads(i) for i in part] for part in parts],
            (fn, shared),
            on_done=lambda k: bar.update(len(parts[k])),
        )
        bar.close()
        for part, values in zip(parts, computed, strict=True):
            for index, value in zip(part, values, strict=True):
                results[index] = value
                if keep is None or keep(value):
                    cache.put(step, keys[index], value if stored is None else stored(value))
    cache.report_hits(step, progress)
    return results


# Formats cleaned without template lines (find_template_lines counts text and Markdown
# captures only): their clean needs nothing from the rest of the corpus.
_TEMPLATED_FORMATS = ("text", "markdown")


def _ingest_batch(
    batch: list[tuple[Listed, dict]], settings: tuple[IngestSettings, CleanSettings]
) -> list:
    """Ingest each listed capture, reading its bytes here (on the worker that runs this),
    and clean at once every document whose clean needs no template lines, so its page
    text is not sent back to this worker for clean: ``{"ingest": outcomes, "clean":
    [[doc_id, clean result], ...]}`` per capture (the cache keeps the outcomes only)."""
    ingest_settings, clean_settings = settings
    found = []
    for listed, source in batch:
        outcomes = ingest_listed(listed, source, ingest_settings)
        early = [
            [row["doc_id"], _reported(row, clean_row(row, clean_settings, frozenset()))]
            for _doc_id, row, _error in outcomes
            if row is not None and row.get("format") not in _TEMPLATED_FORMATS
        ]
        found.append({"ingest": [list(o) for o in outcomes], "clean": early})
    return found


def _ingest_outcomes(value: Any) -> Any:
    """The ingest outcomes of a computed result or a cache entry."""
    return value["ingest"] if isinstance(value, dict) else value


# libxml2 drops a text node longer than this (without its huge_tree option), silently.
HTML_TEXT_NODE_LIMIT = 10_000_000


def _reported(row: dict, outcome: Any) -> list:
    """``outcome`` of clean_row, with an error row when an HTML text run over the
    parser's limit was dropped (the page's text shrank to less than half of that run)."""
    text, flags, removed, errors = outcome
    content = row.get("content")
    if row.get("format") != "html" or not isinstance(content, str) or text is None:
        return list(outcome)
    if len(content) <= HTML_TEXT_NODE_LIMIT:
        return list(outcome)
    run = max(len(part) for part in content.split("<"))
    if run > HTML_TEXT_NODE_LIMIT and len(text) < run // 2:
        message = "a text run over 10 MB was dropped by the HTML parser; its text is missing"
        detail = f"{run} characters without markup; the document keeps {len(text)} characters"
        errors = [*errors, error_row(row["source_file"], "clean", message, detail)]
    return [text, flags, removed, errors]


def _clean_batch(batch: list[tuple[dict, list[str]]], settings: CleanSettings) -> list:
    return [_reported(row, clean_row(row, settings, frozenset(lines))) for row, lines in batch]


def _segment_batch(batch: list[tuple[str, str]], settings: AlignSettings) -> list:
    frame = pd.DataFrame(batch, columns=["doc_id", "text"])
    by_doc: dict[str, list[dict]] = {doc_id: [] for doc_id, _ in batch}
    for record in segment_claims(frame, settings).to_dict("records"):
        by_doc[str(record["doc_id"])].append(record)
    return [by_doc[doc_id] for doc_id, _ in batch]


def _settings_dict(settings: object) -> dict[str, Any]:
    return dataclasses.asdict(settings)  # type: ignore[call-overload]


def ingest_and_clean(
    raw_files: pd.DataFrame,
    sources: pd.DataFrame,
    settings: Settings,
    engine: Engine,
    cache: DocCache,
    progress: Progress,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Ingest and clean every raw file: (ingested, cleaned, removed, errors)."""
    by_file, errors = validate_sources(sources)
    files = listed_files(raw_files)  # paths and digests: the bytes are read by the batch
    ingest_set = _settings_dict(settings.ingest)
    # The key holds the raw bytes' sha256 (as sha256_text of the bytes gave it).
    keys = [
        cache.key("ingest", name, sha256, by_file.get(name, {}), ingest_set)
        for name, _path, _size, sha256 in files
    ]
    found = per_document(
        "ingest",
        keys,
        lambda i: (files[i], by_file.get(files[i][0], {})),
        _ingest_batch,
        (settings.ingest, settings.clean),
        engine,
        cache,
        progress,
        ingest_entry_ok,
        keep=lambda value: not unread(_ingest_outcomes(value)),
        stored=_ingest_outcomes,
    )
    outcomes = [_ingest_outcomes(value) for value in found]
    early = {
        (listed[0], str(doc_id)): result
        for listed, value in zip(files, found, strict=True)
        if isinstance(value, dict)
        for doc_id, result in value["clean"]
    }
    named = [(listed[0], found) for listed, found in zip(files, outcomes, strict=True)]
    ingested, ingest_errors = merge_ingested(named, by_file, errors, set(raw_files["source_file"]))
    progress(f"ingest: {len(ingested)} documents, {len(ingest_errors)} errors")
    template = find_template_lines(ingested, settings.clean)
    rows = ingested.to_dict("records")
    lines = [sorted(template.get(row["doc_id"], frozenset())) for row in rows]
    clean_set = _settings_dict(settings.clean)
    keys = []
    for row, row_lines in zip(rows, lines, strict=True):
        identity = [row[c] for c in ("doc_id", "source_file", "format", "url", "flags")]
        keys.append(cache.key("clean", identity, sha256_text(row["content"]), row_lines, clean_set))
    cleaned = per_document(
        "clean",
        keys,
        lambda i: (rows[i], lines[i]),
        _clean_batch,
        settings.clean,
        engine,
        cache,
        progress,
        clean_entry_ok,
        ready={
            i: result
            for i, row in enumerate(rows)
            if not lines[i]
            and (result := early.get((row["source_file"], str(row["doc_id"])))) is not None
        },
    )
    documents, removed, clean_errors = assemble_cleaned(ingested, [tuple(c) for c in cleaned])
    progress(f"clean: {len(removed)} spans removed, {len(clean_errors)} errors")
    found = [e for e in (ingest_errors, clean_errors) if not e.empty] or [ingest_errors]
    return ingested, documents, removed, pd.concat(found).reset_index(drop=True)


def segment_documents(
    documents: pd.DataFrame,
    settings: AlignSettings,
    engine: Engine,
    cache: DocCache,
    progress: Progress,
) -> pd.DataFrame:
    """The sentences table (as ``segment_claims`` gives it), per document."""
    docs = sorted(
        (doc_id, text)
        for doc_id, text in zip(documents["doc_id"].astype(str), documents["text"], strict=True)
        if isinstance(text, str) and text.strip()
    )
    align_set = _settings_dict(settings)
    keys = [cache.key("segment", doc_id, sha256_text(text), align_set) for doc_id, text in docs]
    template = segment_claims(pd.DataFrame(columns=["doc_id", "text"]), settings)
    found = per_document(
        "segment",
        keys,
        lambda i: docs[i],
        _segment_batch,
        settings,
        engine,
        cache,
        progress,
        segment_entry_ok(template),
    )
    records = [record for rows in found for record in rows]
    frame = pd.DataFrame(records, columns=template.columns)
    return frame.astype(template.dtypes.to_dict())
