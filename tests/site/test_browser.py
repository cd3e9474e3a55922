"""The built site in headless Chromium, as readers meet it, with every host but a local server
blocked. One pass over every page (batched in one browser, to keep CI within its budget):

- every page at 390, 768, 1280 and 1920 px: no sideways document scroll; no chart or table
  overflowing the main column unseen (a table may scroll inside its own box); no overlapping
  tick labels in a chart's axis; no console error;
- axe-core: no serious or critical violation in light and in dark mode, at 390 and 1280 px
  (all four widths: `python -m lederuddannelse.dev.sitecheck check`, which takes longer);
- once per page: every chart rendered with a text alternative and its CSV download decodes;
  Danish language, a caption on every table, heading levels in order; the print style hides
  the navigation and keeps the charts;
- no request to another host.
"""

from __future__ import annotations

import pytest

from conftest import ROOT, require_chromium
from lederuddannelse.dev import sitecheck
from lederuddannelse.report.tables import ANALYSIS_SUFFIX

pytestmark = [pytest.mark.browser, pytest.mark.book]

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
    if (last && level > last + 1) problems.push(`heading ${h.tagName} after h${last}: ${h.textContent.trim()}`);
    last = level;
  });
  document.querySelectorAll("div[id^='altair-viz-']").forEach((box, i) => {
    const doc = box.querySelector("[role='graphics-document']");
    const label = doc && doc.getAttribute("aria-label");
    if (!label || label.length < 20) problems.push(`chart ${i} has no text alternative`);
  });
  return problems;
}"""  # noqa: E501

CSV = (
    "links => Promise.all(links.map(a => fetch(a.href).then(r => r.text())"
    "  .then(t => [a.getAttribute('download'), t])))"
)

PRINT_HIDES_NAVIGATION = (
    "() => [...document.querySelectorAll('.bd-sidebar-primary, .bd-header, .prev-next-footer')]"
    ".every(e => getComputedStyle(e).display === 'none')"
)
PRINT_SHOWS_CHARTS = (
    "() => [...document.querySelectorAll(\"div[id^='altair-viz-'] svg.marks\")]"
    ".every(e => e.getBoundingClientRect().height > 0)"
)


def _per_page(seen: dict):
    def check(page, name: str) -> list[str]:
        problems = list(page.evaluate(READING_CHECKS))
        charts = page.locator("div[id^='altair-viz-']").count()
        seen["charts"] += charts
        csvs = page.eval_on_selector_all("p.csv-download a.ledu-csv", CSV)
        analysis = dict(page.eval_on_selector_all("p.csv-download a.ledu-csv-analysis", CSV))
        if len(csvs) < charts:
            problems.append(f"{charts} charts but {len(csvs)} CSV downloads")
        for filename, text in csvs:
            header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
            if not filename.endswith(".csv") or ";" not in header or len(text.splitlines()) < 2:
                problems.append(f"CSV download {filename!r} is not a table: {text[:80]!r}")
            # beside it, the analysts' file: the same rows, ',' and decimal point
            twin = analysis.get(filename[:-4] + ANALYSIS_SUFFIX + ".csv", "")
            if len(twin.splitlines()) != len(text.splitlines()) or twin.startswith("\ufeff"):
                problems.append(f"no analysts' CSV beside {filename!r}: {twin[:80]!r}")
            seen["csv"] += 1
        if charts and not seen["printed"]:
            page.emulate_media(media="print")
            hidden = page.evaluate(PRINT_HIDES_NAVIGATION)
            shown = page.evaluate(PRINT_SHOWS_CHARTS)
            page.emulate_media(media="screen")
            if not (hidden and shown):
                problems.append(f"print style (navigation hidden {hidden}, charts shown {shown})")
            seen["printed"] = True
        return problems

    return check


@pytest.fixture(scope="module")
def site_run(built_book):
    require_chromium()
    _, _, site = built_book
    seen = {"charts": 0, "csv": 0, "printed": False}
    results, blocked = sitecheck.check_site(site, axe_widths=(390, 1280), per_page=_per_page(seen))
    return results, blocked, seen


def test_every_page_reads_well_at_every_width(site_run):
    results, _, _ = site_run
    print("\n" + "\n".join(sitecheck.result_table(results)))
    problems = [f"{r.page} @ {r.width}px: {p}" for r in results for p in r.problems]
    assert not problems, "\n".join(problems)
    pages = {r.page for r in results}
    assert {"forside-alle.html", "udbredelse-alle.html", "search.html"} <= pages
    assert {r.width for r in results} == set(sitecheck.WIDTHS)


def test_charts_render_offline_with_their_csv(site_run):
    _, blocked, seen = site_run
    assert seen["charts"] >= 10, seen
    assert seen["csv"] >= seen["charts"], seen
    assert seen["printed"], "no chart page was checked in print"
    assert not blocked, f"requests to other hosts: {sorted(set(blocked))[:10]}"


def test_pages_keep_their_weight_budget(site_run):
    """Measured in the browser: a text page transfers at most 400 kB, a chart page 1.5 MB
    (gzip, as a static host serves them); the chart library loads only where there are
    charts, and no page loads the theme's FontAwesome script (540 kB gzip, left out by
    _templates/layout.html: the icons come from the theme's CSS icon font)."""
    results, _, _ = site_run
    weights = [r.weight for r in results if r.weight is not None]
    print("\n" + "\n".join(sitecheck.weight_lines(weights)))
    assert len(weights) >= 10
    over = [f"{w.page}: {w.transfer} > {w.budget}" for w in weights if not w.ok]
    assert not over, over
    for w in weights:
        loads_vega = any("vega-offline.js" in f for f in w.files)
        assert loads_vega == w.has_charts, (w.page, w.has_charts, loads_vega)
        assert w.raw < 2_500_000, (w.page, w.raw)
        assert not any("fontawesome.js" in f for f in w.files), (w.page, w.files)
    text_pages = [w for w in weights if not w.has_charts]
    assert text_pages and all(w.raw < 1_200_000 for w in text_pages), text_pages


def test_interface_is_danish_through_the_message_catalogue(built_book):
    """Sphinx translates the theme's interface with the book's catalogue (locale/da/...,
    locale_dirs in _config.yml): no English interface string is left on any page, and
    nothing rewrites the written pages."""
    from babel.messages.pofile import read_po

    _, _, site = built_book
    with open(ROOT / "locale" / "da" / "LC_MESSAGES" / "sphinx.po", "rb") as fh:
        catalogue = {m.id: m.string for m in read_po(fh) if m.id}
    english = {
        ">Skip to main content<": ">Gå til hovedindholdet<",
        "Back to top": "Til toppen",
        '"Toggle primary sidebar"': '"Vis eller skjul navigationen"',
        'aria-label="Color mode"': 'aria-label="Farvetilstand"',
        'title="Link to this heading"': 'title="Link til denne overskrift"',
        'aria-label="On this page"': 'aria-label="På denne side"',
        'aria-label="Main"': 'aria-label="Hovedmenu"',
        'title="Toggle secondary sidebar"': 'title="Vis eller skjul indholdsfortegnelsen"',
        "Search this book": "Søg i bogen",
    }
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        left = [e for e in english if e in text]
        assert not left, (page.name, left)
    front = (site / "forside-alle.html").read_text(encoding="utf-8")
    assert all(danish in front for danish in english.values())
    assert catalogue["Skip to main content"] == "Gå til hovedindholdet"


def test_definition_switch_stays_in_view_and_keeps_the_section(built_book):
    """A reader deep in a chapter published per definition sees the switch under the page
    header, and switching opens the other definition's page at the same section, with its
    heading visible below the switch (on a phone and on a laptop)."""
    require_chromium()
    _, _, site = built_book
    blocked: list[str] = []
    box = "s => { const r = document.querySelector(s).getBoundingClientRect(); return [r.top, r.bottom]; }"  # noqa: E501
    with sitecheck.serve(site) as base, sitecheck.browser_context(base, blocked) as context:
        page = context.new_page()
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{base}/udbredelse-alle.html", wait_until="load")
            ids = page.evaluate(
                "() => [...document.querySelectorAll('main section[id]')].map(s => s.id)"
            )
            target = ids[3]  # a section well down the page
            page.evaluate("id => document.getElementById(id).scrollIntoView()", target)
            page.wait_for_timeout(200)
            top, bottom = page.evaluate(box, "nav.definition-switch")
            assert 0 <= top and bottom < 150, f"{width} px: the switch is out of view ({top})"
            page.click("nav.definition-switch a:has-text('Bred')")
            page.wait_for_url(f"**/udbredelse-bred.html#{target}")
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)
            _, below = page.evaluate(box, "nav.definition-switch")
            heading, _ = page.evaluate(box, f"[id='{target}']")
            assert below <= heading < 400, f"{width} px: section at {heading}, switch to {below}"
    assert not blocked
