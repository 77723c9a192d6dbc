"""Source labels (issue #19, item 1): publisher and title instead of hash doc_ids."""

from __future__ import annotations

from pipeline.report.labels import label_text, source_label, source_labels

MEDLINE = {
    "doc_id": "004_cb819cfe1ea844d4",
    "publisher": "MedlinePlus",
    "title": "Cancer Immunotherapy",
    "url": "https://medlineplus.gov/cancerimmunotherapy.html",
    "relation": "original",
}
SPUN = {
    "doc_id": "000_d9c78c9f329d1f8b",
    "publisher": None,
    "title": "Cancer Immunotherapy: MedlinePlus",
    "url": None,
    "relation": "spun_copy",
    "derived_from": "004_cb819cfe1ea844d4",
}


def test_label_is_publisher_and_title_with_doc_id_apart() -> None:
    label = source_label(MEDLINE)
    assert label == {
        "label": "MedlinePlus — Cancer Immunotherapy",
        "doc_id": "004_cb819cfe1ea844d4",
        "copy": "",
        "copy_of": "",
    }


def test_title_repeating_the_publisher_is_not_doubled() -> None:
    doc = dict(MEDLINE, title="Cancer Immunotherapy | MedlinePlus")
    assert source_label(doc)["label"] == "MedlinePlus — Cancer Immunotherapy"
    assert source_label(dict(MEDLINE, title="MedlinePlus"))["label"] == "MedlinePlus"


def test_copy_is_marked_names_its_original_and_drops_the_copied_site_name() -> None:
    labels = source_labels([SPUN, MEDLINE])
    spun = labels["000_d9c78c9f329d1f8b"]
    assert spun["label"] == "Cancer Immunotherapy"
    assert "MedlinePlus" not in spun["label"]
    assert spun["copy"] == "spun copy"
    assert spun["copy_of"] == "MedlinePlus — Cancer Immunotherapy"
    assert label_text(spun) == (
        "Cancer Immunotherapy (spun copy of MedlinePlus — Cancer Immunotherapy)"
        " [000_d9c78c9f329d1f8b]"
    )


def test_fallbacks_host_then_doc_id() -> None:
    bare = {"doc_id": "x/7", "url": "https://www.example.org/a"}
    assert source_label(bare)["label"] == "example.org"
    assert source_label({"doc_id": "x/7"})["label"] == "x/7"
    assert label_text(source_label({"doc_id": "x/7"})) == "x/7"


def test_copy_of_unknown_original_keeps_the_mark() -> None:
    label = source_labels([SPUN])["000_d9c78c9f329d1f8b"]
    assert label["copy"] == "spun copy" and label["copy_of"] == ""


def test_relation_pages_name_sources_in_the_direction_sentence() -> None:
    from pathlib import Path

    from lxml import html as lxml_html

    from pipeline.report import load_processed, render_reports

    processed = Path(__file__).resolve().parents[1] / "processed"
    pages = render_reports(load_processed(processed), None)
    relation = next(v for k, v in pages.items() if k.startswith("relations/"))
    direction = lxml_html.fromstring(relation).xpath("//p[contains(., 'Direction:')]")[0]
    sentence = direction.text_content()
    assert "MedlinePlus — Cancer Immunotherapy" in sentence
    assert MEDLINE["doc_id"] not in sentence
