"""Bad input is normal input: each case gets a clear errors.jsonl line and the build goes on.

Each test here is one hole of issue 20 (sources.csv rows, truncated WARC records, forged
cache entries, symbolic links, CSV injection, HTML in corpus.md, gzip bombs, trust).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from raw_files import raw_frame
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.decisions.load import DecisionsError, parse_decisions
from pipeline.document_steps import ingest_and_clean
from pipeline.ingest.decode import decompress
from pipeline.ingest.stage import ingest_file, validate_sources
from pipeline.io import csv_bytes, read_csv_table, read_raw_dir, read_sources_csv
from pipeline.reconcile.corpus_md import render_corpus_md
from pipeline.runtime.cache import DocCache
from pipeline.runtime.engine import PandasEngine
from pipeline.settings import IngestSettings, Settings

PAGE = "Aspirin thins the blood. Take it with food to spare the stomach.\n"


def _messages(errors: list[dict]) -> str:
    return "\n".join(f"{e['source_file']}: {e['error']}" for e in errors)


# 4 -------------------------------------------------------------------------------------
def test_one_bad_sources_row_keeps_every_good_row(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(
        "file,url,publisher,title,retrieved,trust\n"
        'a.txt,,Pub A,"Title, with a comma",,1\n'
        'b.txt,,"Pub B,,,,\n'
        "c.txt,,Pub C,x,,2,extra,cells\n"
        'd.txt,,Pub D,"two\nlines",,3\n'
        "e.txt,,Pub E\n"
    )
    errors: list[dict] = []
    frame = read_sources_csv(path, errors)
    assert list(frame["file"]) == ["a.txt", "d.txt", "e.txt"]
    assert list(frame["publisher"]) == ["Pub A", "Pub D", "Pub E"]
    text = _messages(errors)
    assert "sources.csv line 3 could not be parsed" in text
    assert "sources.csv line 4 has 8 cells" in text and len(errors) == 2


# 6 -------------------------------------------------------------------------------------
def _warc(count: int) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for n in range(count):
        body = f"<html><body><p>Page {n}: aspirin thins the blood.</p></body></html>".encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://x.example/{n}", "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue()


def _ingest_warc(data: bytes) -> tuple[list[str], str]:
    outcomes = ingest_file("crawl.warc", data, {}, IngestSettings())
    docs = [doc_id for doc_id, row, _ in outcomes if row is not None]
    return docs, _messages([error for _, _, error in outcomes if error is not None])


@pytest.mark.parametrize(
    ("cut", "expected"),
    [(30, "WARC record 1 is truncated"), (250, "ends in a truncated record")],
)
def test_truncated_warc_records_get_an_error_line(cut: int, expected: str) -> None:
    data = _warc(2)
    docs, errors = _ingest_warc(data[:-cut])
    assert docs == ["crawl/0"]
    assert expected in errors


def test_false_content_length_gets_an_error_line() -> None:
    data = _warc(2).replace(b"Content-Length: ", b"Content-Length: 9", 1)
    docs, errors = _ingest_warc(data)
    assert docs == [] and "WARC record 0 is truncated" in errors


def test_sound_warc_has_no_error() -> None:
    docs, errors = _ingest_warc(_warc(2))
    assert docs == ["crawl/0", "crawl/1"] and errors == ""


# 7 -------------------------------------------------------------------------------------
FORGED = [b"[]", b"[[null, null, null]]", b'[["a", {"doc_id": "a"}, null]]', b"{}", b"7"]


@pytest.mark.parametrize("forged", FORGED)
def test_forged_cache_entries_are_misses(tmp_path: Path, forged: bytes) -> None:
    """An entry with a valid checksum but the wrong shape is computed again."""
    files = raw_frame(tmp_path / "raw", {"a.txt": PAGE.encode(), "b.txt": PAGE.encode()})
    sources = pd.DataFrame(columns=["file"])
    settings, cache = Settings(), DocCache(tmp_path / "cache")

    def run() -> tuple[list[str], int]:
        _, docs, _, errors = ingest_and_clean(
            files, sources, settings, PandasEngine(), cache, lambda _m: None
        )
        return list(docs["doc_id"]), len(errors)

    first = run()
    entries = sorted((tmp_path / "cache").rglob("*.json"))
    assert entries
    for entry in entries:
        entry.write_bytes(hashlib.sha256(forged).hexdigest().encode() + b"\n" + forged)
    assert run() == first == (["a", "b"], 0)


# 8 -------------------------------------------------------------------------------------
def test_symlinks_out_of_raw_dangling_or_looping_are_errors_not_read(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret\n")
    (raw / "page.txt").write_text(PAGE)
    os.symlink(secret, raw / "passwd.txt")
    os.symlink(tmp_path, raw / "outside")
    os.symlink(raw / "missing.txt", raw / "dangling.txt")
    os.symlink(raw / "loop.txt", raw / "loop.txt")
    os.symlink(raw / "page.txt", raw / "alias.txt")
    files, _, errors = read_raw_dir(raw, IngestSettings())
    assert sorted(files["source_file"]) == ["alias.txt", "page.txt"]
    assert all(Path(path).is_relative_to(raw.resolve()) for path in files["path"])
    assert all(Path(path).read_bytes() == PAGE.encode() for path in files["path"])
    by_file = {e["source_file"]: e["error"] for e in errors}
    assert "outside raw/" in by_file["passwd.txt"] and "outside raw/" in by_file["outside"]
    assert "dangling" in by_file["dangling.txt"] and "loop" in by_file["loop.txt"]


# 9 -------------------------------------------------------------------------------------
def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    titles = ["=1+1", '=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'q", "ok"]
    frame = pd.DataFrame({"key": [f"k{i}" for i in range(len(titles))], "title": titles})
    data = csv_bytes(frame)
    cells = list(pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)["title"])
    assert all(c.startswith("'") for c in cells[:-1]) and cells[-1] == "ok"
    assert list(read_csv_table(io.BytesIO(data))["title"]) == titles


# 10 ------------------------------------------------------------------------------------
def test_corpus_md_escapes_html_and_keeps_only_http_links() -> None:
    claims = pd.DataFrame(
        [
            {
                "claim_id": "c1",
                "status": "single_source",
                "order": 0,
                "doc_id": "d1",
                "section": "<img src=x onerror=alert(1)>",
                "text": "Aspirin <script>alert(1)</script> [click](javascript:alert(1)) & more",
                "citations": ["a"],
                "conflicts": [],
            }
        ]
    )
    sources = pd.DataFrame(
        [
            {"key": "a", "doc_id": "d1", "title": "<b>T</b>", "publisher": "P",
             "url": "javascript:alert(1)", "retrieved": None, "relation": "original"},
            {"key": "b", "doc_id": "d2", "title": "T2", "publisher": "P2",
             "url": "https://ok.example/page", "retrieved": None, "relation": "original"},
        ]
    )  # fmt: skip
    text = render_corpus_md(claims, sources)
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "[click](javascript:" not in text and "<javascript:" not in text
    assert "&lt;script&gt;" in text and "<https://ok.example/page>" in text


# 11 ------------------------------------------------------------------------------------
def test_gzip_bomb_stops_at_the_limit_with_bounded_memory() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    tracemalloc.start()
    with pytest.raises(ValueError, match="unpacks to more than"):
        decompress(bomb, 1024 * 1024)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    outcomes = ingest_file("bomb.html.gz", bomb, {}, IngestSettings(max_file_bytes=1 << 20))
    assert outcomes[0][2] is not None and "unpacks to more than" in outcomes[0][2]["error"]


# 12 ------------------------------------------------------------------------------------
def test_trust_out_of_range_names_the_entry() -> None:
    with pytest.raises(DecisionsError, match=r"\[\[trust\]\] #2: trust must be a whole number"):
        parse_decisions(
            '[[trust]]\ndoc_id = "a"\ntrust = 1\n'
            '[[trust]]\ndoc_id = "b"\ntrust = 99999999999999999999\n'
        )
    rows = pd.DataFrame(
        {"file": ["a.txt", "b.txt", "c.txt"], "trust": ["99999999999999999999", "inf", "2"]}
    )
    by_file, errors = validate_sources(rows)
    assert by_file["a.txt"]["trust"] is None and by_file["b.txt"]["trust"] is None
    assert by_file["c.txt"]["trust"] == 2 and len(errors) == 2


# 5 -------------------------------------------------------------------------------------
def test_html_text_node_over_10_mb_is_reported(tmp_path: Path) -> None:
    words = ("Aspirin thins the blood. " * 420_001)[:10_500_000]
    page = f"<html><body><h1>Big</h1><p>{words}</p></body></html>".encode()
    files = raw_frame(tmp_path, {"big.html": page})
    _, docs, _, errors = ingest_and_clean(
        files, pd.DataFrame(columns=["file"]), Settings(), PandasEngine(), DocCache(None),
        lambda _m: None,
    )  # fmt: skip
    kept = "".join(docs["text"])
    reported = "text run over 10 MB" in " ".join(errors["error"])
    assert reported or len(kept) > 10_000_000


def test_a_forged_embedding_entry_is_a_miss(tmp_path: Path) -> None:
    """An embed entry with a valid checksum but arrays of the wrong shape is recomputed."""
    from pipeline.align.embed import embed_with_tokens
    from pipeline.runtime.cache import EmbeddingCache

    texts = ["Paracetamol can bring a fever down.", "Drink plenty of fluids when ill."]
    cache = EmbeddingCache(DocCache(tmp_path / "cache"), ["test"])
    first = embed_with_tokens(texts, "minilm", "", 16, 128, groups=[2], cache=cache)
    assert first[1] == "minilm"
    buffer = io.BytesIO()
    np.savez(buffer, sentences=np.zeros((5, 3)), tokens=np.zeros((1, 2)),
             ids=np.zeros(9, dtype=np.int64), lengths=np.zeros(4, dtype=np.int64))  # fmt: skip
    body = buffer.getvalue()
    entries = sorted((tmp_path / "cache" / "embed").rglob("*.npz"))
    assert entries
    for entry in entries:
        entry.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    again = embed_with_tokens(texts, "minilm", "", 16, 128, groups=[2], cache=cache)
    np.testing.assert_array_equal(again[0], first[0])
