"""The output folder: checked before a build, swapped in at the end, recovered after a kill.

A build writes everything into ``.<out>.staging-<pid>-*`` beside ``out``, then swaps it in
with two renames: ``out`` -> ``.<out>.old`` and staging -> ``out``. A process killed
between the two leaves only ``.<out>.old``; :func:`recover_output` (run before every
build) puts it back. Swaps and recoveries hold an ``flock`` on the parent folder, so two
builds never interleave their renames, and staging folders of dead builds are removed.

The output honours the umask like any folder a user makes: ``mkdtemp`` creates the
staging folder 0700, so it is opened up to ``0777 & ~umask`` (0755 under umask 022)
before it becomes ``out``; files and subfolders get the umask's modes as written.

``CURATE_TEST_SWAP_PAUSE=<step>`` (tests only) makes the swap stop for a minute at
``staged``, ``old-moved`` or ``new-moved`` so a test can kill it there.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SWAP_PAUSE_ENV = "CURATE_TEST_SWAP_PAUSE"  # for the kill tests only: see the module doc
SWAP_STEPS = ("staged", "old-moved", "new-moved")
_LEGACY_STAGING_AGE = 3600.0  # seconds: a staging folder without a pid this old is dead


class OutputError(ValueError):
    """The output folder cannot be used: the message says why and what to do."""


def _old(out: Path) -> Path:
    return out.parent / f".{out.name}.old"


def _staging_prefix(out: Path) -> str:
    return f".{out.name}.staging-"


def current_umask() -> int:
    """The process's umask, read without changing it where Linux tells it (/proc)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: set and restore (a moment's change)
    os.umask(mask)
    return mask


def _pause(step: str) -> None:
    """Stop here for the kill tests when ``CURATE_TEST_SWAP_PAUSE`` names ``step``."""
    if os.environ.get(SWAP_PAUSE_ENV) == step:
        print(f"curate: swap paused at {step}", file=sys.stderr, flush=True)
        time.sleep(60)


@contextlib.contextmanager
def _swap_lock(parent: Path) -> Iterator[None]:
    """An exclusive flock on ``parent`` (released by the kernel if we are killed)."""
    try:
        fd = os.open(parent, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def is_our_output(folder: Path) -> bool:
    """Whether ``folder`` holds a manifest.json written by curate."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "curate"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_staging(path: Path, prefix: str) -> bool:
    pid_text = path.name[len(prefix) :].split("-", 1)[0]
    if pid_text.isdigit():
        return int(pid_text) != os.getpid() and not _pid_alive(int(pid_text))
    try:
        return time.time() - path.stat().st_mtime > _LEGACY_STAGING_AGE
    except OSError:
        return False


def _recover(out: Path) -> list[str]:
    """Undo or finish a swap that a killed build left half-way (caller holds the lock)."""
    done: list[str] = []
    old = _old(out)
    if old.is_dir() and not old.is_symlink():
        if not out.exists() and not out.is_symlink():
            os.replace(old, out)
            done.append(f"restored the previous output {out} from {old.name}")
        else:
            shutil.rmtree(old, ignore_errors=True)
    prefix = _staging_prefix(out)
    if out.parent.is_dir():
        for path in sorted(out.parent.glob(f"{prefix}*")):
            if path.is_dir() and not path.is_symlink() and _dead_staging(path, prefix):
                shutil.rmtree(path, ignore_errors=True)
                done.append(f"removed {path.name}, left by a build that was stopped")
    return done


def recover_output(out: Path) -> list[str]:
    """Restore ``.<out>.old`` when a killed swap left no ``out``, drop a leftover
    ``.<out>.old`` and remove staging folders of dead builds; returns what was done."""
    out = out.resolve()
    if not out.parent.is_dir():
        return []
    with _swap_lock(out.parent):
        return _recover(out)


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_output(raw: Path, out: Path) -> None:
    """Refuse an ``out`` that a build would destroy or could not write, before any work.

    ``out`` must not be ``raw``, hold it or lie inside it; it must be a folder that is
    missing, empty or a previous output (a manifest.json of curate); and a folder must be
    creatable beside it. Raises :class:`OutputError`.
    """
    raw_r, out_r = raw.resolve(), out.resolve()
    if _inside(raw_r, out_r):
        what = "is the raw folder" if raw_r == out_r else f"contains the raw folder {raw}"
        raise OutputError(f"--out {out} {what}: a build would delete it; choose another --out")
    if _inside(out_r, raw_r):
        raise OutputError(
            f"--out {out} is inside the raw folder {raw}: its files would be read as "
            "captures; choose a folder outside raw/"
        )
    if out_r.exists() and not out_r.is_dir():
        raise OutputError(f"--out {out} is an existing file, not a folder; choose another --out")
    if out_r.is_dir() and any(out_r.iterdir()) and not is_our_output(out_r):
        raise OutputError(
            f"--out {out} is a folder that is not empty and holds no manifest.json of curate:"
            " refusing to replace it (empty it or choose another --out)"
        )
    parent = out_r.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    try:
        probe = tempfile.mkdtemp(prefix=f".{out_r.name}.probe-", dir=parent)
        os.rmdir(probe)
    except OSError as exc:
        raise OutputError(
            f"cannot write the output {out}: {parent} is not writable ({exc})"
        ) from exc


def prepare_output(raw: Path, out: Path) -> list[str]:
    """Recover a half-done swap, then check ``out`` (see :func:`check_output`)."""
    done = recover_output(out)
    check_output(raw, out)
    return done


def write_output_dir(out: Path, files: dict[str, bytes]) -> None:
    """Replace the folder ``out`` by one holding exactly ``files`` (relative path -> bytes).

    Everything is written into a staging folder beside ``out`` first; only when all of it
    is on disk is the old folder swapped out, so an interrupted build leaves the previous
    ``out`` intact (or as ``.<out>.old``, which the next build restores).
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_output(out)
    prefix = f"{_staging_prefix(out)}{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=out.parent))
    try:
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp made it 0700
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _pause("staged")
        old = _old(out)
        with _swap_lock(out.parent):
            _recover(out)
            if out.exists():
                os.replace(out, old)
                _pause("old-moved")
            os.replace(staging, out)
            _pause("new-moved")
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
