"""The page of a chapter that needs a variable the data file does not have.

A real export may lack a question (its mapping lists it under ``absent``). Rather than failing
the build, the chapter is published as its title (with its label) and a note that names the
missing variable, so the rest of the book still builds on that file.
"""

from __future__ import annotations

import re
from typing import Any

from lederuddannelse.report.markup import md_text

_GLUE_ROLE = re.compile(r"\s*\{glue(?::\w+)?\}`[^`]*`")


def absent_variable_page(nb: Any, message: str) -> Any:
    """``nb`` (the chapter as a notebook) reduced to its title and a Danish note naming what
    is missing (``message``: the estimate's AbsentVariableError)."""
    import nbformat

    first = next(c for c in nb.cells if c.cell_type == "markdown")
    lines = first.source.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    note = (
        ":::{admonition} Kapitlet kan ikke beregnes på denne datafil\n:class: warning\n"
        f"{md_text(message)} Kapitlet bygger på den, og derfor vises det ikke. De øvrige "
        "kapitler er beregnet som sædvanligt.\n:::"
    )
    page = nbformat.v4.new_notebook(metadata=nb.metadata)
    page.cells = [
        # the title and its label; a glued part of the title (e.g. the variant switch) has no
        # value on this page
        nbformat.v4.new_markdown_cell(_GLUE_ROLE.sub("", "\n".join(lines[: title + 1])).rstrip()),
        nbformat.v4.new_markdown_cell(note),
    ]
    return page
