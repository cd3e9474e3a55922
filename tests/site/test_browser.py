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

import re

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
        # the theme's print-only page contents (left out by _templates/layout.html)
        'aria-label="Page"': "",
    }
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        left = [e for e in english if e in text]
        assert not left, (page.name, left)
    front = (site / "forside-alle.html").read_text(encoding="utf-8")
    assert all(danish in front for danish in english.values() if danish)
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
            # a mouse click where the link is (Playwright's click would first scroll the
            # sticky toolbar's place in the layout into view, which a reader never does)
            link = page.locator("nav.definition-switch a:has-text('Bred')").bounding_box()
            page.mouse.click(link["x"] + link["width"] / 2, link["y"] + link["height"] / 2)
            page.wait_for_url(f"**/udbredelse-bred.html#{target}")
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)
            _, below = page.evaluate(box, "nav.definition-switch")
            heading, _ = page.evaluate(box, f"[id='{target}']")
            assert below <= heading < 400, f"{width} px: section at {heading}, switch to {below}"
    assert not blocked


# --------------------------------------------------------------------- the reader (issue 24)
CHAPTER = "udbredelse-alle.html"  # a chapter published per definition, with charts

#: What has focus: its tag, its name, its box, and where it sits.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), name: (e.getAttribute('aria-label') || e.textContent || '')
    .trim().replace(/\\s+/g, ' ').slice(0, 80), w: r.width, h: r.height,
    visible: e.checkVisibility({visibilityProperty: true, opacityProperty: true}),
    inSwitch: !!e.closest('nav.definition-switch'),
    chart: e.matches("div[id^='altair-viz-'] [role='graphics-document']")
      ? e.closest("div[id^='altair-viz-']").id : null,
    describedBy: e.getAttribute('aria-describedby') || ''};
}"""


@pytest.fixture(scope="module")
def reader(built_book):
    """One browser on the built site for the reader's checks: (page, base URL)."""
    require_chromium()
    _, _, site = built_book
    blocked: list[str] = []
    with sitecheck.serve(site) as base, sitecheck.browser_context(base, blocked) as context:
        yield context.new_page(), base
    assert not blocked, blocked


def _open(page, url: str, width: int = 1280) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url, wait_until="load")
    assert page.evaluate(sitecheck.WAIT_CHARTS) >= 0


def test_print_shows_the_citation_and_how_to_rerun(reader):
    """Printed (print media, as Chromium prints to A4), a chapter's folded "Sådan citerer du
    dette kapitel" and "For fagfolk" sections are open: the reference and the command print."""
    page, base = reader
    _open(page, f"{base}/{CHAPTER}")
    shown = (
        "s => { const e = document.querySelector(s); const r = e.getBoundingClientRect();"
        " return e.checkVisibility() && r.height > 0 ? e.textContent.trim() : ''; }"
    )
    page.emulate_media(media="print")
    try:
        reference = page.evaluate(shown, "#ledu-citer .ledu-reference")
        bibtex = page.evaluate(shown, "#ledu-citer pre")
        command = page.evaluate(shown, "#ledu-koer-igen pre")
        pdf = page.pdf(format="A4")
    finally:
        page.emulate_media(media="screen")
    assert "version" in reference and "(20" in reference, reference
    assert bibtex.startswith("@incollection"), bibtex[:80]
    assert command.startswith("python -m lederuddannelse run"), command[:80]
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    # on screen they stay folded
    assert page.evaluate(shown, "#ledu-citer .ledu-reference") == ""


@pytest.mark.parametrize("width", [390, 1280])
def test_keyboard_reaches_switch_early_charts_with_values_and_nothing_invisible(reader, width):
    """Tab through a chapter page: every stop is visible (no zero-size control takes focus),
    the definition switch comes within three stops of the skip link's target, and every chart
    is a stop named with its values (its text alternative) and described by its caption."""
    page, base = reader
    _open(page, f"{base}/{CHAPTER}", width)
    charts = page.eval_on_selector_all("div[id^='altair-viz-']", "els => els.map(e => e.id)")
    assert charts
    # the skip link first; following it, the switch is among the next three stops
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "Gå til hovedindholdet"
    page.keyboard.press("Enter")
    after_skip = []
    for _ in range(3):
        page.keyboard.press("Tab")
        after_skip.append(page.evaluate(FOCUSED))
    assert any(f and f["inSwitch"] for f in after_skip), after_skip
    # the whole page from the top
    _open(page, f"{base}/{CHAPTER}", width)
    invisible, named, seen = [], {}, 0
    for _ in range(400):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED)
        if f is None:  # focus left the page: every stop seen
            break
        seen += 1
        if not (f["visible"] and f["w"] >= 1 and f["h"] >= 1):
            invisible.append(f)
        if f["chart"]:
            named[f["chart"]] = f
    assert seen > 20
    assert not invisible, invisible[:5]
    assert set(named) == set(charts), (charts, sorted(named))
    for f in named.values():
        assert re.search(r"\d+ pct\.", f["name"]) and f["describedBy"], f
        caption = page.evaluate("id => document.getElementById(id)?.textContent", f["describedBy"])
        assert caption and caption.strip().startswith("Figur"), caption


def test_sidebar_toggles_have_danish_names(reader):
    """The sidebar's expand toggles (chapters with sub-pages) are named (axe: summary-name)."""
    page, base = reader
    _open(page, f"{base}/{CHAPTER}")
    names = page.eval_on_selector_all(
        ".bd-sidebar-primary summary", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert names and all(n and n.startswith("Vis eller skjul undersiderne til ") for n in names)
    assert any("Hvor mange ledere" in n for n in names), names


def test_switching_definition_lands_on_the_same_section(reader):
    """Switching from the page's top section opens the other page at its top without an anchor
    it lacks; a section the other page has under another id is found by its position."""
    page, base = reader
    _open(page, f"{base}/{CHAPTER}")
    title_id = page.evaluate("() => document.querySelector('article section[id]').id")
    assert title_id.endswith("-samlet-definition")
    link = page.locator("nav.definition-switch a:has-text('Bred')").bounding_box()
    page.mouse.click(link["x"] + link["width"] / 2, link["y"] + link["height"] / 2)
    page.wait_for_url(re.compile(r"/udbredelse-bred\.html"))
    page.wait_for_load_state("load")
    hash_ = page.evaluate("() => location.hash")
    assert hash_ == "" or page.evaluate("h => !!document.getElementById(h)", hash_[1:]), hash_
    assert "-samlet-definition" not in page.url
    # an anchor the page lacks, with the section's position: the section at that position
    _open(page, f"{base}/udbredelse-smal.html?afsnit=3#ikke-her")
    page.wait_for_timeout(300)
    third = page.evaluate("() => document.querySelectorAll('article section[id]')[3].id")
    assert page.url.endswith(f"/udbredelse-smal.html#{third}"), page.url
    top = page.evaluate(f"() => document.getElementById('{third}').getBoundingClientRect().top")
    assert 0 <= top < 300, top


def test_search_shows_the_sentence_with_the_word(reader):
    """Search results show the text around the word, not the page's list of headings."""
    page, base = reader
    page.goto(f"{base}/search.html?q=branche", wait_until="load")
    page.wait_for_selector("#search-results li p.context", timeout=30_000)
    page.wait_for_timeout(1500)
    summaries = page.eval_on_selector_all(
        "#search-results li p.context", "els => els.map(e => e.textContent)"
    )
    assert len(summaries) >= 3
    headings = re.compile(r"\b\d+(?:\.\d+)+\. [^.]{3,80}\b\d+(?:\.\d+)+\. ")
    assert not [s for s in summaries if headings.search(s)], summaries
    assert all("branche" in s.lower() for s in summaries), summaries
