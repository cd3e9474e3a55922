"""The render worker: Jupyter Book imported while the chapters execute, rendering once asked.

Importing Jupyter Book, Sphinx, MyST-NB, the theme and the extensions takes about a second,
as long as Sphinx's incremental build of one page. A build that has something to do (the
file stamps changed) therefore starts this worker first (``build.RenderWorker``): it imports
everything on the second core while the build computes keys and runs chapters,
then waits for one request on stdin (one JSON line: the `jupyter-book` arguments, the working
folder and the environment), renders, and exits with Jupyter Book's exit code. Its output is
the build's to read.

The worker renders once and exits, so no Sphinx state outlives a build: the render is the one
a new `jupyter-book build` process does, only with its imports done earlier. It dies with the
build (``die_with_parent``); an empty line (or stdin closed) ends it without rendering.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

# What `jupyter-book build` imports (the extensions are set up from these modules).
PRELOAD = (
    "jupyter_book.cli.main",
    "jupyter_book.sphinx",
    "jupyter_book.config",
    "sphinx.application",
    "sphinx.builders.html",
    "myst_parser.sphinx_ext",
    "myst_nb.sphinx_ext",
    "myst_nb.sphinx_",
    "sphinx_book_theme",
    "pydata_sphinx_theme",
    "sphinxcontrib.bibtex",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_comments",
    "sphinx_external_toc",
    "sphinx_jupyterbook_latex",
    "sphinx_multitoc_numbering",
    "sphinx_thebe",
    "lederuddannelse.book.sphinx_ext",
    "lederuddannelse.book.citation",
)


def preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional extension: Jupyter Book imports it itself if needed
            pass


def main() -> int:
    from lederuddannelse.book.processes import die_with_parent

    die_with_parent()
    preload()
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    request = json.loads(line)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    from jupyter_book.cli.main import main as jupyter_book

    try:
        jupyter_book(request["args"], prog_name="jupyter-book")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
