"""The Makefile's output (issue #19, item 13): pip quiet but for errors, one line a step,
and ``make test`` saying before it installs Chromium, or why the browser tests will skip.

The recipes are read from the Makefile or dry-run with ``make -n``; the Chromium recipe
runs for real with fake ``id`` and ``apt-get`` commands first on PATH (nothing installed).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make not installed")


def _recipe(target: str) -> list[str]:
    """The recipe lines of ``target`` (a line continued with a backslash counts once)."""
    lines = MAKEFILE.split(f"\n{target}:", 1)[1].splitlines()[1:]
    recipe: list[str] = []
    continued = False
    for line in lines:
        if not line.startswith("\t"):
            break
        if continued:
            recipe[-1] += line
        else:
            recipe.append(line)
        continued = line.endswith("\\")
    return recipe


def _make(*args: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = f"{path}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_make_all_echoes_one_line_a_step_not_its_commands() -> None:
    for target in ("$(STAMP)", "$(BENCH_STAMP)", "build", "$(BROWSER)"):
        recipe = _recipe(target)
        assert recipe, target
        assert all(line.startswith("\t@") for line in recipe), (target, recipe)
    assert any('echo "curate: installing' in line for line in _recipe("$(STAMP)"))


def test_pip_prints_errors_only(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    result = _make("-n", "-B", f"VENV={venv}", f"{venv}/.installed", f"{venv}/.installed-bench")
    assert result.returncode == 0, result.stderr
    installs = [line for line in result.stdout.splitlines() if re.search(r"pip .*install", line)]
    assert len(installs) == 4, result.stdout  # pip itself, torch, curate, the bench extra
    for line in installs:
        assert "pip --quiet --quiet " in line, line  # -qq: ERROR level, so errors still show


def _fake_commands(folder: Path, uid: int, apt_get_works: bool) -> Path:
    folder.mkdir()
    (folder / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (folder / "apt-get").write_text(f"#!/bin/sh\nexit {0 if apt_get_works else 1}\n")
    for command in ("id", "apt-get"):
        (folder / command).chmod(0o755)
    return folder


def test_without_chromium_make_test_says_why_the_browser_tests_skip(tmp_path: Path) -> None:
    stamp = tmp_path / "venv" / ".browser"
    args = [f"VENV={tmp_path / 'venv'}", "CHROMIUM_NAMES=no-such-browser-anywhere", str(stamp)]
    user = _make(*args, path=_fake_commands(tmp_path / "user", 1000, False))
    assert user.returncode == 0, user.stderr
    assert "apt-get needs root" in user.stdout and "browser tests will skip" in user.stdout
    assert "installing" not in user.stdout and not stamp.exists()
    root = _make(*args, path=_fake_commands(tmp_path / "root", 0, False))
    lines = root.stdout.splitlines()
    assert lines[0] == "curate: installing Chromium with apt-get (for the report browser tests)"
    assert "apt-get could not install Chromium" in lines[1] and "will skip" in lines[1]
    assert not stamp.exists()  # the next make test tries again


def test_with_chromium_there_make_test_says_nothing(tmp_path: Path) -> None:
    stamp = tmp_path / "venv" / ".browser"
    stamp.parent.mkdir()
    result = _make(f"VENV={tmp_path / 'venv'}", "CHROMIUM_NAMES=no-such-browser sh", str(stamp))
    assert (result.returncode, result.stdout) == (0, "") and stamp.exists()
