"""Chapter notebooks: MyST source -> notebook, the parameters cell, and normalisation.

Executed notebooks are normalised so that the same inputs give the same bytes: papermill's
timestamps and durations go, cell ids are derived from the cell's position, the injected
parameters cell is tagged `remove-cell`, and Altair's random `altair-viz-<uuid>` ids become
stable ones. Sphinx rebuilds a page when its file's mtime changes, so a stable byte stream is
what makes a no-op rebuild a no-op.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lederuddannelse.errors import ParameterError

if TYPE_CHECKING:  # imported lazily at run time: it is slow to import
    import nbformat

_ALTAIR_ID = re.compile(r"altair-viz-[0-9a-f]{32}")
_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")  # e.g. "<pandas...Styler at 0x7f50b567eb90>"


def read_chapter(source: Path) -> nbformat.NotebookNode:
    """Read a MyST Markdown chapter as a notebook (jupytext, imported only when needed)."""
    import jupytext

    return jupytext.read(source, fmt="md:myst")


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
    nb: nbformat.NotebookNode,
    name: str,
    extra_metadata: dict[str, Any],
    label_suffix: str = "",
    title_words: str = "",
) -> str:
    """Strip run-specific noise and return the notebook as a stable JSON string.

    ``label_suffix``: see :func:`suffix_labels` (empty for a chapter's first page);
    ``title_words``: what the page's title adds in parentheses
    (:func:`lederuddannelse.variants.page_words`)."""
    import nbformat

    from lederuddannelse.variants import titled

    if label_suffix:
        suffix_labels(nb, label_suffix)
    for cell in nb.cells if title_words else []:  # the cell with the page's title
        if cell.cell_type == "markdown" and titled(cell.source, title_words) != cell.source:
            cell.source = titled(cell.source, title_words)
            break
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
    import secrets

    data = text.encode("utf-8") if isinstance(text, str) else text
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(6)}.tmp")
    with open(tmp, "xb") as fh:  # ordinary permissions (the umask's), not mkstemp's 0600
        fh.write(data)
    os.replace(tmp, path)
    return True


def merge_cached(source: nbformat.NotebookNode, cached: nbformat.NotebookNode):
    """``source`` (parameterised, unexecuted) with the outputs of ``cached``, the executed
    notebook jupyter-cache matched to it by its code cells: what executing it would give."""
    import copy

    out = copy.deepcopy(source)
    ran = iter([c for c in cached.cells if c.cell_type == "code"])
    for cell in out.cells:
        if cell.cell_type == "code":
            done = next(ran)
            cell.outputs = copy.deepcopy(done.outputs)
            cell.execution_count = done.execution_count
    if "language_info" in cached.metadata:
        out.metadata["language_info"] = copy.deepcopy(cached.metadata["language_info"])
    return out


# {glue}`key`, {glue:md}`key`, {glue:text}`key` ... ; pages' own keys only (no "doc::key").
_GLUE_ROLE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`]+)`")
# ```{glue:figure} key / :::{glue:math} key ...
_GLUE_DIRECTIVE = re.compile(r"^\s*(?:`{3,}|:{3,})\{glue(?::[a-z]+)?\}[ \t]+(\S+)", re.MULTILINE)


def prose_glue_refs(nb: nbformat.NotebookNode) -> list[str]:
    """The glue keys the Markdown cells refer to, in order (page-local keys only)."""
    refs: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for pattern in (_GLUE_ROLE, _GLUE_DIRECTIVE):
                refs += [k for k in pattern.findall(cell.source) if "::" not in k]
    return list(dict.fromkeys(refs))


def check_glue(nb: nbformat.NotebookNode, chapter: str, source: str) -> None:
    """Every glue reference in the prose names a key the code glues; else one clear error."""
    from lederuddannelse.errors import ChapterError

    outputs = [out for cell in nb.cells for out in cell.get("outputs", [])]
    # the keys the outputs glue (myst-nb's ``scrapbook`` output metadata)
    have = {out.get("metadata", {}).get("scrapbook", {}).get("name") for out in outputs}
    missing = [k for k in prose_glue_refs(nb) if k not in have]
    if missing:
        raise ChapterError(
            f"chapter '{chapter}' ({source}): the text refers to glue key(s) "
            f"{', '.join(repr(k) for k in missing)}, which the chapter's code does not glue. "
            "Fix the name in the text, or glue the value in a code cell."
        )


def public_parameters(params: dict[str, Any]) -> dict[str, Any]:
    """The run's parameters as pages may show them: the data file by its name, not its path
    (a path reveals the analyst's machine)."""
    from lederuddannelse.params import public_data_file

    out = {**params, "data_file": public_data_file(params["data_file"])}
    if "data_mapping" in params:
        out["data_mapping"] = public_data_file(params["data_mapping"])
    return out


def hide_data_path(nb: nbformat.NotebookNode, params: dict[str, Any]) -> None:
    """Rewrite papermill's injected parameters cell with the data file's name only (the
    executed notebook is published; the kernel needed the path, the reader does not)."""
    from papermill.translators import translate_parameters

    public = public_parameters(params)
    if public == params:
        return
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = translate_parameters("python3", "python", public, "Parameters")
