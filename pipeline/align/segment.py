"""Segment clean documents into claim sentences.

Claims are sentences of paragraphs and list items. A list's intro sentence (ending in
``:``) is joined to each of its items, so every item reads as a claim on its own; an
intro with no items after it (a list lost upstream) is kept as a row but is no claim,
and so are headings, questions, exclamations, short fragments and sentences about the
page itself ("This leaflet explains ...": signposting). Items longer than one sentence are
split, the intro joined to their first sentence only.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import pandas as pd
import spacy
from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.settings import AlignSettings
from pipeline.text.words import words as text_words

SENTENCE_COLUMNS = [
    "doc_id",
    "sentence_id",
    "position",
    "block",
    "list_id",
    "kind",
    "text",
    "own_text",
    "intro",
    "section",
    "is_claim",
    "skip_reason",
]

# A sentence about the page itself ("This leaflet explains ...", "Read on to find out
# ...") points at content; it states no fact of the topic.
_SIGNPOST = re.compile(
    r"^(?:this|our|the following)\s+(?:web\s*)?(?:page|leaflet|article|guide|sheet|"
    r"factsheet|fact sheet|section|booklet|website|site|information)\b"
    r"|^(?:read on|find out|learn more|learn about|here we|in this (?:page|leaflet|article|"
    r"guide|section)|on this page|see (?:below|above))\b",
    re.I,
)
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")


@lru_cache(maxsize=1)
def _sentencizer() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(text: str, max_chars: int = 100_000) -> list[str]:
    """Sentences of one paragraph (spaCy blank English + sentencizer)."""
    text = " ".join(text.split())
    if not text:
        return []
    nlp = _sentencizer()
    out: list[str] = []
    for start in range(0, len(text), max_chars):
        doc = nlp(text[start : start + max_chars])
        out.extend(s.text.strip() for s in doc.sents if s.text.strip())
    return out


def skip_reason(text: str, settings: AlignSettings) -> str:
    """Why a sentence is no claim ("" when it is one)."""
    words = text_words(text)
    stripped = text.rstrip()
    if stripped.endswith(":"):
        return "lost_list_intro"
    if len(words) < settings.min_claim_words:
        return "fragment"
    if stripped.endswith("?"):
        return "question"
    if stripped.rstrip("\"'”’)]").endswith("!"):
        return "exclamation"  # a call or a slogan ("Book now!", "Tell me your story!")
    if _SIGNPOST.search(stripped):
        return "signposting"
    if not _TERMINAL.search(stripped):
        if words[-1] in STOP_WORDS or words[-1] in {"including", "include", "includes"}:
            return "lost_list_intro"
        if len(words) <= settings.max_heading_like_words:
            return "heading_like"
    return ""


def _intro_of(sentences: list[str], settings: AlignSettings) -> str:
    """The intro of a list: the paragraph's last sentence, with the one before it when short."""
    intro = sentences[-1]
    if len(text_words(intro)) < settings.min_intro_words and len(sentences) > 1:
        intro = f"{sentences[-2]} {intro}"
    return intro


def _paragraphs(text: str) -> list[list[tuple[str, str]]]:
    """Paragraphs as lists of (kind, line) with kind heading|item|paragraph."""
    paragraphs: list[list[tuple[str, str]]] = []
    for para in text.replace("\r\n", "\n").split("\n\n"):
        lines: list[tuple[str, str]] = []
        for raw in para.split("\n"):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("- "):
                lines.append(("item", line[2:].strip()))
            elif line.startswith("# "):
                lines.append(("heading", line.lstrip("#").strip()))
            else:
                lines.append(("paragraph", line))
        if lines:
            paragraphs.append(lines)
    return paragraphs


def segment_document(doc_id: str, text: str, settings: AlignSettings) -> list[dict]:
    """Sentence rows of one document (see :data:`SENTENCE_COLUMNS`)."""
    rows: list[dict] = []
    section = ""
    block = -1
    pending_intro = ""  # intro sentence waiting for the list that should follow it
    pending_row: dict | None = None
    list_id = ""

    def add(kind: str, sentence: str, own: str, intro: str, reason: str, lid: str) -> dict:
        row = {
            "doc_id": doc_id,
            "sentence_id": f"{doc_id}#s{len(rows):03d}",
            "position": len(rows),
            "block": block,
            "list_id": lid,
            "kind": kind,
            "text": sentence,
            "own_text": own,
            "intro": intro,
            "section": section,
            "is_claim": not reason,
            "skip_reason": reason,
        }
        rows.append(row)
        return row

    for para in _paragraphs(text):
        previous_kind = ""
        for kind, line in para:
            block += 1
            if kind == "heading":
                section = line
                add("heading", line, line, "", "heading", "")
                pending_intro, pending_row, list_id = "", None, ""
            elif kind == "item":
                if previous_kind != "item":
                    list_id = f"{doc_id}#b{block:03d}"
                    if pending_row is not None:  # the intro found its list: it is no claim
                        pending_row["is_claim"] = False
                        pending_row["skip_reason"] = "list_intro"
                for j, sentence in enumerate(split_sentences(line) or [line]):
                    intro = pending_intro if j == 0 else ""
                    joined = f"{intro} {sentence}" if intro else sentence
                    reason = skip_reason(joined if intro else sentence, settings)
                    if reason in ("heading_like", "lost_list_intro") and intro:
                        reason = ""  # a bare item ("Oral") reads as a claim with its intro
                    if reason == "heading_like":
                        reason = ""  # items rarely end with a full stop
                    add("item", joined, sentence, intro, reason, list_id)
                pending_row = None
            else:
                if previous_kind == "item":
                    pending_intro, list_id = "", ""
                sentences = split_sentences(line)
                pending_intro, pending_row, list_id = "", None, ""
                for sentence in sentences:
                    add("sentence", sentence, sentence, "", skip_reason(sentence, settings), "")
                if sentences and sentences[-1].rstrip().endswith(":"):
                    pending_intro = _intro_of(sentences, settings)
                    pending_row = rows[-1]
            previous_kind = kind
    return rows


def segment_claims(documents: pd.DataFrame, settings: AlignSettings) -> pd.DataFrame:
    """The sentences table of every document, claims marked by ``is_claim``.

    Needs ``doc_id`` and ``text``; rows are ordered by doc_id then position, and
    ``sentence_id`` is ``<doc_id>#s<nnn>``, stable while the document's text is.
    """
    rows: list[dict] = []
    for doc_id, text in sorted(
        zip(documents["doc_id"].astype(str), documents["text"], strict=True), key=lambda r: r[0]
    ):
        if not isinstance(text, str) or not text.strip():
            continue
        if len(text) > settings.max_document_chars:
            text = text[: settings.max_document_chars]
        rows.extend(segment_document(doc_id, text, settings))
    frame = pd.DataFrame(rows, columns=SENTENCE_COLUMNS)
    return frame.astype({"position": "int64", "block": "int64", "is_claim": "bool"})


def text_fingerprint(text: str) -> str:
    """A short hash of a text's lower-cased words (for stable ids)."""
    return hashlib.sha1(" ".join(text_words(text)).encode("utf-8")).hexdigest()[:12]
