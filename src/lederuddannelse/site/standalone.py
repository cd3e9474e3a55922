"""One executed chapter as a standalone HTML page: what `run` writes beside the notebook.

A re-run variant is read at once, in a browser, offline, without Jupyter Book: the prose with
its glued values filled in, the outputs (key figures, tables, charts) as the site shows them,
the code left out (it is in the notebook beside it), and the chart libraries inlined (the
bundle the site serves, :func:`lederuddannelse.site.sphinx_ext.offline_chart_bundle`), so
charts draw without a network. The prose is the downloadable notebook's
(:func:`lederuddannelse.site.downloads.readable_prose`: glue roles filled in, references to
other pages and figures in plain words).

Why not nbconvert: it is no dependency of the book, and its Markdown renderer would show
MyST's roles raw. Once they are resolved the chapters' Markdown is CommonMark with tables,
which markdown-it-py (the parser MyST is built on, installed with Jupyter Book) renders.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from lederuddannelse.site.downloads import glued_values, readable_prose

_ADMONITION = re.compile(r"^:::\{(?:admonition|note|warning|tip)\}(.*?)\n(.*?)^:::$", re.M | re.S)
#: Outputs shown, in order of preference (as a notebook front end chooses).
_MIME_ORDER = ("text/html", "image/svg+xml", "image/png", "text/markdown", "text/plain")
_STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.55; color: #1d1d1f;
       max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
figure { margin: 1.5rem 0; } figcaption { font-size: .9rem; color: #444; }
.ledu-standalone-note { background: #f3f3f6; padding: .6rem 1rem; border-radius: .3rem; }
aside { border-left: 4px solid #888; padding: .2rem 1rem; margin: 1rem 0; background: #fafafa; }
pre { white-space: pre-wrap; }
"""


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _admonitions(text: str) -> str:
    """MyST's admonition fences (a chapter's "Findes ikke i datafilen") as an aside."""
    return _ADMONITION.sub(
        lambda m: (
            f"<aside>\n\n**{m.group(1).strip()}**\n\n"
            + re.sub(r"^:class:.*\n", "", m.group(2), flags=re.M)
            + "\n</aside>"
        ),
        text,
    )


def _output_html(output, markdown) -> str:
    data = output.get("data", {})
    if output.get("output_type") == "stream":
        return f"<pre>{html.escape(_text(output.get('text', '')))}</pre>"
    for mime in _MIME_ORDER:
        if mime not in data:
            continue
        value = _text(data[mime])
        if mime == "text/html" or mime == "image/svg+xml":
            return value
        if mime == "image/png":
            return f'<img alt="" src="data:image/png;base64,{value.strip()}" />'
        if mime == "text/markdown":
            return markdown(value)
        return f"<pre>{html.escape(value)}</pre>"
    return ""


def standalone_html(nb, choices: str, chart_bundle: str, site_css: str = "") -> str:
    """The executed notebook ``nb`` as one HTML page (Danish, offline): the prose with its
    glued values, the outputs without the code, a line naming the run's parameters
    (``choices``, in the reader's words), the chart libraries and the site's own style
    sheet (``site_css``: key figures, notices) inlined."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    glued = glued_values(nb)

    def markdown(text: str) -> str:
        return md.render(_admonitions(readable_prose(text, glued)))

    body, title = [], ""
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            source = _text(cell.source)
            if not title and (m := re.match(r"^# (.+)$", source, re.M)):
                title = re.sub(r"<[^>]+>", "", markdown(m.group(1))).strip()
            body.append(markdown(source))
        elif cell.cell_type == "code" and "remove-output" not in tags:
            shown = "".join(_output_html(o, markdown) for o in cell.get("outputs", []))
            caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")
            if caption:
                shown = f"<figure>{shown}<figcaption>{html.escape(caption)}</figcaption></figure>"
            body.append(shown)
    note = (
        '<p class="ledu-standalone-note">Én kørsel af kapitlet, vist uden resten af bogen. '
        f"Tallene bygger på {html.escape(choices)}. Koden står i notesbogen ved siden af "
        "denne fil, og andre kapitler nævnes ved navn.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="da">\n<head>\n<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{html.escape(title or 'Kapitel')}</title>\n<style>{_STYLE}\n{site_css}</style>\n"
        f"<script>\n{chart_bundle}\n</script>\n</head>\n<body>\n<main>\n{note}\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def write_standalone(notebook: Path, params: dict[str, Any], root: Path) -> Path:
    """Write ``notebook`` (executed) as ``notebook.with_suffix('.html')``, styled with the
    project ``root``'s `_static/lederuddannelse.css`; returns its path."""
    import nbformat

    from lederuddannelse.book.notebooks import public_parameters, write_if_changed
    from lederuddannelse.params import parameter_words
    from lederuddannelse.site.sphinx_ext import offline_chart_bundle

    nb = nbformat.read(notebook, as_version=4)
    words = parameter_words(public_parameters(params))
    out = notebook.with_suffix(".html")
    css = root / "_static" / "lederuddannelse.css"
    style = css.read_text(encoding="utf-8") if css.is_file() else ""
    write_if_changed(out, standalone_html(nb, words, offline_chart_bundle(), style))
    return out
