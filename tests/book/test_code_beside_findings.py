"""The built site shows the analysis beside each finding: every figure and table of an
analysis page is the output of a code cell folded behind a Danish toggle, and that code calls
an estimator of the survey design; the API reference ("Koden bag bogen") and the source pages
are in the site, and the downloadable notebooks show values, not glue roles, in their prose."""

from __future__ import annotations

import re

import nbformat
from bs4 import BeautifulSoup

from conftest import ESTIMATOR, assert_jupyter_shows_the_chart
from lederuddannelse.site.downloads import SPEC_KEY

#: The analysis chapters (every parameter group's page of each).
ANALYSIS = ("udbredelse", "hvem", "motiver", "lyst", "ledertype", "sektor")
_ROLE = re.compile(r"\{(glue|numref|ref|doc|cite)[a-z:]*\}`")


def analysis_pages(site):
    pages = sorted(p for p in site.glob("*.html") if p.stem.split("-")[0] in ANALYSIS)
    assert {p.stem.split("-")[0] for p in pages} == set(ANALYSIS)
    return pages


def folded_code(cell) -> str | None:
    """The code of a cell folded behind "Vis koden" (None if the cell shows no code)."""
    toggle = cell.find("details", class_="above-input")
    if toggle is None:
        return None
    summary = toggle.find("summary").get_text(" ", strip=True)
    assert "Vis koden" in summary and "Skjul koden" in summary, summary
    return toggle.find("pre").get_text()


def test_every_figure_and_table_of_an_analysis_page_has_its_code_above_it(built_book):
    _, _, site = built_book
    counts = {}
    for page in analysis_pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        main = soup.find("main")
        figures = main.find_all("figure")
        tables = [t for t in main.find_all("table") if t.find_parent("div", class_="cell")]
        assert figures, page.name
        for item in figures + tables:
            cell = item.find_parent("div", class_="cell")
            assert cell is not None, f"{page.name}: a figure or table outside a code cell"
            code = folded_code(cell)
            where = f"{page.name}: {item.get('id') or item.name}"
            assert code is not None, f"{where} is not under folded code"
            if item.name == "figure":
                assert ESTIMATOR.search(code), f"{where}: no estimator call in\n{code}"
                assert item.find("figcaption") is not None
        counts[page.stem] = len(figures)
    assert sum(counts.values()) >= 30, counts


def test_the_api_reference_and_source_pages_are_in_the_site(built_book):
    _, _, site = built_book
    text = (site / "koden.html").read_text(encoding="utf-8")
    assert "Koden bag bogen" in text
    text += (site / "koden-kapitler.html").read_text(encoding="utf-8")
    for name in (
        "stats.design.SurveyDesign.proportion",
        "stats.design.SurveyDesign.logistic",
        "chapters.base.open_chapter",
        "chapters.udbredelse.industry_chart",
    ):
        assert f'id="lederuddannelse.{name}"' in text, name
    assert (site / "_modules" / "lederuddannelse" / "stats" / "design.html").is_file()
    assert '<span class="viewcode-link"><span class="pre">[kilde]</span></span>' in text


def test_downloaded_notebooks_show_values_not_roles(built_book):
    _, _, site = built_book
    notebooks = sorted((site / "downloads").glob("*.ipynb"))
    assert len(notebooks) >= 10
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        found = _ROLE.search(prose)
        assert found is None, f"{path.name}: {found.group(0)}"


def test_names_in_the_code_cells_link_to_their_reference_entries(built_book):
    """`design.proportion(` in a code cell is a link to SurveyDesign.proportion's entry in
    "Koden bag bogen", a chapter module's functions link to theirs, every link lands on an
    entry, and the linked code reads as the notebook's code."""
    _, _, site = built_book
    ids = set()
    for name in ("koden.html", "koden-kapitler.html"):
        soup = BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")
        ids |= {f"{name}#{tag['id']}" for tag in soup.find_all(id=True)}
    estimators = (
        "koden.html#lederuddannelse.stats.design.SurveyDesign.",
        "koden.html#lederuddannelse.analysis.compare.compare",
    )
    for page in analysis_pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = soup.select("div.cell_input div.highlight pre a")
        hrefs = {a["href"] for a in links}
        assert hrefs and hrefs <= ids, f"{page.name}: {sorted(hrefs - ids)}"
        chapter = page.stem.split("-")[0]
        module = f"koden-kapitler.html#lederuddannelse.chapters.{chapter}."
        assert any(h.startswith(module) for h in hrefs), f"{page.name}: {sorted(hrefs)}"
        assert any(h.startswith(estimators) for h in hrefs), f"{page.name}: {sorted(hrefs)}"
        nb = nbformat.read(site / "downloads" / f"{page.stem}.ipynb", as_version=4)
        shown = {c.source.rstrip("\n") for c in nb.cells if c.cell_type == "code"}
        for cell in soup.select("div.cell_input"):
            if cell.find("a") is not None:
                assert cell.find("pre").get_text().rstrip("\n") in shown, page.name
    soup = BeautifulSoup((site / "udbredelse-alle.html").read_text("utf-8"), "html.parser")
    calls = [
        a.find_previous_sibling("span", class_="n").get_text() + "." + a.get_text()
        for a in soup.select("div.cell_input pre a")
        if a["href"] == "koden.html#lederuddannelse.stats.design.SurveyDesign.proportion"
    ]
    assert "design.proportion" in calls, calls


def test_charts_are_html_on_the_page_and_png_in_the_downloaded_notebook(built_book):
    """The build makes each chart as Altair's HTML with its spec: the page shows the HTML
    (Vega from the site's _static folder), the downloadable notebook the PNG drawn from the
    spec, which JupyterLab shows out of the box, trusted or not."""
    root, _, site = built_book
    charts = 0
    for path in sorted((site / "downloads").glob("*.ipynb")):
        executed = nbformat.read(root / "build" / "book" / path.name, as_version=4)
        download = nbformat.read(path, as_version=4)
        for built, cell in zip(executed.cells, download.cells):
            figure = cell.metadata.get("mystnb", {}).get("figure")
            if cell.cell_type != "code" or not figure:
                continue
            (out,) = built.outputs
            assert "vega" in out.data["text/html"] and SPEC_KEY in out.metadata, figure["name"]
            (out,) = cell.outputs
            assert "text/html" not in out.data
            assert_jupyter_shows_the_chart(out, f"{path.name}: {figure['name']}")
            charts += 1
    assert charts >= 30


def test_the_code_cells_per_page_are_counted_and_short(built_book):
    """`sitecheck code` (the note's table): every analysis page has its code cells, none of
    them longer than an analyst reads at a glance."""
    from lederuddannelse.dev.sitecheck import code_cells

    _, _, site = built_book
    rows = {page: (cells, lines, longest) for page, cells, lines, longest in code_cells(site)}
    for page in analysis_pages(site):
        cells, lines, longest = rows[page.stem]
        assert cells >= 5 and lines >= cells and longest <= 15, (page.stem, rows[page.stem])
