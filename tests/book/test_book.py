"""Build the book on a small generated data set and check the published HTML."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import HOSTILE, SMALL_DATA
from lederuddannelse.book import build as b

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


def _rake(df: pd.DataFrame, margins: pd.DataFrame) -> np.ndarray:
    """Plain iterative proportional fitting from equal weights to the margins' counts."""
    w = np.ones(len(df))
    for _ in range(1000):
        before = w.copy()
        for var, rows in margins.groupby("variable", sort=False):
            target = dict(zip(rows["category"].astype(int), rows["count"].astype(float)))
            codes = df[var].astype(int).to_numpy()
            current = pd.Series(w).groupby(codes).sum()
            w = w * np.array([target[c] / current[c] for c in codes])
        if np.max(np.abs(w - before)) < 1e-10:
            return w
    raise AssertionError("raking did not converge")


def _raking_residuals(z: np.ndarray, w: np.ndarray, df: pd.DataFrame, variables) -> np.ndarray:
    """Influence values with the part explained by the raking margins removed: the weighted
    least-squares projection of z/w on the margins' category indicators (the limit of R's
    svyrecvar sweeps for a raked design)."""
    X = np.column_stack(
        [(df[v].astype(int).to_numpy() == c) for v in variables for c in sorted(df[v].unique())]
    ).astype(float)
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], z / w * sw, rcond=None)
    return z - w * (X @ beta)


def test_prevalence_matches_an_independent_computation(built_book):
    """The page's share of trained managers and its CI, recomputed without the package: the
    data file read with pandas, raked with a plain IPF loop, the share weighted by hand, and
    the interval from the linearised, raking-adjusted variance on the logit scale."""
    root, _, site = built_book
    df = pd.read_parquet(root / SMALL_DATA)
    margins = pd.read_csv(root / "data" / "margins.csv")
    w = _rake(df, margins)
    y = df["training"].isin([1, 2]).astype(float).where(df["training"].notna()).to_numpy()
    ok = ~np.isnan(y)
    p = float(np.sum(w[ok] * y[ok]) / np.sum(w[ok]))
    z = np.where(ok, w * (np.nan_to_num(y) - p) / np.sum(w[ok]), 0.0)
    e = _raking_residuals(z, w, df, margins["variable"].unique())
    n = len(df)
    se = float(np.sqrt(n / (n - 1) * np.sum((e - e.mean()) ** 2)))

    texts = glued_texts(root / "build" / "book" / "udbredelse-alle.ipynb")
    share, interval = texts["udbredelse_any"], texts["udbredelse_any_ci"]
    page = html_lib.unescape((site / "udbredelse-alle.html").read_text(encoding="utf-8"))
    assert share in page and interval in page
    m = re.fullmatch(r"(\d+) %-KI: (\d+)–(\d+) pct\., n = ([\d.]+)", interval)
    assert m, interval
    level, low, high, shown_n = int(m[1]) / 100, int(m[2]), int(m[3]), int(m[4].replace(".", ""))
    q = stats.t.ppf(1 - (1 - level) / 2, int(ok.sum()) - 1)
    logit = np.log(p / (1 - p))
    half = q * se / (p * (1 - p))
    lo, hi = (1 / (1 + np.exp(-(logit + s * half))) for s in (-1, 1))
    # the page rounds to whole per cent: each shown number is within half a point of ours;
    # the limits get 0.02 points more, since R (and the book) stop the raking projection
    # after 10 sweeps where this takes its limit (SEs differ by about 0.1 %)
    assert abs(int(share.split()[0]) - 100 * p) <= 0.5 + 1e-9, (share, p)
    assert abs(low - 100 * lo) <= 0.52 and abs(high - 100 * hi) <= 0.52, (interval, lo, hi)
    assert shown_n == int(ok.sum())


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


def test_f10s_organisation_size_is_said_where_f10_is_judged(built_book):
    """The report's »mere end 250 medarbejdere« is tested with the questionnaire's top size
    category: the front page's findings table says so, as the ledger's F10 criterion does."""
    from lederuddannelse.analysis.specs import org_size_note

    _, _, site = built_book
    note = org_size_note()
    assert "mere end 250 medarbejdere" in note
    for name in ("forside-alle.html", "holder-alle.html"):
        text = html_lib.unescape((site / name).read_text(encoding="utf-8"))
        assert note in re.sub(r"\s+", " ", text), name


def test_a_hostile_data_path_is_shown_as_text_and_never_as_a_path(built_book):
    """The data file lives in a folder and has a name holding `<img src=x onerror=alert(1)>`
    and a backtick: every page shows the name as text, no page or download holds the folder."""
    root, _, site = built_book
    folder = (root / SMALL_DATA).parent
    leaks = [str(root), f"{HOSTILE}/"]
    forms = {
        form for leak in leaks for form in (leak, html_lib.escape(leak), json.dumps(leak)[1:-1])
    }
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 11
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<img src=x" not in text, f"{page.name}: live HTML from the data file's name"
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found = [f for f in forms if f.encode() in data]
            assert not found, f"{path.relative_to(site)} shows the data file's folder: {found}"
    page = html_lib.unescape((site / "udbredelse-alle.html").read_text(encoding="utf-8"))
    assert f"x{HOSTILE}small.parquet" in page, "the notice names the data file"
    assert folder.name == HOSTILE


def test_definition_variants_have_a_switch_and_the_ledger_links_them(built_book):
    """The chapters whose results depend on the definition are published under each one
    (samlet, smal, bred): every variant page has the switch, its links resolve to the other
    variants, and the ledger links each verdict to the page of its definition (F11 to the
    broad page, as the report states it under the broad definition)."""
    from bs4 import BeautifulSoup

    from lederuddannelse.variants import definition_pages

    root, _, site = built_book
    with_variants = {
        slug: definition_pages(slug, root)
        for slug in ("udbredelse", "hvem", "motiver", "ledertype", "lyst", "sektor")
    }
    assert {s for s, pages in with_variants.items() if pages} == {
        "udbredelse",
        "hvem",
        "motiver",
        "ledertype",
    }
    for slug in ("udbredelse", "hvem", "motiver", "ledertype"):
        pages = with_variants[slug]
        assert [d for _, d in pages] == ["any", "narrow", "broad"], slug
        names = [name for name, _ in pages]
        for name, _ in pages:
            soup = BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
            nav = soup.select_one("nav.definition-switch")
            assert nav is not None, f"{name}: no definition switch"
            links = [a["href"] for a in nav.find_all("a")]
            assert links == [f"{n}.html" for n in names], (name, links)
            assert all((site / href).exists() for href in links)
            current = [a["href"] for a in nav.find_all("a", attrs={"aria-current": "page"})]
            assert current == [f"{name}.html"]
            # the variants keep apart their titles (and so their entries in the contents)
            title = soup.find("h1").get_text(" ", strip=True)
            word = {"alle": "samlet", "smal": "smal", "bred": "bred"}[name.rsplit("-", 1)[1]]
            assert f"({word} definition)" in title, (name, title)

    ledger = BeautifulSoup((site / "holder-alle.html").read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in ledger.find_all("table") if "holder-status" in (t.get("id") or ""))
    heads = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    rows = {
        tr.find(["td", "th"]).get_text(strip=True): tr.find_all(["td", "th"])
        for tr in table.find("tbody").find_all("tr")
    }

    def hrefs(fid: str, column: str) -> list[str]:
        return [a["href"] for a in rows[fid][heads.index(column)].find_all("a")]

    assert hrefs("F11", "Standard") == ["udbredelse-bred.html"]
    assert hrefs("F2", "Smal definition") == ["udbredelse-smal.html"]
    assert hrefs("F2", "Bred definition") == ["udbredelse-bred.html"]
    assert hrefs("F10", "Bred definition") == ["hvem-bred.html"]
    assert "udbredelse-bred.html" in hrefs("F11", "Vises i")
    every = [a["href"] for a in table.find_all("a")]
    assert len(every) >= 20 and all((site / h).exists() for h in every)
    assert "&lt;a href" not in str(table), "a link shown as text"
