"""What the nested values of processed/ hold: the keys of list items and objects.

Table Schema types a cell ``array`` or ``object`` and says no more; these descriptors say
what is inside (the convention is in :mod:`pipeline.io.schema`'s docstring):

- an ``array`` field has ``items``: the descriptor of one item;
- an ``object`` descriptor has ``fields``: one descriptor per key it may hold (``name``,
  ``type``, ``description``; the description says when a key is absent);
- a value that names a row of another table has ``reference``: ``{"resource": <resource
  name>, "fields": <its key field>}``, the nested form of ``foreignKeys`` (which Table
  Schema allows on top-level fields only).
"""

from __future__ import annotations

from typing import Any

Descriptor = dict[str, Any]


def _ref(resource: str, field: str) -> Descriptor:
    return {"resource": resource, "fields": field}


def _key(name: str, type_: str, description: str, **extra: Any) -> Descriptor:
    """The descriptor of one key of a nested object."""
    return {"name": name, "type": type_, "description": description, **extra}


def _object(description: str, *fields: Descriptor) -> Descriptor:
    """The descriptor of a nested object with ``fields`` as its keys."""
    return {"type": "object", "description": description, "fields": list(fields)}


_DOC = _key("doc_id", "string", "the sentence's document", reference=_ref("documents", "doc_id"))
_SENTENCE = _key(
    "sentence_id", "string", "the sentence", reference=_ref("sentences", "sentence_id")
)
_TEXT = _key("text", "string", "the sentence's wording")
_PAIR = {
    "type": "array",
    "description": "[wording in the original, wording in the copy]",
    "items": {"type": "string"},
}

# (file, field) -> what to add to the field's descriptor in datapackage.json
NESTED: dict[tuple[str, str], Descriptor] = {
    ("documents.jsonl", "flags"): {"items": {"type": "string", "description": "a flag name"}},
    ("relations.jsonl", "evidence"): {
        "fields": [
            _key(
                "wording_original_commoner",
                "integer",
                "substitutions where the original"
                " uses the commoner, standard wording (null: not compared)",
            ),
            _key("wording_copy_commoner", "integer", "substitutions where the copy does"),
            _key("word_ngram_jaccard", "number", "Jaccard overlap of the word n-grams, 0..1"),
            _key("shared_fingerprints", "integer", "text fingerprints both documents hold"),
            _key("aligned_sentences", "integer", "sentences aligned between the two"),
            _key("coverage_original", "number", "share of the original the copy covers, 0..1"),
            _key("coverage_copy", "number", "share of the copy the original covers, 0..1"),
            _key("mean_sentence_similarity", "number", "mean similarity of aligned sentences"),
            _key("content_words_changed", "number", "share of content words changed, 0..1"),
            _key("content_words_substituted", "number", "share substituted word for word"),
            _key("substitution_count", "integer", "substitutions found in all"),
            _key("substitutions", "array", "sample substitutions, commonest first", items=_PAIR),
            _key("direction_confidence", "number", "confidence in which one is the original"),
            # the keys below appear only when that evidence told
            _key(
                "garbled_names",
                "array",
                "names the two texts spell differently (a spinner garbled one)",
                items={**_PAIR, "description": "the two spellings"},
            ),
            _key("attribution_line", "string", "the copy's line crediting another page"),
            _key(
                "dangling_opener",
                "string",
                "a word opening the copy's passage that refers to text the copy left out",
            ),
            _key(
                "continuation_original",
                "number",
                "how well the shared passage continues the original's text, 0..1",
            ),
            _key("continuation_copy", "number", "the same for the copy"),
            _key(
                "machine_judgement",
                "string",
                "what dedup had found before an editor's relation decision overrode it",
            ),
        ],
    },
    ("claims.jsonl", "citations"): {
        "items": {
            "type": "string",
            "description": "a citation key",
            "reference": _ref("sources", "key"),
        }
    },
    ("claims.jsonl", "support"): {
        "items": _object(
            "one supporting sentence",
            _DOC,
            _SENTENCE,
            _TEXT,
            _key("score", "number", "0..1: how surely it states the claim (1 for the wording)"),
            _key("via", "string", "original, or the relation of the copy it comes from"),
        )
    },
    ("claims.jsonl", "conflicts"): {
        "items": _object(
            "one conflicting claim",
            _key("claim_id", "string", "the other claim", reference=_ref("claims", "claim_id")),
            _key("type", "string", "what differs: number, frequency, negation or exclusive"),
            _key("detail", "string", "one line: which source says what"),
            _key(
                "sides",
                "array",
                "the two sentences in conflict, this claim's first",
                items=_object(
                    "one side of the conflict",
                    _key("key", "string", "citation key", reference=_ref("sources", "key")),
                    _DOC,
                    _SENTENCE,
                    _TEXT,
                ),
            ),
        )
    },
    ("claims.jsonl", "review"): {
        "items": _object(
            "one sentence waiting for an editor",
            _DOC,
            _SENTENCE,
            _TEXT,
            _key("score", "number", "0..1: estimated probability that it states the claim"),
        )
    },
}
