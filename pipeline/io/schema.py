"""The processed/ contract as data: every output file, its fields, types and meaning.

Used to order columns when writing, to build datapackage.json, and by the tests that
check outputs against ../shared/CONTRACT.md. Add fields freely; renaming or removing
one needs a bump of SCHEMA_VERSION and a line in the README's changelog.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = "1.0.0"

# file -> list of (field, frictionless type, description)
FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "documents.jsonl": [
        (
            "doc_id",
            "string",
            "path of the capture relative to raw/, without format/compression suffixes",
        ),
        ("source_file", "string", "the raw file, relative to raw/"),
        ("format", "string", "html, text or markdown"),
        ("url", "string", "address of the page (sources.csv, else read from the capture)"),
        ("publisher", "string", "who published the page"),
        ("title", "string", "page title"),
        ("description", "string", "page description read from the capture"),
        ("retrieved", "date", "when the page was captured (ISO date)"),
        ("updated", "date", "last-updated/reviewed date stated on the page (ISO date)"),
        ("trust", "integer", "trust tier: 3 government agency .. 0 content farm; empty = unknown"),
        ("raw_sha256", "string", "sha256 of the raw capture bytes"),
        (
            "text",
            "string",
            "clean main text: paragraphs split by a blank line, list items as '- ' lines,"
            " headings as '# ' lines",
        ),
        ("flags", "array", "document flags, e.g. lost_list, mojibake_repaired, tortured_phrases"),
        ("group_id", "string", "source group: the doc_id of the group's original"),
        ("derived_from", "string", "doc_id of the document this one copies, or null"),
        (
            "relation",
            "string",
            "original, exact_duplicate, near_duplicate, spun_copy or partial_copy",
        ),
    ],
    "removed.jsonl": [
        ("doc_id", "string", "document the span was removed from"),
        ("seq", "integer", "order of the removal within its document"),
        ("text", "string", "the removed text"),
        (
            "reason",
            "string",
            "why: navigation, footer, chat_widget, share_buttons, advertisement, ...",
        ),
        ("rule", "string", "the rule that removed it"),
        ("after_block", "integer", "index of the kept text block it followed (-1: before all)"),
    ],
    "relations.jsonl": [
        ("copy", "string", "doc_id of the copy"),
        ("original", "string", "doc_id of the original"),
        ("relation", "string", "exact_duplicate, near_duplicate, spun_copy or partial_copy"),
        ("confidence", "number", "0..1"),
        ("direction_basis", "string", "why this one is the original"),
        ("evidence", "object", "scores, aligned sentence count, sample substitutions"),
    ],
    "claims.jsonl": [
        ("claim_id", "string", "stable across rebuilds of unchanged inputs"),
        ("text", "string", "canonical wording"),
        ("status", "string", "corroborated, single_source or conflict"),
        ("independent_sources", "integer", "number of source groups supporting the claim"),
        ("citations", "array", "source keys, one per independent group"),
        ("support", "array", "{doc_id, sentence_id, text, score, via} per supporting sentence"),
        ("conflicts", "array", "{claim_id, type, detail} per conflicting claim"),
        (
            "review",
            "array",
            "{doc_id, sentence_id, text, score} per sentence waiting for an editor in"
            " review.jsonl: not citations, not counted in independent_sources",
        ),
    ],
    "review.jsonl": [
        ("claim_id", "string", "the claim the sentence may support"),
        ("claim_text", "string", "the claim's canonical wording"),
        ("doc_id", "string", "document of the candidate sentence"),
        ("sentence_id", "string", "the candidate sentence (sentences.jsonl)"),
        ("text", "string", "the candidate sentence's wording"),
        (
            "score",
            "number",
            "0..1: estimated probability that the sentence states the claim's fact",
        ),
        ("key", "string", "citation key of the sentence's source (sources.csv)"),
        (
            "decision",
            "string",
            "pending, accepted (now a support of the claim) or rejected, by raw/decisions.toml",
        ),
        ("reason", "string", "why it is waiting instead of cited"),
    ],
    "sources.csv": [
        ("key", "string", "short citation key"),
        ("doc_id", "string", "document"),
        ("url", "string", "address"),
        ("publisher", "string", "publisher"),
        ("title", "string", "title"),
        ("retrieved", "date", "capture date"),
        ("trust", "integer", "trust tier"),
        ("group_id", "string", "source group"),
        ("relation", "string", "relation to the group's original"),
    ],
    "sentences.jsonl": [
        ("doc_id", "string", "document"),
        ("sentence_id", "string", "<doc_id>#s<nnn>, stable for an unchanged document"),
        ("kind", "string", "sentence, item or heading"),
        ("text", "string", "the sentence (a list item carries its list's intro)"),
        ("is_claim", "boolean", "whether it counts as a claim"),
    ],
    "alignments.jsonl": [
        ("sentence_a", "string", "one side (sentence_id)"),
        ("sentence_b", "string", "the other side (sentence_id)"),
        ("doc_a", "string", "document of sentence_a"),
        ("doc_b", "string", "document of sentence_b"),
        ("score", "number", "alignment score 0..1"),
        ("method", "string", "which scorer aligned them"),
    ],
    "decisions.jsonl": [
        (
            "decision",
            "string",
            "kind of editorial decision: exclude, trust, not_related, relation, pin, merge,"
            " split, review",
        ),
        (
            "target",
            "string",
            "what it names: doc_id, 'a <-> b', 'copy -> original', claim_id(s),"
            " 'claim_id / sentence_id'",
        ),
        ("status", "string", "applied, stale (its target is gone from this build) or error"),
        ("detail", "string", "what applying it changed, or why it could not apply"),
        ("note", "string", "the editor's note from raw/decisions.toml"),
        ("entry", "integer", "position of the entry among the file's entries of its kind"),
    ],
    "errors.jsonl": [
        ("source_file", "string", "the raw file (or sources.csv / decisions.toml)"),
        ("stage", "string", "the stage that could not process it"),
        ("error", "string", "one clear sentence"),
        ("detail", "string", "technical detail"),
    ],
}

DESCRIPTIONS = {
    "documents.jsonl": "One row per raw source document, with its clean text and source group.",
    "removed.jsonl": "One row per span removed by cleaning, with its reason and rule.",
    "relations.jsonl": "One row per pair of related documents (copy -> original).",
    "claims.jsonl": "One row per reconciled claim with citations and status.",
    "review.jsonl": "One row per sentence of a claim's review queue: not a citation until"
    " an editor accepts it in raw/decisions.toml.",
    "sources.csv": "One row per source document with its citation key.",
    "errors.jsonl": "One row per input that could not be processed.",
    "decisions.jsonl": "One row per editorial decision in raw/decisions.toml, with its status.",
    "sentences.jsonl": "Intermediate: one row per segmented sentence or list item.",
    "alignments.jsonl": "Intermediate: one row per aligned pair of sentences across documents.",
    "corpus.md": "The reconciled corpus for people, with citation tags and references.",
}


def columns(name: str) -> list[str]:
    """The contract's column order for output ``name``."""
    return [field for field, _type, _desc in FIELDS[name]]


def datapackage(files: dict[str, bytes], version: str) -> dict[str, Any]:
    """A Frictionless Data Package descriptor for the written ``files``."""
    resources: list[dict[str, Any]] = []
    for name in sorted(files):
        if name.startswith("reports/") or name in ("manifest.json", "datapackage.json"):
            continue
        base = name.rsplit(".", 1)[0].replace("_", "-").lower()
        resource: dict[str, Any] = {
            "name": base,
            "path": name,
            "description": DESCRIPTIONS.get(name, ""),
        }
        if name in FIELDS:
            resource["format"] = "csv" if name.endswith(".csv") else "jsonl"
            resource["mediatype"] = "text/csv" if name.endswith(".csv") else "application/jsonl"
            resource["encoding"] = "utf-8"
            resource["profile"] = (
                "tabular-data-resource" if name.endswith(".csv") else "data-resource"
            )
            resource["schema"] = {
                "fields": [{"name": f, "type": t, "description": d} for f, t, d in FIELDS[name]]
            }
        else:
            resource["format"] = name.rsplit(".", 1)[-1]
            resource["mediatype"] = "text/markdown"
        resources.append(resource)
    return {
        "profile": "data-package",
        "name": "curate-processed",
        "title": "Curated source corpus",
        "version": SCHEMA_VERSION,
        "created_by": f"curate {version}",
        "resources": resources,
    }
