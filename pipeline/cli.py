"""The ``curate`` command line: thin wrappers that parse arguments and call stages."""

from __future__ import annotations

import dataclasses
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import click

from pipeline import __version__
from pipeline.decisions import DecisionsError
from pipeline.errors import EmbedderUnavailable
from pipeline.io.outdir import OutputError
from pipeline.io.raw import RAW_CONTROL_FILES
from pipeline.runtime.engine import ClusterError
from pipeline.runtime.progress import BarFactory
from pipeline.settings import Settings, load_settings

_RUN_WITHOUT_CAPTURES = "Run even when RAW holds no captures (manifest.json lists no inputs)."

# The command line's order: build, then the stages in the order they run, then diff.
STAGE_COMMANDS: dict[str, dict[str, str]] = {
    "clean": {
        "short": "Ingest and clean RAW into OUT (the first stage).",
        "help": "Ingest and clean the captures in RAW, apply decisions.toml's exclude and trust"
        " decisions, and write documents, removed spans, errors and decision statuses to OUT.",
        "raw": "Folder of raw captures to ingest (with optional sources.csv and decisions.toml).",
        "out": "Folder to write documents, removed, errors and decisions into; tables of later"
        " stages already there are kept (replaced atomically).",
        "empty": "Clean even when RAW holds no captures (no documents).",
    },
    "dedup": {
        "short": "Find copies among OUT's documents.",
        "help": "Find copies among the documents in OUT, apply decisions.toml's not_related and"
        " relation decisions, and rewrite OUT with source groups and relations.",
        "raw": "Folder of raw captures: its decisions.toml's not_related and relation decisions"
        " apply, and manifest.json lists its files.",
        "out": "Processed folder to read the documents from and rewrite with source groups and"
        " relations (replaced atomically).",
        "empty": _RUN_WITHOUT_CAPTURES,
    },
    "align": {
        "short": "Split OUT's documents into claims and align them.",
        "help": "Split the documents in OUT into claim sentences, find the pairs that may state"
        " one fact, and rewrite OUT with sentences and alignments.",
        "raw": "Folder of raw captures: read only for manifest.json's list of inputs.",
        "out": "Processed folder to read the documents from and rewrite with sentences and"
        " alignments (replaced atomically).",
        "empty": _RUN_WITHOUT_CAPTURES,
    },
    "reconcile": {
        "short": "Reconcile OUT's aligned claims into claims and corpus.md.",
        "help": "Reconcile the aligned sentences in OUT into claims with citations, apply"
        " decisions.toml's merge, split, review and pin decisions, and rewrite OUT with claims,"
        " sources.csv, review and corpus.md.",
        "raw": "Folder of raw captures: its decisions.toml's merge, split, review and pin"
        " decisions apply, and manifest.json lists its files.",
        "out": "Processed folder to read documents, sentences and alignments from and rewrite"
        " with claims, sources.csv, review and corpus.md (replaced atomically).",
        "empty": _RUN_WITHOUT_CAPTURES,
    },
    "report": {
        "short": "Render OUT/reports/ again from OUT's tables.",
        "help": "Render OUT/reports/ again from the tables in OUT (no stage runs).",
        "raw": "Folder of raw captures: read only for manifest.json's list of inputs.",
        "out": "Processed folder whose tables are read and whose reports/ are rendered again"
        " (replaced atomically).",
        "empty": _RUN_WITHOUT_CAPTURES,
    },
}


def _folder_option(name: str, help_text: str) -> Any:
    """``--raw`` or ``--out`` (default: the folder of that name), with what this command
    reads from it or writes into it."""
    default = {"raw": Path("raw"), "out": Path("processed")}[name]
    return click.option(
        f"--{name}",
        name,
        type=click.Path(path_type=Path),
        default=default,
        show_default=True,
        help=help_text,
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
    """Where commands report progress: one line a step, more with -v, nothing with -q."""

    def __init__(self, quiet: bool, verbose: int) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.bar = BarFactory(self.detail, quiet, verbose)

    def tune(self, quiet: bool = False, verbose: int = 0) -> None:
        """Add the -q/-v given after the command name to those given before it."""
        self.quiet, self.verbose = self.quiet or quiet, self.verbose + verbose
        self.bar = BarFactory(self.detail, self.quiet, self.verbose)

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"curate: {message}", err=True)

    def detail(self, message: str) -> None:
        """A line shown only with -v: step counts and rates, cache hits."""
        if self.verbose:
            self(message)


def _quiet_after_command(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    reporter = ctx.find_object(_Reporter)
    if value and reporter is not None:
        reporter.tune(quiet=True)


def _verbose_after_command(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    reporter = ctx.find_object(_Reporter)
    if value and reporter is not None:
        reporter.tune(verbose=value)


def _output_options(command: Any) -> Any:
    """-q/--quiet and -v/--verbose on a command too (``curate build -q``)."""
    command = click.option(
        "--verbose",
        "-v",
        count=True,
        expose_value=False,
        callback=_verbose_after_command,
        help="More detail on progress (same as curate -v).",
    )(command)
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        expose_value=False,
        callback=_quiet_after_command,
        help="Print nothing but errors (same as curate -q).",
    )(command)


def _allow_empty_option(help_text: str) -> Any:
    """``--allow-empty``: run even when RAW holds no captures (see :func:`_check_raw`)."""
    return click.option("--allow-empty", is_flag=True, help=help_text)


def holds_captures(raw: Path) -> bool:
    """Whether ``raw`` holds a file a build reads as a capture: as :func:`pipeline.io.read_raw_dir`
    reads them, hidden files, sources.csv, decisions.toml and README files do not count."""
    for path in raw.rglob("*"):
        parts = path.relative_to(raw).parts
        if any(part.startswith(".") for part in parts):
            continue
        name = "/".join(parts)
        if name in RAW_CONTROL_FILES or name.lower().startswith("readme"):
            continue
        if path.is_file() or path.is_symlink():
            return True
    return False


def _check_raw(reporter: _Reporter, raw: Path, allow_empty: bool) -> None:
    """Stop when ``raw`` is missing, or holds no captures unless ``allow_empty``."""
    if not raw.is_dir():
        raise click.ClickException(f"raw folder not found: {raw}")
    if holds_captures(raw):
        return
    empty = f"{raw}/ holds no captures"
    if not allow_empty:
        raise click.ClickException(
            f"{empty}: is --raw the right folder? Pass --allow-empty to build an empty corpus."
        )
    reporter(f"warning: {empty} (--allow-empty): the corpus will be empty")


class _PipelineOrder(click.Group):
    """A group that lists its commands in the order they were added (the pipeline's)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The command names in pipeline order, not alphabetical."""
        return list(self.commands)


@click.group(cls=_PipelineOrder, invoke_without_command=True)
@click.version_option(__version__, prog_name="curate")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", count=True, help="More detail on progress.")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: int) -> None:
    """Curate web captures into a clean, deduplicated, cited corpus."""
    ctx.obj = _Reporter(quiet, verbose)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(0)


@main.command(short_help="Run every stage on RAW and write OUT.")
@_folder_option(
    "raw", "Folder of raw captures to build from (with optional sources.csv and decisions.toml)."
)
@_folder_option("out", "Folder to write every processed output into (replaced atomically).")
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
@_allow_empty_option("Build even when RAW holds no captures (an empty corpus).")
@_output_options
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
    allow_empty: bool,
) -> None:
    """Run every stage (clean, dedup, align, reconcile, report) on the captures in RAW
    and write OUT."""
    from pipeline.build import build as run_build
    from pipeline.runtime.cache import DocCache, default_cache_dir

    settings = _settings(config)
    _check_raw(reporter, raw, allow_empty)
    if scheduler and engine != "dask":
        raise click.ClickException("--scheduler needs --engine dask")
    cache = DocCache(None if no_cache else (cache_dir or default_cache_dir(out)))
    runner = _start_engine(reporter, engine, workers, scheduler)
    try:
        tables = run_build(raw, out, settings, reporter, runner, cache)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from exc
    except (DecisionsError, EmbedderUnavailable, ClusterError) as exc:
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


def _run_stage(
    reporter: _Reporter, stage: str, raw: Path, out: Path, config: Path | None, allow_empty: bool
) -> None:
    from pipeline.build import run_one_stage

    settings = _settings(config)
    _check_raw(reporter, raw, allow_empty)
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


def _stage_command(stage: str, texts: dict[str, str]) -> None:
    @main.command(stage, short_help=texts["short"], help=texts["help"])
    @_folder_option("raw", texts["raw"])
    @_folder_option("out", texts["out"])
    @CONFIG_OPTION
    @_allow_empty_option(texts["empty"])
    @_output_options
    @click.pass_obj
    def command(
        reporter: _Reporter, raw: Path, out: Path, config: Path | None, allow_empty: bool
    ) -> None:
        _run_stage(reporter, stage, raw, out, config, allow_empty)


for _stage, _texts in STAGE_COMMANDS.items():
    _stage_command(_stage, _texts)


@main.command("diff")
@click.argument("old", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("new", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the changes as one JSON object (for scripts) instead of text.",
)
def diff(old: Path, new: Path, as_json: bool) -> None:
    """Print what changed between two processed/ folders OLD and NEW."""
    from pipeline.report import diff_builds, format_diff_text, load_processed

    changes = diff_builds(load_processed(old), load_processed(new))
    if as_json:
        fields = {"identical": changes.is_empty(), **dataclasses.asdict(changes)}
        click.echo(json.dumps(fields, ensure_ascii=False, indent=2))
    else:
        click.echo(format_diff_text(changes), nl=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
