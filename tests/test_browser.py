"""Headless Chromium loads every built page with all network but a local server blocked:
every chart container must hold a rendered chart, and the console must stay free of errors."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import in_ci

pytestmark = [pytest.mark.browser, pytest.mark.book]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server(built_book):
    _, _, site = built_book

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    httpd.shutdown()


def test_every_page_renders_its_charts_offline(server):
    if CHROMIUM is None:
        if in_ci():
            pytest.fail("Chromium is not installed; .ci/run must install Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    base, site = server
    pages = sorted(
        p.name for p in site.glob("*.html") if p.name not in {"genindex.html", "search.html"}
    )
    charts_seen = 0
    csv_seen = 0
    problems: list[str] = []
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            context = browser.new_context()
            context.set_default_timeout(30_000)

            def only_local(route):
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", only_local)
            for name in pages:
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"{base}/{name}", wait_until="networkidle")
                containers = page.locator("div[id^='altair-viz-']")
                for i in range(containers.count()):
                    chart = containers.nth(i)
                    chart.locator("svg.marks, canvas.marks").first.wait_for(timeout=15_000)
                    label = chart.locator("[role='graphics-document']").first.get_attribute(
                        "aria-label"
                    )
                    if not label or len(label) < 20:
                        problems.append(f"{name}: chart {i} has no text alternative ({label!r})")
                    charts_seen += 1
                # Every chart's data can be downloaded as CSV beside it, and the file decodes.
                csvs = page.eval_on_selector_all(
                    "p.csv-download a",
                    "links => Promise.all(links.map(a => fetch(a.href).then(r => r.text())"
                    "  .then(t => [a.getAttribute('download'), t])))",
                )
                if len(csvs) < containers.count():
                    problems.append(
                        f"{name}: {containers.count()} charts but {len(csvs)} CSV downloads"
                    )
                for filename, text in csvs:
                    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
                    if (
                        not filename.endswith(".csv")
                        or ";" not in header
                        or len(text.splitlines()) < 2
                    ):
                        problems.append(
                            f"{name}: CSV download {filename!r} is not a table: {text[:80]!r}"
                        )
                    csv_seen += 1
                if errors:
                    problems.append(f"{name}: console errors {errors}")
                page.close()
        finally:
            browser.close()
    assert not problems, problems
    assert charts_seen >= 1, "no chart was found on any page"
    assert csv_seen >= charts_seen, (csv_seen, charts_seen)
    assert not [u for u in blocked if "jsdelivr" in u or "vega" in u], blocked


AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core (MPL-2.0), see vendor/README.md
READING_CHECKS = """() => {
  const problems = [];
  if (document.documentElement.lang !== "da") problems.push("html lang is not da");
  const article = document.querySelector("article") || document.body;
  article.querySelectorAll("table").forEach((t, i) => {
    const c = t.querySelector("caption");
    if (!c || !c.textContent.trim()) problems.push(`table ${i} has no caption`);
  });
  let last = 0;
  article.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach((h) => {
    const level = Number(h.tagName[1]);
    if (last && level > last + 1)
      problems.push(`heading ${h.tagName} after h${last}: ${h.textContent.trim()}`);
    last = level;
  });
  return problems;
}"""


def test_every_page_passes_axe_and_the_reading_checks(server):
    """axe-core on every page (no serious or critical violation), after the charts rendered,
    plus the listed checks by hand: Danish language, a caption on every table, heading levels
    in order; the print style hides the navigation and keeps the charts."""
    if CHROMIUM is None:
        if in_ci():
            pytest.fail("Chromium is not installed; .ci/run must install Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    base, site = server
    pages = sorted(p.name for p in site.glob("*.html") if p.name != "index.html")
    problems: list[str] = []
    printed = False
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context()
            context.set_default_timeout(30_000)
            context.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort()
            )
            for name in pages:
                page = context.new_page()
                page.goto(f"{base}/{name}", wait_until="networkidle")
                page.wait_for_function("document.readyState === 'complete'")
                charts = page.locator("div[id^='altair-viz-']")
                for i in range(charts.count()):
                    charts.nth(i).locator("svg.marks, canvas.marks").first.wait_for(timeout=15_000)
                    charts.nth(i).locator("details > summary[aria-label]").first.wait_for(
                        timeout=5_000
                    )
                page.add_script_tag(path=str(AXE))
                violations = page.evaluate(
                    "async () => (await axe.run(document, "
                    "{resultTypes: ['violations']})).violations"
                    ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                    ".map(v => `${v.impact} ${v.id}: ${v.help} "
                    "(${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; ')})`)"
                )
                problems += [f"{name}: {v}" for v in violations]
                problems += [f"{name}: {p}" for p in page.evaluate(READING_CHECKS)]
                if charts.count() and not printed:
                    page.emulate_media(media="print")
                    hidden = page.evaluate(
                        "() => [...document.querySelectorAll('.bd-sidebar-primary, .bd-header, "
                        ".prev-next-footer')]"
                        ".every(e => getComputedStyle(e).display === 'none')"
                    )
                    shown = page.evaluate(
                        "() => [...document.querySelectorAll(\"div[id^='altair-viz-'] svg.marks, "
                        "div[id^='altair-viz-'] canvas.marks\")]"
                        ".every(e => e.getBoundingClientRect().height > 0)"
                    )
                    if not (hidden and shown):
                        problems.append(
                            f"{name}: print style (navigation hidden {hidden}, charts shown "
                            f"{shown})"
                        )
                    printed = True
                page.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
