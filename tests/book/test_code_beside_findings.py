"""The built site shows the analysis beside each finding: every figure and table of an
analysis page is the output of a code cell folded behind a Danish toggle, and that code calls
an estimator of the survey design; the API reference ("Koden bag bogen") and the source pages
are in the site, and the downloadable notebooks show values, not glue roles, in their prose."""

from __future__ import annotations

import re

import nbformat
from bs4 import BeautifulSoup

from conftest import ESTIMATOR

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
