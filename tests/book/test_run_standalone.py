"""`run` gives a re-run variant readable at once (issue 24, point 2): the executed notebook and
the same run as a standalone HTML page beside it, both paths printed, both files with the
permissions the umask gives (not mkstemp's 0600)."""

from __future__ import annotations

import os
import re
import stat

import pytest

from lederuddannelse import cli


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_run_writes_the_notebook_and_a_standalone_page(tmp_path, capsys, umask, mode):
    out = tmp_path / "lyst-uvaegtet.ipynb"
    old = os.umask(umask)
    try:
        code = cli.main(["run", "chapters/05_lyst.md", "-p", "weighted", "false", "-o", str(out)])
    finally:
        os.umask(old)
    assert code == 0
    page = out.with_suffix(".html")
    printed = capsys.readouterr().out
    assert f"Executed notebook: {out}" in printed and f"HTML page:         {page}" in printed
    for path in (out, page):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="da">' in text
    # titled with what differs from the book's defaults, as a page of the book would be
    assert "<title>Lyst til uddannelse (uvægtet)</title>" in text
    # the run's parameters in the reader's words, the prose with its glued values
    choices = "det indbyggede datasæt, samlet definition, uvægtede tal, standardfejl uden vægte"
    assert f"Tallene bygger på {choices} og konfidensniveau 95 %" in text
    assert "{glue" not in text and "{numref}" not in text and "{doc}" not in text
    assert re.search(r"\d+ pct\. af lederne", text)
    # charts draw offline: the chart libraries inlined, no script or style fetched
    assert "var VEGA_DEBUG" in text and "altair-viz-" in text
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", text)
    # the code is in the notebook, not on the page
    assert "open_chapter(" not in text


def test_run_refuses_an_output_that_is_not_a_notebook(tmp_path, capsys):
    code = cli.main(["run", "chapters/05_lyst.md", "-o", str(tmp_path / "lyst.html")])
    assert code != 0
    assert "ends in .ipynb" in capsys.readouterr().err
