"""Sphinx extension: the package's source as highlighted pages ("[kilde]", sphinx.ext.viewcode),
written afresh by every Sphinx run, and the API reference without general-index entries.

viewcode skips a module's page when the page is newer than the module's file, so after a
rebuild that changes every page (a new build date in the footer, a theme or template change)
the source pages would keep the old ones, and a partial rebuild would publish other bytes than
a clean one. Removing the pages just before viewcode collects them makes it write them with
the rest of the site.

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

import re
import shutil
from pathlib import Path

from sphinx import addnodes

#: viewcode's output folder (``sphinx.ext.viewcode.OUTPUT_DIRNAME``).
MODULES = "_modules"


def _fresh_source_pages(app):
    shutil.rmtree(Path(app.outdir) / MODULES, ignore_errors=True)
    return []


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
    # before viewcode's own handler (default priority 500) collects the pages
    app.connect("html-collect-pages", _fresh_source_pages, priority=400)
    app.connect("doctree-read", _no_index_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
