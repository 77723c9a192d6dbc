"""corpus.md: the reconciled claims as a document a person can read."""

from __future__ import annotations

import re

import pandas as pd

from pipeline.reconcile.sources import title_without_site
from pipeline.tables import COPY_RELATIONS

STATUS_SECTIONS = [
    ("corroborated", "Corroborated by several independent sources"),
    ("conflict", "Disputed: sources disagree"),
    ("single_source", "Stated by one source only"),
]


def _tags(citations: list[str]) -> str:
    return "".join(f"[^{key}]" for key in citations)


# Only these links are written as links; anything else (javascript:, data:) is plain text.
_SAFE_URL = re.compile(r"https?://[^\s<>\"'`\\]+", re.I)
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]"})


def _one_line(text: str) -> str:
    """Text from a capture on one line, inert: HTML escaped and no Markdown link brackets
    (a renderer downstream shows ``<script>`` or ``[x](javascript:...)`` as text)."""
    return " ".join(str(text).split()).translate(_MARKUP)


def _link(url: str) -> str:
    """``<url>`` (a link) for an http(s) address; any other (javascript:, data:) as
    plain escaped text, which no Markdown renderer turns into a link."""
    if _SAFE_URL.fullmatch(url):
        return f"<{url}>"
    return _one_line(url)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _originals(sources: pd.DataFrame) -> dict[str, dict]:
    """doc_id of a copy -> its original's sources.csv row (the copy's group's original)."""
    rows = {str(r["doc_id"]): r for r in sources.to_dict("records")}
    return {
        doc_id: rows[_text(r.get("group_id"))]
        for doc_id, r in rows.items()
        if _text(r.get("relation")) in COPY_RELATIONS
        and _text(r.get("group_id")) in rows
        and _text(r.get("group_id")) != doc_id
    }


def _own_title(src: dict, original: dict | None) -> str:
    """The page's title without its publisher's site name, nor, for a copy, the site name
    of the page it copies (``Cancer Immunotherapy: MedlinePlus`` -> ``Cancer Immunotherapy``)."""
    title = title_without_site(_text(src.get("title")), _text(src.get("publisher")))
    if original is not None:
        title = title_without_site(title, _text(original.get("publisher")))
    return title


def _name(src: dict, original: dict | None = None) -> str:
    """Publisher and title (either alone when the other is missing), else the doc_id."""
    parts = [_text(src.get("publisher")), _own_title(src, original)]
    named = [p for p in dict.fromkeys(parts) if p]
    return ", ".join(_one_line(p) for p in named) or _one_line(str(src["doc_id"]))


def _headings(sources: pd.DataFrame | None) -> dict[str, str]:
    """doc_id -> the heading of its text before any heading of its own: the page's title,
    else its name marked as an untitled section (never the site name alone)."""
    if sources is None or sources.empty:
        return {}
    originals = _originals(sources)
    out = {}
    for src in sources.to_dict("records"):
        doc_id = str(src["doc_id"])
        title = _own_title(src, originals.get(doc_id))
        out[doc_id] = _one_line(title) or f"{_name(src, originals.get(doc_id))}, untitled section"
    return out


def _reference(src: dict, original: dict | None) -> str:
    """One references line: name, address, retrieval date and, for a copy, what it copies."""
    text = _name(src, original)
    if isinstance(src.get("url"), str) and src["url"]:
        text += f", {_link(src['url'])}"
    if isinstance(src.get("retrieved"), str) and src["retrieved"]:
        text += f" (retrieved {src['retrieved']})"
    relation = _text(src.get("relation")) or "original"
    if relation != "original":
        kind = relation.replace("_", " ")
        if original is not None:
            of = f"{_name(original)} (reference {original['key']})"
        else:
            of = "a source not in this corpus"
        text += f"; **{kind}** of {of}, not an independent source"
    return f"[^{src['key']}]: {text}"


def render_corpus_md(claims: pd.DataFrame, sources: pd.DataFrame) -> str:
    """Markdown: claims by status, then by the page section they come from (the page's own
    heading), each with ``[^key]`` tags.

    Conflicts are quoted under the claim they concern, and every cited key has a
    footnote in the references list at the end; a copy's names what it copies.
    """
    lines = ["# Reconciled corpus", ""]
    if claims is None or claims.empty:
        lines += ["No claims were found in the sources.", ""]
    else:
        counts = claims["status"].value_counts()
        summary = ", ".join(f"{counts.get(s, 0)} {s.replace('_', ' ')}" for s, _ in STATUS_SECTIONS)
        lines += [f"{len(claims)} claims: {summary}.", ""]
        untitled = _headings(sources)
        ordered = claims.sort_values(["order", "claim_id"])
        for status, heading in STATUS_SECTIONS:
            part = ordered[ordered["status"] == status]
            if part.empty:
                continue
            lines += [f"## {heading}", ""]
            place = None
            for claim in part.to_dict("records"):
                where = (claim["doc_id"], _one_line(claim.get("section") or ""))
                if where != place:
                    place = where
                    title = where[1] or untitled.get(claim["doc_id"])
                    title = title or f"{_one_line(claim['doc_id'])}, untitled section"
                    lines += ["", f"### {title}", ""] if lines[-1] else [f"### {title}", ""]
                lines.append(f"- {_one_line(claim['text'])} {_tags(claim['citations'])}".rstrip())
                for conflict in claim["conflicts"]:
                    kind = conflict["type"].replace("_", " ")
                    lines.append(f"  - **Conflict ({kind}):** {_one_line(conflict['detail'])}")
            lines.append("")
    lines += ["## References", ""]
    if sources is not None and not sources.empty:
        originals = _originals(sources)
        for src in sources.sort_values("key").to_dict("records"):
            lines.append(_reference(src, originals.get(str(src["doc_id"]))))
    return "\n".join(lines).rstrip() + "\n"
