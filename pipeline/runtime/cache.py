"""A content-addressed cache of per-document results, kept outside processed/.

An entry's key is the sha256 of everything its result depends on: the step, the
document's content (raw sha256 or text), the settings of the step and the code
version (a digest of the pipeline's own files). So an entry can never be stale: a
change to any of them is another key. Entries are JSON, one file each, written
atomically and checked by a sha256 line on read; an entry that is missing, corrupt or
unreadable counts as a miss and is computed again, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline import __version__

DEFAULT_CACHE_NAME = ".curate-cache"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the package version and every file of the pipeline package."""
    root = Path(__file__).parent.parent  # the pipeline package
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """JSON fallback for numpy scalars, sets and frozensets."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot cache a {type(value).__name__}")


def sha256_text(data: bytes | str) -> str:
    """sha256 of bytes or of a UTF-8 string."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


class DocCache:
    """Per-document results on disk under ``root``; ``root=None`` caches nothing.

    ``stats[step]`` counts ``cached`` (read from disk) and ``computed`` documents.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.stats: dict[str, dict[str, int]] = {}
        self.used: set[Path] = set()  # entries read or written by this run (for prune)

    @property
    def enabled(self) -> bool:
        """Whether entries are read and written at all."""
        return self.root is not None

    def key(self, step: str, *parts: Any, code: bool = True) -> str:
        """The entry key of ``step`` for inputs ``parts`` (plus the code version, unless
        ``code`` is False: for results that only the named parts decide)."""
        head = [step, code_version()] if code else [step]
        return sha256_text(json.dumps([*head, *parts], sort_keys=True, default=_plain))

    def _path(self, step: str, key: str, suffix: str = ".json") -> Path:
        assert self.root is not None
        return self.root / step / key[:2] / f"{key}{suffix}"

    def get_bytes(self, step: str, key: str, suffix: str = ".bin") -> bytes | None:
        """The body of a sound entry, else None (missing, corrupt or unreadable)."""
        if self.root is None:
            return None
        path = self._path(step, key, suffix)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        check, _, body = data.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != check:
            return None
        self.used.add(path)
        return body

    def put_bytes(self, step: str, key: str, body: bytes, suffix: str = ".bin") -> None:
        """Store ``body`` atomically, behind its sha256; a write that fails is skipped."""
        if self.root is None:
            return
        path = self._path(step, key, suffix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
            os.replace(tmp, path)
            self.used.add(path)
        except OSError:
            with contextlib.suppress(NameError, OSError):
                os.unlink(tmp)

    def get(self, step: str, key: str) -> tuple[bool, Any]:
        """``(True, value)`` for a sound entry, else ``(False, None)``."""
        body = self.get_bytes(step, key, ".json")
        if body is None:
            return False, None
        try:
            return True, json.loads(body)
        except ValueError:
            return False, None

    def put(self, step: str, key: str, value: Any) -> None:
        """Store ``value`` (JSON-able) atomically; a write that fails is skipped."""
        try:
            body = json.dumps(value, ensure_ascii=False, default=_plain).encode("utf-8")
        except (TypeError, ValueError):
            return
        self.put_bytes(step, key, body, ".json")

    def prune(self) -> tuple[int, int]:
        """Delete every entry this run neither read nor wrote (older code versions,
        settings or documents no longer in raw/); returns (files removed, bytes freed).
        Call it after a whole build only: entries of stages that did not run go too."""
        if self.root is None or not self.root.is_dir():
            return 0, 0
        removed = freed = 0
        for path in sorted(self.root.rglob("*"), reverse=True):  # files before their folders
            with contextlib.suppress(OSError):
                if path.is_dir():
                    if not any(path.iterdir()):
                        path.rmdir()
                elif path not in self.used:
                    size = path.stat().st_size
                    path.unlink()
                    removed, freed = removed + 1, freed + size
        return removed, freed

    def count(self, step: str, cached: int, computed: int) -> None:
        """Add to the hit/miss counts of ``step``."""
        entry = self.stats.setdefault(step, {"cached": 0, "computed": 0})
        entry["cached"] += cached
        entry["computed"] += computed

    def report_hits(self, step: str, progress: Callable[[str], None]) -> None:
        """Tell ``progress`` "step: N computed, M from cache" when the cache is on and
        ``step`` looked in it (nothing otherwise); a detail line (``progress.detail``,
        shown with -v) when the reporter has one."""
        entry = self.stats.get(step)
        if self.enabled and entry is not None:
            log = getattr(progress, "detail", progress)
            log(f"{step}: {entry['computed']} computed, {entry['cached']} from cache")


def default_cache_dir(out: Path) -> Path:
    """``.curate-cache/`` next to the output folder ``out``."""
    return out.resolve().parent / DEFAULT_CACHE_NAME


def _embedding_shapes_fit(found: tuple[np.ndarray, ...], count: int) -> bool:
    """An entry's arrays fit ``count`` sentences (a forged or stale entry is a miss)."""
    sentences, tokens, ids, lengths = found
    if sentences.ndim != 2 or sentences.shape[0] != count or lengths.shape != (count,):
        return False
    if lengths.dtype.kind not in "iu" or (count and int(lengths.min()) < 0):
        return False
    pieces = int(lengths.sum())
    return tokens.ndim == 2 and tokens.shape[0] == pieces and ids.shape == (pieces,)


class EmbeddingCache:
    """Per-document sentence and token vectors (``embed`` entries, numpy ``.npz``).

    The key is the document's sentences, the token axes kept and ``identity`` (the
    model weights, the projection basis, the batch size and the torch and
    sentence-transformers versions: all that decides the vectors), not the code
    version: a change elsewhere in the pipeline does not re-embed the corpus.
    """

    STEP = "embed"
    _NAMES = ("sentences", "tokens", "ids", "lengths")

    def __init__(self, cache: DocCache, identity: list[str]) -> None:
        self.cache = cache
        self.identity = identity

    def _key(self, texts: list[str], dims: int) -> str:
        return self.cache.key(self.STEP, self.identity, dims, texts, code=False)

    def get(self, texts: list[str], dims: int) -> tuple[np.ndarray, ...] | None:
        """The four arrays of ``texts`` when cached, else None (counted as hit or miss)."""
        body = self.cache.get_bytes(self.STEP, self._key(texts, dims), ".npz")
        if body is not None:
            try:
                with np.load(io.BytesIO(body)) as data:
                    found = tuple(data[name] for name in self._NAMES)
                if _embedding_shapes_fit(found, len(texts)):
                    self.cache.count(self.STEP, 1, 0)
                    return found
            except (OSError, KeyError, ValueError):
                pass
        self.cache.count(self.STEP, 0, 1)
        return None

    def put(self, texts: list[str], dims: int, arrays: tuple[np.ndarray, ...]) -> None:
        """Keep the four arrays of ``texts``."""
        buffer = io.BytesIO()
        # Any: numpy's stub would check the names against savez's own keywords.
        named: dict[str, Any] = dict(zip(self._NAMES, arrays, strict=True))
        np.savez(buffer, **named)
        self.cache.put_bytes(self.STEP, self._key(texts, dims), buffer.getvalue(), ".npz")
