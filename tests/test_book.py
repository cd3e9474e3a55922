"""Build the book on a small generated data set and check the published HTML."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pytest

from lederuddannelse.book import build as b
from lederuddannelse.errors import ChapterError
from lederuddannelse.paths import EMBEDDED_DATA_PATH

pytestmark = pytest.mark.book

GLUE = "application/papermill.record/text/markdown"


def glued_texts(notebook: Path) -> dict[str, str]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and GLUE in o.get("data", {}):
                out[name] = o["data"][GLUE]
    return out


def test_every_run_is_published_as_a_page(built_book):
    root, report, site = built_book
    runs = b.load_parameters(root / "parameters.yml").runs(root)
    for run in runs:
        assert (root / "build" / "book" / f"{run.name}.ipynb").exists()
    names = {r.name for r in runs}
    assert set(report.executed) == names, "a clean build executes every run"
    for name in names - {runs[0].name}:
        assert (site / f"{name}.html").exists(), name
    assert (site / "index.html").exists()


def test_glued_values_reach_the_html(built_book):
    root, _, site = built_book
    checked = 0
    for nb in sorted((root / "build" / "book").glob("*.ipynb")):
        page = site / f"{nb.stem}.html"
        if not page.exists():  # the root page is published as index.html too
            continue
        # compare text with text: a glued "p < 0,001" is "p &lt; 0,001" in the HTML source
        html = html_lib.unescape(page.read_text(encoding="utf-8"))
        for name, text in glued_texts(nb).items():
            assert text in html, f"{nb.stem}: glued {name} = {text!r} not on the page"
            checked += 1
    assert checked >= 8


def test_prevalence_matches_an_independent_computation(built_book):
    """The page shows the share the statistics layer computes from the data file."""
    root, _, site = built_book
    from lederuddannelse.data.derive import add_derived
    from lederuddannelse.data.loader import load_survey
    from lederuddannelse.data.weighting import load_margins, weight_survey
    from lederuddannelse.report.fmt import pct
    from lederuddannelse.stats.design import SurveyDesign

    df = add_derived(load_survey(root / "data" / "small.parquet"))
    margins = load_margins(root / "data" / "margins.csv")
    df, _ = weight_survey(df, margins)
    est = SurveyDesign(df, "weight", rake_margins=margins).proportion("trained_any")
    html = (site / "udbredelse-alle.html").read_text(encoding="utf-8")
    assert f"{pct(est['estimate'].iloc[0])} af lederne har taget" in html


def test_no_external_scripts_and_synthetic_label(built_book):
    _, _, site = built_book
    pages = list(site.glob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        external = re.findall(r"<script[^>]*\ssrc=\"((?:https?:)?//[^\"]+)\"", html)
        assert not external, f"{page.name} loads external scripts {external}"
        assert "cdn.jsdelivr" not in html and "require.js" not in html, page.name
    chart_page = (site / "udbredelse-alle.html").read_text(encoding="utf-8")
    assert "altair-viz-udbredelse-alle-1" in chart_page
    assert "vega-offline.js" in chart_page
    assert (site / "_static" / "vega-offline.js").stat().st_size > 500_000
    for name in ("forside-alle.html", "udbredelse-alle.html"):
        assert "Syntetiske data" in (site / name).read_text(encoding="utf-8")


def test_rebuilds_redo_only_what_changed_and_failures_keep_the_site(built_book):
    root, _, _ = built_book
    site = root / "_build" / "html"
    stage = root / "build" / "book"
    mtimes = {p.name: p.stat().st_mtime_ns for p in stage.glob("*.ipynb")}

    again = b.build(root, jobs=2, quiet=True)
    assert again.executed == {} and not again.rendered
    assert {p.name: p.stat().st_mtime_ns for p in stage.glob("*.ipynb")} == mtimes

    source = root / "chapters" / "00_forside.md"
    original = source.read_text(encoding="utf-8")
    # A prose edit re-assembles the page from the cached outputs: no kernel.
    source.write_text(original + "\nEn ekstra sætning.\n", encoding="utf-8")
    changed = b.build(root, jobs=2, quiet=True)
    assert changed.executed == {} and changed.reassembled == ["forside-alle"]
    assert changed.rendered
    assert "En ekstra sætning." in (site / "forside-alle.html").read_text(encoding="utf-8")
    # ... and it is byte for byte what executing the edited chapter writes.
    notebook = stage / "forside-alle.ipynb"
    reassembled = notebook.read_bytes()
    notebook.unlink()
    executed = b.build(root, jobs=2, quiet=True)
    assert set(executed.executed) == {"forside-alle"} and not executed.rendered
    assert notebook.read_bytes() == reassembled

    # Prose naming a value the code does not glue: one error naming key and chapter.
    source.write_text(original + "\nHele {glue:md}`forside_findes_ikke`.\n", encoding="utf-8")
    with pytest.raises(ChapterError, match="chapter 'forside' .*'forside_findes_ikke'"):
        b.build(root, jobs=2, quiet=True)
    assert "En ekstra sætning." in (site / "forside-alle.html").read_text(encoding="utf-8")

    published = {p.relative_to(site): p.read_bytes() for p in site.rglob("*.html")}
    source.write_text(
        original + "\n```{code-cell} ipython3\nraise KeyError('q99')\n```\n", encoding="utf-8"
    )
    with pytest.raises(ChapterError) as err:
        b.build(root, jobs=2, quiet=True)
    assert "chapter 'forside' (parameter group 'alle'" in str(err.value)
    assert "KeyError" in str(err.value) and "site was left unchanged" in str(err.value)
    assert (root / "build" / "failed" / "forside-alle.ipynb").exists()
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*.html")} == published


def test_the_book_builds_on_the_embedded_data(tmp_path, monkeypatch):
    """The default edition: parameters.yml as committed, the embedded survey generated."""
    from conftest import copy_project

    root = copy_project(tmp_path)
    monkeypatch.setenv("LEDERUDDANNELSE_ROOT", str(root))
    report = b.build(root, jobs=2, quiet=True)
    assert report.rendered
    runs = b.load_parameters(root / "parameters.yml").runs(root)
    assert set(report.executed) == {r.name for r in runs}
    assert (root / EMBEDDED_DATA_PATH).exists()
    page = (report.site / "udbredelse-alle.html").read_text(encoding="utf-8")
    assert "Syntetiske data" in page and "6.000 besvarelser" in page
