"""Incremental builds: prose edits re-assemble, keys follow the modules a chapter imports."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import copy_project
from lederuddannelse.book import build as b
from lederuddannelse.book.incremental import (
    chapter_code,
    check_glue,
    prose_glue_refs,
    reassemble,
)
from lederuddannelse.book.notebooks import normalise
from lederuddannelse.errors import ChapterError, LederuddannelseError
from lederuddannelse.params import load_parameters
from lederuddannelse.sources import import_closure, modules_hash

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _source(prose: str = "Andelen er {glue:md}`share`.") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": KERNEL})
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Titel"),
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell(prose),
        nbformat.v4.new_code_cell("glue('share', '27 pct.')", metadata={"tags": ["remove-input"]}),
    ]
    return nb


def _executed(source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What papermill writes for ``source``: tags everywhere, injected cell, outputs."""
    nb = nbformat.reads(nbformat.writes(source), as_version=4)
    for c in nb.cells:
        c.metadata.setdefault("tags", [])
    injected = nbformat.v4.new_code_cell(
        "# Parameters\na = 2\n", metadata={"tags": ["injected-parameters"]}
    )
    injected.execution_count = 2
    nb.cells.insert(2, injected)
    nb.cells[1].execution_count = 1
    nb.cells[4].execution_count = 3
    nb.cells[4].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/markdown": "27 pct."},
            metadata={"scrapbook": {"name": "share", "mime_prefix": "x"}},
        )
    ]
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def test_prose_edit_reassembles_what_execution_would_write():
    old = _executed(_source())
    new_source = _source("Hele {glue:md}`share` af lederne.")
    expected = _executed(new_source)  # what running the new source gives
    got = reassemble(old, new_source)
    assert got is not None
    assert normalise(got, "x-alle", {}) == normalise(expected, "x-alle", {})
    assert chapter_code(new_source, Path("src")).code == chapter_code(_source(), Path("src")).code


def test_code_edit_is_not_reassembled():
    old = _executed(_source())
    changed = _source()
    changed.cells[3].source = "glue('share', '44 pct.')"
    assert reassemble(old, changed) is None
    assert chapter_code(changed, Path("src")).code != chapter_code(_source(), Path("src")).code
    moved = _source()
    moved.cells[1].metadata["tags"] = []  # no longer the parameters cell: injection moves
    assert chapter_code(moved, Path("src")).code != chapter_code(_source(), Path("src")).code


def test_glue_reference_to_a_key_the_code_does_not_glue_is_an_error():
    nb = reassemble(_executed(_source()), _source("Se {glue:md}`shares` og {glue:md}`share`."))
    with pytest.raises(ChapterError) as err:
        check_glue(nb, "udbredelse", "chapters/02_udbredelse.md")
    msg = str(err.value)
    assert "chapter 'udbredelse' (chapters/02_udbredelse.md)" in msg and "'shares'" in msg
    assert "'share'," not in msg
    check_glue(_executed(_source()), "udbredelse", "chapters/02_udbredelse.md")


def test_glue_references_are_found_in_roles_and_directives():
    nb = _source(
        "A {glue}`a`, {glue:text}`b` og {glue:md}`other::c`.\n\n```{glue:figure} fig_d\n```"
    )
    assert prose_glue_refs(nb) == ["a", "b", "fig_d"]


def test_every_chapter_glues_what_its_prose_names(built_book):
    """The real chapters pass the check (the same check runs in every build)."""
    root, _, _ = built_book
    for path in sorted((root / "build" / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        check_glue(nb, path.stem, path.name)
        assert all(isinstance(k, str) for k in prose_glue_refs(nb))


# --- cache keys follow the modules ------------------------------------------------------


def _deps(root: Path) -> b.Dependencies:
    deps = b.Dependencies.of(root)
    deps.data["embedded"] = "data"  # the key's data part is tested in test_build_unit
    return deps


def test_chapter_key_covers_the_modules_it_imports_and_no_others(tmp_path):
    root = copy_project(tmp_path)
    run = next(
        r for r in load_parameters(root / "parameters.yml").runs(root) if r.slug == "udbredelse"
    )
    key = b.cache_key(run, _deps(root))
    pkg = root / "src" / "lederuddannelse"
    other = pkg / "chapters" / "lyst.py"
    other.write_text(other.read_text() + "\n# another chapter's change\n")
    assert b.cache_key(run, _deps(root)) == key, "a module the chapter never runs"
    own = pkg / "chapters" / "udbredelse.py"
    own.write_text(own.read_text() + "\n# changed\n")
    key2 = b.cache_key(run, _deps(root))
    assert key2 != key, "the chapter's own module"
    deep = pkg / "stats" / "design.py"  # imported through chapters.base, not by the chapter
    deep.write_text(deep.read_text() + "\n# changed\n")
    assert b.cache_key(run, _deps(root)) != key2, "a module imported indirectly"


def test_every_import_of_the_package_is_static(project_root):
    """The key follows import statements, so the package must not import itself by string."""
    pkg = project_root / "src" / "lederuddannelse"
    for path in pkg.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "forkkernel.py":  # preloads third-party modules into the warm kernel
            continue
        assert "import_module(" not in text and "__import__(" not in text, path


def test_moving_a_generator_module_still_changes_the_embedded_data_key(tmp_path):
    """The key is found from the generator's module name, not from a file path."""
    root = copy_project(tmp_path)
    data = root / "src" / "lederuddannelse" / "data"
    first = b.embedded_data_stamp(root)
    # Move part of the generator into a new module that synthetic imports.
    (data / "population_helpers.py").write_text("SIZE = 100\n")
    gen = data / "synthetic.py"
    gen.write_text("from lederuddannelse.data.population_helpers import SIZE\n" + gen.read_text())
    second = b.embedded_data_stamp(root)
    assert second != first
    (data / "population_helpers.py").write_text("SIZE = 101\n")
    third = b.embedded_data_stamp(root)
    assert third != second, "a change in the moved-out code changes the key"
    # Move the generator itself into a package: same module name, other path.
    (data / "synthetic").mkdir()
    gen.rename(data / "synthetic" / "__init__.py")
    assert b.embedded_data_stamp(root) == third, "same code, same key wherever the file is"
    init = data / "synthetic" / "__init__.py"
    init.write_text(init.read_text() + "\n# changed\n")
    assert b.embedded_data_stamp(root) != third
    # A generator that is gone is an error naming the module, never a silent skip.
    shutil.rmtree(data / "synthetic")
    with pytest.raises(LederuddannelseError, match="module 'lederuddannelse.data.synthetic'"):
        b.embedded_data_stamp(root)


def test_generator_module_name_is_the_generators():
    from lederuddannelse.data.synthetic import ensure_embedded_data
    from lederuddannelse.paths import EMBEDDED_DATA_GENERATOR

    assert ensure_embedded_data.__module__ == EMBEDDED_DATA_GENERATOR


def test_import_closure_follows_relative_and_from_imports(tmp_path):
    pkg = tmp_path / "lederuddannelse"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import b\n")
    (pkg / "sub" / "a.py").write_text("def f():\n    from lederuddannelse.sub import c\n")
    (pkg / "sub" / "b.py").write_text("")
    (pkg / "sub" / "c.py").write_text("from .b import x\n")
    (pkg / "lonely.py").write_text("")
    found = import_closure(["lederuddannelse.sub.a"], tmp_path)
    assert set(found) == {
        "lederuddannelse",
        "lederuddannelse.sub",
        "lederuddannelse.sub.a",
        "lederuddannelse.sub.b",
        "lederuddannelse.sub.c",
    }
    before = modules_hash(["lederuddannelse.sub.a"], tmp_path)
    (pkg / "lonely.py").write_text("x = 1\n")
    assert modules_hash(["lederuddannelse.sub.a"], tmp_path) == before
    (pkg / "sub" / "c.py").write_text("from .b import y\n")
    assert modules_hash(["lederuddannelse.sub.a"], tmp_path) != before
