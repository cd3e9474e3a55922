"""A chapter edit inside one Markdown cell is read without jupytext, exactly as jupytext would."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jupytext
import pytest

from conftest import ROOT
from lederuddannelse.book.notebooks import read_chapter, splice_markdown

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


def _edits(text: str, nb: dict) -> list[str]:
    """Edits of every Markdown cell: a word changed, a paragraph added at its end and at its
    start, a paragraph removed (of prose: a fence or a directive's option is left to
    jupytext, see below)."""
    out = []
    for cell in nb["cells"]:
        src = cell["source"]
        if cell["cell_type"] != "markdown" or not src.strip():
            continue
        at = text.find(src)
        assert at >= 0
        before, after = text[:at], text[at + len(src) :]
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


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_an_edit_in_a_markdown_cell_is_read_as_jupytext_reads_it(chapter):
    text = chapter.read_text(encoding="utf-8")
    old = json.loads(json.dumps(jupytext.reads(text, fmt="md:myst")))
    edits = _edits(text, old)
    assert len(edits) >= 6
    for new_text in edits:
        got = splice_markdown(text, old, new_text)
        assert got is not None, new_text[:200]
        assert _without_ids(got) == _reading(new_text)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("```{code-cell} ipython3\n", "```{code-cell} ipython3\nx = 1\n", 1),
        lambda t: t.replace("\n\n```{code-cell}", "\n\n+++\n\nNy celle.\n\n```{code-cell}", 1),
        lambda t: t.replace(
            "\n\n```{code-cell}", "\n\n```python\nikke lukket\n\n```{code-cell}", 1
        ),
        lambda t: t.replace("\n\n```{code-cell}", "\n\n% en kommentar\n\n```{code-cell}", 1),
        lambda t: t.replace("```{code-cell} ipython3\n", "Tekst.\n```{code-cell} ipython3\n", 2),
    ],
    ids=["code", "cell break", "open fence", "comment", "two places"],
)
def test_other_edits_are_left_to_jupytext(change):
    text = (ROOT / "chapters" / "02_udbredelse.md").read_text(encoding="utf-8")
    old = json.loads(json.dumps(jupytext.reads(text, fmt="md:myst")))
    new_text = change(text)
    assert new_text != text
    assert splice_markdown(text, old, new_text) is None


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
