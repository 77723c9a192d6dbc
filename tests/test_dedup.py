"""Dedup stage on the seeds and on realistic hand-built pairs."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from pipeline.clean.blocks import render_text
from pipeline.dedup.stage import find_copies
from pipeline.settings import DedupSettings, Settings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "dedup"
IBUPROFEN = (DATA / "ibuprofen_nhs.txt").read_text(encoding="utf-8").strip()
PARACETAMOL = (DATA / "paracetamol_guide.txt").read_text(encoding="utf-8").strip()


def frame(texts: dict[str, str], **columns: dict[str, object]) -> pd.DataFrame:
    rows = []
    for doc_id, text in texts.items():
        row = {
            "doc_id": doc_id,
            "text": text,
            "url": f"https://example.org/{doc_id}",
            "publisher": None,
            "title": None,
            "trust": None,
            "retrieved": None,
            "updated": None,
            "flags": [],
        }
        for name, values in columns.items():
            row[name] = values.get(doc_id, row[name])
        rows.append(row)
    return pd.DataFrame(rows)


def by_id(docs: pd.DataFrame) -> dict[str, dict]:
    return {row["doc_id"]: row for row in docs.to_dict("records")}


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    from pipeline.clean.stage import clean_capture

    texts = {}
    for path in sorted((ROOT / "raw").glob("*.txt")):
        cleaned = clean_capture(
            path.read_text("utf-8", errors="replace"), "text", None, Settings().clean
        )
        texts[path.stem] = render_text(cleaned.blocks)
    return frame(texts)


def test_seed_spun_pair_found_with_direction_and_substitutions(seeds):
    docs, relations = find_copies(seeds, DedupSettings())
    assert len(relations) == 1
    rel = relations.iloc[0]
    assert rel["copy"].startswith("000_") and rel["original"].startswith("004_")
    assert rel["relation"] == "spun_copy"
    assert "commoner" in rel["direction_basis"]
    assert ["immune system", "immune process"] in rel["evidence"]["substitutions"]
    assert rel["evidence"]["aligned_sentences"] >= 10
    rows = by_id(docs)
    spun = next(r for d, r in rows.items() if d.startswith("000_"))
    assert spun["relation"] == "spun_copy"
    assert spun["derived_from"].startswith("004_") and spun["group_id"].startswith("004_")
    others = [r for d, r in rows.items() if not d.startswith("000_")]
    assert all(r["relation"] == "original" and r["derived_from"] is None for r in others)
    assert all(r["group_id"] == r["doc_id"] for r in others)


def test_exact_duplicate_with_other_whitespace_and_case():
    shouted = "\n\n\n".join(
        p.upper() if i % 2 else p.replace(" ", "  ") for i, p in enumerate(IBUPROFEN.split("\n\n"))
    )
    docs, relations = find_copies(
        frame({"a": shouted, "b": IBUPROFEN}, trust={"a": 1, "b": 3}), DedupSettings()
    )
    assert relations[["copy", "original", "relation"]].values.tolist() == [
        ["a", "b", "exact_duplicate"]
    ]
    assert "trust" in relations.iloc[0]["direction_basis"]
    assert by_id(docs)["a"]["group_id"] == "b"


def test_near_duplicate_with_other_site_chrome():
    chrome = "\n\n".join(
        [
            "Share this page: Facebook | Twitter | Email",
            IBUPROFEN.replace("range of conditions", "number of conditions").replace(
                "straight away", "immediately"
            ),
            "Cookie settings",
            "© 2024 HealthHub Media. All rights reserved.",
        ]
    )
    _docs, relations = find_copies(frame({"hub": chrome, "nhs": IBUPROFEN}), DedupSettings())
    assert len(relations) == 1
    rel = relations.iloc[0]
    assert rel["relation"] == "near_duplicate"
    assert {rel["copy"], rel["original"]} == {"hub", "nhs"}
    assert rel["evidence"]["word_ngram_jaccard"] > 0.7


def test_partial_copy_direction_is_the_contained_text():
    taken = IBUPROFEN.split("\n\n")[1:8]
    partial = "\n\n".join([*PARACETAMOL.split("\n\n")[:3], *taken, *PARACETAMOL.split("\n\n")[3:]])
    docs, relations = find_copies(
        frame({"a_blog": partial, "z_nhs": "\n\n".join(taken)}), DedupSettings()
    )
    assert relations[["copy", "original", "relation"]].values.tolist() == [
        ["a_blog", "z_nhs", "partial_copy"]
    ]
    assert "plus its own" in relations.iloc[0]["direction_basis"]
    assert by_id(docs)["a_blog"]["derived_from"] == "z_nhs"


def test_same_topic_different_documents_are_not_related(seeds):
    docs, relations = find_copies(frame({"ibu": IBUPROFEN, "para": PARACETAMOL}), DedupSettings())
    assert relations.empty
    assert set(docs["relation"]) == {"original"}
    assert docs["group_id"].tolist() == docs["doc_id"].tolist()


def test_shuffled_input_gives_identical_output(seeds):
    texts = dict(zip(seeds["doc_id"], seeds["text"], strict=True))
    texts["exact"] = IBUPROFEN.upper()
    texts["ibu"] = IBUPROFEN
    texts["para"] = PARACETAMOL
    base = frame(texts)
    first_docs, first_rel = find_copies(base, DedupSettings())
    shuffled = base.sample(frac=1, random_state=random.Random(3).randrange(1000))
    docs, rel = find_copies(shuffled, DedupSettings())
    assert docs.to_json() == first_docs.to_json()
    assert rel.to_json() == first_rel.to_json()
    assert len(first_rel) == 2


def test_tortured_phrases_flag_needs_two_distinct_phrases():
    spun = (
        IBUPROFEN
        + "\n\nIt may also lower the risk of bosom peril, as counterfeit consciousness shows."
    )
    docs, _ = find_copies(frame({"spun": spun, "clean": IBUPROFEN}), DedupSettings())
    rows = by_id(docs)
    assert "tortured_phrases" in rows["spun"]["flags"]
    assert "tortured_phrases" not in rows["clean"]["flags"]


def test_odd_input_does_not_crash_and_bad_tables_raise():
    docs, relations = find_copies(
        frame({"empty": "", "none": None, "junk": "\x00\ufffd" * 5000, "ok": IBUPROFEN}),
        DedupSettings(),
    )
    assert relations.empty and len(docs) == 4
    with pytest.raises(ValueError, match="text"):
        find_copies(pd.DataFrame({"doc_id": ["a"]}), DedupSettings())
    with pytest.raises(ValueError, match="unique"):
        find_copies(frame({"a": "x"}).pipe(lambda f: pd.concat([f, f])), DedupSettings())


def test_reflowed_copy_with_much_chrome_is_a_near_duplicate_not_partial():
    paras = IBUPROFEN.split("\n\n")
    reflowed = [" ".join(paras[1:3]), *paras[3:6], " ".join(paras[6:8]), *paras[8:]]
    chrome = [
        "Home | Health A-Z | Medicines",
        "Share on Facebook",
        "Share on Twitter",
        "Print this page",
        "Sign up for our newsletter",
        "Related: Paracetamol for adults",
        "Related: Aspirin for pain relief",
        "Advertisement",
        "Page last reviewed: 2 May 2024",
        "Back to top",
    ]
    copy = "\n\n".join([*chrome[:4], *reflowed, *chrome[4:]])
    _docs, relations = find_copies(frame({"mirror": copy, "nhs": IBUPROFEN}), DedupSettings())
    assert len(relations) == 1
    rel = relations.iloc[0]
    assert rel["relation"] == "near_duplicate"
    assert rel["evidence"]["coverage_copy"] >= 0.8 and rel["evidence"]["coverage_original"] >= 0.8


def test_sentences_lines_and_exact_keys_from_one_tokenising_pass():
    from pipeline.dedup.tokens import tokenise

    texts = [
        "# Dosage\n\nTake 200mg. Do not take more than 1,200mg a day.\n- with food",
        "# DOSAGE\n\n\nTake  200mg. do not take MORE than 1,200mg a day. - with food",
        "",
        "# Dosage\n\nTake 200mg. Do not take more than 1,200mg a day.\n- with water",
    ]
    tokens = tokenise(texts)
    first = [
        " ".join(tokens.words[w] for w in tokens.ids[lo:hi])
        for lo, hi in zip(tokens.sent_start[:-1], tokens.sent_start[1:], strict=True)
    ][: tokens.doc_sent[1]]
    assert first == ["dosage", "take 200mg", "do not take more than 1 200mg a day", "with food"]
    assert tokens.words.index("1") >= 0 and "200mg" in tokens.words
    assert tokens.sent_line_words[: tokens.doc_sent[1]].tolist() == [1, 11, 11, 2]
    # the first two texts differ only in case and blanks (line breaks included)
    assert tokens.exact_keys[0] == tokens.exact_keys[1] != tokens.exact_keys[2]
    assert tokens.exact_keys[3] != tokens.exact_keys[0]
    assert tokens.doc_start[2] == tokens.doc_start[3]  # the empty text has no words


def test_tokeniser_splits_on_every_unicode_blank_and_survives_odd_text():
    from pipeline.dedup.tokens import tokenise

    texts = [
        "  Immunotherapy\u00a0helps\u2003the immune system.  ",  # no-break and em spaces
        "\tImmunotherapy helps the\u3000immune\x1fsystem.\n",
        "Broken \ud800 surrogate left by a bad decoder.",
        "   ",
    ]
    tokens = tokenise(texts)

    def words(doc: int) -> list[str]:
        lo, hi = tokens.doc_start[doc], tokens.doc_start[doc + 1]
        return [tokens.words[w] for w in tokens.ids[lo:hi]]

    assert words(0) == words(1) == ["immunotherapy", "helps", "the", "immune", "system"]
    assert tokens.exact_keys[0] == tokens.exact_keys[1]  # equal up to blanks and case
    assert words(2) == ["broken", "surrogate", "left", "by", "a", "bad", "decoder"]
    assert words(3) == []


def test_pages_echoing_a_source_with_many_swapped_words_are_not_partial_copies():
    paras = IBUPROFEN.split("\n\n")
    swaps = {
        "pain": "ache",
        "take": "consume",
        "tablets": "pills",
        "doctor": "physician",
        "stomach": "tummy",
        "dose": "amount",
        "common": "widespread",
        "available": "obtainable",
        "headaches": "migraines",
        "people": "individuals",
        "help": "assist",
    }
    echoed = " ".join(swaps.get(w, w) for w in " ".join(paras[4:8]).split())
    page = "\n\n".join([*PARACETAMOL.split("\n\n"), echoed])
    _docs, relations = find_copies(frame({"blog": page, "nhs": IBUPROFEN}), DedupSettings())
    assert relations.empty


def test_tokenising_in_batches_gives_the_same_arrays(monkeypatch):
    import pipeline.dedup.tokens as dedup_text

    texts = [IBUPROFEN, "", PARACETAMOL, IBUPROFEN.upper(), "One line only."]
    whole = dedup_text.tokenise(texts)
    monkeypatch.setattr(dedup_text, "_BATCH_DOCS", 2)
    batched = dedup_text.tokenise(texts)
    for name in ("ids", "cap", "doc_start", "sent_start", "doc_sent", "sent_line_words"):
        assert getattr(batched, name).tolist() == getattr(whole, name).tolist(), name
    assert batched.exact_keys == whole.exact_keys
