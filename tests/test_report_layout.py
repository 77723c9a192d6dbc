"""Every report page kind laid out in headless Chromium at a desktop width (1280 px) and a
phone width (390 px), issue #19 item 8: the page never scrolls sideways (a wide table may
scroll inside its own box), no text block sticks out of the window, and a relation page's
side-by-side view starts in the first screen. Skipped when Chromium is not installed
(Debian: ``apt-get install -y chromium``).

Headless Chromium will not make a window narrower than 500 px, so each page is measured
inside an iframe of the exact width. The page goes in through ``srcdoc`` unchanged, CSP
included: the measuring script belongs to the wrapper page around it."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from pipeline.report import load_processed, render_reports

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "report"
CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)"
)
SCREENS = {"desktop": (1280, 900), "phone": (390, 844)}
KINDS = ("index", "claims", "changes", "document", "relation")

# Runs in the wrapper once every iframe has loaded. For each page: the widths, every
# element and text of <main> whose right edge passes the window although no scrolling or
# clipping box holds it (all <details> opened first, as an editor would), and where the first
# sentence pair of the side-by-side table starts (measured before opening anything).
MEASURE = """
addEventListener("load", () => {
  const results = [];
  for (const frame of document.querySelectorAll("iframe")) {
    const win = frame.contentWindow, doc = frame.contentDocument, width = win.innerWidth;
    const firstPair = doc.querySelector("table.align tr:nth-child(2)");
    const pairTop = firstPair ? firstPair.getBoundingClientRect().top : null;
    for (const d of doc.querySelectorAll("details")) d.open = true;
    const held = (e) => {
      for (let a = e.parentElement; a && a.tagName !== "MAIN"; a = a.parentElement) {
        if (win.getComputedStyle(a).overflowX !== "visible") return true;
      }
      return false;
    };
    const outside = [];
    for (const e of doc.querySelectorAll("main *")) {
      const box = e.getBoundingClientRect();
      if (box.width && box.right > width + 0.5 && !held(e)) {
        outside.push(`${e.tagName.toLowerCase()}.${e.className} ends at ${Math.round(box.right)}`
          + `: ${(e.textContent || "").trim().slice(0, 50)}`);
      }
    }
    const texts = doc.createTreeWalker(doc.querySelector("main"), NodeFilter.SHOW_TEXT);
    for (let t = texts.nextNode(); t; t = texts.nextNode()) {
      const range = doc.createRange();
      range.selectNodeContents(t);
      const right = Math.max(0, ...[...range.getClientRects()].map((r) => r.right));
      if (right > width + 0.5 && !held(t)) {
        outside.push(`text ends at ${Math.round(right)}: ${t.textContent.trim().slice(0, 50)}`);
      }
    }
    results.push({page: frame.dataset.page, width, height: win.innerHeight,
      scrollWidth: doc.scrollingElement.scrollWidth, pairTop, outside});
  }
  const out = document.createElement("pre");
  out.id = "layout";
  out.textContent = JSON.stringify(results);
  document.body.appendChild(out);
});
"""


def one_page_of_each_kind(pages: dict[str, bytes]) -> dict[str, bytes]:
    """index, claims, changes and the longest document and relation page (kind -> HTML)."""
    longest = {
        kind: max((n for n in pages if n.startswith(f"{kind}s/")), key=lambda n: len(pages[n]))
        for kind in ("document", "relation")
    }
    chosen = {kind: f"{kind}.html" for kind in ("index", "claims", "changes")} | longest
    return {kind: pages[name] for kind, name in chosen.items()}


def measure(pages: dict[str, bytes], screen: tuple[int, int], folder: Path) -> dict[str, Any]:
    """Lay ``pages`` out at ``screen`` (width, height) in one Chromium run: kind -> result."""
    width, height = screen
    frames = "".join(
        f'<iframe data-page="{kind}" width="{width}" height="{height}" '
        f'srcdoc="{html.escape(page.decode(), quote=True)}"></iframe>'
        for kind, page in pages.items()
    )
    wrapper = folder / f"layout-{width}.html"
    wrapper.write_text(
        "<!DOCTYPE html><html><head><style>body { margin: 0 } iframe { border: 0; "
        f"display: block }}</style></head><body>{frames}<script>{MEASURE}</script></body></html>"
    )
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += [
        f"--user-data-dir={folder / 'profile'}",
        f"--window-size={max(width, 800)},{height}",
    ]
    result = subprocess.run(
        [*command, "--dump-dom", wrapper.as_uri()], capture_output=True, text=True, timeout=180
    )
    found = lxml_html.document_fromstring(result.stdout or "<p>").xpath("//pre[@id='layout']")
    assert found, result.stderr[-2000:]
    return {r["page"]: r for r in json.loads(found[0].text_content())}


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], Any]:
    """(build, screen, kind) -> measurements, for the test fixture's two builds (a full
    changes page, a hostile capture) and for the seeds' processed/ tables rendered by the
    current code."""
    builds = {
        "fixture": render_reports(
            load_processed(DATA / "build_new"), load_processed(DATA / "build_old")
        )
    }
    if (ROOT / "processed" / "documents.jsonl").is_file():
        builds["seeds"] = render_reports(load_processed(ROOT / "processed"), None)
    folder = tmp_path_factory.mktemp("layout")
    found = {}
    for build, pages in builds.items():
        for screen, size in SCREENS.items():
            for kind, result in measure(one_page_of_each_kind(pages), size, folder).items():
                found[build, screen, kind] = result
    return found


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("kind", KINDS)
def test_page_never_scrolls_sideways(layouts: dict, kind: str, screen: str) -> None:
    measured = {b: r for (b, on, page), r in layouts.items() if (on, page) == (screen, kind)}
    assert "fixture" in measured
    for build, result in measured.items():
        assert result["width"] == SCREENS[screen][0], build
        assert result["outside"] == [], f"{build} {kind} page at {result['width']} px"
        assert result["scrollWidth"] <= result["width"], f"{build} {kind} page scrolls sideways"


@pytest.mark.parametrize("screen", SCREENS)
def test_relation_side_by_side_starts_in_the_first_screen(layouts: dict, screen: str) -> None:
    limit = {"desktop": 800, "phone": SCREENS["phone"][1] - 100}[screen]
    relation = {b: r for (b, on, kind), r in layouts.items() if (on, kind) == (screen, "relation")}
    tops = {build: result["pairTop"] for build, result in relation.items()}
    assert tops and all(top is not None and 0 < top < limit for top in tops.values()), tops
