"""A real Dask cluster: `dask scheduler` and `dask worker` as separate processes on
127.0.0.1, driven by `curate build --engine dask --scheduler tcp://...` (issue #17).

The builds run the CLI in subprocesses with the lexical embedder (no model load; the
embedder runs in the client process whichever engine is used). Every process a test
starts is stopped in a ``finally``, whatever happens.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cloudpickle
import pytest
from distributed import Client

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WCXB_HTML = ROOT.parent / "shared" / "benchmarks" / "wcxb-dev" / "html"
EPOCH = "1700000000"
# The scheduler cannot import this module: send the functions it runs by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@dataclass
class Cluster:
    """A scheduler and its workers, each its own process group."""

    address: str
    scheduler: subprocess.Popen
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)


def _spawn(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop ``process`` and its children (a worker's nanny starts one): its whole group."""
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _start_cluster(folder: Path, stack: list[subprocess.Popen], allowed_failures: int) -> Cluster:
    """`dask scheduler` on a free port of 127.0.0.1 and two one-thread `dask worker`s."""
    for tool in ("dask", "curate"):
        assert (BIN / tool).is_file(), f"{BIN / tool} is missing: install curate's dependencies"
    env = dict(os.environ)
    env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = str(allowed_failures)
    file = folder / "scheduler.json"
    listen = ("--host", "127.0.0.1", "--port", "0", "--no-dashboard")
    scheduler = _spawn(
        [str(BIN / "dask"), "scheduler", *listen, "--scheduler-file", str(file)],
        folder / "scheduler.log",
        env,
    )
    stack.append(scheduler)
    deadline = time.monotonic() + 60
    while not file.is_file() or not file.read_text().strip().endswith("}"):
        assert scheduler.poll() is None, (folder / "scheduler.log").read_text()
        assert time.monotonic() < deadline, "the scheduler did not start in 60 s"
        time.sleep(0.2)
    cluster = Cluster(json.loads(file.read_text())["address"], scheduler)
    one_thread = ("--nworkers", "1", "--nthreads", "1", "--no-dashboard")
    for name in ("w0", "w1"):
        where = ("--scheduler-file", str(file), "--local-directory", str(folder / name))
        worker = _spawn(
            [str(BIN / "dask"), "worker", *where, "--name", name, *one_thread],
            folder / f"{name}.log",
            env,
        )
        stack.append(worker)
        cluster.workers[name] = worker
    with Client(cluster.address, timeout=60) as client:
        client.wait_for_workers(2, timeout=90)
    return cluster


@pytest.fixture()
def start_cluster(tmp_path: Path) -> Iterator:
    """``start_cluster(allowed_failures=3)`` -> a :class:`Cluster`; stopped at the end."""
    started: list[subprocess.Popen] = []
    try:
        yield lambda allowed_failures=3: _start_cluster(tmp_path, started, allowed_failures)
    finally:
        for process in reversed(started):
            _stop(process)


def _config(folder: Path) -> Path:
    path = folder / "fast.toml"
    path.write_text('[align]\nembedder = "lexical"\n', encoding="utf-8")
    return path


def _build_command(raw: Path, out: Path, *extra: str) -> list[str]:
    config = _config(out.parent)
    folders = ("--raw", str(raw), "--out", str(out))
    return [str(BIN / "curate"), "build", *folders, "--config", str(config), "--no-cache", *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "SOURCE_DATE_EPOCH": EPOCH}


def _build(raw: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        _build_command(raw, out, *extra), capture_output=True, text=True, env=_env(), timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _assert_same(built: dict[str, bytes], reference: dict[str, bytes]) -> None:
    assert sorted(built) == sorted(reference)
    differ = [name for name in reference if built[name] != reference[name]]
    assert not differ, f"differ from the default engine's build: {differ}"


def test_build_on_a_separate_scheduler_is_byte_identical(start_cluster, tmp_path):
    cluster = start_cluster()
    _build(ROOT / "raw", tmp_path / "default")
    done = _build(
        ROOT / "raw", tmp_path / "cluster", "--engine", "dask", "--scheduler", cluster.address
    )
    assert f"dask: 4 partitions on {cluster.address}" in done.stderr + done.stdout
    reference = _files(tmp_path / "default")
    _assert_same(_files(tmp_path / "cluster"), reference)
    assert reference["documents.jsonl"].count(b"\n") == 5
    with Client(cluster.address, timeout=30) as client:
        ran = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    # Task prefixes drop the leading "_": per-document batches and dedup's shuffle ran there.
    assert {"run_batch", "partition_pair_counts"} <= set(ran), ran


def _corpus(folder: Path, pages: int = 30) -> Path:
    """The seeds and ``pages`` WCXB pages (real web captures, gzipped HTML)."""
    assert WCXB_HTML.is_dir(), f"{WCXB_HTML} is missing (../shared beside the checkout)"
    raw = folder / "raw"
    shutil.copytree(ROOT / "raw", raw)
    for page in sorted(WCXB_HTML.glob("*.html.gz"))[:pages]:
        shutil.copy(page, raw / page.name)
    return raw


def _finished_batches(dask_scheduler) -> int:
    """(Run on the scheduler) how many per-document batches have finished so far."""
    prefix = dask_scheduler.task_prefixes.get("run_batch")
    counts = prefix.state_counts if prefix is not None else {}
    return counts.get("memory", 0) + counts.get("forgotten", 0)


def _build_killing(
    cluster: Cluster, raw: Path, out: Path, victim: str = "worker"
) -> tuple[int, str, float]:
    """Run the cluster build of ``raw`` into ``out`` and, once a dozen per-document
    batches have finished, SIGKILL the busy worker (nanny and worker process) or the
    scheduler: (return code, stderr, seconds into the build at the kill)."""
    command = _build_command(raw, out, "--engine", "dask", "--scheduler", cluster.address)
    started = time.monotonic()
    build = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()
    )
    killed_at = -1.0
    try:
        with Client(cluster.address, timeout=30) as client:
            while build.poll() is None:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy and client.run_on_scheduler(_finished_batches) >= 12:
                    if victim == "worker":
                        name = client.scheduler_info()["workers"][busy[0]]["name"]
                        _stop(cluster.workers[name], signal.SIGKILL)
                        killed_at = time.monotonic() - started
                    break
                time.sleep(0.05)
        if victim == "scheduler" and build.poll() is None:
            _stop(cluster.scheduler, signal.SIGKILL)
            killed_at = time.monotonic() - started
        _, stderr = build.communicate(timeout=300)
    finally:
        if build.poll() is None:
            build.kill()
    assert killed_at > 0, f"the build ended before the {victim} could be killed"
    return build.returncode, stderr, killed_at


def test_a_worker_killed_mid_build_is_survived(start_cluster, tmp_path):
    raw = _corpus(tmp_path)
    out = tmp_path / "processed"
    _build(raw, out)  # the default engine's build, also the "previous processed/"
    reference = _files(out)
    cluster = start_cluster()
    code, stderr, killed_at = _build_killing(cluster, raw, out)
    assert code == 0, stderr
    assert cluster.workers["w0"].poll() is not None or cluster.workers["w1"].poll() is not None
    _assert_same(_files(out), reference)
    print(f"worker killed {killed_at:.1f}s into the build; the build finished identical")


def test_a_worker_death_the_scheduler_gives_up_on_is_a_clear_error(start_cluster, tmp_path):
    raw = _corpus(tmp_path)
    out = tmp_path / "processed"
    _build(ROOT / "raw", out)  # a previous processed/ (the seeds): must stay as it is
    previous = _files(out)
    cluster = start_cluster(allowed_failures=0)  # the first death of a task's worker is final
    code, stderr, _ = _build_killing(cluster, raw, out)
    assert code == 1, stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert "Dask workers died while running" in line and f"{out} was left as it was" in line
    assert "Traceback" not in stderr
    print(line)
    _assert_same(_files(out), previous)


def test_a_lost_scheduler_is_a_clear_error(start_cluster, tmp_path):
    raw = _corpus(tmp_path)
    out = tmp_path / "processed"
    _build(ROOT / "raw", out)
    previous = _files(out)
    cluster = start_cluster()
    code, stderr, _ = _build_killing(cluster, raw, out, victim="scheduler")
    assert code == 1, stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert "lost the Dask scheduler while running" in line, line
    assert f"{out} was left as it was" in line and "Traceback" not in stderr, stderr
    _assert_same(_files(out), previous)
