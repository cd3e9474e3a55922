"""Beside every reader's CSV download of the built site, an analysts' file: the same table
unrounded and machine-readable, with the same hidden cells, and its columns explained on the
page "Sådan læser du tallene"."""

from __future__ import annotations

import base64
import io
import re

import pandas as pd
import pytest

from lederuddannelse.report.tables import ANALYSIS_SUFFIX, rounded_as_shown

pytestmark = pytest.mark.book

LINK = r'download="([^"]+)"\s+href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)"'


def downloads(site) -> dict[str, dict[str, str]]:
    """Every page's CSV downloads: {page: {file name: text}}."""
    out = {}
    for page in sorted(site.glob("*.html")):
        found = re.findall(LINK, page.read_text(encoding="utf-8"))
        if found:
            out[page.name] = {name: base64.b64decode(b).decode("utf-8") for name, b in found}
    return out


@pytest.fixture(scope="module")
def pairs(built_book):
    _, _, site = built_book
    out = []
    for page, files in downloads(site).items():
        for name, text in files.items():
            if not name.endswith(ANALYSIS_SUFFIX + ".csv"):
                twin = name[:-4] + ANALYSIS_SUFFIX + ".csv"
                out.append((page, name, text, files.get(twin)))
    assert len(out) >= 30
    return out


def test_every_download_has_its_analysts_file_with_the_same_values(pairs):
    for page, name, reader_text, analyst_text in pairs:
        assert analyst_text is not None, f"{page}: no analysts' file beside {name}"
        assert reader_text.startswith("\ufeff") and not analyst_text.startswith("\ufeff")
        reader = pd.read_csv(io.StringIO(reader_text.lstrip("\ufeff")), sep=";", decimal=",")
        analyst = pd.read_csv(io.StringIO(analyst_text))
        assert list(analyst.columns) == list(reader.columns), name
        # rounded as the page shows them, the analysts' numbers are the reader's
        pd.testing.assert_frame_equal(rounded_as_shown(analyst), reader, check_dtype=False)
        # a hidden cell is hidden in both files
        assert (analyst.isna() == reader.isna()).all().all(), name


def test_unrounded_files_carry_more_precision_than_the_readers(pairs):
    longer = 0
    for _, _, reader_text, analyst_text in pairs:
        decimals = re.findall(r"\.(\d+)", analyst_text)
        longer += any(len(d) > 3 for d in decimals)
    assert longer >= 20, longer


def test_every_column_of_the_analysts_files_is_explained(pairs, built_book):
    """Machine names (lower case, no spaces) are explained on the reading guide, or are a
    codebook variable's name (the appendix shows the codebook); headings in plain words (the
    appendix's tables) explain themselves."""
    from lederuddannelse.data.codebook import load_codebook

    root, _, _ = built_book
    guide = (root / "laes-tallene.md").read_text(encoding="utf-8")
    guide = guide[guide.index("## Filer til analyse") :]
    variables = set(load_codebook().variables)
    columns = {
        c
        for _, _, _, text in pairs
        for c in pd.read_csv(io.StringIO(text), nrows=0).columns
        if re.fullmatch(r"[a-z_]+|N_[ab]", c)
    }
    unexplained = {c for c in columns if f"`{c}`" not in guide and c not in variables}
    assert not unexplained, sorted(unexplained)
    assert {"estimat", "antal_svar", "undertrykt"} <= columns
