"""Strings the user controls (a data file's name, parameter values) reach pages as text only."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from conftest import HOSTILE
from lederuddannelse.report.markup import md_code, md_text
from lederuddannelse.report.tables import plain_table

NAMES = [
    f"x{HOSTILE}.csv",
    "a``b`<script>alert(1)</script>",
    "`",
    "line\n:::\n<img src=x onerror=alert(2)>",
    "**bold** [link](javascript:alert(3)) {glue}`x` $x$",
]


@pytest.mark.parametrize("name", NAMES)
def test_markdown_helpers_make_any_name_literal(name):
    md = MarkdownIt("commonmark")  # raw HTML enabled, as in MyST
    for render in (md_code, md_text):
        html = md.render(f"Datafil: {render(name)} slut")
        assert "<img" not in html and "<script" not in html and "<a " not in html, html
        assert "<strong>" not in html
        assert html.count("<p>") == 1, "a newline in a name must not start a new block"


def test_tables_escape_every_cell_heading_and_caption():
    import pandas as pd

    frame = pd.DataFrame({f"h{HOSTILE}": [f"v{HOSTILE}"]})
    html = plain_table(frame, caption=f"c{HOSTILE}", uid="t").to_html()
    assert "<img" not in html
    assert html.count("&lt;img") == 3


def test_appendix_parameter_table_shows_the_data_file_by_name_escaped(in_root):
    import yaml

    from lederuddannelse.chapters.appendiks import parameters_frame

    folder = in_root / "data" / HOSTILE
    folder.mkdir()
    (folder / f"x{HOSTILE}.csv").write_text("id\n1\n")
    params = yaml.safe_load((in_root / "parameters.yml").read_text())
    params["global"]["data_file"] = f"data/{HOSTILE}/x{HOSTILE}.csv"
    (in_root / "parameters.yml").write_text(yaml.safe_dump(params))
    frame = parameters_frame()
    shown = frame.set_index("Parameter").loc["data_file", "Værdi i denne udgave"]
    assert shown == f"x{HOSTILE}.csv"
    html = plain_table(frame, caption="Parametre", uid="p").to_html()
    assert "<img" not in html and f"{HOSTILE}/" not in html
