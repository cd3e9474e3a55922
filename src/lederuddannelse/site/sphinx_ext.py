"""Sphinx extension: an offline site, and every page citable and re-executable.

Offline charts. Altair's HTML output loads Vega, Vega-Lite and Vega-Embed from a CDN unless the
globals are already there and ``VEGA_DEBUG`` records their versions. This extension writes the
libraries' bundle (from ``vl_convert``, matching Altair's Vega-Lite version) into the site's
static files, loads it before any chart script, and defines ``VEGA_DEBUG``, so chart scripts
fetch nothing. Pin Altair and vl-convert together: ``VEGA_DEBUG`` is an undocumented part of
Altair's template, which the browser test in CI guards.

Citing, re-executing, provenance. Every page gets Highwire ``citation_*`` meta tags and a line
with the book's version, the build date and the data file's name and SHA-256. Every chapter page
(an executed notebook whose metadata carry ``lederuddannelse``: chapter, group, source,
parameters, data file and hash, written by the build) also gets "Kør dette kapitel igen" (the
exact command, the executed notebook and its MyST source as downloads, the source in the
repository, the parameter appendix) and "Sådan citerer du dette kapitel" (a Danish reference,
BibTeX with a copy button, a .bib download). All citation text comes from `citation.yml` via
:mod:`lederuddannelse.citation`; nothing here is typed per chapter, so new chapters get it all.

Cost: one small JSON read per written page and a few file copies; nothing is executed. The
citation metadata and the data file's hash are Sphinx config values, so a change rewrites
every page (and nothing else forces a rewrite).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from pathlib import Path
from typing import Any

from lederuddannelse.hashing import sha256_file
from lederuddannelse.params import parameter_words
from lederuddannelse.site.citation import build_date
from lederuddannelse.site.downloads import downloadable_notebook

BUNDLE = "vega-offline.js"
CODE_PAGE = "koden"  # "Koden bag bogen": installing the package, the API reference
DOWNLOADS = "downloads"  # folder of the site with the notebooks, sources and .bib files
PNG_CACHE = "chart-png"  # in Sphinx's doctree folder: the downloadable notebooks' chart PNGs
READING_GUIDE = "laes-tallene"  # the page "Sådan læser du tallene" every chapter links to


def offline_chart_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script defining ``VEGA_DEBUG`` (see above): the
    site's `vega-offline.js`, and inlined in `run`'s standalone page."""
    import altair.vegalite.v6.display as display
    import vl_convert as vlc

    versions = {
        "vega_version": display.VEGA_VERSION,
        "vegalite_version": display.VEGALITE_VERSION,
        "vegaembed_version": display.VEGAEMBED_VERSION,
    }
    vl_minor = ".".join(display.VEGALITE_VERSION.split(".")[:2])
    bundle = vlc.javascript_bundle(
        "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;",
        vl_version=vl_minor,
    )
    return (
        f"/* Vega, Vega-Lite and Vega-Embed for offline charts (vl-convert {vlc.__version__}) */\n"
        f"var VEGA_DEBUG = {json.dumps(versions)};\n(function () {{\n{bundle}\n}})();\n"
    )


def _static_dir(app) -> Path:
    """A folder with the bundle, cached beside the build output between builds."""
    from importlib.metadata import version

    # Versions from the installed metadata: importing Altair costs a render about a second.
    versions = f"{version('altair')}|{version('vl-convert-python')}"
    tag = hashlib.sha256(versions.encode()).hexdigest()[:12]
    folder = Path(app.outdir).parent / f"vega-static-{tag}"
    target, digest = folder / BUNDLE, folder.with_suffix(".sha256")  # checked before trusted
    if not (target.is_file() and digest.is_file() and sha256_file(target) == digest.read_text()):
        from lederuddannelse.book.notebooks import write_if_changed

        text = offline_chart_bundle()
        write_if_changed(target, text)
        write_if_changed(digest, hashlib.sha256(text.encode("utf-8")).hexdigest())
    return folder


def _on_builder_inited(app) -> None:
    if app.builder.format != "html":
        return
    app.config.html_static_path.append(str(_static_dir(app)))
    # myst-nb copies its CSS only when the build has finished, so a clean build writes its
    # pages before the file exists (Sphinx then links it without a ?v= checksum) and an
    # incremental one after (with it). Copied first, every page links it the same way.
    from myst_nb.sphinx_ext import add_global_html_resources

    Path(app.outdir, "_static").mkdir(parents=True, exist_ok=True)
    add_global_html_resources(app, None)


def _on_config_inited(app, config) -> None:
    # A config value, not a per-build attribute: when the date changes, Sphinx rewrites every
    # page, so a partial rebuild never mixes two dates (it equals a clean build's site).
    config.lederuddannelse_build_date = build_date()
    # A defined start mode: the theme logs a console error when the stored mode is empty.
    # "auto" follows the reader's system setting (prefers-color-scheme); the theme keeps a
    # manual choice in localStorage.
    config.html_context = {**(config.html_context or {}), "default_mode": "auto"}

    from lederuddannelse.paths import project_root
    from lederuddannelse.site.citation import CITATION_FILE, load_citation

    root = project_root()
    staged = Path(app.srcdir) / CITATION_FILE
    c = load_citation(staged if staged.is_file() else root / CITATION_FILE)
    # Danish strings the theme's translations lack (sphinx-togglebutton).
    config.togglebutton_hint = "Klik for at vise"
    config.togglebutton_hint_hide = "Klik for at skjule"
    # The book's identity comes from citation.yml, not from _config.yml.
    config.project = c.title
    config.html_title = c.title
    config.author = c.author_text
    config.copyright = f"{c.year}, {c.publisher}"
    config.version = config.release = c.version
    # A placeholder repository (citation.yml's `binder` not true) is linked from no page: no
    # canonical address derived from it, no repository link of the theme.
    config.html_baseurl = c.published_url
    config.html_theme_options = {
        **(config.html_theme_options or {}),
        **({"repository_url": c.repository, "repository_branch": c.branch} if c.public else {}),
        "search_bar_text": "Søg i bogen …",
    }
    config.lederuddannelse_citation = c.as_config()
    # What the pages are made with: a change of this extension, of the citation code or of the
    # site's own CSS/JS must rewrite every page (Sphinx alone rewrites only changed sources).
    made_with = [
        Path(__file__),
        Path(__file__).with_name("citation.py"),
        *sorted((root / "_static").glob("*")),
    ]
    config.lederuddannelse_made_with = hashlib.sha256(
        b"".join(p.read_bytes() for p in made_with if p.is_file())
    ).hexdigest()
    config.lederuddannelse_binder = c.public
    config.lederuddannelse_data = book_data(root, os.environ)


def book_data(root: Path, environ) -> dict[str, Any]:
    """What the pages say about the book's runs: the globals the build ran with (``globals``:
    parameters.yml's, with the data the build's command line gave, ``make book DATA=...``),
    the book's defaults (``defaults``: parameters.yml's alone, which the re-run command is
    measured against, so that it names a data file the command line gave), the groups per
    chapter and the data file and mapping by name and hash. Files by name only (see
    :func:`~lederuddannelse.book.notebooks.public_parameters`)."""
    from lederuddannelse.params import (
        load_parameters,
        public_data_file,
        resolve_data_file,
        resolve_mapping_file,
    )
    from lederuddannelse.variants import switch_of

    params = load_parameters(root / "parameters.yml")

    def public(globals_: dict[str, Any]) -> dict[str, Any]:
        return {
            **globals_,
            "data_file": public_data_file(globals_["data_file"]),
            "data_mapping": public_data_file(globals_.get("data_mapping", "none")),
        }

    defaults = public(params.globals)
    for name, env in (
        ("data_file", "LEDERUDDANNELSE_DATA_FILE"),
        ("data_mapping", "LEDERUDDANNELSE_DATA_MAPPING"),
    ):
        if environ.get(env):
            params.globals[name] = environ[env]
    data = resolve_data_file(params.globals["data_file"], root)
    mapping = resolve_mapping_file(params.globals.get("data_mapping", "none"), root)
    return {
        "globals": public(params.globals),
        "defaults": defaults,
        "groups": {slug: list(entry["groups"]) for slug, entry in params.chapters.items()},
        "switches": {slug: switch_of(params, slug, root) for slug in params.chapters},
        "data_file": data.name,
        "data_sha256": sha256_file(data),
        **(
            {"mapping_file": mapping.name, "mapping_sha256": sha256_file(mapping)}
            if mapping
            else {}
        ),
    }


BINDER = "https://mybinder.org/v2/gh"


def binder_url(repository: str, branch: str, source: str) -> str:
    """Binder's launch URL for a chapter's committed MyST source, opened in JupyterLab (which
    the repository's `binder/` configuration makes open it as a notebook through jupytext);
    empty for a repository that is not on GitHub."""
    from urllib.parse import quote

    m = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", repository)
    if not m:
        return ""
    path = quote(f"lab/tree/{source}", safe="")
    return f"{BINDER}/{m.group(1)}/{m.group(2)}/{quote(branch, safe='')}?urlpath={path}"


def _drop_thebe(context) -> None:
    """Remove Thebe's scripts: Jupyter Book adds its loader twice (a console error), and
    Thebe needs a CDN and Binder, neither of which an offline, archival site can use."""
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if files:
            context[key] = [
                f
                for f in files
                if "thebe" not in str(getattr(f, "filename", f) or "").lower()
                and "THEBE_JS_URL" not in str(getattr(f, "attributes", {}).get("body", ""))
            ]


def _run_metadata(app, pagename: str) -> dict[str, Any] | None:
    """The ``lederuddannelse`` metadata of an executed chapter notebook, or None."""
    path = Path(app.env.doc2path(pagename))
    if path.suffix != ".ipynb" or not path.is_file():
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh).get("metadata", {}).get("lederuddannelse")


def _code_block(text: str, language: str) -> str:
    """A block that looks like Sphinx's and gets sphinx-copybutton's copy button."""
    return (
        f'<div class="highlight-{language} notranslate"><div class="highlight">'
        f"<pre>{html.escape(text)}</pre></div></div>"
    )


def _colophon(
    c,
    build_date: str,
    data_file: str,
    data_sha: str,
    params: dict | None,
    mapping: tuple[str, str] | None = None,
) -> str:

    e = html.escape
    parts = [
        f"Bogens version {e(c.version)}",
        f"bygget {e(build_date)}",
        f"datafil <code>{e(data_file)}</code> (SHA-256 <code "
        f'class="ledu-sha256">{e(data_sha)}</code>)',
    ]
    if mapping:
        parts.append(
            f'kortlægning <code>{e(mapping[0])}</code> (SHA-256 <code class="ledu-sha256">'
            f"{e(mapping[1])}</code>)"
        )
    if params:
        # File names only: a path would show the analyst's machine.
        shown = {
            k: (Path(v).name if k in ("data_file", "data_mapping") else v)
            for k, v in params.items()
        }
        parts.append("parametre for denne kørsel: " + e(parameter_words(shown)))
    return f'<p class="ledu-colophon">{" · ".join(parts)}</p>'


def _write_download(
    outdir: Path, name: str, *, text: str | None = None, src: Path | None = None
) -> str:
    target = outdir / DOWNLOADS / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if text is not None:
        data = text.encode("utf-8")
    else:
        data = src.read_bytes()
    if not target.exists() or target.read_bytes() != data:
        target.write_bytes(data)
    return f"{DOWNLOADS}/{name}"


def _drop_chart_library(context) -> None:
    """Load the 0.9 MB chart bundle only on pages that have a chart (text pages stay light)."""
    if "altair-viz-" in context.get("body", ""):
        return
    files = context.get("script_files")
    if files:
        context["script_files"] = [
            f for f in files if BUNDLE not in str(getattr(f, "filename", f) or "")
        ]


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    _drop_thebe(context)
    _drop_chart_library(context)
    if doctree is None or app.builder.format != "html":
        return  # genindex, search: generated pages, nothing to cite
    # docutils marks a bibliography role="list", but its entries are not list items (and hold
    # back-links): assistive technology would announce a broken list.
    context["body"] = context.get("body", "").replace(
        '<div role="list" class="citation-list">', '<div class="citation-list">'
    )
    from lederuddannelse.site import citation as cit

    c = cit.Citation.from_config(app.config.lederuddannelse_citation)
    data = app.config.lederuddannelse_data
    e = html.escape
    title = app.env.titles[pagename].astext() if pagename in app.env.titles else c.title
    is_root = pagename == app.config.root_doc
    url = c.published_url if is_root else c.page_url(pagename)
    meta = _run_metadata(app, pagename)
    outdir = Path(app.outdir)
    pathto = context["pathto"]
    built_on = app.config.lederuddannelse_build_date or build_date()

    note = ""
    binder = ""  # the chapter's Binder launch URL, when citation.yml enables Binder
    blocks: list[str] = []
    if meta:
        several = len(data["groups"].get(meta["chapter"], [])) > 1
        note = cit.parameters_note(meta["parameters"], data["globals"], meta["group"], several)
        source = meta["source"]
        from lederuddannelse.paths import project_root

        root = project_root()
        nb = _write_download(
            outdir,
            f"{pagename}.ipynb",
            text=downloadable_notebook(
                app.env.doc2path(pagename), Path(app.doctreedir) / PNG_CACHE
            ),
        )
        md = _write_download(outdir, Path(source).name, src=root / source)
        binder = (
            binder_url(c.repository, c.branch, source) if app.config.lederuddannelse_binder else ""
        )
        command = cit.rerun_command(source, meta["parameters"], data["defaults"], meta["group"])
        appendix = sorted(d for d in app.env.found_docs if d.startswith("appendiks"))
        appendix_link = (
            f' <a href="{e(app.builder.get_relative_uri(pagename, appendix[0]))}">Appendikset</a> '
            "viser alle parametre og deres tilladte værdier."
            if appendix
            else ""
        )
        blocks.append(
            '<section class="ledu-reuse ledu-fold" id="ledu-koer-igen"><details><summary>'
            "<h2>For fagfolk: kør dette kapitel igen</h2></summary>"
            f"<p>Tallene ovenfor er beregnet ud fra kildefilen <code>{e(source)}</code> med "
            f"parametergruppen <code>{e(meta['group'])}</code>. Kommandoen herunder beregner "
            "dem igen med de samme parametre i projektets mappe (se README om det virtuelle "
            "miljø); tilføj <code>-p NAVN VÆRDI</code> for at ændre en parameter."
            + (
                " Datafilen og kortlægningen står med deres navn, ikke med deres sti (stien ville "
                "vise mapper på den maskine, bogen er bygget på); skriv stien til din kopi."
                if meta["parameters"]["data_file"] != data["defaults"]["data_file"]
                else ""
            )
            + "</p>"
            + _code_block(command, "bash")
            + f"<p>{appendix_link}</p>"
            '<ul class="ledu-downloads">'
            f'<li><a class="ledu-download" download href="{e(pathto(nb, 1))}">Den kørte notesbog '
            f"(<code>{e(Path(nb).name)}</code>)</a>"
            + (  # how to install the package the notebook needs, and open it in JupyterLab
                ". Den kan køres overalt, hvor bogens pakke er installeret; se "
                f'<a href="{e(pathto(CODE_PAGE))}">'
                "Koden bag bogen</a>."
                if CODE_PAGE in app.env.found_docs
                else ""
            )
            + "</li>"
            f'<li><a class="ledu-download" download href="{e(pathto(md, 1))}">Kildefilen '
            f"(<code>{e(Path(md).name)}</code>, MyST Markdown)</a></li>"
            + (
                f'<li><a class="ledu-repository" href="{e(c.source_url(source))}">Kildefilen i '
                "kodearkivet</a></li>"
                if c.source_url(source)
                else ""
            )
            + (
                f'<li><a class="ledu-binder" href="{e(binder)}">Åbn kapitlet i Binder</a> '
                "(kører kapitlet i browseren på mybinder.org; kræver netværk)</li>"
                if binder
                else ""
            )
            + "</ul></details></section>"
        )
    if meta or is_root:
        cite_title = title + (f" [{note}]" if note else "")
        if is_root:
            heading, reference, bibtex = (
                "Sådan citerer du bogen",
                cit.book_reference_html(c),
                cit.book_bibtex(c),
            )
        else:
            heading = "Sådan citerer du dette kapitel"
            reference = cit.chapter_reference_html(c, title, url, note)
            bibtex = cit.chapter_bibtex(c, pagename, title, url, note)
        bib = _write_download(outdir, f"{pagename}.bib", text=bibtex)
        blocks.append(
            f'<section class="ledu-cite ledu-fold" id="ledu-citer"><details><summary>'
            f"<h2>{e(heading)}</h2></summary>"
            f'<p class="ledu-reference">{reference}</p>'
            "<p>BibTeX (til Zotero, JabRef, LaTeX m.fl.):</p>"
            + _code_block(bibtex, "bibtex")
            + f'<p><a class="ledu-download" download href="{e(pathto(bib, 1))}">Hent BibTeX '
            f"(<code>{e(Path(bib).name)}</code>)</a></p></details></section>"
        )
        title_for_tags = c.title if is_root else cite_title
    else:
        title_for_tags = title
    if meta:
        data_file, data_sha = (
            meta.get("data_file", data["data_file"]),
            meta.get("data_sha256", data["data_sha256"]),
        )
    else:
        data_file, data_sha = data["data_file"], data["data_sha256"]
    src = meta if meta else data
    mapping = (src["mapping_file"], src["mapping_sha256"]) if src.get("mapping_file") else None
    blocks.append(
        _colophon(c, built_on, data_file, data_sha, meta["parameters"] if meta else None, mapping)
    )

    tags = cit.highwire_tags(c, title_for_tags, url, chapter=not is_root)
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<meta name="{e(n)}" content="{e(v)}" />' for n, v in tags
    )
    if is_root:  # the whole book: without a type, Zotero would guess a journal article
        context["metatags"] += (
            '\n<meta property="og:type" content="book" />\n<meta property="og:title" '
            f'content="{e(c.title)}" />'
        )

    body = context.get("body", "")
    if meta or is_root:
        quick = (
            '<p class="ledu-quicklinks">'
            + (
                f'<a href="{e(pathto(READING_GUIDE))}">Sådan læser du tallene</a> · '
                if READING_GUIDE in app.env.found_docs
                else ""
            )
            + '<a href="#ledu-citer">Citér</a>'
            + (' · <a href="#ledu-koer-igen">For fagfolk</a>' if meta else "")
            + (
                f' · <a class="ledu-binder" href="{e(binder)}">Kør i Binder</a>'
                if meta and binder
                else ""
            )
            + "</p>"
        )
        switch = data.get("switches", {}).get(meta["chapter"]) if meta else None
        if switch and pagename in [name for name, _ in switch["pages"]]:
            # the current page by its file name too (Sphinx's pathto gives "#" for it)
            suffix = app.builder.link_suffix
            quick += switch_html(
                switch, pagename, lambda n: n + suffix if n == pagename else pathto(n)
            )
        end_h1 = body.find("</h1>")
        if end_h1 >= 0:
            body = body[: end_h1 + 5] + quick + body[end_h1 + 5 :]
    context["body"] = body + "\n".join(blocks)


def switch_html(switch: dict[str, Any], current: str, pathto) -> str:
    """The switch between a chapter's pages (``switch``: :func:`lederuddannelse.variants.
    switch_of`), ``current`` marked. Links, not a form: it works without script (to the top of
    the other page) and offline; with script the site's `_static/lederuddannelse.js` puts it in
    the page's toolbar (early in the Tab order, always in view) and opens the other page at
    the reader's section."""
    e = html.escape
    items = [
        f'<a href="{e(pathto(name))}" aria-current="page"><strong>{e(word)}</strong></a>'
        if name == current
        else f'<a href="{e(pathto(name))}">{e(word)}</a>'
        for name, word in switch["pages"]
    ]
    label = e(switch["label"])
    return (
        f'<nav class="definition-switch" aria-label="{label}"><span>{label}:</span> '
        + " | ".join(items)
        + "</nav>"
    )


def _visit_folded_code(self, node) -> None:
    """myst-nb's folded code cell ("Vis koden"), named by its visible Danish prompt: myst-nb's
    own visitor gives the <summary> aria-label="Toggle hidden content", an English name that
    hides the visible one (axe: label-content-name-mismatch, serious). Same markup otherwise."""
    e = html.escape
    self.body.append(f'<details class="admonition hide {e(" ".join(node["classes"]))}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{e(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{e(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def _depart_folded_code(self, node) -> None:
    self.body.append("</details>\n")


def _author_year_list(app, doctree, docname) -> None:
    """The list on "Litteratur" without the numbers pybtex labels its entries with: the book
    cites by author and year (lederuddannelse.site.bibstyle), so a number would match no
    citation in the text. The entries stay citation targets; only their labels go."""
    from docutils import nodes

    for citation in doctree.findall(nodes.citation):
        for label in [c for c in citation.children if isinstance(c, nodes.label)]:
            citation.remove(label)


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode

    from lederuddannelse.site import bibstyle

    bibstyle.register()  # the citation styles _config.yml names, before sphinxcontrib-bibtex

    # Sphinx's public registry of node visitors: this book's HTML for myst-nb's node
    app.add_node(HideCodeCellNode, override=True, html=(_visit_folded_code, _depart_folded_code))
    app.add_config_value("lederuddannelse_citation", {}, "html")
    app.add_config_value("lederuddannelse_data", {}, "html")
    app.add_config_value("lederuddannelse_build_date", "", "html")
    app.add_config_value("lederuddannelse_binder", False, "html")
    app.add_config_value("lederuddannelse_made_with", "", "html")
    app.connect("builder-inited", _on_builder_inited)
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("doctree-resolved", _author_year_list)
    app.add_js_file(BUNDLE, priority=200)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
