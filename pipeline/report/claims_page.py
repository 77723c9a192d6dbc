"""View data for claims.html: claims grouped under a heading per status, a table of
contents, and the facets of a script-free filter (status, source, conflict type).

The filter is radio buttons and CSS (``:checked ~``): each facet hides the claims that do
not carry the checked option's class, so facets combine and no script runs (the page's
CSP allows none). Classes are numbered (``f-src-3``), never built from data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.report.labels import unlabelled
from pipeline.report.links import document_page
from pipeline.report.tables import dict_of, list_of, number_of, text_of
from pipeline.settings import ReconcileSettings

# Headings of the status sections, in page order (claims_view sorts claims this way).
STATUS_HEADINGS = {
    "conflict": "Conflicts",
    "single_source": "Single source",
    "corroborated": "Corroborated",
}
# A support scored below the build's cite score joined its claim as a copy (or was
# accepted by an editor): shown as a weak match, not as a citable wording.
DEFAULT_CITE_SCORE = ReconcileSettings().cite_score
# Facets of the filter: (name, heading).
FACETS = (("st", "Status"), ("src", "Source"), ("ct", "Conflict type"))


def _label(labels: Mapping[str, dict[str, str]], doc_id: str) -> dict[str, str]:
    return dict(labels.get(doc_id) or unlabelled(doc_id))


def _review_by_claim(
    claims_table: pd.DataFrame, known: set[str], labels: Mapping[str, dict[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """claim_id -> its review-queue candidates (not citations) from claims.jsonl."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in claims_table.to_dict("records"):
        items = []
        for item in list_of(row.get("review")):
            item = dict_of(item)
            doc_id = text_of(item.get("doc_id"))
            score = number_of(item.get("score"))
            items.append(
                {
                    "source": _label(labels, doc_id),
                    "page": document_page(doc_id) if doc_id in known else "",
                    "text": text_of(item.get("text")),
                    "score": "" if score is None else f"{score:.2f}",
                }
            )
        out[text_of(row.get("claim_id"))] = items
    return out


def _with_sources(claim: dict[str, Any], labels: Mapping[str, dict[str, str]]) -> dict[str, Any]:
    """A conflicting claim with each support's source label."""
    support = [{**s, "source": _label(labels, s["doc_id"])} for s in claim["support"]]
    return {**claim, "support": support}


def _option_ids(values: list[str]) -> dict[str, int]:
    return {value: number for number, value in enumerate(values)}


def claims_page(
    claims: list[dict[str, Any]],
    claims_table: pd.DataFrame,
    known: set[str],
    labels: Mapping[str, dict[str, str]],
    cite_score: float = DEFAULT_CITE_SCORE,
) -> dict[str, Any]:
    """Sections per status, the table of contents, the filter facets and their CSS.

    ``claims`` is :func:`pipeline.report.pages.claims_view`'s list; ``claims_table`` the
    claims.jsonl rows (for each claim's review candidates); ``labels`` doc_id -> label.
    """
    statuses = list(dict.fromkeys(c["status"] for c in claims))
    doc_ids = sorted(
        {s["doc_id"] for c in claims for s in c["support"]},
        key=lambda d: (_label(labels, d)["label"].casefold(), d),
    )
    types = sorted({k["type"] for c in claims for k in c["conflicts"]})
    numbers = {"st": _option_ids(statuses), "src": _option_ids(doc_ids), "ct": _option_ids(types)}
    review = _review_by_claim(claims_table, known, labels)
    counts: dict[str, Counter[str]] = {name: Counter() for name, _ in FACETS}
    sections: dict[str, dict[str, Any]] = {}
    for claim in claims:
        classes = {("st", claim["status"])}
        support = []
        for item in claim["support"]:
            score = number_of(item["score"])
            support.append(
                {
                    **item,
                    "source": _label(labels, item["doc_id"]),
                    "weak": score is not None and score < cite_score,
                }
            )
            classes.add(("src", item["doc_id"]))
        classes |= {("ct", k["type"]) for k in claim["conflicts"]}
        for facet, value in classes:
            counts[facet][value] += 1
        section = sections.setdefault(
            claim["status"],
            {
                "status": claim["status"],
                "heading": STATUS_HEADINGS.get(claim["status"], claim["status"] or "no status"),
                "id": f"status-{numbers['st'][claim['status']]}",
                "filter_class": f"f-st-{numbers['st'][claim['status']]}",
                "claims": [],
            },
        )
        conflicts = [
            {**k, "other": _with_sources(k["other"], labels) if k["other"] else None}
            for k in claim["conflicts"]
        ]
        section["claims"].append(
            {
                **claim,
                "support": support,
                "conflicts": conflicts,
                "weak": sum(1 for s in support if s["weak"]),
                "review_items": review.get(claim["claim_id"], []),
                "filter_classes": " ".join(
                    sorted(f"f-{facet}-{numbers[facet][value]}" for facet, value in classes)
                ),
            }
        )
    facets = []
    for name, heading in FACETS:
        options = []
        for value, number in numbers[name].items():
            text = _label(labels, value)["label"] if name == "src" else value
            options.append({"id": f"f-{name}-{number}", "text": text, "count": counts[name][value]})
        if options:
            facets.append({"name": name, "heading": heading, "options": options})
    return {
        "claims": claims,
        "sections": list(sections.values()),
        "facets": facets,
        "filter_css": filter_css(facets),
        "weak_score": f"{cite_score:.2f}",
    }


def filter_css(facets: list[dict[str, Any]]) -> str:
    """The CSS rules of the filter: a checked option hides the claims (and, for status,
    the sections) without its class and highlights its own label."""
    rules = []
    for facet in facets:
        for option in facet["options"]:
            checked = f"#{option['id']}:checked ~"
            hidden = [".claim-list .filtered"]
            if facet["name"] == "st":
                hidden.append(".claim-list .status-section")
            for target in hidden:
                rules.append(f"{checked} {target}:not(.{option['id']}) {{ display: none; }}")
        for ident in [f"f-{facet['name']}-all", *(o["id"] for o in facet["options"])]:
            rules.append(f"#{ident}:checked ~ .filters label[for={ident}] {{ {_CHECKED} }}")
    return "\n".join(rules)


_CHECKED = "background: #1d3557; color: #fff;"
