"""The book's citation style, Danish author-year: "(Clausen 2022; Andersen et al. 2021)" in the
text and a list sorted by author (or, for a work without one, by title) on the page
"Litteratur".

Both are registered through the plugin registries the two libraries document for custom
styles: sphinxcontrib-bibtex's ``sphinxcontrib.bibtex.style.referencing`` group for the
citations in the text, pybtex's ``pybtex.style.formatting`` and ``pybtex.style.sorting``
groups for the list. ``_config.yml`` selects them by name (``bibtex_reference_style``,
``bibtex_default_style``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.style import template as tpl
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.sorting import BaseSortingStyle
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

#: The names ``_config.yml`` uses.
REFERENCE_STYLE = "author_year_da"
FORMATTING_STYLE = "plain_da"
SORTING_STYLE = "author_title_da"


def _round() -> BracketStyle:
    """(Clausen 2022; Andersen et al. 2021): round brackets, works separated by semicolons."""
    return BracketStyle(left="(", right=")", sep="; ", sep2="; ", last_sep="; ")


def _persons() -> PersonStyle:
    return PersonStyle(sep=", ", sep2=" og ", last_sep=" og ")


@dataclass
class DanishAuthorYear(AuthorYearReferenceStyle):
    """Danish author-year citations: "(Lumley 2010)", "Lumley (2010)"."""

    bracket_parenthetical: BracketStyle = field(default_factory=_round)
    bracket_textual: BracketStyle = field(default_factory=_round)
    bracket_author: BracketStyle = field(default_factory=_round)
    bracket_label: BracketStyle = field(default_factory=_round)
    bracket_year: BracketStyle = field(default_factory=_round)
    person: PersonStyle = field(default_factory=_persons)
    author_year_sep: str = " "


class AuthorOrTitleSorting(BaseSortingStyle):
    """By the authors' last names, or by the title for a work without an author, then year;
    braces (a corporate author such as ``{Danmarks Statistik}``) and case do not count."""

    def sorting_key(self, entry):
        persons = entry.persons.get("author", [])
        who = " ".join(" ".join(p.prelast_names + p.last_names + p.first_names) for p in persons)
        first = who or entry.fields.get("title", "")
        clean = first.replace("{", "").replace("}", "").casefold()
        return (clean, entry.fields.get("year", ""), entry.fields.get("title", "").casefold())


class DanishPlain(PlainStyle):
    """pybtex's plain style, sorted by :class:`AuthorOrTitleSorting`, the last name first
    ("Lumley, Thomas") as in an author-year list."""

    default_sorting_style = SORTING_STYLE
    default_name_style = "lastfirst"

    def get_misc_template(self, e):
        """A work known only by author and year (the works the report cites; no title is
        given, none invented) as an author-year entry: "Clausen (2022). Note." rather than
        plain's "Clausen. 2022. Note."."""
        if "title" in e.fields or not e.persons.get("author"):
            return super().get_misc_template(e)
        return toplevel[
            tpl.sentence[
                tpl.join[
                    self.format_names("author", as_sentence=False), " (", tpl.field("year"), ")"
                ]
            ],
            tpl.sentence[tpl.optional[tpl.field("howpublished")]],
            tpl.sentence[tpl.optional_field("note")],
            self.format_web_refs(e),
        ]


def register() -> None:
    """Make the three styles known by name (idempotent: a second Sphinx run in the same
    process finds them registered)."""
    register_plugin("sphinxcontrib.bibtex.style.referencing", REFERENCE_STYLE, DanishAuthorYear)
    for group, name, klass in (
        ("pybtex.style.sorting", SORTING_STYLE, AuthorOrTitleSorting),
        ("pybtex.style.formatting", FORMATTING_STYLE, DanishPlain),
    ):
        try:
            pybtex.plugin.find_plugin(group, name)
        except pybtex.plugin.PluginNotFound:
            pybtex.plugin.register_plugin(group, name, klass)
