"""A chapter edit inside one cell, or a code cell added, is read without jupytext, exactly as
jupytext would read it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jupytext
import pytest

from conftest import ROOT
from lederuddannelse.book.notebooks import read_chapter, splice_edit

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))


def _reading(text: str) -> dict:
    nb = json.loads(json.dumps(jupytext.reads(text, fmt="md:myst")))
    for cell in nb["cells"]:
        cell.pop("id", None)  # random per reading; the build numbers the cells itself
    return nb


def _without_ids(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        cell.pop("id", None)
    return nb


def _plain(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith(("`", "~", ":", "%", "+", "-"))


def _places(text: str, nb: dict, cell_type: str) -> list[tuple[str, str, str]]:
    """Each non-empty cell of ``cell_type``: its source, the text before it and after it."""
    out = []
    for cell in nb["cells"]:
        src = cell["source"]
        if cell["cell_type"] == cell_type and src.strip():
            at = text.find(src)
            assert at >= 0
            out.append((src, text[:at], text[at + len(src) :]))
    return out


def _edits(text: str, nb: dict) -> list[str]:
    """Edits of every Markdown cell: a word changed, a paragraph added at its end and at its
    start, a paragraph removed (of prose: a fence or a directive's option is left to
    jupytext, see below)."""
    out = []
    for src, before, after in _places(text, nb, "markdown"):
        lines = src.split("\n")
        k = next(i for i, line in enumerate(lines) if _plain(line) and " " in line.strip())
        changed = [*lines[:k], lines[k].replace(" ", " ændret ", 1), *lines[k + 1 :]]
        out.append(before + "\n".join(changed) + after)
        out.append(before + src + "\n\nEt nyt afsnit med {glue:md}`x`." + after)
        out.append(before + "Et nyt første afsnit.\n\n" + src + after)
        paragraphs = src.split("\n\n")
        for j, paragraph in enumerate(paragraphs):
            if len(paragraphs) > 1 and all(_plain(x) for x in paragraph.split("\n")):
                out.append(before + "\n\n".join(paragraphs[:j] + paragraphs[j + 1 :]) + after)
                break
    return out


def _code_edits(text: str, nb: dict) -> list[str]:
    """Edits of every code cell: its last line changed, a line added at its end and at its
    start, its first line removed (when it has more than one)."""
    out = []
    for src, before, after in _places(text, nb, "code"):
        lines = src.split("\n")
        out.append(before + "\n".join([*lines[:-1], lines[-1] + "  # ændret"]) + after)
        out.append(before + src + "\nny_variabel = 1" + after)
        out.append(before + "import math\n" + src + after)
        if len(lines) > 1 and lines[1].strip():
            out.append(before + "\n".join(lines[1:]) + after)
    return out


NEW_CELLS = [
    "```{code-cell} ipython3\nx = 1\n```\n",
    "\n```{code-cell} ipython3\n:tags: [remove-cell]\nbench_changed = True\n```\n",
    "```{code-cell} ipython3\n:tags: [remove-input, hide-output]\n:other: 2\n"
    "print(1)\n\nprint(2)\n```\n\n",
]


def _insertions(text: str, nb: dict) -> list[str]:
    """A code cell added after every cell (after its closing fence, if code), in each of the
    forms of :data:`NEW_CELLS`."""
    out = []
    pos = 0
    for cell in nb["cells"]:
        at = text.find(cell["source"], pos)
        pos = at + len(cell["source"])
        end = text.index("\n", pos) + 1
        if cell["cell_type"] == "code":
            end = text.index("\n", end) + 1  # after the closing fence
        out += [text[:end] + new + text[end:] for new in NEW_CELLS]
    return out


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_an_edit_in_a_cell_or_an_added_code_cell_is_read_as_jupytext_reads_it(chapter):
    text = chapter.read_text(encoding="utf-8")
    old = json.loads(json.dumps(jupytext.reads(text, fmt="md:myst")))
    prose, code, added = _edits(text, old), _code_edits(text, old), _insertions(text, old)
    assert len(prose) >= 6 and len(code) >= 12 and len(added) == 3 * len(old["cells"])
    for new_text in prose + code + added:
        got = splice_edit(text, old, new_text)
        assert got is not None, new_text[:200]
        assert _without_ids(got) == _reading(new_text)


def test_the_bench_edit_of_a_chapter_is_read_without_jupytext():
    from lederuddannelse.dev.bench import BENCH_CELL

    text = (ROOT / "chapters" / "09_appendiks.md").read_text(encoding="utf-8")
    old = json.loads(json.dumps(jupytext.reads(text, fmt="md:myst")))
    got = splice_edit(text, old, text + BENCH_CELL)
    assert got is not None and _without_ids(got) == _reading(text + BENCH_CELL)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("```{code-cell} ipython3\n", "```{code-cell} ipython3\nx = 1\n", 1),
        lambda t: t.replace("```\n\n```{code-cell}", "```\n\n```{code-cell}\nx = 1\n```\n", 1),
        lambda t: t.replace(
            "```\n\n```{code-cell}", "```\n\n```{code-cell} python\nx = 1\n```\n```{code-cell}", 1
        ),
        lambda t: t.replace(
            "\n\n```{code-cell}",
            "\n\n+++\n\n```{code-cell} ipython3\nx = 1\n```\n```{code-cell}",
            1,
        ),
        lambda t: t.replace(
            "```\n\n```{code-cell}", "```\n\n```{code-cell} ipython3\n:x\n```\n```{code-cell}", 1
        ),
        lambda t: t.replace("= open_chapter(", "= open_chapter(\r", 1),
        lambda t: t.replace("\n\n```{code-cell}", "\n\n+++\n\nNy celle.\n\n```{code-cell}", 1),
        lambda t: t.replace(
            "\n\n```{code-cell}", "\n\n```python\nikke lukket\n\n```{code-cell}", 1
        ),
        lambda t: t.replace("\n\n```{code-cell}", "\n\n% en kommentar\n\n```{code-cell}", 1),
        lambda t: t.replace("```{code-cell} ipython3\n", "Tekst.\n```{code-cell} ipython3\n", 2),
    ],
    ids=[
        "code before the options",
        "an unclosed cell",
        "another language",
        "a cell after a break",
        "code read as options",
        "a carriage return",
        "cell break",
        "open fence",
        "comment",
        "two places",
    ],
)
def test_other_edits_are_left_to_jupytext(change):
    text = (ROOT / "chapters" / "02_udbredelse.md").read_text(encoding="utf-8")
    old = json.loads(json.dumps(jupytext.reads(text, fmt="md:myst")))
    new_text = change(text)
    assert new_text != text
    assert splice_edit(text, old, new_text) is None


def test_a_build_reads_an_edited_chapter_without_importing_jupytext(tmp_path):
    """The point of it: the prose edit's build does not pay for importing jupytext."""
    import subprocess

    source = tmp_path / "chapters" / "09_appendiks.md"
    source.parent.mkdir()
    source.write_text((ROOT / "chapters" / "09_appendiks.md").read_text(encoding="utf-8"))
    cache = tmp_path / "cache"
    first = read_chapter(source, cache)
    source.write_text(source.read_text(encoding="utf-8") + "\nEn ny sætning.\n")
    code = (
        "import sys; from pathlib import Path;"
        "from lederuddannelse.book.notebooks import read_chapter;"
        f"nb = read_chapter(Path({str(source)!r}), Path({str(cache)!r}));"
        "print(nb.cells[-1].source.splitlines()[-1], 'jupytext' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["En", "ny", "sætning.", "False"]
    assert len(first.cells) == len(read_chapter(source, cache).cells)
    assert Path(cache / "09_appendiks.md.json").is_file()
