"""corpus.md: the reconciled claims as a document a person can read."""

from __future__ import annotations

import re

import pandas as pd

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


def render_corpus_md(claims: pd.DataFrame, sources: pd.DataFrame) -> str:
    """Markdown: claims by status, then by source section, each with ``[^key]`` tags.

    Conflicts are quoted under the claim they concern, and every cited key has a
    footnote in the references list at the end.
    """
    lines = ["# Reconciled corpus", ""]
    if claims is None or claims.empty:
        lines += ["No claims were found in the sources.", ""]
    else:
        counts = claims["status"].value_counts()
        summary = ", ".join(f"{counts.get(s, 0)} {s.replace('_', ' ')}" for s, _ in STATUS_SECTIONS)
        lines += [f"{len(claims)} claims: {summary}.", ""]
        titles: dict[str, str] = {}
        if sources is not None and not sources.empty:
            names = (
                sources["title"]
                .fillna("")
                .where(sources["title"].fillna("") != "", sources["publisher"].fillna(""))
            )
            titles = dict(zip(sources["doc_id"], names, strict=True))
        ordered = claims.sort_values(["order", "claim_id"])
        for status, heading in STATUS_SECTIONS:
            part = ordered[ordered["status"] == status]
            if part.empty:
                continue
            lines += [f"## {heading}", ""]
            place = None
            for claim in part.to_dict("records"):
                where = (claim["doc_id"], claim.get("section") or "")
                if where != place:
                    place = where
                    title = _one_line(titles.get(claim["doc_id"]) or claim["doc_id"])
                    heading = f"{title}: {_one_line(where[1])}" if where[1] else title
                    lines += ["", f"### {heading}", ""] if lines[-1] else [f"### {heading}", ""]
                lines.append(f"- {_one_line(claim['text'])} {_tags(claim['citations'])}".rstrip())
                for conflict in claim["conflicts"]:
                    kind = conflict["type"].replace("_", " ")
                    lines.append(f"  - **Conflict ({kind}):** {_one_line(conflict['detail'])}")
            lines.append("")
    lines += ["## References", ""]
    if sources is not None and not sources.empty:
        for src in sources.sort_values("key").to_dict("records"):
            fields = (src.get("publisher"), src.get("title"))
            parts = [p for p in fields if isinstance(p, str) and p]
            text = ", ".join(_one_line(p) for p in parts) or str(src["doc_id"])
            if isinstance(src.get("url"), str) and src["url"]:
                text += f", {_link(src['url'])}"
            if isinstance(src.get("retrieved"), str) and src["retrieved"]:
                text += f" (retrieved {src['retrieved']})"
            if src.get("relation") not in (None, "original"):
                text += f"; {str(src['relation']).replace('_', ' ')} of another source"
            lines.append(f"[^{src['key']}]: {text}")
    return "\n".join(lines).rstrip() + "\n"
