"""Chapter notebooks: MyST source -> notebook, the parameters cell, and normalisation.

Executed notebooks are normalised so that the same inputs give the same bytes: papermill's
timestamps and durations go, cell ids are derived from the cell's position, the injected
parameters cell is tagged `remove-cell`, and Altair's random `altair-viz-<uuid>` ids become
stable ones. Sphinx rebuilds a page when its file's mtime changes, so a stable byte stream is
what makes a no-op rebuild a no-op.
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lederuddannelse.errors import ParameterError

if TYPE_CHECKING:  # imported lazily at run time: it is slow to import
    import nbformat

_ALTAIR_ID = re.compile(r"altair-viz-[0-9a-f]{32}")
_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")  # e.g. "<pandas...Styler at 0x7f50b567eb90>"


def read_chapter(source: Path, cache: Path | None = None) -> nbformat.NotebookNode:
    """Read a MyST Markdown chapter as a notebook (jupytext, imported only when needed).

    With a ``cache`` folder, the last reading of each chapter is kept there, and an edit
    confined to the text of one Markdown cell is applied to it without jupytext (importing
    it is a fifth of a second, most of a prose edit's build): see :func:`splice_markdown`.
    """
    import nbformat

    text = source.read_text(encoding="utf-8")
    stored = cache / f"{source.name}.json" if cache is not None else None
    if stored is not None and stored.is_file():
        try:
            last = json.loads(stored.read_text(encoding="utf-8"))
            nb = splice_markdown(last["text"], last["notebook"], text)
        except (ValueError, KeyError, TypeError):
            nb = None
        if nb is not None:
            if last["text"] != text:
                write_if_changed(stored, json.dumps({"text": text, "notebook": nb}))
            return nbformat.from_dict(nb)
    import jupytext

    nb = jupytext.reads(text, fmt="md:myst")
    if stored is not None:
        write_if_changed(stored, json.dumps({"text": text, "notebook": nb}))
    return nb


# Lines between cells in a MyST notebook: blank, a code-cell fence or its options, a cell
# break (+++, with or without metadata).
_BETWEEN_CELLS = re.compile(r"^(\s*|(`{3,}|~{3,})(\{code-cell\}.*)?|:[\w-]+:.*|\+\+\+.*)$")
# What would change the cells if written inside a Markdown cell's text.
_CELL_SYNTAX = re.compile(r"^(\s*(`{3,}|~{3,}|:{3,})|\+\+\+|---\s*$|%)", re.M)


def splice_markdown(old_text: str, old_nb: dict[str, Any], text: str) -> dict[str, Any] | None:
    """``old_nb`` (jupytext's reading of ``old_text``) with ``text``'s edit applied, when the
    edit lies inside the text of one Markdown cell; else None (then jupytext reads it).

    Exact by construction: every cell's source is found, in order, in ``old_text`` with only
    cell syntax between them (so the positions are the cells'); ``text`` must equal
    ``old_text`` with that one cell's source replaced; the changed lines may not hold
    anything that could open or close a cell (fences, breaks, comments), and the new source
    may not begin or end with a blank line (jupytext trims those). A test compares the result
    with jupytext's reading for edits of every Markdown cell of every chapter.
    """
    if text == old_text:
        return old_nb
    front = 0
    if old_text.startswith("---\n"):
        end = old_text.find("\n---\n", 3)
        if end < 0:
            return None
        front = end + 5
    spans = []
    pos = front
    for cell in old_nb["cells"]:
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        at = old_text.find(src, pos) if src else -1
        if at < 0 or not all(_BETWEEN_CELLS.match(x) for x in old_text[pos:at].split("\n")):
            return None
        spans.append((at, at + len(src)))
        pos = at + len(src)
    if not all(_BETWEEN_CELLS.match(x) for x in old_text[pos:].split("\n")):
        return None
    # the one Markdown cell whose source, replaced, gives the new text
    hits = [
        i
        for i, (a, b) in enumerate(spans)
        if old_nb["cells"][i]["cell_type"] == "markdown"
        and len(text) >= a + len(old_text) - b
        and text.startswith(old_text[:a])
        and text.endswith(old_text[b:])
    ]
    if not hits:
        return None
    i = hits[0]
    a, b = spans[i]
    new_src = text[a : len(text) - (len(old_text) - b)]
    # the changed lines (from the first to the last character that differs)
    n = min(len(old_text), len(text))
    head = next((k for k in range(n) if old_text[k] != text[k]), n)
    tail = next((k for k in range(n - head) if old_text[-1 - k] != text[-1 - k]), n - head)
    last = max(head, len(text) - tail - 1)  # the last changed character
    end = text.find("\n", last)
    changed = text[text.rfind("\n", 0, head) + 1 : len(text) if end < 0 else end]
    lines = new_src.split("\n")
    if not lines[0].strip() or not lines[-1].strip() or _CELL_SYNTAX.search(changed):
        return None
    out = json.loads(json.dumps(old_nb))
    out["cells"][i]["source"] = new_src
    return out


def parameters_cell_defaults(nb: nbformat.NotebookNode, source: Path | str = "") -> dict[str, Any]:
    """The literal defaults of the chapter's `parameters`-tagged cell.

    Chapters keep that cell to plain `name = literal` lines, so it can be read without running
    anything; anything else is an error that names the chapter.
    """
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(
            f"{source}: needs exactly one cell tagged 'parameters', found {len(cells)}."
        )
    out: dict[str, Any] = {}
    for node in ast.parse(cells[0].source).body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            raise ParameterError(
                f"{source}: the parameters cell may only hold 'name = literal' lines (line "
                f"{node.lineno})."
            )
        try:
            out[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            raise ParameterError(
                f"{source}: parameter '{node.targets[0].id}' must be a literal (line "
                f"{node.lineno})."
            ) from None
    return out


def suffix_labels(nb: nbformat.NotebookNode, suffix: str) -> None:
    """Give the figure and table labels (``:name: x``) of ``nb`` and their references
    (``{numref}`x```, ``{ref}`x```) the suffix ``-{suffix}``.

    Sphinx labels are global to the book: a chapter published as several pages (one per
    parameter group) would define each label several times. The chapter's first page keeps its
    labels (and so its addresses); the other pages get their group's name appended.
    """
    names: set[str] = set()
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            names.update(_LABEL.findall(cell.source))
    if not names:
        return

    def ref(m: re.Match[str]) -> str:
        label = m.group(2)
        return f"{m.group(1)}{label}-{suffix}`" if label in names else m.group(0)

    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            text = _LABEL_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)}-{suffix}", cell.source)
            cell.source = _REF.sub(ref, text)


_LABEL = re.compile(r"^:name:\s*(\S+)\s*$", re.M)
_LABEL_LINE = re.compile(r"^(:name:\s*)(\S+)(?=\s*$)", re.M)
_REF = re.compile(r"(\{(?:numref|ref)\}`)([^`<>]+)`")


def normalise(
    nb: nbformat.NotebookNode, name: str, extra_metadata: dict[str, Any], label_suffix: str = ""
) -> str:
    """Strip run-specific noise and return the notebook as a stable JSON string.

    ``label_suffix``: see :func:`suffix_labels` (empty for a chapter's first page)."""
    import nbformat

    if label_suffix:
        suffix_labels(nb, label_suffix)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("jupytext", None)
    nb.metadata["lederuddannelse"] = extra_metadata
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name}-{i:03d}"[-64:]
        meta = cell.setdefault("metadata", {})
        meta.pop("papermill", None)
        meta.pop("execution", None)
        tags = meta.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            meta["tags"] = [*tags, "remove-cell"]
    text = nbformat.writes(nb)
    ids: dict[str, str] = {}

    def stable(m: re.Match[str]) -> str:
        return ids.setdefault(m.group(0), f"altair-viz-{name}-{len(ids) + 1}")

    return _ADDRESS.sub(">", _ALTAIR_ID.sub(stable, text)) + "\n"


def write_if_changed(path: Path, text: str | bytes) -> bool:
    """Write ``text`` (UTF-8) or bytes unless the file already holds exactly them; True when
    written. Atomically, through a temporary file of its own (two processes may write the
    same file, e.g. two workers storing one chapter's reading)."""
    import tempfile

    data = text.encode("utf-8") if isinstance(text, str) else text
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return True
