"""What an edit needs: code changes re-execute a chapter, prose changes only re-assemble it.

A run's cache key covers what execution depends on: the code cells (their order and source,
which one is the parameters cell), the kernel, the parameters, the data, the package modules
the code imports (:mod:`lederuddannelse.sources`) and the lock file. It does not cover the
Markdown cells. When only those changed, the executed notebook is *re-assembled*: the new
source's Markdown cells with the cached code cells' outputs, matched by position and code,
without a kernel. The result is byte-identical to executing the new source (a test checks
this), because the outputs of unchanged code on unchanged inputs are the same.

A glue reference in the prose (``{glue:md}`key```, a ``{glue:figure}`` directive) to a key the
chapter's code does not glue is an error naming the key and the chapter. It is not re-executed:
the code is unchanged, so it would glue the same keys again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lederuddannelse.errors import ChapterError
from lederuddannelse.sources import imported_modules

if TYPE_CHECKING:
    import nbformat

INJECTED = "injected-parameters"
# {glue}`key`, {glue:md}`key`, {glue:text}`key` ... ; pages' own keys only (no "doc::key").
_GLUE_ROLE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`]+)`")
# ```{glue:figure} key / :::{glue:math} key ...
_GLUE_DIRECTIVE = re.compile(r"^\s*(?:`{3,}|:{3,})\{glue(?::[a-z]+)?\}[ \t]+(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class ChapterCode:
    """What execution of one chapter source depends on, read once per source version."""

    code: str  # hash of the code cells and the kernel
    imports: tuple[str, ...]  # the package's modules the code cells import


def chapter_code(nb: nbformat.NotebookNode, src: Path) -> ChapterCode:
    cells = [
        [c.source, "parameters" in c.get("metadata", {}).get("tags", [])]
        for c in nb.cells
        if c.cell_type == "code"
    ]
    kernel = nb.metadata.get("kernelspec", {}).get("name", "")
    payload = json.dumps({"cells": cells, "kernel": kernel}, sort_keys=True)
    imports: set[str] = set()
    for c in nb.cells:
        if c.cell_type == "code":
            imports |= imported_modules(_python_only(c.source), src)
    return ChapterCode(hashlib.sha256(payload.encode()).hexdigest(), tuple(sorted(imports)))


def _python_only(source: str) -> str:
    """Drop IPython magics and shell lines, which ``ast`` cannot parse."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _tags(cell: dict[str, Any]) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def reassemble(
    executed: nbformat.NotebookNode, source: nbformat.NotebookNode
) -> nbformat.NotebookNode | None:
    """The executed notebook of ``source`` built from an earlier execution's code outputs.

    Returns None when the code cells do not match one to one (then the chapter must run).
    The result is what papermill would write before normalisation: every cell has a `tags`
    list, the injected parameters cell follows the parameters cell, and the kernel's
    metadata (kernelspec, language_info) come from the execution.
    """
    ran = [c for c in executed.cells if c.cell_type == "code" and INJECTED not in _tags(c)]
    injected = [c for c in executed.cells if INJECTED in _tags(c)]
    code = [c for c in source.cells if c.cell_type == "code"]
    if len(ran) != len(code) or any(a.source != b.source for a, b in zip(ran, code)):
        return None
    out = copy.deepcopy(source)
    outputs = iter(ran)
    cells = []
    for cell in out.cells:
        cell.metadata.setdefault("tags", [])
        if cell.cell_type == "code":
            done = next(outputs)
            cell.outputs = copy.deepcopy(done.outputs)
            cell.execution_count = done.execution_count
        cells.append(cell)
        if "parameters" in _tags(cell):
            cells.extend(copy.deepcopy(injected))
    out.cells = cells
    for key in ("kernelspec", "language_info"):
        if key in executed.metadata:
            out.metadata[key] = copy.deepcopy(executed.metadata[key])
    out.nbformat, out.nbformat_minor = executed.nbformat, executed.nbformat_minor
    return out


def glued_keys(nb: nbformat.NotebookNode) -> set[str]:
    """The keys the chapter's outputs glue (myst-nb's ``scrapbook`` output metadata)."""
    keys = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                keys.add(name)
    return keys


def prose_glue_refs(nb: nbformat.NotebookNode) -> list[str]:
    """The glue keys the Markdown cells refer to, in order (page-local keys only)."""
    refs: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for pattern in (_GLUE_ROLE, _GLUE_DIRECTIVE):
            refs += [k for k in pattern.findall(cell.source) if "::" not in k]
    return list(dict.fromkeys(refs))


def check_glue(nb: nbformat.NotebookNode, chapter: str, source: str) -> None:
    """Every glue reference in the prose names a key the code glues; else one clear error."""
    have = glued_keys(nb)
    missing = [k for k in prose_glue_refs(nb) if k not in have]
    if missing:
        raise ChapterError(
            f"chapter '{chapter}' ({source}): the text refers to glue key(s) "
            f"{', '.join(repr(k) for k in missing)}, which the chapter's code does not glue. "
            "Fix the name in the text, or glue the value in a code cell."
        )
