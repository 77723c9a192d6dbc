"""Editor experience (issue #19): sources named by publisher and title, claims.html in
sections per status with contents and a script-free filter, weak and review items marked."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from lxml import html as lxml_html

from pipeline.report import load_processed, render_reports
from pipeline.report.claims_page import DEFAULT_CITE_SCORE as WEAK_SCORE

DATA = Path(__file__).parent / "data" / "report"
MED = "medlineplus/cancer immunotherapy"
SPUN = "content farm/immunotherapy – spun ü"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """The report fixture build, with one sentence of the copy waiting in a claim's review
    queue (claims.jsonl ``review`` and review.jsonl), as the reconcile stage writes them."""
    tables = load_processed(DATA / "build_new")
    claims = tables["claims.jsonl"].copy()
    first = claims.index[claims["status"] == "single_source"][0]
    candidate = {
        "doc_id": SPUN,
        "sentence_id": f"{SPUN}#s007",
        "text": "Immunotherapy might be given by mouth.",
        "score": 0.61,
    }
    claims["review"] = [[] for _ in range(len(claims))]
    claims.at[first, "review"] = [candidate]
    review = pd.DataFrame(
        [
            {
                "claim_id": claims.at[first, "claim_id"],
                "claim_text": claims.at[first, "text"],
                **candidate,
                "key": "healthtipsdaily",
                "decision": "pending",
                "reason": "score below the cite threshold",
            }
        ]
    )
    return {**tables, "claims.jsonl": claims, "review.jsonl": review}


@pytest.fixture(scope="module")
def pages(tables) -> dict[str, bytes]:
    return render_reports(tables, None)


def parse(data: bytes) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(data.decode("utf-8"))


def words(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_index_names_sources_by_publisher_and_title_with_doc_id_in_small_print(pages) -> None:
    tree = parse(pages["index.html"])
    sources = tree.xpath("//h2[@id='sources']/following-sibling::table[1]")[0]
    links = [words(a) for a in sources.xpath(".//td[1]/a[@class='source']")]
    assert "MedlinePlus — Cancer Immunotherapy" in links  # title's "| MedlinePlus" not doubled
    assert "Health Tips Daily — Cancer Immunotherapy" in links  # the copied site name dropped
    assert MED in [words(s) for s in sources.xpath(".//td[1]/small[@class='docid']")]
    assert not [a for a in tree.xpath("//main//a") if words(a) in (MED, SPUN)]
    spun_row = next(r for r in sources.xpath(".//tr[td]") if SPUN in words(r))
    mark = words(spun_row.xpath(".//span[@class='copy-mark']")[0])
    assert mark == "spun copy of MedlinePlus — Cancer Immunotherapy"
    relations = tree.xpath("//h2[@id='relations']/following-sibling::table[1]")[0]
    assert "Health Tips Daily — Cancer Immunotherapy" in words(relations)


def test_claims_page_has_a_section_per_status_and_contents_that_resolve(pages, tables) -> None:
    tree = parse(pages["claims.html"])
    headings = [words(h) for h in tree.xpath("//section[contains(@class,'status-section')]/h3")]
    assert [h.split(" ")[0] for h in headings] == ["Conflicts", "Single", "Corroborated"]
    statuses = tables["claims.jsonl"]["status"].value_counts()
    assert headings[0].endswith(f"{statuses['conflict']} claim(s)")
    ids = set(tree.xpath("//@id"))
    targets = [h[1:] for h in tree.xpath("//nav[@class='toc']//a/@href")]
    assert {"review-queue", "all-claims"} <= set(targets) and set(targets) <= ids
    for section in tree.xpath("//section[contains(@class,'status-section')]"):
        status = section.xpath("./h3/span")[0].get("class").split("status-")[-1]
        claims = section.xpath(".//section[@class='claim']")
        assert claims and all(status in c.xpath(".//h4/span")[0].get("class") for c in claims)


def filter_rules(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """checked option id -> the class a claim needs to stay shown."""
    css = "".join(tree.xpath("//style/text()"))
    pattern = r"#([\w-]+):checked ~ \.claim-list \.filtered:not\(\.([\w-]+)\) \{ display: none; \}"
    return dict(re.findall(pattern, css))


def shown(tree: lxml_html.HtmlElement, checked: list[str]) -> list[str]:
    """Texts of the claims the CSS leaves visible when these options are checked."""
    rules = filter_rules(tree)
    out = []
    for claim in tree.xpath("//div[@class='claim-list']//div[contains(@class,'filtered ')]"):
        classes = set(claim.get("class").split())
        if all(rules[c] in classes for c in checked if c in rules):
            out.append(words(claim.xpath("./section[@class='claim']/h4")[0]))
    return out


def option(tree: lxml_html.HtmlElement, facet: str, text: str) -> str:
    legend = tree.xpath(f"//div[@class='filters']/fieldset[legend='{facet}']")[0]
    label = next(lab for lab in legend.xpath("./label") if words(lab).startswith(text))
    return label.get("for")


def test_filter_works_without_scripts_and_combines_facets(pages) -> None:
    tree = parse(pages["claims.html"])
    assert not tree.xpath("//script")
    radios = tree.xpath("//div[@class='filter-root']/input[@type='radio']")
    assert {r.get("id") for r in radios} >= set(filter_rules(tree))
    for label_for in tree.xpath("//div[@class='filters']//label/@for"):
        assert tree.xpath(f"//input[@id='{label_for}']"), label_for
    every = shown(tree, [])
    conflict = option(tree, "Status", "conflict")
    assert 0 < len(shown(tree, [conflict])) < len(every)
    assert all(t.startswith("conflict") for t in shown(tree, [conflict]))
    spun = option(tree, "Source", "Health Tips Daily — Cancer Immunotherapy")
    by_spun = shown(tree, [spun])
    assert 0 < len(by_spun) < len(every)
    route = option(tree, "Conflict type", "differing_list")
    assert shown(tree, [route]) and all(t.startswith("conflict") for t in shown(tree, [route]))
    both = shown(tree, [conflict, spun])
    assert set(both) == set(shown(tree, [conflict])) & set(by_spun)


def test_weak_supports_and_review_candidates_are_marked(pages, tables) -> None:
    tree = parse(pages["claims.html"])
    weak_rows = tree.xpath("//tr[@class='weak']")
    scores = [float(r.xpath("./td[@class='num']")[0].text) for r in weak_rows]
    assert weak_rows and all(s < WEAK_SCORE for s in scores)
    strong = tree.xpath("//section[@class='claim']//tr[td][not(@class='weak')]")
    assert all(float(r.xpath("./td[@class='num']")[0].text) >= WEAK_SCORE for r in strong)
    lower = parse(render_reports(tables, None, cite_score=min(scores))["claims.html"])
    assert len(lower.xpath("//tr[@class='weak']")) < len(weak_rows)  # the build's cut decides
    queue = tree.xpath("//section[@id='review-queue']")[0]
    assert "not cited" in words(queue.xpath("./h2")[0]).lower()
    details = tree.xpath("//details[@class='in-review']")
    assert len(details) == 1
    assert "not cited" in words(details[0].xpath("./summary")[0])
    assert "Health Tips Daily — Cancer Immunotherapy" in words(details[0])
    row = words(queue.xpath(".//tr[td]")[0])
    assert "Health Tips Daily — Cancer Immunotherapy spun copy of MedlinePlus" in row
