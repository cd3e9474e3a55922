"""The API reference's English docstrings render cleanly on a Danish site: no Danish
secondary quotes (›…‹) made from English apostrophes and single quotes."""

from __future__ import annotations

from lederuddannelse.site.codepages import docstring_lines_quotes, docstring_quotes


def test_single_quotes_become_the_sites_quotes_and_apostrophes_stay_apostrophes():
    text = "The 0/1 column of 'has taken the training'; the definitions' words, don't."
    assert docstring_quotes(text) == (
        "The 0/1 column of »has taken the training«; the definitions’ words, don’t."
    )
    assert "'" not in docstring_quotes("'Holder', 'Holder ikke' or 'Kan ikke afgøres'")


def test_literals_roles_and_literal_blocks_are_left_as_written():
    text = "A ``'x'`` literal, a :func:`f('y')` role and 'z'."
    assert docstring_quotes(text) == "A ``'x'`` literal, a :func:`f('y')` role and »z«."
    lines = ["It may say::", "", "    R's x: 'y'", "", "Then 'quoted' and it's."]
    assert docstring_lines_quotes(lines) == [
        "It may say::",
        "",
        "    R's x: 'y'",
        "",
        "Then »quoted« and it’s.",
    ]
