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
    confined to the text of one cell, or a code cell added, is applied to it without
    jupytext (importing it and reading costs a fifth of a second, most of a prose edit's
    build and a tenth of a code edit's): see :func:`splice_edit`.
    """
    import nbformat

    text = source.read_text(encoding="utf-8")
    stored = cache / f"{source.name}.json" if cache is not None else None
    if stored is not None and stored.is_file():
        try:
            last = json.loads(stored.read_text(encoding="utf-8"))
            nb = splice_edit(last["text"], last["notebook"], text)
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
# What would change the cells if written inside a cell's text.
_CELL_SYNTAX = re.compile(r"^(\s*(`{3,}|~{3,}|:{3,})|\+\+\+|---\s*$|%)", re.M)
# Characters that jupytext (str.splitlines) reads as line breaks besides "\n".
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
# A code cell as an author adds it: the fence, `:key: value` options, the code, the fence.
_NEW_CODE_CELL = re.compile(
    r"(?P<blank>\n*)(?P<fence>`{3,})\{code-cell\}(?P<lexer>[^\n]*)\n"
    r"(?P<options>(?::[\w-]+:[^\n]*\n)*)(?P<body>(?:[^\n]*\n)+?)(?P=fence)\n(?P<after>\n*)"
)


def splice_edit(old_text: str, old_nb: dict[str, Any], text: str) -> dict[str, Any] | None:
    """``old_nb`` (jupytext's reading of ``old_text``) with ``text``'s edit applied, when the
    edit lies inside the text of one cell, or adds one code cell between two cells (or after
    the last); else None (then jupytext reads it).

    Exact by construction: every cell's source is found, in order, in ``old_text`` with only
    cell syntax between them (so the positions are the cells'); ``text`` must equal
    ``old_text`` with that one cell's source replaced, or with one code cell inserted where
    no fence is open and no cell break precedes it in its gap (a break's metadata belongs to
    the Markdown cell after it). The changed or added lines may not hold anything that could
    open or close a cell (fences, breaks, comments, option lines at the start of code) and
    no line break but ``\n``; a source may not begin or end with a blank line (jupytext
    trims those). A test compares the result with jupytext's reading for such edits of every
    cell of every chapter.
    """
    if text == old_text:
        return old_nb
    if any(c["cell_type"] not in ("markdown", "code") for c in old_nb["cells"]):
        return None
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
    return _replace_source(old_text, old_nb, text, spans) or _insert_code_cell(
        old_text, old_nb, text, spans
    )


def _replace_source(
    old_text: str, old_nb: dict[str, Any], text: str, spans: list[tuple[int, int]]
) -> dict[str, Any] | None:
    """The edit of :func:`splice_edit` as one cell's source replaced, or None."""
    # the one cell whose source, replaced, gives the new text
    hits = [
        i
        for i, (a, b) in enumerate(spans)
        if len(text) >= a + len(old_text) - b
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
    if not _plain_source(new_src, old_nb["cells"][i]["cell_type"]) or _CELL_SYNTAX.search(changed):
        return None
    out = json.loads(json.dumps(old_nb))
    out["cells"][i]["source"] = new_src
    return out


def _plain_source(src: str, cell_type: str) -> bool:
    """A source jupytext reads back as it is: no blank first or last line, no line break but
    ``\n``, and (code) no first line that reads as the cell's options."""
    lines = src.split("\n")
    if not lines[0].strip() or not lines[-1].strip() or _OTHER_BREAKS.search(src):
        return False
    return cell_type != "code" or not lines[0].lstrip().startswith((":", "---"))


def _insert_code_cell(
    old_text: str, old_nb: dict[str, Any], text: str, spans: list[tuple[int, int]]
) -> dict[str, Any] | None:
    """The edit of :func:`splice_edit` as one code cell added between two cells, or
    None."""
    added = len(text) - len(old_text)
    if added <= 0:
        return None
    n = len(old_text)
    head = next((k for k in range(n) if old_text[k] != text[k]), n)  # the first difference
    tail = next((k for k in range(n) if old_text[-1 - k] != text[-1 - k]), n)
    # The same text may be an insertion at any line start from the last common suffix to the
    # first difference (an added cell may repeat the lines around it): try each.
    for at in range(head, max(0, n - tail) - 1, -1):
        if at and old_text[at - 1] != "\n":
            continue
        match = _NEW_CODE_CELL.fullmatch(text, at, at + added)
        if match is not None:
            return _with_code_cell(old_text, old_nb, spans, at, match)
    return None


def _with_code_cell(
    old_text: str, old_nb: dict[str, Any], spans: list[tuple[int, int]], at: int, match
) -> dict[str, Any] | None:
    """``old_nb`` with the code cell ``match`` (of :data:`_NEW_CODE_CELL`) inserted at ``at``
    of ``old_text``, or None when that is not where jupytext would read it."""
    import yaml

    cells = old_nb["cells"]
    # the gap it goes into: after cell k-1 (its source and, for code, its closing fence),
    # before cell k (for code, its fence and options); no cell break before it in the gap
    k = next((j for j, (a, _) in enumerate(spans) if a >= at), len(spans))
    if not k or at < spans[k - 1][1]:
        return None
    before = old_text[spans[k - 1][1] : at].split("\n")[1:-1]
    after = old_text[at : spans[k][0] if k < len(spans) else len(old_text)].split("\n")
    if (
        sum(bool(_FENCE.match(x)) for x in before) != (cells[k - 1]["cell_type"] == "code")
        or sum(bool(_FENCE.match(x)) for x in after)
        != (k < len(cells) and cells[k]["cell_type"] == "code")
        or any(x.startswith("+++") for x in before)
    ):
        return None
    default = old_nb.get("metadata", {}).get("jupytext", {}).get("default_lexer")
    body = match["body"][:-1]
    if (
        match["lexer"].strip() != default
        or _CELL_SYNTAX.search(body)
        or not _plain_source(body, "code")
    ):
        return None
    lines = [line.lstrip()[1:] for line in match["options"].splitlines()]
    try:
        options = (yaml.safe_load("\n".join(lines)) or {}) if lines else {}
        metadata = json.loads(json.dumps(options))
    except (yaml.YAMLError, TypeError, ValueError):
        return None
    if not isinstance(metadata, dict) or metadata != options:
        return None
    import nbformat

    cell = nbformat.v4.new_code_cell(source=body, metadata=metadata)
    out = json.loads(json.dumps(old_nb))
    out["cells"].insert(k, json.loads(json.dumps(cell)))
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
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if figure.get("name"):  # a code cell's output as a numbered figure (myst-nb)
            names.add(figure["name"])
            figure["name"] = f"{figure['name']}-{suffix}"
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
