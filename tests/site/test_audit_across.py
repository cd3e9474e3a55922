"""The cross-page audit (site/audit_across, issue 25 point 1): a hidden cell must not follow
from the exact relations between published numbers, in whatever form they are published (CSV
downloads, chart data, HTML tables, prose), on whichever page.

Each planted site is a few pages named as the book names them (``udbredelse-alle``,
``-smal``, ``-bred``: parameters.yml publishes these chapters under the three definitions);
each leak is planted once and then protected as the chapters protect it (hidden on every
definition's page), so that each test can fail both ways.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from site_pages import chart, csv_link, html_table, write

from lederuddannelse.site.audit import audit

PAGES = {"any": "alle", "narrow": "smal", "broad": "bred"}
INDUSTRIES = [
    "Bygge og anlæg",
    "Finansiering og forsikring",
    "Handel og transport mv.",
    "Information og kommunikation",
]
CODES = {"Bygge og anlæg": 3, "Finansiering og forsikring": 6, "Handel og transport mv.": 4}
CODES["Information og kommunikation"] = 5
N = [57, 63, 280, 97]
# the issue's numbers: any = narrow + broad in every industry
SHARES = {
    "any": [0.165823, 0.371915, 0.401339, 0.375767],
    "broad": [0.091285, 0.350529, 0.321866, 0.308579],
}
SHARES["narrow"] = list(np.subtract(SHARES["any"], SHARES["broad"]))


def breakdown(definition: str, hidden: set[str]) -> pd.DataFrame:
    """The share trained by industry under ``definition``, as the chapter's CSV (n kept for a
    hidden share: proportion_across hides the estimate, not the industry's n)."""
    shares = [np.nan if i in hidden else s for i, s in zip(INDUSTRIES, SHARES[definition])]
    return pd.DataFrame(
        {
            "tekst": INDUSTRIES,
            "estimat": shares,
            "antal_svar": N,
            "undertrykt": [i in hidden for i in INDUSTRIES],
        }
    )


def chart_rows(definition: str, hidden: set[str]) -> list[dict]:
    df = breakdown(definition, hidden)
    return [
        {
            "label": r.tekst,
            "industry": CODES[r.tekst],
            "variable": f"trained_{definition}",
            "estimate": None if np.isnan(r.estimat) else r.estimat,
            "n": r.antal_svar,
            "suppressed": bool(r.undertrykt),
        }
        for r in df.itertuples()
    ]


def pct_table(definition: str, hidden: set[str]) -> pd.DataFrame:
    """The reader's HTML table: shares in Danish percent, blank when hidden."""
    df = breakdown(definition, hidden)
    return pd.DataFrame(
        {
            "Branche": df["tekst"],
            "Andel": [
                "" if np.isnan(v) else f"{100 * v:.1f} pct.".replace(".", ",", 1)
                for v in df["estimat"]
            ],
            "Antal svar (n)": df["antal_svar"],
        }
    )


def recovered(report) -> list:
    return [f for f in report.findings if f.kind == "recoverable across pages"]


NARROW_HIDDEN = {"Bygge og anlæg"}


@pytest.mark.parametrize("form", ["csv", "chart", "html"])
def test_a_narrow_share_hidden_on_one_page_is_the_difference_of_the_others(tmp_path, form):
    """The issue's route: the narrow page hides an industry's share (n shown), the any and
    broad pages publish theirs -- in a CSV download, in a chart's data or in an HTML table:
    narrow = any - broad. Hidden on every definition's page, nothing follows."""

    def publish(site, hide_everywhere: bool) -> None:
        for d, suffix in PAGES.items():
            hidden = NARROW_HIDDEN if (d == "narrow" or hide_everywhere) else set()
            if d == "narrow":
                parts = [csv_link("udbredelse-branche.csv", breakdown(d, hidden))]
            elif form == "csv":
                parts = [csv_link("udbredelse-branche.csv", breakdown(d, hidden))]
            elif form == "chart":
                parts = [chart(chart_rows(d, hidden))]
            else:
                parts = [html_table(pct_table(d, hidden))]
            write(site, f"udbredelse-{suffix}", *parts)

    publish(tmp_path / "leak", hide_everywhere=False)
    found = recovered(audit(tmp_path / "leak"))
    assert found, "the narrow share follows from the any and broad pages"
    assert all("udbredelse-smal" in f.where for f in found)
    detail = " ".join(f.detail for f in found)
    assert "Bygge og anlæg" in detail and "R2 any = narrow + broad" in detail
    if form == "csv":  # the arithmetic, on the issue's numbers: 0.165823 - 0.091285
        assert "0.165823" in detail and "0.091285" in detail and "0.074538" in detail
    publish(tmp_path / "safe", hide_everywhere=True)
    report = audit(tmp_path / "safe")
    assert report.ok, report.summary()
    assert report.relations.get("R2", 0) >= 1, "the relation was checked, and found nothing"


def test_a_share_hidden_in_one_form_shown_in_another(tmp_path):
    """R1: the CSV hides a share that the page's chart shows."""
    hidden = breakdown("any", {"Bygge og anlæg"})
    write(tmp_path, "hvem-alle", csv_link("b.csv", hidden), chart(chart_rows("any", set())))
    found = recovered(audit(tmp_path))
    assert any("R1" in f.detail and "b.csv" in f.where for f in found), found
    write(tmp_path, "hvem-alle", csv_link("b.csv", hidden), chart(chart_rows("any", NARROW_HIDDEN)))
    assert audit(tmp_path).ok


def reasons(definition: str, hidden: bool) -> pd.DataFrame:
    """Reasons among the trained (one domain per page: the any-trained are the narrow- and
    broad-trained together), with the weighted size N of the domain."""
    size = {"any": (742, 45015.0), "narrow": (177, 10861.0), "broad": (565, 34154.0)}
    share = {
        "any": [0.696216, 0.628495, 0.148380],
        "narrow": [0.664961, 0.680343, 0.158355],
        "broad": [0.706156, 0.612008, 0.145207],
    }
    n, weighted = size[definition]
    out = pd.DataFrame(
        {
            "tekst": ["Udvikle mig som leder", "Konkrete værktøjer", "Karrieremuligheder"],
            "estimat": share[definition],
            "antal_svar": [n] * 3,
            "vaegtet_antal": [weighted] * 3,
        }
    )
    if hidden:
        out.loc[2, ["estimat", "antal_svar", "vaegtet_antal"]] = np.nan
    return out


def test_a_reason_hidden_among_the_narrow_trained_follows_from_the_weighted_totals(tmp_path):
    """R3: N_any p_any = N_narrow p_narrow + N_broad p_broad. The motiver pages published the
    narrow-trained's hidden reason this way before across_definitions."""
    for case, everywhere in (("leak", False), ("safe", True)):
        for d, suffix in PAGES.items():
            table = reasons(d, hidden=d == "narrow" or everywhere)
            write(tmp_path / case, f"motiver-{suffix}", csv_link("motiver-grunde.csv", table))
    found = recovered(audit(tmp_path / "leak"))
    assert any(
        "motiver-smal" in f.where and "R3 weighted totals" in f.detail and "0.1583" in f.detail
        for f in found
    ), found
    assert audit(tmp_path / "safe").ok


def test_a_category_share_is_one_minus_the_others(tmp_path):
    """R4: the shares of a distribution's categories add up to 1 (the counts hidden too)."""
    dist = pd.DataFrame(
        {
            "tekst": ["Min arbejdsplads", "Jeg betalte selv", "Andre"],
            "category": [1, 2, 3],
            "estimat": [0.80, np.nan, 0.15],
            "antal_svar": [742, 742, 742],
            "antal_i_kategori": [600, np.nan, np.nan],
        }
    )
    write(tmp_path, "udbredelse-alle", csv_link("betaling.csv", dist))
    found = recovered(audit(tmp_path))
    assert any("R4" in f.detail and "Jeg betalte selv" in f.detail for f in found), found
    safe = dist.assign(estimat=[0.8, None, None])
    write(tmp_path, "udbredelse-alle", csv_link("betaling.csv", safe))
    assert not recovered(audit(tmp_path))


def test_a_group_share_follows_from_the_total_row(tmp_path):
    """R5: N_total p_total = sum of N_g p_g, with every group's weighted size shown."""
    table = pd.DataFrame(
        {
            "tekst": ["Offentlig sektor", "Privat sektor", "I alt"],
            "estimat": [0.5, np.nan, 0.4],
            "antal_svar": [600, 900, 1500],
            "vaegtet_antal": [20000.0, 30000.0, 50000.0],
        }
    )
    write(tmp_path, "sektor-alle", csv_link("sektor.csv", table))
    found = recovered(audit(tmp_path))
    assert any("R5" in f.detail and "Privat sektor" in f.detail for f in found), found
    write(tmp_path, "sektor-alle", csv_link("sektor.csv", table.assign(estimat=[None, None, 0.4])))
    assert not recovered(audit(tmp_path))


def test_a_hidden_share_in_the_prose(tmp_path):
    """R6: the glued text gives the share that every table of the page hides."""
    hidden = csv_link("b.csv", breakdown("any", NARROW_HIDDEN))
    write(tmp_path, "udbredelse-alle", hidden, text="lavest i bygge og anlæg (16,6 pct., n = 57)")
    found = [f for f in audit(tmp_path).findings if f.kind == "hidden cell in the text"]
    assert found and "Bygge og anlæg" in found[0].detail
    write(tmp_path, "udbredelse-alle", hidden, text="lavest i handel og transport mv. (40,1 pct.)")
    assert audit(tmp_path).ok


def test_a_table_alike_on_every_page_is_not_related_by_the_definitions(tmp_path):
    """Every definition's page shows the shares under all three definitions: the same table,
    not any = narrow + broad between pages (0.41 is not 0.41 + 0.41). Nothing is found where
    nothing is hidden, and a share hidden on one page is found where another page shows it."""
    table = pd.DataFrame(
        {
            "definition": ["Samlet", "Smal definition", "Bred definition"],
            "estimat": [0.41, 0.17, 0.24],
            "antal_svar": [1500, 1500, 1500],
        }
    )
    for suffix in PAGES.values():
        write(tmp_path, f"udbredelse-{suffix}", csv_link("udbredelse-definition.csv", table))
    report = audit(tmp_path)
    assert report.ok and "R2" not in report.relations, report.summary()
    write(tmp_path, "udbredelse-smal", csv_link("d.csv", table.assign(estimat=[0.41, None, 0.24])))
    found = recovered(audit(tmp_path))
    assert any("udbredelse-smal" in f.where and "R1" in f.detail for f in found), found


@pytest.mark.book
def test_the_adversarial_book_with_its_variants_relates_every_hidden_share(adversarial_book):
    """The adversarial file built with the samlet/smal/bred variants (the project's
    parameters.yml): every relation is applied across the definitions' pages -- forms (R1),
    the shares trained by group (R2), the estimates among the trained (R3), complements (R4)
    -- and nothing hidden follows (the audit itself: tests/book/test_disclosure_audit.py)."""
    _, _, staged = adversarial_book
    report = audit(staged)
    assert report.ok, report.summary()
    for relation in ("R1", "R2", "R3", "R4"):
        assert report.relations.get(relation, 0) > 0, (relation, report.relations)
    assert report.relations["hidden cells"] >= 200


@pytest.mark.book
def test_the_issues_route_planted_in_the_adversarial_books_chart_data(adversarial_book, tmp_path):
    """The adversarial book's own udbredelse pages, with the any and broad pages' chart data
    showing the share of an industry that every page hides (as before proportion_across): the
    audit of the three executed notebooks finds the narrow page's share recoverable."""
    _, _, staged = adversarial_book
    industry = 3  # Bygge og anlæg: hidden by the narrow-trained count, its n (57) shown
    for suffix, definition in (("alle", "any"), ("smal", "narrow"), ("bred", "broad")):
        nb = json.loads((staged / f"udbredelse-{suffix}.ipynb").read_text(encoding="utf-8"))
        hidden = f'"industry": {industry}, "variable": "trained_{definition}", "estimate": null'
        planted = 0
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                html = out.get("data", {}).get("text/html")
                if definition != "narrow" and html and hidden in "".join(html):
                    shown = hidden.replace("null", "0.165823" if suffix == "alle" else "0.09")
                    out["data"]["text/html"] = "".join(html).replace(hidden, shown)
                    planted += 1
        assert planted or definition == "narrow", "the chart data hide the industry's share"
        (tmp_path / f"udbredelse-{suffix}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    found = recovered(audit(tmp_path))
    assert any(
        f.where.startswith("udbredelse-smal") and "Bygge og anlæg" in f.detail for f in found
    ), found


def test_a_group_share_follows_from_the_overall_share_on_the_page(tmp_path):
    """R5 across tables: the page's overall share (a row of the definitions' chart) and the
    breakdown by industry (every industry's N shown) name the same variable, and the
    industries' weighted sizes add up to the overall one: N p = sum of N_g p_g."""
    weights = [5000.0, 7000.0, 25680.0, 7490.0]
    shares = SHARES["any"]
    overall = float(np.dot(weights, shares) / sum(weights))

    def publish(hidden: set[str]) -> None:
        rows = [dict(r, N=w) for r, w in zip(chart_rows("any", hidden), weights)]
        total = [
            {"key": k, "variable": f"trained_{k}", "estimate": e, "n": 497, "N": sum(weights)}
            for k, e in (("any", overall), ("narrow", 0.1))
        ]
        write(tmp_path, "udbredelse-alle", chart(rows), chart(total))

    publish({"Bygge og anlæg"})
    found = recovered(audit(tmp_path))
    assert any("R5" in f.detail and "Bygge og anlæg" in f.detail for f in found), found
    publish({"Bygge og anlæg", "Finansiering og forsikring"})
    assert not recovered(audit(tmp_path))
