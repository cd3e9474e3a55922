"""The disclosure audit: it finds what a reader could recover, and the book built on an
adversarial file (3 respondents in one industry, 12 and 2 in other groups) passes it."""

from __future__ import annotations

import base64
import json
import re

import pandas as pd
import pytest

from lederuddannelse.cli import main
from lederuddannelse.params import parameter_words
from lederuddannelse.site.audit import audit


def page(tables: dict[str, pd.DataFrame], notice_n: int = 1000, extra: str = "") -> str:
    """A minimal published page: each table as a CSV download, plus the notice's n."""
    links = []
    for name, df in tables.items():
        text = df.to_csv(index=False, sep=";", decimal=",")
        payload = base64.b64encode(("\ufeff" + text).encode()).decode()
        links.append(
            f'<a download="{name}" href="data:text/csv;charset=utf-8;base64,{payload}">x</a>'
        )
    danish_n = f"{notice_n:,}".replace(",", ".")
    return (
        "<html><body><div class='admonition'>Datafil: <code>x.csv</code> (SHA-256 abc…), "
        f"{danish_n} besvarelser. Bogens version 1.</div>"
        + "".join(links)
        + extra
        + "</body></html>"
    )


def industry_table(n: list, suppressed: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tekst": ["Bygge og anlæg", "Erhvervsservice", "Ejendomshandel og udlejning"],
            "estimat": [0.4 if not s else None for s in suppressed],
            "antal_svar": n,
            "undertrykt": suppressed,
        }
    )


def test_one_hidden_n_in_a_breakdown_is_recoverable(tmp_path):
    """The issue's case: the small industry's n hidden, the paired cell's n shown."""
    f = tmp_path / "p.html"
    f.write_text(page({"b.csv": industry_table([500, 40, None], [False, True, True])}))
    r = audit(f)
    assert not r.ok
    assert any(
        x.kind == "recoverable by differencing" and "Ejendomshandel" in x.detail for x in r.findings
    )
    f.write_text(page({"b.csv": industry_table([500, None, None], [False, True, True])}))
    assert audit(f).ok


def test_small_counts_and_estimates_on_few(tmp_path):
    f = tmp_path / "p.html"
    f.write_text(page({"b.csv": industry_table([500, 20, 3], [False, False, False])}))
    kinds = {x.kind for x in audit(f).findings}
    assert {"small count", "estimate on few respondents"} <= kinds
    f.write_text(page({}, extra="<p>99 pct. (95 %-KI: 98–100 pct., n = 12)</p>"))
    assert [x.kind for x in audit(f).findings] == ["estimate on few respondents"]


def test_hidden_here_shown_elsewhere(tmp_path):
    """Two tables of the same domain (their shown counts agree) must hide the same cells."""
    four = pd.DataFrame(
        {
            "tekst": [
                "Bygge og anlæg",
                "Erhvervsservice",
                "Ejendomshandel og udlejning",
                "Kultur, fritid og anden service",
            ],
            "antal_svar": [500, 300, None, None],
        }
    )
    other = four.assign(antal_svar=[500, 300, 40, None])
    f = tmp_path / "p.html"
    f.write_text(page({"a.csv": four, "b.csv": other}))
    found = audit(f).findings
    assert any(x.kind == "hidden here, shown elsewhere" for x in found)
    assert any(x.kind == "recoverable by differencing" for x in found)


def test_margins_share_gives_the_count(tmp_path):
    """The issue's margins case: count blanked, unweighted share in full precision."""
    margins = pd.DataFrame(
        {
            "vaegtningsvariabel": ["Branche"] * 3,
            "kategori": ["Bygge og anlæg", "Erhvervsservice", "Ejendomshandel og udlejning"],
            "andel_uvaegtet": [0.5, 0.499, 0.000632],
            "antal_svar": [2373, 2369, None],
        }
    )
    f = tmp_path / "p.html"
    f.write_text(page({"om-marginaler.csv": margins}, notice_n=4745))
    kinds = [x.kind for x in audit(f).findings]
    assert "recoverable from a share" in kinds and "small count" in kinds


def test_histogram_bin_and_largest_weight(tmp_path):
    bins = pd.DataFrame(
        {"vaegt_fra": [1.0, 2.0, 3.0], "antal_svar": [600, 398, None], "andel": [0.6, 0.398, None]}
    )
    f = tmp_path / "p.html"
    summary = (
        "<table><thead><tr><th>Mål</th><th>Værdi</th></tr></thead>"
        "<tbody><tr><td>Største vægt</td><td>812,3</td></tr></tbody></table>"
    )
    f.write_text(page({"om-vaegte.csv": bins}, extra=summary))
    kinds = {x.kind for x in audit(f).findings}
    assert {"recoverable by differencing", "one respondent's value"} <= kinds


def test_two_way_margins_recover_cells(tmp_path):
    """Linear combinations: two hidden cells of one row are recovered through the columns."""
    t = pd.DataFrame(
        {
            "industry": ["Bygge og anlæg"] * 2 + ["Erhvervsservice"] * 2,
            "sector": ["Offentlig sektor", "Privat sektor"] * 2,
            "n": [None, None, 300, 200],
        }
    )
    f = tmp_path / "p.html"
    f.write_text(page({"t.csv": t}))
    assert sum(x.kind == "recoverable by differencing" for x in audit(f).findings) == 2


def test_a_cached_audit_finds_what_an_uncached_one_finds(tmp_path):
    """The build's audit keeps what each file and table is by content (site/audit_read,
    files.pickle; site/audit, tables.pickle): after a table is made disclosive, a sentence
    gets a small n and a page is deleted, the cached audit's findings and counts are exactly
    the uncached audit's, and unchanged files come from the cache."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    site.mkdir()
    margins = pd.DataFrame(
        {
            "vaegtningsvariabel": ["Branche"] * 2,
            "kategori": ["Bygge og anlæg", "Erhvervsservice"],
            "andel_uvaegtet": [0.6, 0.4],
            "antal_svar": [600, 400],
        }
    )
    (site / "a.html").write_text(page({"b.csv": industry_table([500, None, None], [0, 1, 1])}))
    (site / "b.html").write_text(page({"m.csv": margins}, extra="<p>n = 412</p>"))
    (site / "c.html").write_text(page({"c.csv": industry_table([300, 200, 100], [0, 0, 0])}))

    def both() -> tuple[list[str], list[str]]:
        cached, plain = audit(site, cache=cache), audit(site)
        assert (cached.pages, cached.frames, cached.cells, cached.hidden, cached.sets) == (
            plain.pages,
            plain.frames,
            plain.cells,
            plain.hidden,
            plain.sets,
        )
        return sorted(map(str, cached.findings)), sorted(map(str, plain.findings))

    cached, plain = both()
    assert cached == plain == []
    assert (cache / "files.pickle").is_file() and (cache / "tables.pickle").is_file()
    before = (cache / "tables.pickle").stat().st_mtime_ns
    (site / "a.html").write_text(page({"b.csv": industry_table([500, 40, None], [0, 1, 1])}))
    (site / "b.html").write_text(page({"m.csv": margins}, extra="<p>n = 12</p>"))
    cached, plain = both()
    assert cached == plain
    kinds = {f.split(": ")[1] for f in cached}
    assert {"recoverable by differencing", "estimate on few respondents"} <= kinds
    assert (cache / "tables.pickle").stat().st_mtime_ns != before
    (site / "c.html").unlink()  # a page gone is gone from the audit, cache or not
    cached, plain = both()
    assert cached == plain and not any("c.html" in f for f in cached)
    # a damaged cache is read again from the files
    (cache / "files.pickle").write_bytes(b"not a pickle")
    assert both()[0] == plain


def test_cli_exit_codes(tmp_path, capsys):
    f = tmp_path / "p.html"
    f.write_text(page({"b.csv": industry_table([500, None, None], [False, True, True])}))
    assert main(["audit", str(f)]) == 0
    assert "nothing recoverable" in capsys.readouterr().out
    f.write_text(page({"b.csv": industry_table([500, 40, None], [False, True, True])}))
    assert main(["audit", str(f)]) == 1
    assert "recoverable by differencing" in capsys.readouterr().out
    assert main(["audit", str(tmp_path / "missing")]) == 1


@pytest.mark.book
def test_adversarial_book_passes_the_audit(adversarial_book):
    """The chapters executed on 3 respondents in an industry: the audit of every executed
    notebook (what the pages and downloads are made of) finds nothing, and the small groups
    are hidden everywhere."""
    root, report, staged = adversarial_book
    result = audit(staged)
    assert result.ok, result.summary()
    assert result.hidden >= 20, "the adversarial groups must be hidden somewhere"

    def html_of(name: str) -> str:
        nb = json.loads((staged / f"{name}.ipynb").read_text(encoding="utf-8"))
        return "\n".join(
            "".join(v) if isinstance(v, list) else str(v)
            for cell in nb["cells"]
            for o in cell.get("outputs", [])
            for mime, v in o.get("data", {}).items()
            if mime.endswith(("text/html", "text/markdown"))
        )

    def industry_rows(name: str) -> list[dict]:
        html = html_of(name)
        return [
            row
            for m in re.finditer(r'"datasets"\s*:\s*', html)
            for rows in json.JSONDecoder().raw_decode(html, m.end())[0].values()
            for row in rows
            if isinstance(row, dict) and "industry" in row
        ]

    # the small industry and its complement are suppressed in the chart data and the table,
    # with their n; an industry hidden because few are narrow-trained is hidden on every
    # definition's page (any = narrow + broad), keeping its (large) n (issue 25)
    data = industry_rows("udbredelse-alle")
    hidden = {r["industry"] for r in data if r.get("suppressed")}
    assert 7 in hidden and len(hidden) >= 3
    assert next(r for r in data if r["industry"] == 7)["n"] is None
    assert all(r["n"] is None or r["n"] >= 30 for r in data if r.get("suppressed"))
    for page in ("udbredelse-smal", "udbredelse-bred"):
        assert {r["industry"] for r in industry_rows(page) if r.get("suppressed")} == hidden
    om = html_of("om_undersoegelsen-alle")
    assert "Største vægt" not in om and "Mindste vægt" not in om


def test_build_gate_refuses_a_disclosive_site(tmp_path):
    """The build calls check_site before publishing: a recoverable cell stops it with one
    message that names the table and says the published site is unchanged."""
    from lederuddannelse.errors import DisclosureError
    from lederuddannelse.site.audit import check_site

    site = tmp_path / "html"
    site.mkdir()
    (site / "udbredelse-alle.html").write_text(
        page({"b.csv": industry_table([500, 40, None], [False, True, True])})
    )
    with pytest.raises(DisclosureError, match=r"(?s)b\.csv.*recoverable.*not published"):
        check_site(site, min_n=30, min_count=5, quiet=True)
    (site / "udbredelse-alle.html").write_text(
        page({"b.csv": industry_table([500, None, None], [False, True, True])})
    )
    assert check_site(site, min_n=30, min_count=5, quiet=True).ok


def test_page_notice_states_lowered_limits(generated_data, monkeypatch):
    """With allow_small_cells the page's notice says that the limits are lowered."""
    from conftest import open_test_chapter
    from lederuddannelse.chapters import base

    shown = []
    monkeypatch.setattr(base, "display", lambda obj, **kw: shown.append(obj))
    ch = open_test_chapter(generated_data(300, 3), min_n=10, min_count=3, allow_small_cells=True)
    ch.notice()
    text = " ".join(getattr(o, "data", "") or "" for o in shown)
    assert "sænket" in text and "min_n = 10" in text and "min_count = 3" in text
    assert "små celler tilladt" in text
    assert "allow_small_cells" not in parameter_words({"allow_small_cells": False})


def test_difference_must_hide_what_the_breakdown_hides(tmp_path):
    """The issue's difference() case: the breakdown hides a group's n, the comparison of the
    same item shows it; each side of a comparison is matched to the breakdown's rows."""
    item = "Karrieremuligheder"
    by_table = pd.DataFrame(
        {
            "tekst": [item, item],
            "gruppe": ["Offentlig sektor", "Privat sektor"],
            "antal_svar": [None, 300],
        }
    )
    comparison = pd.DataFrame(
        {
            "tekst": [item],
            "gruppe_a": ["Offentlig sektor"],
            "antal_svar_a": [40],
            "gruppe_b": ["Privat sektor"],
            "antal_svar_b": [300],
        }
    )
    f = tmp_path / "p.html"
    f.write_text(page({"grunde.csv": by_table, "sammenligning.csv": comparison}))
    found = audit(f).findings
    assert any(
        x.kind == "hidden here, shown elsewhere" and "sammenligning.csv (a)" in x.detail
        for x in found
    ), found
    hidden_by = by_table.assign(antal_svar=[None, None])
    hidden_cmp = comparison.assign(antal_svar_a=[None], antal_svar_b=[None])
    f.write_text(page({"grunde.csv": hidden_by, "sammenligning.csv": hidden_cmp}))
    assert audit(f).ok


def analysts_link(name: str, df: pd.DataFrame) -> str:
    """A planted analysts' file: ',' and decimal point, as csv_download_link writes it."""
    payload = base64.b64encode(df.to_csv(index=False).encode()).decode()
    return f'<a download="{name}" href="data:text/csv;charset=utf-8;base64,{payload}">x</a>'


def test_audit_reads_the_analysts_unrounded_files(tmp_path):
    """The analysts' file beside a reader's CSV is audited too: as published (the same hidden
    cells) the page passes; a planted analysts' file that shows a cell the reader's file hides
    fails, under its own name or another."""
    from lederuddannelse.chapters.base import csv_download_link

    hidden = industry_table([500, None, None], [False, True, True])
    hidden["estimat"] = [0.4123456789, None, None]  # the two files differ (rounded or not)
    link = csv_download_link(hidden, "branche.csv", "Hent data")
    assert "branche-uafrundet.csv" in link
    f = tmp_path / "p.html"
    f.write_text(page({}, extra=link))
    r = audit(f)
    assert r.ok, r.summary()
    assert r.frames == 2 and r.hidden == 4  # both files read, each with its two hidden n
    revealing = industry_table([500, 40, None], [False, True, True])
    for name in ("branche-uafrundet.csv", "branche-x.csv"):
        f.write_text(page({}, extra=link + analysts_link(name, revealing)))
        found = [x for x in audit(f).findings if name in x.where or name in x.detail]
        kinds = {x.kind for x in found}
        assert {"hidden here, shown elsewhere", "recoverable by differencing"} & kinds, found
    # read as numbers with a decimal point: a small count in an analysts' file is found
    small = industry_table([500, 3.0, 40], [False, False, False]).assign(estimat=0.4123456789)
    f.write_text(page({}, extra=analysts_link("t-uafrundet.csv", small)))
    assert "small count" in {x.kind for x in audit(f).findings}


def test_a_hidden_group_in_another_role(tmp_path):
    """The domain plan's routes (issue 23): an industry hidden in every breakdown must not be
    published as a category of a distribution or as a regression term."""
    hidden = industry_table([500, None, None], [False, True, True])
    distribution = pd.DataFrame(
        {
            "kategori": ["Bygge og anlæg", "Erhvervsservice", "Ejendomshandel og udlejning"],
            "estimat": [0.9, None, 0.04],
            "antal_i_kategori": [500, None, 25],
            "undertrykt": [False, True, False],
        }
    )
    model = pd.DataFrame(
        {
            "term": ["Intercept", "industry[T.Ejendomshandel og udlejning]"],
            "estimate": [1.2, 0.3],
            "undertrykt": [False, False],
        }
    )
    f = tmp_path / "p.html"
    f.write_text(page({"b.csv": hidden, "d.csv": distribution, "m.csv": model}))
    found = [x for x in audit(f).findings if x.kind == "hidden group shown in another role"]
    assert {x.where.rsplit(" ", 1)[-1] for x in found} == {"d.csv", "m.csv"}
    assert all("Ejendomshandel" in x.detail for x in found)
    # the same tables as the statistics layer now makes them: nothing to find
    safe_d = distribution.assign(estimat=[0.9, None, None], antal_i_kategori=[500, None, None],
                                 undertrykt=[False, True, True])  # fmt: skip
    safe_m = model.assign(estimate=[1.2, None], undertrykt=[False, True])
    f.write_text(page({"b.csv": hidden, "d.csv": safe_d, "m.csv": safe_m}))
    assert not [x for x in audit(f).findings if x.kind == "hidden group shown in another role"]
