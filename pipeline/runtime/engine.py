"""Execution engines: where the per-partition work of the stages runs.

Stages stay pure functions from tables to tables; they ask an engine for two things:

- ``map(fn, parts, shared)``: ``[fn(part, shared) for part in parts]``, results in the
  order of ``parts`` (per-document work: ingest, clean, segment; dedup's pair checks);
- ``pair_counts(values, owners, n_docs, max_df)``: shuffle ``(value, owner)`` rows on
  ``value`` (dedup's fingerprint "band" keys) so every key's owners meet in one
  partition, count the pairs of owners sharing keys there, and sum the counts over
  partitions (a pair can share keys that landed in different partitions).

``PandasEngine`` runs everything in this process. ``DaskEngine`` runs on a Dask
``LocalCluster`` (``workers`` processes) or an existing scheduler; dask is imported only
when it is built, so the default engine pays no Dask start-up cost. Results are gathered
in partition order and pair counts come back sorted, so both engines give identical
tables. A worker that dies mid-build is survived by Dask itself: the scheduler runs its
tasks again elsewhere (up to ``distributed.scheduler.allowed-failures`` times per task);
past that, or when the scheduler goes away, :class:`ClusterError` says so in one line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

Done = Callable[[int], None] | None
_EMPTY_PAIRS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def group_pair_counts(
    values: np.ndarray, owners: np.ndarray, n_docs: int, max_df: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of owners sharing values, as sorted unique keys ``low * n_docs + high`` and
    how many values each pair shares. ``values`` must be sorted (owners unique per value);
    values held by one owner or by more than ``max_df`` owners are skipped."""
    if len(values) == 0 or n_docs < 2:
        return _EMPTY_PAIRS
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    counts = np.diff(np.r_[starts, len(values)])
    keys: list[np.ndarray] = []
    n = np.int64(n_docs)
    for size in np.unique(counts):
        if size < 2 or size > max_df:
            continue
        group_starts = starts[counts == size]
        members = owners[group_starts[:, None] + np.arange(size)].astype(np.int64)
        left, right = np.triu_indices(int(size), k=1)
        low = np.minimum(members[:, left], members[:, right])
        high = np.maximum(members[:, left], members[:, right])
        keys.append((low * n + high).ravel())
    if not keys:
        return _EMPTY_PAIRS
    unique, shared = np.unique(np.concatenate(keys), return_counts=True)
    return unique.astype(np.int64), shared.astype(np.int64)


def merge_pair_counts(
    parts: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Sum the pair counts of several partitions: sorted unique keys and their totals."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _EMPTY_PAIRS
    keys = np.concatenate([k for k, _ in parts])
    counts = np.concatenate([c for _, c in parts])
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=counts).astype(np.int64)


class Engine(Protocol):
    """What stages need from an engine."""

    name: str
    partitions: int

    def map(
        self, fn: Callable[[Any, Any], Any], parts: Sequence[Any], shared: Any, on_done: Done = None
    ) -> list:
        """``[fn(part, shared) for part in parts]``, in order; ``on_done(i)`` as each ends."""
        ...

    def pair_counts(
        self, values: np.ndarray, owners: np.ndarray, n_docs: int, max_df: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pair keys and shared-value counts (see :func:`group_pair_counts`)."""
        ...

    def close(self) -> None:
        """Release the engine's resources."""
        ...


class PandasEngine:
    """Everything in this process, one partition."""

    name = "pandas"
    partitions = 1

    def map(
        self, fn: Callable[[Any, Any], Any], parts: Sequence[Any], shared: Any, on_done: Done = None
    ) -> list:
        """``[fn(part, shared) for part in parts]``; ``on_done(i)`` after part ``i``."""
        results = []
        for index, part in enumerate(parts):
            results.append(fn(part, shared))
            if on_done is not None:
                on_done(index)
        return results

    def pair_counts(
        self, values: np.ndarray, owners: np.ndarray, n_docs: int, max_df: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pair counts of the whole fingerprint table at once."""
        return group_pair_counts(values, owners, n_docs, max_df)

    def close(self) -> None:
        """Nothing to release."""


def _partition_pair_counts(frame: Any, n_docs: int, max_df: int) -> Any:
    """One shuffled partition of ``(value, owner)`` rows -> its pair counts as a frame."""
    import pandas as pd

    frame = frame.sort_values(["value", "owner"], kind="stable")
    keys, counts = group_pair_counts(
        frame["value"].to_numpy(np.uint64), frame["owner"].to_numpy(np.int64), n_docs, max_df
    )
    return pd.DataFrame({"key": keys, "shared": counts})


class ClusterError(RuntimeError):
    """The Dask cluster lost work it could not redo: workers died too often, or the
    connection to the scheduler closed."""


def _cluster_failures() -> tuple[type[Exception], ...]:
    """What distributed raises when workers died too often or the scheduler is gone."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError
    from distributed.comm import CommClosedError

    return (KilledWorker, CommClosedError, FutureCancelledError)


def _lost(what: str, exc: Exception) -> ClusterError:
    """A one-line :class:`ClusterError` for ``exc`` raised while the cluster ran ``what``."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return ClusterError(
            f"Dask workers died while running {what}: a task lost its worker"
            f" {exc.allowed_failures + 1} time(s) and the scheduler gave up on it"
            f" (distributed.scheduler.allowed-failures = {exc.allowed_failures})"
        )
    # Dask's message can span lines ("... cancelled for reason: ...\nClient lost ..."):
    # the error stays one line.
    detail = " ".join(str(exc).split())
    return ClusterError(f"lost the Dask scheduler while running {what} ({detail})")


class DaskEngine:
    """Partitions run on a Dask cluster: a new ``LocalCluster`` or ``scheduler``'s."""

    name = "dask"

    def __init__(
        self, workers: int = 2, scheduler: str | None = None, partitions_per_worker: int = 2
    ) -> None:
        from distributed import Client, LocalCluster

        started = time.perf_counter()
        self._cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clashes, never warns
                silence_logs=40,
            )
            self.client = Client(self._cluster)
        n_workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)
        self.partitions = max(1, n_workers * partitions_per_worker)
        self.startup_seconds = time.perf_counter() - started

    def map(
        self, fn: Callable[[Any, Any], Any], parts: Sequence[Any], shared: Any, on_done: Done = None
    ) -> list:
        """Run ``fn`` on every part on the cluster (``shared`` is sent once per worker);
        results in the order of ``parts``, ``on_done(i)`` as part ``i`` finishes."""
        from distributed import as_completed

        if not parts:
            return []
        # A list is scattered element by element: wrap ``shared`` to send it whole.
        try:
            [shared_future] = self.client.scatter([shared], broadcast=True, hash=False)
            futures = self.client.map(fn, list(parts), [shared_future] * len(parts), pure=False)
            index = {future.key: i for i, future in enumerate(futures)}
            for future in as_completed(futures):
                future.result()  # raises the task's error here
                if on_done is not None:
                    on_done(index[future.key])
            return self.client.gather(futures)
        except _cluster_failures() as exc:
            raise _lost("a partition of the build", exc) from exc

    def pair_counts(
        self, values: np.ndarray, owners: np.ndarray, n_docs: int, max_df: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Shuffle the fingerprints on their value across partitions, count the pairs in
        each partition, then sum the counts."""
        if len(values) == 0 or n_docs < 2:
            return _EMPTY_PAIRS
        import dask.dataframe as dd
        import pandas as pd

        table = pd.DataFrame({"value": values.astype(np.uint64), "owner": owners})
        frame = dd.from_pandas(table, npartitions=self.partitions, sort=False)
        shuffled = frame.shuffle(on="value", npartitions=self.partitions)
        meta = pd.DataFrame({"key": np.zeros(0, np.int64), "shared": np.zeros(0, np.int64)})
        counted = shuffled.map_partitions(_partition_pair_counts, n_docs, max_df, meta=meta)
        try:
            result = self.client.compute(counted).result()
        except _cluster_failures() as exc:
            raise _lost("the dedup shuffle", exc) from exc
        return merge_pair_counts([(result["key"].to_numpy(), result["shared"].to_numpy())])

    def close(self) -> None:
        """Close the client and the local cluster (an external scheduler is left up).
        Logging is off meanwhile: after a lost scheduler, Dask would log the client's
        cancelled reconnection as a traceback above the build's one-line error."""
        import logging

        level = logging.root.manager.disable
        logging.disable(logging.CRITICAL)
        try:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            logging.disable(level)


def make_engine(name: str = "pandas", workers: int = 2, scheduler: str | None = None) -> Engine:
    """The engine called ``name`` (``pandas`` or ``dask``)."""
    if name == "pandas":
        return PandasEngine()
    if name == "dask":
        return DaskEngine(workers=workers, scheduler=scheduler)
    raise ValueError(f"unknown engine {name!r}: use 'pandas' or 'dask'")


def chunks(items: Sequence[Any], count: int) -> list[list[Any]]:
    """``items`` cut into at most ``count`` contiguous, nearly equal runs (order kept)."""
    items = list(items)
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    out, start = [], 0
    for k in range(count):
        stop = start + size + (1 if k < extra else 0)
        out.append(items[start:stop])
        start = stop
    return [c for c in out if c]
