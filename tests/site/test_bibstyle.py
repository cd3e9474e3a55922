"""The reference list's style: a work the report cites by author and year only reads as an
author-year entry, "Clausen (2022). …", not pybtex plain's "Clausen. 2022. …" (the editor's
review of issue 22)."""

from __future__ import annotations

from pybtex.database import parse_string

from lederuddannelse.site import bibstyle


def _rendered(bib: str) -> list[str]:
    bibstyle.register()
    db = parse_string(bib, "bibtex")
    return [
        e.text.render_as("text") for e in bibstyle.DanishPlain().format_entries(db.entries.values())
    ]


def test_a_work_known_by_author_and_year_only_reads_author_year():
    (text,) = _rendered("@misc{c, author = {Clausen}, year = {2022}, note = {Citeret for x}}")
    assert text == "Clausen (2022). Citeret for x."


def test_a_work_with_a_title_keeps_the_plain_style():
    (text,) = _rendered("@misc{d, author = {{Danmarks Statistik}}, year = {2019}, title = {T}}")
    assert text.startswith("Danmarks Statistik. T.") and "(2019)" not in text
