"""Ingest: formats, encodings, metadata and bad input, on realistic captures."""

from __future__ import annotations

import gzip
import io
import tempfile
from pathlib import Path

import pandas as pd
from raw_files import raw_frame
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.ingest.decode import split_suffixes
from pipeline.ingest.metadata import find_updated_date, parse_date
from pipeline.ingest.stage import ingest_captures

ARTICLE = """<!doctype html><html><head><meta charset="{charset}">
<title>Sunscreen basics | Skin Health Org</title>
<link rel="canonical" href="https://skin.example.org/sunscreen">
<meta property="og:site_name" content="Skin Health Org">
<meta name="description" content="How to choose and use sunscreen.">
</head><body><h1>Sunscreen basics</h1>
<p>Apply sunscreen fifteen minutes before you go outside, and again every two hours.</p>
<p>Look for a broad-spectrum product with SPF 30 or higher. Se habla español.</p>
<footer>Page last updated on 3 March 2021</footer></body></html>"""


def _ingest(files: dict[str, bytes], sources: pd.DataFrame | None = None, settings=None):
    from pipeline.settings import IngestSettings

    with tempfile.TemporaryDirectory() as raw:
        frame = raw_frame(Path(raw), files)
        return ingest_captures(
            frame,
            sources if sources is not None else pd.DataFrame(columns=["file"]),
            settings or IngestSettings(),
        )


def test_doc_id_drops_format_and_compression_suffixes_only():
    assert split_suffixes("000_d9c78c9f329d1f8b.txt") == ("000_d9c78c9f329d1f8b", "text", False)
    assert split_suffixes("site/page.html.gz") == ("site/page", "html", True)
    assert split_suffixes("crawl/day 1.warc.gz") == ("crawl/day 1", "warc", True)
    assert split_suffixes("notes.v2.md") == ("notes.v2", "markdown", False)


def test_seeds_ingest_with_metadata_from_sources_csv_and_capture(raw_dir, settings):
    from pipeline.io import read_raw_dir

    files, sources, errors = read_raw_dir(raw_dir, settings.ingest)
    docs, ingest_errors = ingest_captures(files, sources, settings.ingest)
    assert errors == [] and ingest_errors.empty
    assert list(docs["doc_id"]) == sorted(docs["doc_id"])
    medline = docs.set_index("doc_id").loc["004_cb819cfe1ea844d4"]
    assert medline["url"] == "https://medlineplus.gov/cancerimmunotherapy.html"
    assert medline["trust"] == 3
    assert medline["description"].startswith("Immunotherapy is a cancer treatment")
    assert medline["updated"] == "2020-04-02"
    # The capture holds "EspaÃ±ol": ftfy repairs it and the document says so.
    assert "Español" in medline["content"] and "EspaÃ±ol" not in medline["content"]
    assert "mojibake_repaired" in medline["flags"]
    spun = docs.set_index("doc_id").loc["000_d9c78c9f329d1f8b"]
    assert spun["title"] == "Cancer Immunotherapy: MedlinePlus"
    assert pd.isna(spun["trust"]) and "mojibake_repaired" not in spun["flags"]


def test_html_metadata_and_declared_legacy_encoding():
    page = ARTICLE.format(charset="windows-1252").encode("cp1252")
    docs, errors = _ingest({"skin/sunscreen.html": page})
    assert errors.empty
    doc = docs.iloc[0]
    assert doc["doc_id"] == "skin/sunscreen"
    assert doc["url"] == "https://skin.example.org/sunscreen"
    assert doc["publisher"] == "Skin Health Org"
    assert doc["title"] == "Sunscreen basics | Skin Health Org"
    assert doc["updated"] == "2021-03-03"
    assert "español" in doc["content"]


def test_undeclared_latin1_and_utf16_are_detected_not_assumed():
    text = "Le traitement dépend du type de cancer et de son stade. Les effets secondaires varient."
    docs, errors = _ingest(
        {
            "a.txt": (text * 5).encode("latin-1"),
            "b.txt": (text * 5).encode("utf-16"),
            "c.txt": (text * 5).encode("utf-16-le"),
        }
    )
    assert errors.empty
    assert all("dépend du type" in content for content in docs["content"])


def test_meta_charset_after_a_long_head_script_is_still_read():
    """The charset meta 11 KB into the head (past a fixed 4 KB window): statistical
    detection alone reads these KOI8-R bytes as cp1250."""
    script = "<script>" + "var x = 1;\n" * 1000 + "</script>"
    body = "Пейте воду в жару, говорит врач. " * 20
    page = f'<html><head>{script}<meta charset="koi8-r"></head><body><p>{body}</p></body></html>'
    docs, errors = _ingest({"water.html": page.encode("koi8-r")})
    assert errors.empty
    assert "Пейте воду в жару" in docs.iloc[0]["content"]
    assert "encoding:koi8-r" in docs.iloc[0]["flags"]


def test_bad_inputs_each_get_one_clear_error_and_the_rest_goes_on():
    good = b"Sunscreen protects skin from ultraviolet light.\n"
    truncated = gzip.compress(ARTICLE.format(charset="utf-8").encode() * 20)[:200]
    files = {
        "empty.txt": b"",
        "blank.md": b"  \n\n ",
        "photo.txt": bytes(range(256)) * 40,
        "page.html.gz": truncated,
        "data.pdf": b"%PDF-1.4",
        "good one ünïcode.txt": good,
    }
    docs, errors = _ingest(files)
    assert list(docs["doc_id"]) == ["good one ünïcode"]
    by_file = errors.set_index("source_file")["error"].to_dict()
    assert set(by_file) == set(files) - {"good one ünïcode.txt"}
    assert by_file["empty.txt"].startswith("empty file")
    assert by_file["blank.md"].startswith("empty file")
    assert by_file["photo.txt"].startswith("binary")
    assert by_file["page.html.gz"].startswith("corrupt or truncated gzip")
    assert by_file["data.pdf"].startswith("unsupported file type")
    assert all("\n" not in message for message in by_file.values())


def test_sources_csv_wins_and_bad_rows_are_reported():
    sources = pd.DataFrame(
        {"file": ["a.txt", "missing.txt"], "publisher": ["Agency", ""], "trust": ["high", "2"]}
    )
    docs, errors = _ingest({"a.txt": b"Sunscreen protects skin.\n"}, sources)
    assert docs.iloc[0]["publisher"] == "Agency"
    assert pd.isna(docs.iloc[0]["trust"])
    messages = " ".join(errors["error"])
    assert "trust of a.txt is not an integer" in messages
    assert "missing.txt" in messages


def _warc(records: list[tuple[str, bytes, str]]) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for uri, body, ctype in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    return buffer.getvalue()


def test_warc_response_records_become_documents():
    page = ARTICLE.format(charset="utf-8").encode()
    plain = "Drink water when you exercise in the heat.".encode("cp1252")
    data = _warc(
        [
            ("https://skin.example.org/sunscreen", page, "text/html; charset=utf-8"),
            ("https://skin.example.org/heat.txt", plain, "text/plain; charset=windows-1252"),
        ]
    )
    docs, errors = _ingest({"crawl/day1.warc.gz": data})
    assert errors.empty
    assert list(docs["url"]) == [
        "https://skin.example.org/sunscreen",
        "https://skin.example.org/heat.txt",
    ]
    assert all(d.startswith("crawl/day1/") for d in docs["doc_id"])
    assert list(docs["format"]) == ["html", "text"]
    assert docs.iloc[0]["retrieved"] is not None


def test_truncated_warc_is_an_error_not_a_crash():
    data = _warc([("https://x.example/a", b"<p>Hello there, reader.</p>" * 40, "text/html")])
    docs, errors = _ingest({"broken.warc.gz": data[: len(data) // 2], "none.warc": b"not a warc"})
    assert docs.empty
    by_file = errors.set_index("source_file")["error"].to_dict()
    assert by_file["broken.warc.gz"].startswith("corrupt or truncated gzip")
    assert by_file["none.warc"].startswith("not a readable WARC")


def test_written_dates_parse_to_iso():
    assert parse_date("2 April 2020") == "2020-04-02"
    assert parse_date("April 2, 2020") == "2020-04-02"
    assert parse_date("10/01/2020") == "2020-10-01"
    assert parse_date("31/01/2020") == "2020-01-31"
    assert parse_date("31 Foo 2020") is None
    text = "Page last updated on 2 April 2020 Topic last reviewed: 10 August 2018"
    assert find_updated_date(text) == "2020-04-02"
