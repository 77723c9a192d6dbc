"""Build raw/ into processed/: read, run the registered stages in order, write at once."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from pipeline.decisions import Decisions, parse_decisions
from pipeline.io import decisions_text, read_control_files, read_raw_dir, write_output_dir
from pipeline.io.outdir import prepare_output
from pipeline.io.schema import FIELDS
from pipeline.outputs import serialise
from pipeline.report import PageCache, load_processed
from pipeline.runtime.cache import DocCache
from pipeline.runtime.engine import Engine, PandasEngine
from pipeline.runtime.progress import Progress
from pipeline.settings import Settings
from pipeline.stages import STAGES, StageContext, run_stage
from pipeline.tables import ERROR_COLUMNS


def _no_progress(_message: str) -> None:
    return None


def run_stages(
    raw_files: pd.DataFrame,
    sources: pd.DataFrame,
    settings: Settings,
    progress: Progress = _no_progress,
    read_errors: pd.DataFrame | None = None,
    decisions: Decisions | None = None,
    engine: Engine | None = None,
    cache: DocCache | None = None,
) -> dict[str, pd.DataFrame]:
    """Every registered stage in order on in-memory tables, with the editors' ``decisions``
    applied along the way. ``engine`` runs the partitioned work (default: in-process);
    ``cache`` keeps per-document results (default: none). Neither changes the output."""
    started = time.perf_counter()
    context = StageContext(
        settings,
        progress,
        decisions or Decisions(),
        engine or PandasEngine(),
        cache or DocCache(None),
    )
    tables: dict[str, pd.DataFrame] = {"raw_files": raw_files, "raw_sources": sources}
    if read_errors is not None:
        tables["read_errors"] = read_errors
    for name in STAGES:
        tables.update(run_stage(name, tables, context))
    progress(f"stages done in {time.perf_counter() - started:.1f}s")
    return {name: frame for name, frame in tables.items() if name in FIELDS}


def _write(
    out: Path,
    tables: dict[str, pd.DataFrame],
    raw_files: pd.DataFrame,
    controls: dict[str, bytes],
    settings: Settings,
    progress: Progress,
    cache: DocCache | None = None,
) -> None:
    previous = load_processed(out) if (out / "documents.jsonl").is_file() else None
    changes = out / "reports" / "changes.html"
    previous_changes = changes.read_bytes() if previous is not None and changes.is_file() else None
    stamp = out / "manifest.json"
    previous_manifest = stamp.read_bytes() if previous is not None and stamp.is_file() else None
    files = serialise(
        tables, raw_files, controls, settings, previous, previous_changes, cache, previous_manifest
    )
    if cache is not None:
        cache.report_hits(PageCache.STEP, progress)
    write_output_dir(out, files)
    progress(f"wrote {len(files)} files to {out}")


def build(
    raw: Path,
    out: Path,
    settings: Settings,
    progress: Progress = _no_progress,
    engine: Engine | None = None,
    cache: DocCache | None = None,
) -> dict[str, pd.DataFrame]:
    """Build ``raw`` into ``out``: read, run every stage, write all outputs atomically.

    ``engine`` (default: in-process pandas) runs the partitioned work; ``cache`` (default:
    none) keeps per-document results between builds. Neither changes the output.
    ``out`` is checked first (:func:`pipeline.io.outdir.prepare_output`).
    """
    for message in prepare_output(raw, out):
        progress(message)
    controls = read_control_files(raw)
    raw_files, sources, read_errors = read_raw_dir(raw, settings.ingest, controls)
    decisions = parse_decisions(decisions_text(controls))
    progress(f"read {len(raw_files)} files from {raw}")
    errors = pd.DataFrame(read_errors, columns=ERROR_COLUMNS)
    tables = run_stages(raw_files, sources, settings, progress, errors, decisions, engine, cache)
    _write(out, tables, raw_files, controls, settings, progress, cache)
    return tables


def run_one_stage(
    stage: str, raw: Path, out: Path, settings: Settings, progress: Progress = _no_progress
) -> dict[str, pd.DataFrame]:
    """Run one stage (or ``report``) on the tables already in ``out``, and rewrite ``out``.

    ``clean`` starts from ``raw``; the others read what the earlier stages wrote to
    ``out``; ``report`` only renders reports/ again.
    """
    for message in prepare_output(raw, out):
        progress(message)
    controls = read_control_files(raw)
    raw_files, sources, read_errors = read_raw_dir(raw, settings.ingest, controls)
    decisions = parse_decisions(decisions_text(controls))
    tables: dict[str, pd.DataFrame] = {}
    if (out / "documents.jsonl").is_file():
        tables = {k: v for k, v in load_processed(out).items() if (out / k).is_file()}
        documents = tables["documents.jsonl"]
        documents["trust"] = pd.to_numeric(documents["trust"]).astype("Int64")
        documents["derived_from"] = documents["derived_from"].astype(object)
        documents.loc[documents["derived_from"].isna(), "derived_from"] = None
    elif stage != "clean":
        raise FileNotFoundError(f"{out} holds no documents.jsonl: run `curate clean` first")
    if stage != "report":
        tables.update({"raw_files": raw_files, "raw_sources": sources})
        tables["read_errors"] = pd.DataFrame(read_errors, columns=ERROR_COLUMNS)
        tables.update(run_stage(stage, tables, StageContext(settings, progress, decisions)))
    kept = {name: frame for name, frame in tables.items() if name in FIELDS}
    _write(out, kept, raw_files, controls, settings, progress)
    return kept
