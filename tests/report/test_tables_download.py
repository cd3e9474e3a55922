"""The CSV a reader downloads: Danish headers and values rounded as the page shows them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lederuddannelse.report.tables import for_download


def test_downloads_have_danish_headers_and_rounded_values():
    table = pd.DataFrame(
        {
            "key": ["a", "b"],
            "label": ["Kvinde", "Mand"],
            "estimate": [0.4312345678, np.nan],
            "ci_low": [0.41999999, np.nan],
            "se": [0.0123456, np.nan],
            "N": [40123.456, np.nan],
            "n": [1200, 800],
            "p_value": [0.000012345, 0.5],
            "suppressed": [False, True],
        }
    )
    out = for_download(table)
    assert list(out.columns) == [
        "tekst",
        "estimat",
        "ki_nedre",
        "standardfejl",
        "vaegtet_antal",
        "antal_svar",
        "p_vaerdi",
        "undertrykt",
    ]
    assert out["estimat"].iloc[0] == 0.431 and out["ki_nedre"].iloc[0] == 0.42
    assert out["standardfejl"].iloc[0] == 0.012 and out["vaegtet_antal"].iloc[0] == 40123
    assert out["p_vaerdi"].iloc[0] == 0.000012345  # the page words p-values itself
    assert out["estimat"].isna().iloc[1] and list(out["antal_svar"]) == [1200, 800]
    assert table["estimate"].iloc[0] == 0.4312345678  # the input is not changed


def test_analysts_file_is_the_readers_table_unrounded_and_machine_readable():
    """Same rows and columns as the reader's file; ',' and decimal point, no BOM, full
    precision; rounded as shown it is the reader's file; a hidden cell is blank in both."""
    import io

    from lederuddannelse.report.tables import analysis_csv, reader_csv, rounded_as_shown

    table = pd.DataFrame(
        {
            "key": ["a", "b", "c"],
            "label": ["Kvinde", "Mand", "Andet, ukendt"],
            "estimate": [0.4312345678901234, np.nan, 0.25],
            "ci_low": [0.41999999, np.nan, 0.2],
            "N": [40123.456, np.nan, 1000.5],
            "n": [1200, np.nan, 40],
            "p_value": [0.000012345, np.nan, 0.5],
            "suppressed": [False, True, False],
        }
    )
    text = analysis_csv(table)
    assert not text.startswith("\ufeff") and text.splitlines()[0] == (
        "tekst,estimat,ki_nedre,vaegtet_antal,antal_svar,p_vaerdi,undertrykt"
    )
    analyst = pd.read_csv(io.StringIO(text))  # pandas' defaults: ',' and '.'
    reader = pd.read_csv(io.StringIO(reader_csv(table).lstrip("\ufeff")), sep=";", decimal=",")
    assert analyst["estimat"].iloc[0] == 0.4312345678901234  # full precision
    assert analyst["tekst"].iloc[2] == "Andet, ukendt"  # quoted, not split
    pd.testing.assert_frame_equal(rounded_as_shown(analyst), reader)
    hidden = analyst["undertrykt"].to_numpy(dtype=bool)
    for frame in (analyst, reader):
        assert frame.loc[hidden, ["estimat", "ki_nedre", "antal_svar"]].isna().all().all()


def test_download_link_offers_both_files():
    from lederuddannelse.chapters.base import csv_download_link

    html = csv_download_link(pd.DataFrame({"estimate": [0.5], "n": [100]}), "x-y.csv", "Hent")
    assert 'download="x-y.csv"' in html and 'download="x-y-uafrundet.csv"' in html
    assert "Uafrundede tal til analyse (CSV)" in html
    assert 'href="laes-tallene.html#filer-til-analyse"' in html
    # said once on a page: the later links carry the two files only
    later = csv_download_link(pd.DataFrame({"n": [100]}), "z.csv", "Hent", explain=False)
    assert 'download="z-uafrundet.csv"' in later and "skilletegn" not in later
    assert "laes-tallene.html" not in later


def test_downloads_keep_the_machine_readable_minus():
    """Pages write a true minus sign (U+2212); the CSV files keep the ASCII '-' a spreadsheet
    or a program reads as a negative number."""
    from lederuddannelse.report.tables import analysis_csv, reader_csv

    table = pd.DataFrame({"label": ["Forskel"], "estimate": [-0.0512], "n": [300]})
    for text in (reader_csv(table), analysis_csv(table)):
        assert "-0" in text and "\u2212" not in text
