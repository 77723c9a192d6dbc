"""The processed/ contract as data: every output file, its fields, types, meaning and keys.

../shared/CONTRACT.md promises the files; this module is what the build holds them to.
The writer (pipeline/outputs.py) writes a table's columns in :data:`FIELDS` order and
refuses a table that carries a column its schema does not list (:func:`table_columns`),
and datapackage.json is built from here (:func:`datapackage`). tests/test_contract.py
builds corpora and checks every output file against this schema: columns, types, unique
primary keys, foreign keys and the keys of nested values. Add fields freely; renaming or
removing one needs a bump of SCHEMA_VERSION and a line in CHANGELOG.md.

Types are Frictionless Table Schema types. Nested values (``array`` and ``object``
fields) are described in :mod:`pipeline.io.schema_nested` with this convention: an array
field carries ``items`` (the descriptor of one item), an object descriptor carries
``fields`` (one ``{name, type, description}`` per key it may hold), and a nested value
naming a row of another table carries ``reference`` ``{resource, fields}``, the nested
form of ``foreignKeys`` (Table Schema allows those on top-level fields only).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.io.schema_nested import NESTED

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
        (
            "evidence",
            "object",
            "scores, aligned sentence count, sample substitutions; {} for a pair only an"
            " editor's relation decision names",
        ),
    ],
    "claims.jsonl": [
        ("claim_id", "string", "stable across rebuilds of unchanged inputs"),
        ("text", "string", "canonical wording"),
        ("status", "string", "corroborated, single_source or conflict"),
        ("independent_sources", "integer", "number of source groups supporting the claim"),
        ("citations", "array", "source keys, one per independent group"),
        ("support", "array", "{doc_id, sentence_id, text, score, via} per supporting sentence"),
        ("conflicts", "array", "{claim_id, type, detail, sides} per conflicting claim"),
        (
            "review",
            "array",
            "{doc_id, sentence_id, text, score} per sentence waiting for an editor in"
            " review.jsonl: not citations, not counted in independent_sources",
        ),
        ("doc_id", "string", "document of the claim's wording (its canonical sentence)"),
        ("sentence_id", "string", "the canonical sentence (sentences.jsonl)"),
        ("section", "string", "heading the canonical sentence falls under ('' before any)"),
        (
            "order",
            "integer",
            "reading order of corpus.md: rank of the canonical document * 100000 + the"
            " sentence's position",
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
        ("position", "integer", "index of the row in its document (the nnn of sentence_id)"),
        ("block", "integer", "index of the text line (paragraph, item or heading) it is from"),
        ("list_id", "string", "<doc_id>#b<nnn> of the list an item belongs to; '' otherwise"),
        ("own_text", "string", "the row's own words (an item without its list's intro)"),
        ("intro", "string", "the list intro joined before an item's first sentence, or ''"),
        ("section", "string", "heading the row falls under ('' before any)"),
        (
            "skip_reason",
            "string",
            "why the row is no claim (heading, list_intro, question, fragment, ...); ''"
            " for a claim",
        ),
    ],
    "alignments.jsonl": [
        ("sentence_a", "string", "one side (sentence_id)"),
        ("sentence_b", "string", "the other side (sentence_id)"),
        ("doc_a", "string", "document of sentence_a"),
        ("doc_b", "string", "document of sentence_b"),
        ("score", "number", "alignment score 0..1"),
        ("method", "string", "which scorer aligned them"),
        ("cosine", "number", "cosine similarity of the two sentence vectors"),
        (
            "margin",
            "number",
            "BERTScore margin over each side's neighbours (cosine margin without MiniLM)",
        ),
        ("similarity", "number", "BERTScore F1 of the pair (cosine without MiniLM)"),
        ("lexical", "number", "content-word overlap, 0..1"),
        ("same_group", "boolean", "both sides in one source group (a copy and its original)"),
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


# file -> the fields whose values identify a row (errors.jsonl has none: one input may
# fail more than once in the same words)
PRIMARY_KEYS: dict[str, list[str]] = {
    "documents.jsonl": ["doc_id"],
    "removed.jsonl": ["doc_id", "seq"],
    "relations.jsonl": ["copy", "original"],
    "claims.jsonl": ["claim_id"],
    "review.jsonl": ["claim_id", "sentence_id"],
    "sources.csv": ["key"],
    "sentences.jsonl": ["sentence_id"],
    "alignments.jsonl": ["sentence_a", "sentence_b"],
    "decisions.jsonl": ["decision", "entry"],
}

# file -> (field, file it names a row of, that file's field); null values name nothing
FOREIGN_KEYS: dict[str, list[tuple[str, str, str]]] = {
    "documents.jsonl": [
        ("group_id", "documents.jsonl", "doc_id"),
        ("derived_from", "documents.jsonl", "doc_id"),
    ],
    "removed.jsonl": [("doc_id", "documents.jsonl", "doc_id")],
    "relations.jsonl": [
        ("copy", "documents.jsonl", "doc_id"),
        ("original", "documents.jsonl", "doc_id"),
    ],
    "claims.jsonl": [
        ("doc_id", "documents.jsonl", "doc_id"),
        ("sentence_id", "sentences.jsonl", "sentence_id"),
    ],
    "review.jsonl": [
        ("claim_id", "claims.jsonl", "claim_id"),
        ("doc_id", "documents.jsonl", "doc_id"),
        ("sentence_id", "sentences.jsonl", "sentence_id"),
        ("key", "sources.csv", "key"),
    ],
    "sources.csv": [
        ("doc_id", "documents.jsonl", "doc_id"),
        ("group_id", "documents.jsonl", "doc_id"),
    ],
    "sentences.jsonl": [("doc_id", "documents.jsonl", "doc_id")],
    "alignments.jsonl": [
        ("sentence_a", "sentences.jsonl", "sentence_id"),
        ("sentence_b", "sentences.jsonl", "sentence_id"),
        ("doc_a", "documents.jsonl", "doc_id"),
        ("doc_b", "documents.jsonl", "doc_id"),
    ],
}


class SchemaError(ValueError):
    """A table does not match its schema in FIELDS: the message names table and columns."""


def columns(name: str) -> list[str]:
    """The contract's column order for output ``name``."""
    return [field for field, _type, _desc in FIELDS[name]]


def table_columns(name: str, present: Iterable[str]) -> list[str]:
    """The columns to write for output ``name``, in the schema's order.

    Raises :class:`SchemaError` when ``present`` (the table's columns) holds a column the
    schema does not list, or lacks one it lists: nothing undescribed reaches processed/.
    """
    listed, have = columns(name), list(present)
    extra = [c for c in have if c not in listed]
    if extra:
        raise SchemaError(
            f"{name}: column(s) {', '.join(map(str, extra))} not in its schema"
            " (pipeline/io/schema.py FIELDS): describe them there before writing them"
        )
    missing = [c for c in listed if c not in have]
    if missing:
        raise SchemaError(f"{name}: the table lacks column(s) {', '.join(missing)} of its schema")
    return listed


def resource_name(name: str) -> str:
    """The datapackage resource name of output ``name`` (``sources.csv`` -> ``sources``)."""
    return name.rsplit(".", 1)[0].replace("_", "-").lower()


def table_schema(name: str) -> dict[str, Any]:
    """The Table Schema of output ``name``: fields (nested ones described), keys."""
    fields = [
        {"name": f, "type": t, "description": d, **NESTED.get((name, f), {})}
        for f, t, d in FIELDS[name]
    ]
    schema: dict[str, Any] = {"fields": fields}
    if name in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[name]
    if name in FOREIGN_KEYS:
        schema["foreignKeys"] = [
            {
                "fields": field,
                "reference": {
                    "resource": "" if target == name else resource_name(target),
                    "fields": target_field,
                },
            }
            for field, target, target_field in FOREIGN_KEYS[name]
        ]
    return schema


def datapackage(files: dict[str, bytes], version: str) -> dict[str, Any]:
    """A Frictionless Data Package descriptor for the written ``files``."""
    resources: list[dict[str, Any]] = []
    for name in sorted(files):
        if name.startswith("reports/") or name in ("manifest.json", "datapackage.json"):
            continue
        resource: dict[str, Any] = {
            "name": resource_name(name),
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
            resource["schema"] = table_schema(name)
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
