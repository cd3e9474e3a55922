"""No chapter's prose contains a typed number: every number comes from glue.

The scan removes what may legitimately hold digits and then looks for any digit left:

- front matter, code cells and other fenced code (```bash …), MyST comments (``%``) and HTML
  comments;
- directive argument and option lines (```{glue:figure} fig_x``, ``:name: fig-x``); a
  directive's body (a caption) is prose and is scanned;
- headings;
- roles and inline code: {glue:md}`x`, {doc}`udbredelse-alle`, {numref}`fig-x`, `code`;
- finding IDs (F1a … F14).

ALLOWED lists the few typed numbers that are facts of the questionnaire, not results.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT

# Explicit exceptions (pattern -> why)
ALLOWED = {
    r"\b(199\d|20[0-3]\d)\b": "years (dates): the training-year question's categories ('efter "
    "2020'), the executive order, publication years of cited works",
    r"^\s*\d{1,2}\.\s": "the marker of an ordered list item ('1. Læg filen i …')",
}

_FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})\s*(\{[^}]*\})?(.*)$")
_ROLE = re.compile(r"\{[A-Za-z0-9_:+-]+\}`[^`]*`")
_CODE = re.compile(r"`[^`]*`")
_FINDING = re.compile(r"\bF\d{1,2}[a-z]?\b")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The prose of a MyST notebook: (line number, text) with everything allowed removed."""
    lines = text.split("\n")
    out: list[tuple[int, str]] = []
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        i = 1
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        i += 1
    stack: list[tuple[str, bool]] = []  # (fence, is prose-bearing directive)
    in_options = False
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        m = _FENCE.match(stripped)
        if m and stack and stripped == stack[-1][0]:
            stack.pop()
            in_options = False
            i += 1
            continue
        if m and (not stack or stack[-1][1]):
            fence, directive = m.group(1), m.group(2)
            prose = bool(directive) and directive not in ("{code-cell}",)
            if fence.startswith(":") and not directive:
                prose = True  # ::: admonition-style block without a name
            stack.append((fence, prose))
            in_options = prose
            i += 1
            continue
        if stack and not stack[-1][1]:
            i += 1
            continue
        if in_options and (stripped.startswith(":") or stripped == "---"):
            i += 1
            continue
        in_options = False
        if stripped.startswith("#") or stripped.startswith("%") or stripped.startswith("+++"):
            i += 1
            continue
        clean = _ROLE.sub(" ", line)
        clean = _CODE.sub(" ", clean)
        clean = _FINDING.sub(" ", clean)
        for pattern in ALLOWED:
            clean = re.sub(pattern, " ", clean, flags=re.M)
        out.append((i + 1, clean))
        i += 1
    return out


def typed_numbers(text: str) -> list[tuple[int, str]]:
    """Lines of prose with a digit left after the allowed parts are removed."""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return [(n, line.strip()) for n, line in prose_lines(text) if re.search(r"\d", line)]


CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_chapter_has_no_typed_numbers(path: Path):
    hits = typed_numbers(path.read_text(encoding="utf-8"))
    assert not hits, f"{path.name}: typed numbers in the prose (glue them): " + "; ".join(
        f"line {n}: {line!r}" for n, line in hits
    )


SAMPLE = """---
jupytext:
  text_representation:
    format_version: 0.13
---

# Kapitel 3 om 2024

```{code-cell} ipython3
:tags: [parameters]
min_n = 30
```

Andelen er {glue:md}`andel` (F1a, F14), se {numref}`fig-x` og {doc}`udbredelse-alle`; `n = 5`.
Efter 2020 tog flere uddannelsen.

```{glue:figure} fig_x
:name: fig-x

Andel med uddannelse efter definition.
```

```bash
python -m lederuddannelse run chapters/02_udbredelse.md -p conf_level 0.9
```
"""


def test_clean_sample_passes():
    assert typed_numbers(SAMPLE) == []


@pytest.mark.parametrize(
    "typed",
    [
        "Andelen er 27 pct. af lederne.",
        "Forskellen er {glue:md}`diff`, og 3 af 4 fund holder.",
        "Konfidensintervallet er 95 %.",
        "Der er 2.000 svar.",
        "1. Læg filen i mappen; den har 12 kolonner.",
    ],
)
def test_typed_number_in_prose_fails(typed):
    hits = typed_numbers(SAMPLE + "\n" + typed + "\n")
    assert hits and hits[0][0] == SAMPLE.count("\n") + 2


def test_typed_number_in_caption_fails():
    text = SAMPLE.replace("Andel med uddannelse efter definition.", "Andel (n = 6000).")
    assert typed_numbers(text)


def test_typed_number_in_admonition_fails():
    assert typed_numbers(SAMPLE + "\n:::{note}\nKun 12 svar.\n:::\n")
