"""The Dask engine gives byte-identical processed/ to the in-process one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from small_corpus import write_corpus

from pipeline.build import build
from pipeline.dedup.candidates import candidate_pairs
from pipeline.runtime.engine import (
    PandasEngine,
    chunks,
    group_pair_counts,
    make_engine,
    merge_pair_counts,
)
from pipeline.settings import AlignSettings, Settings

# The lexical embedder keeps the test fast (no model load); both engines embed alike.
FAST = Settings(align=AlignSettings(embedder="lexical"))


@pytest.fixture(scope="module")
def dask_engine():
    """A real LocalCluster of 2 worker processes."""
    pytest.importorskip("distributed")
    engine = make_engine("dask", workers=2)
    yield engine
    engine.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _same_build(raw: Path, tmp: Path, engine, settings: Settings) -> dict[str, bytes]:
    build(raw, tmp / "pandas", settings, engine=PandasEngine())
    build(raw, tmp / "dask", settings, engine=engine)
    local, distributed = _files(tmp / "pandas"), _files(tmp / "dask")
    assert sorted(local) == sorted(distributed)
    differ = [name for name in local if local[name] != distributed[name]]
    assert not differ, f"engines differ in {differ}"
    return local


def test_dask_build_is_byte_identical_on_the_seeds(dask_engine, raw_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    files = _same_build(raw_dir, tmp_path, dask_engine, FAST)
    assert files["documents.jsonl"].count(b"\n") == 5


def test_dask_build_is_byte_identical_on_a_generated_corpus(dask_engine, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    raw = write_corpus(tmp_path / "raw", 40)
    files = _same_build(raw, tmp_path, dask_engine, FAST)
    assert files["relations.jsonl"].count(b"\n") >= 10  # copies across partitions were found


def test_dask_pair_counts_shuffle_equals_one_partition(dask_engine):
    rng = np.random.default_rng(0)
    owners = rng.integers(0, 300, 20_000).astype(np.int32)
    values = rng.integers(0, 2_000, 20_000).astype(np.uint64)
    order = np.lexsort((owners, values))
    values, owners = values[order], owners[order]
    fresh = np.r_[True, (values[1:] != values[:-1]) | (owners[1:] != owners[:-1])]
    values, owners = values[fresh], owners[fresh]
    local = PandasEngine().pair_counts(values, owners, 300, 64)
    shuffled = dask_engine.pair_counts(values, owners, 300, 64)
    assert np.array_equal(local[0], shuffled[0]) and np.array_equal(local[1], shuffled[1])
    pairs = candidate_pairs(values, owners, 300, 3, 0.1, 64, dask_engine.pair_counts)
    assert np.array_equal(pairs, candidate_pairs(values, owners, 300, 3, 0.1, 64))


def test_pair_counts_of_split_partitions_sum_to_the_whole():
    values = np.array([1, 1, 1, 2, 2, 3, 3, 3], dtype=np.uint64)
    owners = np.array([0, 1, 2, 0, 1, 0, 1, 2], dtype=np.int32)
    whole = group_pair_counts(values, owners, 3, 64)
    parts = [
        group_pair_counts(values[:5], owners[:5], 3, 64),
        group_pair_counts(values[5:], owners[5:], 3, 64),
    ]
    merged = merge_pair_counts(parts)
    assert whole[0].tolist() == merged[0].tolist() == [1, 2, 5]  # keys low * 3 + high
    assert whole[1].tolist() == merged[1].tolist() == [3, 2, 2]


def test_chunks_keep_order_and_cover_everything():
    parts = chunks(list(range(10)), 3)
    assert parts == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert chunks([], 4) == [] and chunks([1], 4) == [[1]]


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("spark")


def test_scheduler_needs_the_dask_engine(raw_dir, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    out = str(tmp_path / "o")
    args = ["build", "--raw", str(raw_dir), "--out", out, "--scheduler", "tcp://x:1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0 and "--scheduler needs --engine dask" in result.output


def test_a_lost_scheduler_message_is_one_line() -> None:
    """Dask's cancellation text can span two lines; the build's error stays one line."""
    from pipeline.runtime.engine import _lost

    dask_text = "x-30 cancelled for reason: scheduler-connection-lost.\nClient lost the connection."
    message = str(_lost("a partition of the build", Exception(dask_text)))
    assert message == (
        "lost the Dask scheduler while running a partition of the build (x-30 cancelled"
        " for reason: scheduler-connection-lost. Client lost the connection.)"
    )
