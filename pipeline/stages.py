"""The stage registry: each stage's name, the tables it reads and writes, and its function.

A stage is a function ``(tables, context) -> tables``: it reads the named input tables
and returns its output tables. It touches no disk; the context brings the settings, the
editors' decisions and the runtime services (engine, cache, progress). build.py runs
``STAGES`` in order; ``curate <stage>`` runs one of them by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from pipeline.align import align_claims
from pipeline.decisions import (
    Decisions,
    decisions_after_clean,
    decisions_after_dedup,
    decisions_after_reconcile,
)
from pipeline.dedup import find_copies
from pipeline.document_steps import ingest_and_clean, segment_documents
from pipeline.io.schema import columns
from pipeline.reconcile import reconcile_claims
from pipeline.runtime.cache import DocCache
from pipeline.runtime.engine import Engine, PandasEngine
from pipeline.runtime.progress import Progress
from pipeline.settings import Settings

Tables = dict[str, pd.DataFrame]


def _no_progress(_message: str) -> None:
    return None


@dataclass
class StageContext:
    """What a stage may use besides its tables: settings, decisions and runtime services."""

    settings: Settings
    progress: Progress = _no_progress
    decisions: Decisions = field(default_factory=Decisions)
    engine: Engine = field(default_factory=PandasEngine)
    cache: DocCache = field(default_factory=lambda: DocCache(None))


@dataclass(frozen=True)
class Stage:
    """One registered stage: ``run(tables, context)`` reads ``inputs``, returns ``outputs``."""

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    run: Callable[[Tables, StageContext], Tables]


REGISTRY: dict[str, Stage] = {}


def stage(
    name: str, inputs: tuple[str, ...], outputs: tuple[str, ...]
) -> Callable[[Callable[[Tables, StageContext], Tables]], Callable[[Tables, StageContext], Tables]]:
    """Register the decorated function as the stage ``name``."""

    def register(function: Callable[[Tables, StageContext], Tables]):
        REGISTRY[name] = Stage(name, inputs, outputs, function)
        return function

    return register


def empty_table(name: str) -> pd.DataFrame:
    """An output table of the contract with its columns and no rows."""
    return pd.DataFrame(columns=columns(name))


@stage(
    "clean",
    inputs=("raw_files", "raw_sources", "read_errors"),
    outputs=("documents.jsonl", "removed.jsonl", "errors.jsonl", "decisions.jsonl"),
)
def clean_stage(tables: Tables, context: StageContext) -> Tables:
    """Ingest and clean every raw capture; the editors' exclusions apply after."""
    ingested, cleaned, removed, stage_errors = ingest_and_clean(
        tables["raw_files"],
        tables["raw_sources"],
        context.settings,
        context.engine,
        context.cache,
        context.progress,
    )
    cleaned = cleaned.assign(group_id=cleaned["doc_id"], derived_from=None, relation="original")
    parts = [tables.get("read_errors"), stage_errors]
    errors = pd.concat([p for p in parts if p is not None and not p.empty] or [stage_errors])
    result = {
        "documents.jsonl": cleaned,
        "removed.jsonl": removed,
        "errors.jsonl": errors.reset_index(drop=True),
    }
    return decisions_after_clean(result, ingested["doc_id"], context.decisions)


@stage(
    "dedup",
    inputs=("documents.jsonl", "decisions.jsonl"),
    outputs=("documents.jsonl", "relations.jsonl", "decisions.jsonl"),
)
def dedup_stage(tables: Tables, context: StageContext) -> Tables:
    """Find copies and name each group's original; the editors' copy decisions apply after."""
    documents = tables.get("documents.jsonl", empty_table("documents.jsonl"))
    relations = empty_table("relations.jsonl")
    if not documents.empty:
        documents, relations = find_copies(documents, context.settings.dedup, context.engine)
        groups = documents["group_id"].nunique()
        context.progress(f"dedup: {len(relations)} related pairs, {groups} source groups")
    result = {"documents.jsonl": documents, "relations.jsonl": relations}
    return decisions_after_dedup(result, tables, context.decisions)


@stage("align", inputs=("documents.jsonl",), outputs=("sentences.jsonl", "alignments.jsonl"))
def align_stage(tables: Tables, context: StageContext) -> Tables:
    """Split documents into claim sentences and find the pairs that may state one fact."""
    documents = tables.get("documents.jsonl", empty_table("documents.jsonl"))
    if documents.empty:
        return {name: empty_table(name) for name in ("alignments.jsonl", "sentences.jsonl")}
    settings, cache = context.settings.align, context.cache
    sentences = segment_documents(documents, settings, context.engine, cache, context.progress)
    alignments = align_claims(sentences, documents, settings, cache)
    for step in ("embed", "align-pair"):
        cache.report_hits(step, context.progress)
    context.progress(f"align: {len(sentences)} sentences, {len(alignments)} aligned pairs")
    return {"sentences.jsonl": sentences, "alignments.jsonl": alignments}


@stage(
    "reconcile",
    inputs=("documents.jsonl", "sentences.jsonl", "alignments.jsonl", "decisions.jsonl"),
    outputs=("claims.jsonl", "sources.csv", "review.jsonl", "decisions.jsonl"),
)
def reconcile_stage(tables: Tables, context: StageContext) -> Tables:
    """Claims with citations, conflicts and a review queue; the editors' decisions apply after."""
    documents = tables.get("documents.jsonl", empty_table("documents.jsonl"))
    sentences = tables.get("sentences.jsonl", empty_table("sentences.jsonl"))
    alignments = tables.get("alignments.jsonl", empty_table("alignments.jsonl"))
    claims, sources = empty_table("claims.jsonl"), empty_table("sources.csv")
    if not documents.empty:
        claims, sources = reconcile_claims(
            sentences, alignments, documents, context.settings.reconcile
        )
        context.progress(f"reconcile: {len(claims)} claims")
    result = {"claims.jsonl": claims, "sources.csv": sources}
    return decisions_after_reconcile(result, tables, context.decisions)


STAGES: tuple[str, ...] = tuple(REGISTRY)


def run_stage(name: str, tables: Tables, context: StageContext) -> Tables:
    """Run the registered stage ``name`` on ``tables``; an unknown name is a clear error."""
    if name not in REGISTRY:
        raise ValueError(f"unknown stage {name!r}: use one of {', '.join(STAGES)}")
    registered = REGISTRY[name]
    result = registered.run(tables, context)
    undeclared = sorted(set(result) - set(registered.outputs))
    if undeclared:
        raise RuntimeError(f"stage {name} returned tables it does not declare: {undeclared}")
    return result
