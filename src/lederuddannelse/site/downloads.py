"""The notebook a reader downloads: the executed chapter with its prose readable in Jupyter.

A page's prose takes its numbers from glue roles (``{glue:md}`udbredelse_any```), which only
Jupyter Book resolves; Jupyter shows them raw. The downloadable copy is the executed notebook
with each role in its Markdown cells replaced by the value the code glued (the same text the
page shows), and the Sphinx-only roles and directives (cross-references, citations, glued
figures) replaced by plain words. Code cells and their outputs are left as executed, so the
notebook still re-runs and reproduces the page, except the charts: the build makes each as
Altair's HTML (for the page) with its Vega-Lite spec in the output's metadata
(``report.theme.site_chart``); the copy
has instead the PNG drawn from the spec (``report.theme.jupyter_chart``, what a chapter run
outside the build displays), which JupyterLab shows offline and in a notebook it does not
trust, where the HTML would look for Vega in the site's ``_static`` folder and show nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

GLUE_PREFIX = "application/papermill.record/"
#: Where a chart's spec is in its output's metadata in the build's notebooks
#: (``report.theme.SPEC_KEY``).
SPEC_KEY = "lederuddannelse.vegalite"
_GLUE_ROLE = re.compile(r"\{glue(?::([a-z]+))?\}`([^`]+)`")
_GLUE_FIGURE = re.compile(
    r"^(`{3,}|:{3,})\{glue(?::figure)?\}[ \t]+(\S+)[ \t]*\n(.*?)^\1[ \t]*$\n?",
    re.MULTILINE | re.DOTALL,
)
_OPTION = re.compile(r"^:[a-z-]+:.*$\n?", re.MULTILINE)
_XREF = re.compile(r"\{(numref|ref|doc|cite:p|cite:t|cite)\}`([^`]+)`")


def glued_values(nb: dict) -> dict[str, str]:
    """The text glued under each name in an executed notebook (Markdown, else plain text)."""
    values: dict[str, str] = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            data = out.get("data", {})
            for kind in ("text/markdown", "text/plain"):
                if name and GLUE_PREFIX + kind in data:
                    text = data[GLUE_PREFIX + kind]
                    values[name] = "".join(text) if isinstance(text, list) else text
                    break
    return values


def _xref(m: re.Match[str]) -> str:
    role, target = m.group(1), m.group(2)
    title = re.match(r"^(.*?)\s*<[^>]*>$", target)  # {doc}`Title <page>`
    if title:
        return title.group(1)
    if role == "numref":
        return "figuren nedenfor"
    if role.startswith("cite"):
        return f"({target.replace(',', '; ')})"
    return target


def readable_prose(source: str, values: dict[str, str]) -> str:
    """One Markdown cell with its glue roles replaced by ``values`` and Sphinx-only markup by
    plain words (a glued figure: its caption in italics)."""

    def role(m: re.Match[str]) -> str:
        name = m.group(2)
        return values.get(name, m.group(0)).strip()

    def figure(m: re.Match[str]) -> str:
        caption = _OPTION.sub("", m.group(3)).strip()
        return f"*Figur: {caption}*\n" if caption else ""

    text = _GLUE_FIGURE.sub(figure, source)
    text = _GLUE_ROLE.sub(role, text)
    return _XREF.sub(_xref, text)


def downloadable_notebook(path: Path, cache: Path | None = None) -> str:
    """The executed notebook at ``path`` as a reader downloads it (JSON text): prose roles
    replaced by their glued values (:func:`readable_prose`), charts as their PNG, everything
    else unchanged. ``cache``: a folder keeping each chart's PNG (:func:`chart_png`)."""
    import nbformat

    nb = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
    values = glued_values(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = readable_prose(cell.source, values)
        for out in cell.get("outputs", []):
            if SPEC_KEY in out.get("metadata", {}):
                png, png_metadata = chart_png(out["metadata"].pop(SPEC_KEY), cache)
                out["data"].pop("text/html", None)
                out["data"]["image/png"] = png
                out["metadata"]["image/png"] = png_metadata
    return nbformat.writes(nb) + "\n"


def chart_png(spec: dict, cache: Path | None = None) -> tuple[str, dict]:
    """A chart of the build as Jupyter shows it (``report.theme.jupyter_chart``): its PNG
    (base64) and the PNG's metadata. Drawing one takes a tenth of a second (the first of a
    process half a second, with vl-convert's start), and a page Sphinx writes again mostly has
    the charts it had, so with ``cache`` each is kept in a file named by the digest of the
    spec, the chart theme's module and vl-convert's version."""
    import base64
    import hashlib
    import json
    from importlib.metadata import version

    theme = Path(__file__).parent.parent / "report" / "theme.py"
    key = hashlib.sha256(
        json.dumps(spec, sort_keys=True).encode()
        + theme.read_bytes()
        + version("vl-convert-python").encode()
    ).hexdigest()
    stored = cache / f"{key}.json" if cache is not None else None
    if stored is not None:
        try:
            png, metadata = json.loads(stored.read_text(encoding="utf-8"))
            return png, metadata
        except (OSError, ValueError):  # not drawn yet, or unreadable: drawn again
            pass
    from lederuddannelse.report.theme import jupyter_chart

    bundle, metadata = jupyter_chart(spec)
    png = base64.b64encode(bundle["image/png"]).decode("ascii")
    if stored is not None:  # whole or not at all (a build may be stopped while it writes)
        from lederuddannelse.book.notebooks import write_if_changed

        write_if_changed(stored, json.dumps([png, metadata["image/png"]]))
    return png, metadata["image/png"]
