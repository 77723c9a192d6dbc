"""Faults: a build killed inside the output swap, and --out folders a build must refuse.

The kill tests run ``curate build`` as a real subprocess, stop it inside a step of the
swap (``CURATE_TEST_SWAP_PAUSE``, see pipeline/outdir.py) and kill it with SIGKILL.
Their raw folders hold captures that all fail to ingest, so a build takes seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.io.outdir import SWAP_PAUSE_ENV, SWAP_STEPS

CURATE = Path(sys.executable).parent / "curate"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != SWAP_PAUSE_ENV}
    env.update(HF_HUB_OFFLINE="1", **extra)
    return env


def _build(raw: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    args = [str(CURATE), "build", "--raw", str(raw), "--out", str(out), "--no-cache"]
    return subprocess.run(args, env=_env(**env), capture_output=True, text=True, timeout=120)


def _raw(folder: Path, name: str) -> Path:
    """A raw folder whose one capture fails to ingest with its name in errors.jsonl."""
    folder.mkdir(parents=True)
    (folder / f"{name}.bin").write_bytes(b"not a capture\n")
    return folder


def _output_of(out: Path) -> str | None:
    """Which raw folder a complete output was built from ("old"/"new"), else None."""
    manifest = out / "manifest.json"
    if not manifest.is_file():
        return None
    listed = json.loads(manifest.read_text())["outputs"]
    for entry in listed:
        if not (out / entry["file"]).is_file():
            return None
    errors = (out / "errors.jsonl").read_text()
    return "old" if "old.bin" in errors else "new" if "new.bin" in errors else None


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _kill_at(step: str, raw: Path, out: Path) -> None:
    args = [str(CURATE), "build", "--raw", str(raw), "--out", str(out), "--no-cache"]
    env = _env(**{SWAP_PAUSE_ENV: step})
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            if f"swap paused at {step}" in line:
                proc.send_signal(signal.SIGKILL)
                proc.wait(30)
                return
        pytest.fail(f"the build never paused at {step}: {''.join(seen)}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


@pytest.mark.parametrize("step", SWAP_STEPS)
def test_kill_inside_the_swap_loses_nothing(tmp_path: Path, step: str) -> None:
    """SIGKILL at each step of the swap: the old or the new output survives whole, and
    the next command restores it before anything else (even one that then fails)."""
    old_raw, new_raw = _raw(tmp_path / "old", "old"), _raw(tmp_path / "new", "new")
    out = tmp_path / "out"
    assert _build(old_raw, out).returncode == 0
    assert _output_of(out) == "old"
    _kill_at(step, new_raw, out)
    found = _output_of(out) or _output_of(tmp_path / ".out.old")
    assert found in ("old", "new"), _leftovers(out)
    # The next build fails on a bad decisions.toml, but only after restoring the output.
    (new_raw / "decisions.toml").write_text("[[bogus]]\n")
    failed = _build(new_raw, out)
    assert failed.returncode != 0 and "bogus" in failed.stderr
    assert _output_of(out) == found
    assert _leftovers(out) == []
    (new_raw / "decisions.toml").unlink()
    assert _build(new_raw, out).returncode == 0
    assert _output_of(out) == "new" and _leftovers(out) == []


def test_stale_staging_folders_of_dead_builds_are_removed(tmp_path: Path) -> None:
    """Staging folders of builds that are no longer running go; a live one stays."""
    raw, out = _raw(tmp_path / "raw", "new"), tmp_path / "out"
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / f".out.staging-{dead.pid}-abc").mkdir()
    (tmp_path / f".out.staging-{dead.pid}-abc" / "documents.jsonl").write_text("x\n")
    legacy = tmp_path / ".out.staging-k2j4"
    legacy.mkdir()
    os.utime(legacy, (time.time() - 7200, time.time() - 7200))
    live = tmp_path / f".out.staging-{os.getpid()}-live"
    live.mkdir()
    assert _build(raw, out).returncode == 0
    assert _leftovers(out) == [live.name]


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args, "--no-cache"])
    return result.exit_code, result.output


def test_out_equal_to_raw_is_refused(tmp_path: Path) -> None:
    """--out that is (or holds) the raw folder is refused and raw/ stays whole."""
    raw = _raw(tmp_path / "raw", "new")
    code, output = _cli("--raw", str(raw), "--out", str(raw))
    assert code != 0 and "is the raw folder" in output
    code, output = _cli("--raw", str(raw), "--out", str(tmp_path))
    assert code != 0 and "contains the raw folder" in output
    code, output = _cli("--raw", str(raw), "--out", str(raw / "processed"))
    assert code != 0 and "inside the raw folder" in output
    assert sorted(p.name for p in raw.iterdir()) == ["new.bin"]


def test_out_that_is_a_file_or_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    """An existing file, or a non-empty folder without our manifest.json, is kept."""
    raw = _raw(tmp_path / "raw", "new")
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    code, output = _cli("--raw", str(raw), "--out", str(target))
    assert code != 0 and "existing file" in output and target.read_text() == "mine\n"
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8")
    (folder / "manifest.json").write_text('{"tool": "other"}')
    code, output = _cli("--raw", str(raw), "--out", str(folder))
    assert code != 0 and "no manifest.json of curate" in output and "read 1 files" not in output
    assert sorted(p.name for p in folder.iterdir()) == ["cat.jpg", "manifest.json"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _cli("--raw", str(raw), "--out", str(empty))[0] == 0


def test_unwritable_output_is_reported_before_the_build(tmp_path: Path) -> None:
    """An output whose parent cannot be written is refused before anything is read."""
    raw = _raw(tmp_path / "raw", "new")
    if os.geteuid() == 0:
        out = Path("/proc/curate-out")  # root writes through permissions; /proc refuses
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        out = locked / "out"
    code, output = _cli("--raw", str(raw), "--out", str(out))
    assert code != 0 and "not writable" in output and "read 1 files" not in output
