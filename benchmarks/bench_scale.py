"""Scale benchmark (issues #6, #17): CPU, wall time and peak memory per stage and end to
end, beside trafilatura's extraction of the same pages (the anchor, same run).

For each corpus size (``--sizes``, default 10000) the corpus comes from
``scale_corpus.py`` (real benchmark HTML, varied text, planted copies; kept under
``--work`` and reused). Then, each in a fresh subprocess:

1. Stage profile: ``read_raw_dir`` (read), then ``run_stage`` for clean (ingest + clean),
   dedup, align and reconcile, then ``serialise`` + writing processed/ (write), in one
   process, each step timed, its resident memory sampled every 0.1 s (peak per step; the
   tables of earlier steps are still held, as in a real build).
2. End-to-end builds with ``curate build``: the pandas engine, and Dask with ``--workers``
   workers when ``curate build --help`` offers ``--engine`` (else "not available yet").
   Peak memory is the peak of the summed RSS of the process tree (Dask workers included),
   polled every 0.25 s; ``ru_maxrss`` of the children is printed beside it.
3. Rebuild after adding one page: the corpus is hard-linked to a copy, one new page is
   added, and the copy is built again: with the warm cache of a cached full build when
   ``--cache`` exists, else a plain full rebuild (what a user pays today).

4. The anchor: ``trafilatura.extract`` on every HTML page of the corpus, in a fresh
   subprocess (CPU seconds of the extraction loop); the cold build's CPU over it is the
   cost ratio of issue #17 (target <= 8).

``--wcxb N`` builds N pages of WCXB dev (one per site, the first of each host in id
order) instead of the generated corpus, as issue #17 measured; ``--raw DIR`` any folder.
``--engines`` adds profiles of the per-document steps (ingest + clean, segment) on other
engines (e.g. ``dask:1 dask:2``): the wall-clock speed-up of 2 one-thread workers over 1
(issue #17 point 4, target >= 1.7).

It prints a markdown table, the issues' targets (met / not met) and a 10M-page estimate
from the per-stage costs (linear stages scale with n; for corpus-wide stages the growth
exponent is fitted on the sizes measured). Results are also appended to ``--results``.
The machine is shared: absolute times are slower than on an idle 2-core machine.

    python benchmarks/bench_scale.py --sizes 1000 3000 --work /tmp/scale
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CURATE = Path(sys.executable).parent / "curate"
STEPS = ("read", "clean", "dedup", "align", "reconcile", "write")
# How each step grows with the corpus when only one size was measured.
ASSUMED_GROWTH = {"read": 1.0, "clean": 1.0, "dedup": 1.0, "align": 1.0, "reconcile": 1.0}
TARGET_SECONDS_100K = 30 * 60
TARGET_PEAK_GB = 4.0
TARGET_RATIO = 11.0
TARGET_REBUILD_SHARE = 0.10


class PeakSampler:
    """Polls the summed RSS of a process and its descendants in a background thread."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree_rss(self) -> int:
        total = 0
        try:
            procs = [self.process, *self.process.children(recursive=True)]
        except psutil.Error:
            return 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self._stop.wait(self.interval)

    def reset(self) -> int:
        """The peak since the last reset (and start again from the current RSS)."""
        peak, self.peak = max(self.peak, self._tree_rss()), self._tree_rss()
        return peak

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


# --- 1. the stage profile (runs inside its own subprocess) ---------------------------


def profile_stages(
    raw: Path,
    out: Path,
    engine_name: str = "pandas",
    config: Path | None = None,
    per_document: bool = False,
) -> dict[str, Any]:
    """Run read, the four stages and write in this process; seconds and peak RSS per step.

    ``engine_name`` is ``pandas`` or ``dask:N`` (a LocalCluster of N one-thread workers);
    ``per_document`` runs only the steps the engine spreads out: read, clean (ingest +
    clean) and segment."""
    import pandas as pd
    from bench_onnx_minilm import count_encoding  # this script's folder is on sys.path

    from pipeline.decisions import parse_decisions
    from pipeline.document_steps import segment_documents
    from pipeline.io import decisions_text, read_control_files, read_raw_dir, write_output_dir
    from pipeline.outputs import serialise
    from pipeline.runtime.engine import make_engine
    from pipeline.settings import load_settings
    from pipeline.stages import STAGES, StageContext, run_stage
    from pipeline.tables import ERROR_COLUMNS

    settings = load_settings(config, Path.cwd())
    encoder_cpu = count_encoding()
    kind, _, workers = engine_name.partition(":")
    engine = make_engine(kind, workers=int(workers or 2))
    steps: dict[str, dict[str, float]] = {}
    clock: dict[str, float] = {}

    def start() -> None:
        clock["wall"], clock["cpu"] = time.perf_counter(), _cpu_seconds(resource.RUSAGE_SELF)

    def stop(step: str, sampler: PeakSampler) -> None:
        steps[step] = {
            "seconds": time.perf_counter() - clock["wall"],
            "cpu": _cpu_seconds(resource.RUSAGE_SELF) - clock["cpu"],
            "peak": sampler.reset(),
        }
        print(f"bench_scale: {step}: {steps[step]}", file=sys.stderr, flush=True)

    baseline = psutil.Process().memory_info().rss  # interpreter + imported libraries
    with PeakSampler(os.getpid(), 0.1) as sampler:
        sampler.reset()
        start()
        controls = read_control_files(raw)
        raw_files, sources, read_errors = read_raw_dir(raw, settings.ingest, controls)
        decisions = parse_decisions(decisions_text(controls))
        stop("read", sampler)
        tables: dict[str, pd.DataFrame] = {"raw_files": raw_files, "raw_sources": sources}
        tables["read_errors"] = pd.DataFrame(read_errors, columns=ERROR_COLUMNS)
        for stage in STAGES:
            start()
            context = StageContext(settings, decisions=decisions, engine=engine)
            tables.update(run_stage(stage, tables, context))
            stop(stage, sampler)
            if per_document:
                start()
                documents = tables["documents.jsonl"]
                segment_documents(documents, settings.align, engine, context.cache, lambda _m: None)
                stop("segment", sampler)
                engine.close()
                return {"steps": steps, "counts": {"documents": len(documents)}}
        start()
        files = serialise(tables, raw_files, controls, settings)
        write_output_dir(out, files)
        stop("write", sampler)
    engine.close()
    documents = tables["documents.jsonl"]
    counts = {
        "files": len(raw_files),
        "documents": len(documents),
        "groups": int(documents["group_id"].nunique()) if len(documents) else 0,
        "relations": len(tables.get("relations.jsonl", [])),
        "sentences": len(tables.get("sentences.jsonl", [])),
        "alignments": len(tables.get("alignments.jsonl", [])),
        "claims": len(tables.get("claims.jsonl", [])),
    }
    return {"steps": steps, "counts": counts, "baseline": baseline, "encoder_cpu": encoder_cpu[0]}


def text_documents(size: int, seed: int) -> Any:
    """The documents table clean would give for the corpus of ``size`` pages, made from the
    generator's texts (no HTML): for the corpus-wide stages at sizes where ingest + clean
    would take hours. Same doc ids, copies, sites and text lengths as the HTML corpus."""
    import hashlib
    from urllib.parse import urlsplit

    import pandas as pd
    from scale_corpus import PageMaker, load_templates, page_name

    templates, topics = load_templates()
    maker = PageMaker(templates, topics, seed, html_pages=False)
    rows = []
    for number in range(size):
        name = page_name(number)
        _page, url, _planted = maker.next_page(name)
        text = "\n\n".join(maker.last_text)
        doc_id = name.removesuffix(".html")
        rows.append(
            {
                "doc_id": doc_id,
                "source_file": name,
                "format": "html",
                "url": url,
                "publisher": urlsplit(url).hostname,
                "title": " ".join(text.split()[:9]),
                "description": None,
                "retrieved": None,
                "updated": None,
                "trust": pd.NA,
                "raw_sha256": hashlib.sha256(text.encode()).hexdigest(),
                "text": text,
                "flags": [],
                "group_id": doc_id,
                "derived_from": None,
                "relation": "original",
            }
        )
    frame = pd.DataFrame(rows)
    frame["trust"] = frame["trust"].astype("Int64")
    frame["derived_from"] = frame["derived_from"].astype(object)
    return frame


def profile_corpus_wide(size: int, seed: int, config: Path | None) -> dict[str, Any]:
    """dedup, align and reconcile (``run_stage``) on :func:`text_documents`, timed."""
    from pipeline.settings import load_settings
    from pipeline.stages import StageContext, run_stage

    settings = load_settings(config, Path.cwd())
    steps: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    tables = {"documents.jsonl": text_documents(size, seed)}
    gc.collect()
    baseline = psutil.Process().memory_info().rss  # the generator's templates linger
    print(
        f"bench_scale: {size} text documents in {time.perf_counter() - started:.0f}s",
        file=sys.stderr,
        flush=True,
    )
    with PeakSampler(os.getpid(), 0.1) as sampler:
        sampler.reset()
        for stage in ("dedup", "align", "reconcile"):
            wall, cpu = time.perf_counter(), _cpu_seconds(resource.RUSAGE_SELF)
            tables.update(run_stage(stage, tables, StageContext(settings)))
            steps[stage] = {
                "seconds": time.perf_counter() - wall,
                "cpu": _cpu_seconds(resource.RUSAGE_SELF) - cpu,
                "peak": sampler.reset(),
            }
            print(f"bench_scale: {size} {stage}: {steps[stage]}", file=sys.stderr, flush=True)
    counts = {
        "relations": len(tables["relations.jsonl"]),
        "sentences": len(tables["sentences.jsonl"]),
        "alignments": len(tables["alignments.jsonl"]),
        "claims": len(tables["claims.jsonl"]),
    }
    return {"steps": steps, "counts": counts, "baseline": baseline}


def run_profile(
    raw: Path, out: Path, log: Path, config: list[str], engine: str = "pandas"
) -> dict[str, Any]:
    """The stage profile in a fresh subprocess (JSON on its last stdout line); an engine
    ending in ``/per-document`` profiles read, clean and segment only."""
    script = str(Path(__file__).resolve())
    command = [sys.executable, script, "--profile-stages", str(raw), str(out), engine]
    command += config[1:]
    with open(log, "w", encoding="utf-8") as err:
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"stage profile failed (see {log})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- 2. end-to-end builds ------------------------------------------------------------


def build_options() -> set[str]:
    """The options ``curate build --help`` offers (--engine, --workers, --cache, ...)."""
    text = subprocess.run(
        [str(CURATE), "build", "--help"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    return {word.strip(",") for word in text.split() if word.startswith("--")}


def timed_build(raw: Path, out: Path, extra: list[str], log: Path) -> dict[str, float]:
    """``curate build`` in a subprocess: seconds, peak tree RSS and children's ru_maxrss."""
    command = [str(CURATE), "build", "--raw", str(raw), "--out", str(out), *extra]
    cpu = _cpu_seconds(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=err, stderr=err)
        with PeakSampler(proc.pid) as sampler:
            code = proc.wait()
    seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} failed with {code} (see {log})")
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    cpu = _cpu_seconds(resource.RUSAGE_CHILDREN) - cpu
    return {"seconds": seconds, "cpu": cpu, "peak": sampler.peak, "maxrss": maxrss}


def add_one_page(raw: Path, copy: Path) -> None:
    """Hard-link ``raw`` to ``copy`` and add one new page (sources.csv rewritten, not linked)."""
    from scale_corpus import one_new_page

    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(raw, copy, copy_function=os.link)
    name = "p999/added.html"
    (copy / "p999").mkdir()
    (copy / name).write_bytes(one_new_page())
    sources = (raw / "sources.csv").read_text("utf-8")
    (copy / "sources.csv").unlink()
    row = f"{name},https://added.example/new-page,,,,\n"
    (copy / "sources.csv").write_text(sources + row, encoding="utf-8")


# --- 4. the anchor: trafilatura's extraction of the same pages ---------------------


def trafilatura_loop(raw: Path) -> dict[str, float]:
    """CPU seconds of ``trafilatura.extract`` over every HTML page under ``raw`` (runs in
    its own subprocess: ``--anchor``); pages read first, import not counted."""
    import trafilatura

    pages = [p.read_bytes() for p in sorted(raw.rglob("*.htm*")) if p.is_file()]
    started = _cpu_seconds(resource.RUSAGE_SELF)
    for page in pages:
        trafilatura.extract(page.decode("utf-8", "replace"))
    return {"pages": len(pages), "cpu": _cpu_seconds(resource.RUSAGE_SELF) - started}


def run_anchor(raw: Path, log: Path) -> dict[str, float]:
    """:func:`trafilatura_loop` in a fresh subprocess, plus that process's whole CPU."""
    before = _cpu_seconds(resource.RUSAGE_CHILDREN)
    command = [sys.executable, str(Path(__file__).resolve()), "--anchor", str(raw)]
    with open(log, "w", encoding="utf-8") as err:
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"trafilatura anchor failed (see {log})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_cpu"] = _cpu_seconds(resource.RUSAGE_CHILDREN) - before
    return result


def wcxb_corpus(work: Path, pages: int) -> Path:
    """``pages`` WCXB dev pages, one per site (each host's first page in id order), as a
    raw/ folder (pages decompressed) with a sources.csv naming each page's URL."""
    from urllib.parse import urlsplit

    bench = ROOT.parent / "shared" / "benchmarks" / "wcxb-dev"
    folder = work / f"wcxb-{pages}" / "raw"
    if (folder / "sources.csv").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rows, hosts = ["file,url,publisher,title,retrieved,trust"], set()
    for line in (bench / "ground-truth.jsonl").open(encoding="utf-8"):
        page = json.loads(line)
        url = page.get("url") or ""  # a few pages have none: each is its own site
        host = urlsplit(url).netloc.lower().removeprefix("www.") or page["id"]
        source = bench / "html" / f"{page['id']}.html.gz"
        if host in hosts or not source.is_file():
            continue
        hosts.add(host)
        name = f"{page['id']}.html"
        (folder / name).write_bytes(gzip.decompress(source.read_bytes()))
        rows.append(f"{name},{url.replace(',', '%2C')},,,,")
        if len(hosts) == pages:
            break
    (folder / "sources.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


# --- 3. the report -------------------------------------------------------------------


def _gb(value: float) -> str:
    return f"{value / 1e9:.2f}"


def _cost(step: dict[str, float]) -> float:
    """A step's CPU seconds (steady on a shared machine), else its wall seconds."""
    return step.get("cpu") or step["seconds"]


def fitted_growth(profiles: dict[int, dict[str, Any]]) -> dict[str, float]:
    """Per step, the exponent b of time ~ n^b between the smallest and largest size."""
    sizes = sorted(profiles)
    if len(sizes) < 2:
        return dict(ASSUMED_GROWTH, write=1.0)
    small, large = sizes[0], sizes[-1]
    growth = {}
    for step in STEPS:
        t0 = _cost(profiles[small]["steps"][step])
        t1 = _cost(profiles[large]["steps"][step])
        growth[step] = math.log(max(t1, 1e-3) / max(t0, 1e-3)) / math.log(large / small)
    return growth


def estimate_10m(profiles: dict[int, dict[str, Any]], target: int = 10_000_000) -> list[str]:
    """Markdown lines: per step, projected single-process hours and memory at 10M pages."""
    if not profiles:
        return []
    size = max(profiles)
    growth = fitted_growth(profiles)
    lines = [
        f"### 10M-page estimate (from the {size:,}-page profile; growth exponent fitted on "
        f"{', '.join(f'{s:,}' for s in sorted(profiles))})",
        "",
        "| step | CPU s/1k docs | growth n^b | projected core-hours | if linear |",
        "| --- | --- | --- | --- | --- |",
    ]
    total = total_linear = 0.0
    for step in STEPS:
        seconds = _cost(profiles[size]["steps"][step])
        b = growth[step]
        projected = seconds * (target / size) ** max(b, 1.0) / 3600
        linear = seconds * target / size / 3600
        total += projected
        total_linear += linear
        lines.append(
            f"| {step} | {1000 * seconds / size:.1f} | {b:.2f} | {projected:,.1f} | {linear:,.1f} |"
        )
    lines.append(f"| **total** | | | **{total:,.0f}** | **{total_linear:,.0f}** |")
    peak = max(s["peak"] for s in profiles[size]["steps"].values())
    per_doc = (peak - profiles[size].get("baseline", 0)) / size
    lines += [
        "",
        f"- Memory: the in-process build holds about {per_doc / 1e6:.2f} MB per page at its "
        f"peak above the bare process ({_gb(peak)} GB for {size:,}); 10M pages in one "
        f"process would need ~{per_doc * target / 1e12:.1f} TB, so 10M needs a partitioned engine "
        f"(per-partition memory) and corpus-wide stages that never hold all pages.",
        "- Costs are CPU seconds (user + system) of the profile process, so contention on "
        "the shared machine inflates them less than wall time; align's torch threads use "
        "both cores, so its wall time is lower than its CPU time on an idle machine.",
        f"- Workers: at the linear rate, {total_linear:,.0f} core-hours; finishing in 24 h "
        f"takes ~{math.ceil(total_linear / 24)} cores (~{math.ceil(total_linear / 24 / 2)} of "
        f"these 2-core machines) if every stage parallelises; stages with growth > 1 "
        f"must be made linear first (see the table).",
    ]
    return lines


def report(
    profiles: dict[int, dict[str, Any]],
    builds: dict[int, dict[str, Any]],
    rebuilds: dict[int, dict[str, Any]],
    embedder: str = "minilm",
) -> str:
    """The markdown report: stage table, builds, targets, 10M estimate."""
    lines = [
        f"## Scale benchmark, align embedder {embedder} "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        "Machine: 2 cores, shared with other jobs while measuring: times are slower and "
        "noisier than on an idle machine.",
        "",
    ]
    if profiles:
        lines += [
            "### Per stage (one process, `run_stage` timed; peak = process RSS during the step)",
            "",
            "| pages | step | seconds | CPU s | docs/s | share | peak GB |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for size, prof in sorted(profiles.items()):
            total = sum(s["seconds"] for s in prof["steps"].values())
            for step in STEPS:
                s = prof["steps"][step]
                rate = size / max(s["seconds"], 1e-9)
                lines.append(
                    f"| {size:,} | {step} | {s['seconds']:.1f} | {s.get('cpu', 0):.1f} "
                    f"| {rate:,.1f} | {s['seconds'] / total:.0%} | {_gb(s['peak'])} |"
                )
            peak = max(s["peak"] for s in prof["steps"].values())
            cpu = sum(s.get("cpu", 0) for s in prof["steps"].values())
            lines.append(
                f"| {size:,} | **all** | **{total:.1f}** | **{cpu:.1f}** | **{size / total:,.1f}** "
                f"| | **{_gb(peak)}** |"
            )
            lines.append(f"| {size:,} | counts | {json.dumps(prof['counts'])} | | | | |")
        lines.append("")
    if builds:
        lines += [
            "### End to end (`curate build` in a subprocess)",
            "",
            "| pages | variant | seconds | CPU s | docs/s | peak GB (tree) | ru_maxrss GB |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for size, variants in sorted(builds.items()):
            for name, b in variants.items():
                if b is None:
                    lines.append(f"| {size:,} | {name} | not available yet | | | | |")
                    continue
                lines.append(
                    f"| {size:,} | {name} | {b['seconds']:.1f} | {b.get('cpu', 0):.1f} "
                    f"| {size / b['seconds']:,.1f} | "
                    f"{_gb(b['peak'])} | {_gb(b['maxrss'])} |"
                )
        lines.append("")
    lines += targets(profiles, builds, rebuilds)
    lines += ["", *estimate_10m(profiles)]
    return "\n".join(lines) + "\n"


def _whole(size: int, profiles: dict, builds: dict) -> tuple[float, float] | None:
    """(seconds, peak) of the pandas build at ``size``: the CLI build, else the profile."""
    build = builds.get(size, {}).get("pandas")
    if build:
        return build["seconds"], build["peak"]
    if size in profiles:
        steps = profiles[size]["steps"].values()
        return sum(s["seconds"] for s in steps), max(s["peak"] for s in steps)
    return None


def targets(profiles: dict, builds: dict, rebuilds: dict) -> list[str]:
    """The issue's targets, met / not met (or not measured)."""
    lines = ["### Targets (issue #6)", ""]
    whole = _whole(100_000, profiles, builds)
    if whole:
        sec, peak = whole
        ok = sec < TARGET_SECONDS_100K and peak < TARGET_PEAK_GB * 1e9
        lines.append(
            f"- 100k pages in < 30 min with peak < 4 GB: {sec / 60:.1f} min, {_gb(peak)} GB: "
            f"{'met' if ok else 'NOT met'}"
        )
    else:
        lines.append("- 100k pages in < 30 min with peak < 4 GB: not measured")
        sizes = sorted(s for s in set(profiles) | set(builds) if _whole(s, profiles, builds))
        if sizes:
            size = sizes[-1]
            sec, peak = _whole(size, profiles, builds)  # type: ignore[misc]
            growth = fitted_growth(profiles) if len(profiles) > 1 else None
            projected = sec * 100_000 / size
            if growth:
                projected = (
                    sum(
                        profiles[size]["steps"][st]["seconds"]
                        * (100_000 / size) ** max(growth[st], 1.0)
                        for st in STEPS
                    )
                    * sec
                    / sum(s["seconds"] for s in profiles[size]["steps"].values())
                )
            lines.append(
                f"  - projected from {size:,}: ~{projected / 60:.0f} min, "
                f"~{peak * 100_000 / size / 1e9:.1f} GB (memory grows with the pages held)"
            )
    small, large = _whole(10_000, profiles, builds), _whole(100_000, profiles, builds)
    if small and large:
        ratio = large[0] / small[0]
        lines.append(
            f"- time(100k)/time(10k) <= 11: {ratio:.1f}: {'met' if ratio <= 11 else 'NOT met'}"
        )
    else:
        sizes = sorted(profiles)
        if len(sizes) >= 2:
            a, b = sizes[0], sizes[-1]
            ta = sum(s["seconds"] for s in profiles[a]["steps"].values())
            tb = sum(s["seconds"] for s in profiles[b]["steps"].values())
            lines.append(
                f"- time(100k)/time(10k) <= 11: not measured; time({b:,})/time({a:,}) = "
                f"{tb / ta:.1f} for {b / a:.0f}x the pages"
            )
        else:
            lines.append("- time(100k)/time(10k) <= 11: not measured")
    for size, rb in sorted(rebuilds.items()):
        share = rb["seconds"] / rb["full_seconds"]
        lines.append(
            f"- rebuild after adding one page to {size:,} ({rb['mode']}) < 10% of the full "
            f"build: {rb['seconds']:.1f}s vs {rb['full_seconds']:.1f}s = {share:.0%}: "
            f"{'met' if share < TARGET_REBUILD_SHARE else 'NOT met'}"
        )
    if not rebuilds:
        lines.append("- rebuild after adding one page < 10% of the full build: not measured")
    return lines


PER_DOCUMENT_STEPS = ("clean", "segment")  # ingest + clean, segment: engine.map's work
TARGET_COST_RATIO = 8.0
TARGET_PEAK_10K_GB = 3.0
TARGET_SPEEDUP = 1.7
TARGET_REBUILD_17 = 0.05


def cost_report(
    anchors: dict[int, dict[str, float]],
    profiles: dict[int, dict[str, Any]],
    builds: dict[int, dict[str, Any]],
    rebuilds: dict[int, dict[str, Any]],
    engine_profiles: dict[int, dict[str, Any]],
) -> str:
    """Issue #17's figures: cost over trafilatura, per-stage CPU per page, 2 vs 1 workers,
    peak memory, rebuild share and growth, each against its target."""
    lines = ["", "### Issue #17 (anchor: trafilatura.extract on the same pages, same run)", ""]
    lines += [
        "| pages | what | CPU s | CPU ms/page | x trafilatura |",
        "| --- | --- | --- | --- | --- |",
    ]
    for size, anchor in sorted(anchors.items()):
        base = max(anchor["cpu"], 1e-9)
        lines.append(
            f"| {size:,} | trafilatura.extract | {anchor['cpu']:.1f} "
            f"| {1000 * base / size:.1f} | 1 |"
        )
        for step, st in (profiles.get(size, {}).get("steps") or {}).items():
            lines.append(
                f"| {size:,} | stage {step} | {st['cpu']:.1f} | {1000 * st['cpu'] / size:.1f} "
                f"| {st['cpu'] / base:.1f} |"
            )
        encoder = profiles.get(size, {}).get("encoder_cpu")
        if encoder:
            total = sum(st["cpu"] for st in profiles[size]["steps"].values())
            lines.append(
                f"| {size:,} | of align: MiniLM encoding (all stages {total / encoder:.2f}x it) "
                f"| {encoder:.1f} | {1000 * encoder / size:.1f} | {encoder / base:.1f} |"
            )
        build = (builds.get(size) or {}).get("pandas")
        if build:
            ratio = build["cpu"] / base
            lines.append(
                f"| {size:,} | **curate build --no-cache (whole process)** | {build['cpu']:.1f} | "
                f"{1000 * build['cpu'] / size:.1f} | **{ratio:.1f}** |"
            )
    lines.append("")
    for size, anchor in sorted(anchors.items()):
        build = (builds.get(size) or {}).get("pandas")
        if build:
            ratio = build["cpu"] / max(anchor["cpu"], 1e-9)
            verdict = "met" if ratio <= TARGET_COST_RATIO else "NOT met"
            lines.append(
                f"- {size:,} pages: cold build CPU {ratio:.1f}x trafilatura's (<= 8): {verdict}"
            )
            peak = build["peak"] / 1e9
            if size >= 10_000:
                verdict = "met" if peak < TARGET_PEAK_10K_GB else "NOT met"
                lines.append(f"- {size:,} pages: peak RSS {peak:.2f} GB (< 3 GB): {verdict}")
            else:
                lines.append(
                    f"- {size:,} pages: peak RSS {peak:.2f} GB (the 3 GB target is at 10,000)"
                )
    for size, engines in sorted(engine_profiles.items()):
        walls = {
            name: sum(found["steps"][step]["seconds"] for step in PER_DOCUMENT_STEPS)
            for name, found in engines.items()
        }
        line = ", ".join(f"{name} {wall:.1f} s" for name, wall in walls.items())
        if "dask:1" in walls and "dask:2" in walls:
            speedup = walls["dask:1"] / max(walls["dask:2"], 1e-9)
            verdict = "met" if speedup >= TARGET_SPEEDUP else "NOT met"
            line += f": 2 workers {speedup:.2f}x 1 worker (>= 1.7): {verdict}"
        lines.append(f"- {size:,} pages, per-document steps (clean + segment) wall: {line}")
    for size, rb in sorted(rebuilds.items()):
        share = rb["seconds"] / rb["full_seconds"]
        verdict = "met" if share <= TARGET_REBUILD_17 else "NOT met"
        lines.append(
            f"- {size:,} pages: rebuild after one new page {share:.1%} of the cold build "
            f"(<= 5%): {verdict}"
        )
    sizes = sorted(s for s in builds if (builds[s] or {}).get("pandas"))
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        growth = builds[b]["pandas"]["cpu"] / builds[a]["pandas"]["cpu"]
        verdict = "met" if growth <= TARGET_RATIO * (b / a) / 10 else "NOT met"
        lines.append(
            f"- growth {a:,} -> {b:,} pages: {growth:.1f}x CPU for {b / a:.0f}x pages "
            f"(<= 11x for 10x): {verdict}"
        )
    return "\n".join(lines) + "\n"


def run_corpus_wide(
    sizes: list[int], seed: int, config: list[str], work: Path, results: Path, embedder: str
) -> None:
    """``--corpus-wide``: dedup, align, reconcile per size in fresh subprocesses; a table."""
    script = str(Path(__file__).resolve())
    wide: dict[int, dict[str, Any]] = {}
    for size in sizes:
        log = work / f"wide-{size}-{embedder}.log"
        command = [sys.executable, script, "--profile-wide", str(size), str(seed), *config[1:]]
        with open(log, "w", encoding="utf-8") as err:
            done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"corpus-wide profile failed (see {log})")
        wide[size] = json.loads(done.stdout.strip().splitlines()[-1])
        lines = [
            f"## Corpus-wide stages on text documents, align embedder {embedder} "
            f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
            "",
            "Peak = process RSS during the stage minus the RSS before dedup (documents and "
            "the generator's leftovers).",
            "",
            "| pages | stage | seconds | CPU s | CPU ms/doc | peak GB | growth vs smallest |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        first = min(wide)
        for n, prof in sorted(wide.items()):
            for stage, st in prof["steps"].items():
                base = wide[first]["steps"][stage]
                ratio = max(_cost(st), 1e-3) / max(_cost(base), 1e-3)
                growth = f"n^{math.log(ratio) / math.log(n / first):.2f}" if n != first else ""
                lines.append(
                    f"| {n:,} | {stage} | {st['seconds']:.1f} | {st['cpu']:.1f} | "
                    f"{1000 * st['cpu'] / n:.1f} | {_gb(st['peak'] - prof.get('baseline', 0))} "
                    f"| {growth} |"
                )
            lines.append(f"| {n:,} | counts | {json.dumps(prof['counts'])} | | | | |")
        text = "\n".join(lines) + "\n"
        print(text)
        with open(results, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")


# --- main ----------------------------------------------------------------------------


def ensure_corpus(work: Path, size: int, seed: int) -> Path:
    """The corpus of ``size`` pages under ``work`` (generated once, then reused)."""
    from scale_corpus import write_corpus

    folder = work / f"corpus-{size}-s{seed}"
    stamp = folder / "done.json"
    if not stamp.is_file():
        if folder.exists():
            shutil.rmtree(folder)
        stats = write_corpus(folder, size, seed)
        stamp.write_text(json.dumps(stats), encoding="utf-8")
        print(f"bench_scale: corpus {size:,}: {stats}", file=sys.stderr)
    return folder / "raw"


def main() -> None:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/curate-scale"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--results", type=Path, default=Path("/tmp/bench_scale_results.md"))
    parser.add_argument("--no-profile", action="store_true", help="skip the stage profile")
    parser.add_argument("--no-builds", action="store_true", help="skip the CLI builds")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the +1 page rebuild")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask build")
    parser.add_argument(
        "--embedder",
        choices=["minilm", "lexical"],
        default="minilm",
        help="align's embedder: lexical (no model) isolates the cost of everything else",
    )
    parser.add_argument(
        "--corpus-wide",
        action="store_true",
        help="only dedup, align and reconcile, on documents made from the generator's text",
    )
    parser.add_argument("--profile-stages", nargs="+", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-wide", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--anchor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--wcxb", type=int, help="N WCXB dev pages, one per site, as the corpus")
    parser.add_argument("--raw", type=Path, help="an existing raw/ folder as the corpus")
    parser.add_argument(
        "--engines", nargs="*", default=[], help="more stage profiles, e.g. dask:1 dask:2"
    )
    args = parser.parse_args()
    if args.profile_stages:
        raw, out, engine, *rest = args.profile_stages
        name, _, only = str(engine).partition("/")
        found = profile_stages(raw, out, name, rest[0] if rest else None, only == "per-document")
        print(json.dumps(found))
        return
    if args.anchor:
        print(json.dumps(trafilatura_loop(args.anchor)))
        return
    if args.profile_wide:
        sys.path.insert(0, str(HERE))
        size, seed, *config = args.profile_wide
        result = profile_corpus_wide(int(size), int(seed), Path(config[0]) if config else None)
        print(json.dumps(result))
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(HERE))
    args.work.mkdir(parents=True, exist_ok=True)
    config: list[str] = []
    if args.embedder != "minilm":
        # pyproject.toml's [tool.curate] is empty: this file is the defaults + the embedder.
        path = args.work / f"settings-{args.embedder}.toml"
        path.write_text(f'[align]\nembedder = "{args.embedder}"\n', encoding="utf-8")
        config = ["--config", str(path)]
    options = build_options()
    has_engine, has_cache = "--engine" in options, "--cache" in options
    if not has_engine:
        print("bench_scale: --engine: not available yet (pandas build only)", file=sys.stderr)
    if not has_cache:
        print("bench_scale: --cache: not available yet (rebuild = full build)", file=sys.stderr)
    no_cache = ["--no-cache"] if has_cache and "--no-cache" in options else []
    if args.corpus_wide:
        run_corpus_wide(args.sizes, args.seed, config, args.work, args.results, args.embedder)
        return
    profiles: dict[int, dict[str, Any]] = {}
    builds: dict[int, dict[str, Any]] = {}
    rebuilds: dict[int, dict[str, Any]] = {}
    anchors: dict[int, dict[str, float]] = {}
    engine_profiles: dict[int, dict[str, Any]] = {}
    corpora: list[tuple[int, Path, str]] = []
    if args.raw or args.wcxb:
        raw = args.raw.resolve() if args.raw else wcxb_corpus(args.work, args.wcxb)
        pages = sum(1 for p in raw.rglob("*") if p.is_file() and p.name != "sources.csv")
        corpora.append((pages, raw, f"{raw.parent.name}-"))
    else:
        corpora += [(n, ensure_corpus(args.work, n, args.seed), "") for n in args.sizes]
    for size, raw, label in corpora:
        runs = args.work / f"runs-{label}{size}-{args.embedder}"
        runs.mkdir(exist_ok=True)
        anchors[size] = run_anchor(raw, runs / "anchor.log")
        print(f"bench_scale: trafilatura on {size:,} pages: {anchors[size]}", file=sys.stderr)
        if not args.no_profile:
            profiles[size] = run_profile(raw, runs / "out-profile", runs / "profile.log", config)
            print(report(profiles, builds, rebuilds, args.embedder), file=sys.stderr)
        for engine in args.engines:
            out = runs / f"out-profile-{engine.replace(':', '')}"
            log = runs / f"profile-{engine.replace(':', '')}.log"
            found = run_profile(raw, out, log, config, f"{engine}/per-document")
            engine_profiles.setdefault(size, {})[engine] = found
            print(f"bench_scale: {engine}: {found['steps']}", file=sys.stderr)
        if not args.no_builds:
            variants: dict[str, Any] = {}
            pandas_opts = ["--engine", "pandas"] if has_engine else []
            variants["pandas"] = timed_build(
                raw, runs / "out-pandas", [*pandas_opts, *no_cache, *config], runs / "pandas.log"
            )
            if not args.no_dask:
                dask_name = f"dask, {args.workers} workers"
                variants[dask_name] = (
                    timed_build(
                        raw,
                        runs / "out-dask",
                        ["--engine", "dask", "--workers", str(args.workers), *no_cache, *config],
                        runs / "dask.log",
                    )
                    if has_engine
                    else None
                )
            builds[size] = variants
        if not args.no_rebuild:
            copy = args.work / f"corpus-{size}-plus1"
            add_one_page(raw, copy)
            if has_cache:
                cache = runs / "cache"
                shutil.rmtree(cache, ignore_errors=True)
                cached = ["--cache", str(cache), *config]
                full = timed_build(raw, runs / "out-cached", cached, runs / "cached.log")
                again = timed_build(copy, runs / "out-cached", cached, runs / "plus1.log")
                mode = "warm cache"
            else:
                full = (builds.get(size) or {}).get("pandas") or timed_build(
                    raw, runs / "out-full", config, runs / "full.log"
                )
                again = timed_build(copy, runs / "out-full", config, runs / "plus1.log")
                mode = "no cache option yet: full rebuild"
            rebuilds[size] = {**again, "full_seconds": full["seconds"], "mode": mode}
            shutil.rmtree(copy, ignore_errors=True)
        text = report(profiles, builds, rebuilds, args.embedder)
        text += cost_report(anchors, profiles, builds, rebuilds, engine_profiles)
        print(text)
        with open(args.results, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
        (args.work / f"results-{args.embedder}.json").write_text(
            json.dumps(
                {
                    "profiles": profiles,
                    "builds": builds,
                    "rebuilds": rebuilds,
                    "anchors": anchors,
                    "engine_profiles": engine_profiles,
                },
                indent=1,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
