"""The bench's edits mean what their names say: a prose edit stays in the text."""

from __future__ import annotations

import jupytext

from conftest import copy_project
from lederuddannelse.dev.bench import bench_chapter, edit_prose, touch_chapter


def _cells(path) -> list[tuple[str, str]]:
    nb = jupytext.read(path, fmt="md:myst")
    return [(c.cell_type, c.source) for c in nb.cells]


def test_a_prose_edit_adds_a_paragraph_to_the_text_even_after_a_code_edit(tmp_path):
    root = copy_project(tmp_path / "p")
    chapter = bench_chapter(root)
    code = [c for c in _cells(chapter) if c[0] == "code"]
    edit_prose(root)
    touch_chapter(root)
    before = _cells(chapter)
    edit_prose(root)  # after the code cell touch_chapter added: still no new cell
    after = _cells(chapter)
    assert len(after) == len(before) and [c for c in after if c[0] == "code"] == [
        c for c in before if c[0] == "code"
    ]
    assert len([c for c in before if c[0] == "code"]) == len(code) + 1
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == 1 and changed[0][1][0] == "markdown"
    assert changed[0][1][1].endswith("(nr. 2).")
