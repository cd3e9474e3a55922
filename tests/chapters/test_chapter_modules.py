"""One chapter, one module: an edit to one chapter's module changes the cache keys of that
chapter's runs only.

A run's key covers the package modules its page's code cells import, followed import by
import (:mod:`lederuddannelse.sources`). The test asks, for each chapter module, which runs'
keys depend on it, and then edits each module in a copy of the package and checks which runs'
module hashes change: nothing here depends on how the build assembles the rest of the key.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jupytext
import pytest

from lederuddannelse.book.keys import code_imports
from lederuddannelse.params import load_parameters
from lederuddannelse.sources import import_closure, modules_hash

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
CHAPTERS = "lederuddannelse.chapters"
#: Chapter modules that are not a page's: shared by the pages, or the page the build writes
#: for an absent variable (chapters.absent).
SHARED = {f"{CHAPTERS}.base", f"{CHAPTERS}.shared", f"{CHAPTERS}.absent", CHAPTERS}


def page_imports(source: Path, src: Path) -> set[str]:
    """The package modules a page's code cells import (what its runs' keys start from), as
    the build's keys read them."""
    return set(code_imports(jupytext.read(source), src))


@pytest.fixture(scope="module")
def runs_by_page():
    runs = load_parameters(ROOT / "parameters.yml").runs(ROOT)
    pages: dict[str, list[str]] = {}
    for run in runs:
        pages.setdefault(run.slug, []).append(run.name)
    return {
        slug: (
            ROOT
            / "chapters"
            / next(p.name for p in (ROOT / "chapters").glob(f"[0-9][0-9]_{slug}.md")),
            names,
        )
        for slug, names in pages.items()
    }


def chapter_modules() -> list[str]:
    return sorted(
        f"{CHAPTERS}.{p.stem}"
        for p in (SRC / "lederuddannelse" / "chapters").glob("*.py")
        if f"{CHAPTERS}.{p.stem}" not in SHARED and p.stem != "__init__"
    )


def test_each_chapter_module_is_in_the_keys_of_its_own_runs_only(runs_by_page):
    known: dict[str, list[str]] = {}
    depends: dict[str, set[str]] = {}
    for slug, (source, names) in runs_by_page.items():
        for module in import_closure(page_imports(source, SRC), SRC, known):
            depends.setdefault(module, set()).update(names)
    modules = chapter_modules()
    assert len(modules) >= 10, modules
    for module in modules:
        slug = module.rsplit(".", 1)[1]
        assert depends.get(module) == set(runs_by_page[slug][1]), (
            f"{module} is in the cache keys of {sorted(depends.get(module, ()))}; "
            f"expected only the runs of its page '{slug}'"
        )


def test_editing_one_chapter_module_changes_only_its_runs_module_hash(runs_by_page, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(
        SRC / "lederuddannelse",
        src / "lederuddannelse",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    imports = {slug: page_imports(source, src) for slug, (source, _) in runs_by_page.items()}

    known: dict[str, list[str]] = {}  # each file's imports by its bytes' hash, as the build

    def hashes() -> dict[str, str]:
        return {slug: modules_hash(names, src, known) for slug, names in imports.items()}

    before = hashes()
    for module in ("udbredelse", "holder", "hvem"):
        path = src / "lederuddannelse" / "chapters" / f"{module}.py"
        path.write_text(path.read_text(encoding="utf-8") + "\n# one-line edit\n", "utf-8")
        after = hashes()
        changed = {slug for slug in before if before[slug] != after[slug]}
        assert changed == {module}, f"editing chapters/{module}.py changed the keys of {changed}"
        before = after
    # the shared module is in every analysis page's key
    shared = src / "lederuddannelse" / "chapters" / "shared.py"
    shared.write_text(shared.read_text(encoding="utf-8") + "\n# edit\n", "utf-8")
    after = hashes()
    assert {s for s in before if before[s] != after[s]} >= {"udbredelse", "sektor", "forside"}
