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
"""

from __future__ import annotations

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


def setup(app):
    app.setup_extension("sphinx.ext.viewcode")
    # before viewcode's own handler (default priority 500) collects the pages
    app.connect("html-collect-pages", _fresh_source_pages, priority=400)
    app.connect("doctree-read", _no_index_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
