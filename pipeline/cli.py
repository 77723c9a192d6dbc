"""The ``curate`` command line: thin wrappers that parse arguments and call stages."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import click

from pipeline import __version__
from pipeline.decisions import DecisionsError
from pipeline.errors import EmbedderUnavailable
from pipeline.io.outdir import OutputError
from pipeline.runtime.progress import BarFactory
from pipeline.settings import Settings, load_settings

RAW_OPTION = click.option(
    "--raw",
    "raw",
    type=click.Path(path_type=Path),
    default=Path("raw"),
    show_default=True,
    help="Folder of raw captures (and optional sources.csv).",
)
OUT_OPTION = click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("processed"),
    show_default=True,
    help="Folder to write processed outputs into (replaced atomically).",
)
CONFIG_OPTION = click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="TOML file of settings (default: [tool.curate] of ./pyproject.toml).",
)


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config, Path.cwd())
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(f"bad settings: {exc}") from exc


class _Reporter:
    def __init__(self, quiet: bool, verbose: int) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.bar = BarFactory(self, quiet, verbose)

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"curate: {message}", err=True)


@click.group()
@click.version_option(__version__, prog_name="curate")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", count=True, help="More detail on progress.")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: int) -> None:
    """Curate web captures into a clean, deduplicated, cited corpus."""
    ctx.obj = _Reporter(quiet, verbose)


@main.command()
@RAW_OPTION
@OUT_OPTION
@CONFIG_OPTION
@click.option(
    "--engine",
    type=click.Choice(["pandas", "dask"]),
    default="pandas",
    show_default=True,
    help="pandas: in this process. dask: partitions on a Dask cluster (same output).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Worker processes of the local Dask cluster (--engine dask).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Use an existing Dask cluster (e.g. tcp://host:8786) instead of a local one.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of cached per-document results [default: .curate-cache/ beside OUT].",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--prune-cache",
    is_flag=True,
    help="After the build, delete cache entries it did not use (old code versions, "
    "settings, removed pages).",
)
@click.pass_obj
def build(
    reporter: _Reporter,
    raw: Path,
    out: Path,
    config: Path | None,
    engine: str,
    workers: int,
    scheduler: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    prune_cache: bool,
) -> None:
    """Run every stage on RAW and write OUT."""
    from pipeline.build import build as run_build
    from pipeline.runtime.cache import DocCache, default_cache_dir

    settings = _settings(config)
    if not raw.is_dir():
        raise click.ClickException(f"raw folder not found: {raw}")
    if scheduler and engine != "dask":
        raise click.ClickException("--scheduler needs --engine dask")
    cache = DocCache(None if no_cache else (cache_dir or default_cache_dir(out)))
    runner = _start_engine(reporter, engine, workers, scheduler)
    try:
        tables = run_build(raw, out, settings, reporter, runner, cache)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from exc
    except (DecisionsError, EmbedderUnavailable) as exc:
        raise click.ClickException(f"{exc}; {out} was left as it was.") from exc
    except OSError as exc:
        raise click.ClickException(f"could not write {out}: {exc}") from exc
    except Exception as exc:
        if reporter.verbose:
            raise
        raise click.ClickException(
            f"internal error ({type(exc).__name__}: {exc}); {out} was left as it was."
            " Run with -v for the traceback and report it."
        ) from exc
    finally:
        runner.close()
    if prune_cache and cache.enabled:
        removed, freed = cache.prune()
        reporter(
            f"cache: removed {removed} unused entries ({freed / 1e6:.1f} MB) from {cache.root}"
        )
    errors = len(tables["errors.jsonl"])
    reporter(
        f"built {len(tables['documents.jsonl'])} documents into {out}"
        + (
            f"; {errors} input(s) could not be processed, see {out / 'errors.jsonl'}"
            if errors
            else ""
        )
    )


def _start_engine(reporter: _Reporter, engine: str, workers: int, scheduler: str | None) -> Any:
    from pipeline.runtime.engine import DaskEngine, make_engine

    try:
        runner = make_engine(engine, workers, scheduler)
    except (OSError, TimeoutError, RuntimeError) as exc:
        where = scheduler or f"a local cluster of {workers} workers"
        raise click.ClickException(f"could not start Dask on {where}: {exc}") from exc
    if isinstance(runner, DaskEngine):
        reporter(
            f"dask: {runner.partitions} partitions on {scheduler or f'{workers} local workers'}"
            f" (started in {runner.startup_seconds:.1f}s)"
        )
    return runner


def _run_stage(reporter: _Reporter, stage: str, raw: Path, out: Path, config: Path | None) -> None:
    from pipeline.build import run_one_stage

    settings = _settings(config)
    try:
        tables = run_one_stage(stage, raw, out, settings, reporter)
    except (FileNotFoundError, DecisionsError, OutputError, EmbedderUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:
        if reporter.verbose:
            raise
        raise click.ClickException(
            f"internal error in {stage} ({type(exc).__name__}: {exc}); {out} was left as it was."
        ) from exc
    reporter(f"{stage}: wrote {out} ({len(tables.get('documents.jsonl', []))} documents)")


def _stage_command(stage: str, summary: str) -> None:
    @main.command(stage, help=summary)
    @RAW_OPTION
    @OUT_OPTION
    @CONFIG_OPTION
    @click.pass_obj
    def command(reporter: _Reporter, raw: Path, out: Path, config: Path | None) -> None:
        _run_stage(reporter, stage, raw, out, config)


_stage_command("clean", "Ingest and clean RAW alone; writes documents, removed, errors to OUT.")
_stage_command("dedup", "Find copies among the documents in OUT; writes groups and relations.")
_stage_command("align", "Segment and align claims of the documents in OUT.")
_stage_command("reconcile", "Reconcile aligned claims in OUT into claims, sources, corpus.md.")
_stage_command("report", "Render OUT/reports/ again from the tables in OUT.")


@main.command("diff")
@click.argument("old", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("new", type=click.Path(path_type=Path, exists=True, file_okay=False))
def diff(old: Path, new: Path) -> None:
    """Print what changed between two processed/ folders OLD and NEW."""
    from pipeline.report import diff_builds, format_diff_text, load_processed

    click.echo(format_diff_text(diff_builds(load_processed(old), load_processed(new))), nl=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
