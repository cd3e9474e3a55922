"""Sphinx extension: the package's source as highlighted pages ("[kilde]", sphinx.ext.viewcode),
written afresh by every Sphinx run, and the API reference without general-index entries.

viewcode finds a module's source by importing the module, on every run (even one that reads
no page), and it skips a module's page when the page is newer than the module's file; so a
rebuild that changes every page (a new build date in the footer, a theme or template change)
would keep the old source pages, and a partial rebuild would publish other bytes than a clean
one. Both go through viewcode's public ``viewcode-find-source`` event: the package's modules'
source is read from their files, found without importing them (importing the chapters' modules
costs seconds: SciPy, statsmodels), and viewcode writes the page of a module whose source an
extension gives on every run.

The reference's objects (autodoc) would also add entries to the general index, which Sphinx's
search index keeps only for the pages it writes in a build: a partial build would publish a
search index without them. The book has no general index page to show them; their targets,
and so every link to them, stay.

The docstrings are English and quote with straight single quotes ('has taken the training',
the columns' values). Sphinx's smart quotes for the book's language (Danish) would turn those
into the Danish secondary quotes, so an English apostrophe would read as '‹'. Before docutils
sees a docstring (autodoc's public ``autodoc-process-docstring`` event), a quoted phrase gets
the site's quotation marks (»…«) and an apostrophe the typographic one (’), outside literals.
"""

from __future__ import annotations

import importlib.util
import re

from sphinx import addnodes
from sphinx.pycode import ModuleAnalyzer

#: The package whose modules' source pages are read from their files.
PACKAGE = "lederuddannelse"


def module_source(app, modname: str) -> tuple[str, dict] | None:
    """``viewcode-find-source``: a package module's source and its objects' line ranges, read
    from its file (the spec finds the file without executing the module)."""
    if modname != PACKAGE and not modname.startswith(f"{PACKAGE}."):
        return None
    try:
        spec = importlib.util.find_spec(modname)
    except (ImportError, ValueError):  # viewcode's own route says why
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    analyzer = ModuleAnalyzer.for_file(spec.origin, modname)
    analyzer.find_tags()
    return analyzer.code, analyzer.tags


def _no_index_entries(app, doctree):
    for node in list(doctree.findall(addnodes.index)):
        node.parent.remove(node)


#: A literal, a role or an interpreted text in reStructuredText: left as written.
_LITERAL = re.compile(r"(``.*?``|:[\w:]+:`[^`]*`|`[^`]*`_?)", re.S)
#: A phrase in straight single quotes: the opening one not after a letter, the closing one not
#: before a letter (so "don't" and "the columns' values" are apostrophes).
_QUOTED = re.compile(r"(?<![\w’'])'([^'`\n]+(?:\n[^'`\n]+)?)'(?![\w])")


def docstring_quotes(text: str) -> str:
    """``text`` (reStructuredText) with each phrase in straight single quotes quoted »…« and
    every other straight single quote an apostrophe (’), literals and roles left as written."""
    parts = _LITERAL.split(text)
    for i in range(0, len(parts), 2):  # the parts outside literals
        parts[i] = _QUOTED.sub(r"»\1«", parts[i]).replace("'", "’")
    return "".join(parts)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def docstring_lines_quotes(lines: list[str]) -> list[str]:
    """:func:`docstring_quotes` on a docstring's lines, its literal blocks (the indented lines
    after a line ending in '::') left as written."""
    out: list[str] = []
    prose: list[str] = []
    block = None  # the indent of the '::' line while in its literal block

    def flush():
        if prose:
            out.extend(docstring_quotes("\n".join(prose)).split("\n"))
            prose.clear()

    for line in lines:
        if block is not None and (not line.strip() or _indent(line) > block):
            out.append(line)
            continue
        block = None
        prose.append(line)
        if line.rstrip().endswith("::"):
            flush()
            block = _indent(line)
    flush()
    return out


def _docstring_quotes(app, what, name, obj, options, lines):
    lines[:] = docstring_lines_quotes(lines)


def setup(app):
    app.setup_extension("sphinx.ext.viewcode")
    app.connect("autodoc-process-docstring", _docstring_quotes)
    app.connect("viewcode-find-source", module_source)
    app.connect("doctree-read", _no_index_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
