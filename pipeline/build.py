"""The in-process engine: run every stage on tables, then write processed/ at once."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pandas as pd

from pipeline import __version__
from pipeline.align import align_claims
from pipeline.cache import DocCache
from pipeline.corpus_md import render_corpus_md
from pipeline.decisions import Decisions, parse_decisions
from pipeline.decisions_hooks import (
    decisions_after_clean,
    decisions_after_dedup,
    decisions_after_reconcile,
)
from pipeline.dedup import find_copies
from pipeline.docsteps import ingest_and_clean, segment_documents
from pipeline.engine import Engine, PandasEngine
from pipeline.io import (
    csv_bytes,
    jsonl_bytes,
    read_csv_table,
    read_decisions_text,
    read_raw_dir,
    write_output_dir,
)
from pipeline.manifest import json_bytes, manifest
from pipeline.outdir import prepare_output
from pipeline.progress import Progress
from pipeline.reconcile import reconcile_claims
from pipeline.report import load_processed, render_reports
from pipeline.report.render import PageCache
from pipeline.report.tables import complete_tables
from pipeline.schema import FIELDS, columns, datapackage
from pipeline.settings import Settings
from pipeline.tables import ERROR_COLUMNS


def _no_progress(_message: str) -> None:
    return None


STAGES = ("clean", "dedup", "align", "reconcile")


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=columns(name))


def run_stage(
    stage: str,
    tables: dict[str, pd.DataFrame],
    settings: Settings,
    progress: Progress = _no_progress,
    decisions: Decisions | None = None,
    engine: Engine | None = None,
    cache: DocCache | None = None,
) -> dict[str, pd.DataFrame]:
    """Run one stage on ``tables`` (file name -> table) and return the tables it writes.

    ``clean`` reads ``raw_files`` and ``raw_sources`` (ingest + clean); ``dedup`` reads
    documents; ``align`` reads documents; ``reconcile`` reads documents, sentences and
    alignments. An empty corpus gives empty tables, never an error. The editors'
    ``decisions`` apply after clean, dedup and reconcile; their statuses go to
    ``decisions.jsonl`` (and unknown doc_ids to ``errors.jsonl``). ``engine`` runs the
    partitioned work (default: in-process); ``cache`` keeps per-document results.
    """
    decisions = decisions or Decisions()
    engine = engine or PandasEngine()
    cache = cache or DocCache(None)
    documents = tables.get("documents.jsonl", _empty("documents.jsonl"))
    if stage == "clean":
        ingested, cleaned, removed, stage_errors = ingest_and_clean(
            tables["raw_files"], tables["raw_sources"], settings, engine, cache, progress
        )
        cleaned = cleaned.assign(group_id=cleaned["doc_id"], derived_from=None, relation="original")
        parts = [tables.get("read_errors"), stage_errors]
        errors = pd.concat([p for p in parts if p is not None and not p.empty] or [stage_errors])
        result = {
            "documents.jsonl": cleaned,
            "removed.jsonl": removed,
            "errors.jsonl": errors.reset_index(drop=True),
        }
        return decisions_after_clean(result, ingested["doc_id"], decisions)
    if stage == "dedup":
        relations = _empty("relations.jsonl")
        if not documents.empty:
            documents, relations = find_copies(documents, settings.dedup, engine)
            groups = documents["group_id"].nunique()
            progress(f"dedup: {len(relations)} related pairs, {groups} source groups")
        result = {"documents.jsonl": documents, "relations.jsonl": relations}
        return decisions_after_dedup(result, tables, decisions)
    if stage == "align":
        if documents.empty:
            empty = {"sentences.jsonl", "alignments.jsonl"}
            return {name: _empty(name) for name in sorted(empty)}
        sentences = segment_documents(documents, settings.align, engine, cache, progress)
        alignments = align_claims(sentences, documents, settings.align, cache)
        for step in ("embed", "align-pair"):
            cache.report_hits(step, progress)
        progress(f"align: {len(sentences)} sentences, {len(alignments)} aligned pairs")
        return {"sentences.jsonl": sentences, "alignments.jsonl": alignments}
    if stage == "reconcile":
        sentences = tables.get("sentences.jsonl", _empty("sentences.jsonl"))
        alignments = tables.get("alignments.jsonl", _empty("alignments.jsonl"))
        claims, sources = _empty("claims.jsonl"), _empty("sources.csv")
        if not documents.empty:
            claims, sources = reconcile_claims(sentences, alignments, documents, settings.reconcile)
            progress(f"reconcile: {len(claims)} claims")
        result = {"claims.jsonl": claims, "sources.csv": sources}
        return decisions_after_reconcile(result, tables, decisions)
    raise ValueError(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")


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
    """ingest + clean -> dedup -> align -> reconcile on in-memory tables, with the
    editors' ``decisions`` applied along the way (``engine``, ``cache``: see run_stage)."""
    started = time.perf_counter()
    tables: dict[str, pd.DataFrame] = {"raw_files": raw_files, "raw_sources": sources}
    if read_errors is not None:
        tables["read_errors"] = read_errors
    for stage in STAGES:
        tables.update(run_stage(stage, tables, settings, progress, decisions, engine, cache))
    progress(f"stages done in {time.perf_counter() - started:.1f}s")
    return {name: frame for name, frame in tables.items() if name in FIELDS}


def _sorted_errors(errors: pd.DataFrame) -> pd.DataFrame:
    if errors.empty:
        return pd.DataFrame(columns=ERROR_COLUMNS)
    return errors.sort_values(ERROR_COLUMNS, kind="stable").reset_index(drop=True)


SORT_KEYS = {
    "documents.jsonl": ["doc_id"],
    "removed.jsonl": ["doc_id", "seq"],
    "errors.jsonl": ERROR_COLUMNS,
    "relations.jsonl": ["original", "copy"],
    "sentences.jsonl": ["doc_id", "sentence_id"],
    "alignments.jsonl": ["sentence_a", "sentence_b"],
    "review.jsonl": ["claim_id", "sentence_id"],
    "sources.csv": ["key"],
}


def _sorted(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in SORT_KEYS.get(name, []) if k in frame.columns]
    if frame.empty or not keys:
        return frame.reset_index(drop=True)
    order = frame[keys].astype(str)
    return frame.loc[order.sort_values(keys, kind="stable").index].reset_index(drop=True)


def serialise(
    tables: dict[str, pd.DataFrame],
    raw_files: pd.DataFrame,
    raw: Path,
    settings: Settings,
    previous: dict[str, pd.DataFrame] | None = None,
    previous_changes: bytes | None = None,
    cache: DocCache | None = None,
) -> dict[str, bytes]:
    """All processed/ files as bytes: tables, corpus.md, reports/, manifest and datapackage.

    ``previous`` is the last build's tables (for reports/changes.html), or None. When the
    tables come out identical to ``previous``, the last ``changes.html`` is kept
    (``previous_changes``): a rebuild of unchanged inputs changes nothing. ``cache``
    keeps rendered report pages of documents and relations between builds.
    """
    files: dict[str, bytes] = {}
    for name, frame in sorted(tables.items()):
        if name not in FIELDS:
            continue
        frame = _sorted(name, frame)
        if name.endswith(".csv"):
            files[name] = csv_bytes(frame, columns(name))
        else:
            files[name] = jsonl_bytes(frame, _columns(frame, name))
    if "claims.jsonl" in tables and "sources.csv" in tables:
        text = render_corpus_md(tables["claims.jsonl"], tables["sources.csv"])
        files["corpus.md"] = text.encode("utf-8")
    written = complete_tables(
        {name: _read_table(name, data) for name, data in files.items() if name in FIELDS}
    )
    unchanged = previous is not None and all(
        _same_table(previous.get(name), frame) for name, frame in written.items()
    )
    for name, page in render_reports(written, previous, cache).items():
        files[f"reports/{name}"] = page
    if unchanged and previous_changes is not None:
        files["reports/changes.html"] = previous_changes
    files["datapackage.json"] = json_bytes(datapackage(files, __version__))
    files["manifest.json"] = json_bytes(manifest(files, raw_files, raw, settings))
    return files


def _columns(frame: pd.DataFrame, name: str) -> list[str]:
    """The contract's columns first, then any extra columns the stage added."""
    contract = columns(name)
    return contract + [c for c in frame.columns if c not in contract]


def _read_table(name: str, data: bytes) -> pd.DataFrame:
    if name.endswith(".csv"):
        return read_csv_table(io.BytesIO(data))
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line]
    return pd.DataFrame(rows, columns=None if rows else columns(name))


def _same_table(old: pd.DataFrame | None, new: pd.DataFrame) -> bool:
    if old is None:
        return new.empty
    if old.empty and new.empty:
        return True
    try:
        return old.astype(str).reset_index(drop=True).equals(new.astype(str).reset_index(drop=True))
    except (ValueError, TypeError):
        return False


def _write(
    out: Path,
    tables: dict[str, pd.DataFrame],
    raw_files: pd.DataFrame,
    raw: Path,
    settings: Settings,
    progress: Progress,
    cache: DocCache | None = None,
) -> None:
    previous = load_processed(out) if (out / "documents.jsonl").is_file() else None
    changes = out / "reports" / "changes.html"
    previous_changes = changes.read_bytes() if previous is not None and changes.is_file() else None
    files = serialise(tables, raw_files, raw, settings, previous, previous_changes, cache)
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
    ``out`` is checked first (:func:`pipeline.outdir.prepare_output`).
    """
    for message in prepare_output(raw, out):
        progress(message)
    raw_files, sources, read_errors = read_raw_dir(raw, settings.ingest)
    decisions = parse_decisions(read_decisions_text(raw))
    progress(f"read {len(raw_files)} files from {raw}")
    errors = pd.DataFrame(read_errors, columns=ERROR_COLUMNS)
    tables = run_stages(raw_files, sources, settings, progress, errors, decisions, engine, cache)
    _write(out, tables, raw_files, raw, settings, progress, cache)
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
    raw_files, sources, read_errors = read_raw_dir(raw, settings.ingest)
    decisions = parse_decisions(read_decisions_text(raw))
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
        tables.update(run_stage(stage, tables, settings, progress, decisions))
    kept = {name: frame for name, frame in tables.items() if name in FIELDS}
    _write(out, kept, raw_files, raw, settings, progress)
    return kept
