"""Sphinx extension: make the site work with no network.

Altair's HTML output loads Vega, Vega-Lite and Vega-Embed from a CDN unless the globals are
already there and ``VEGA_DEBUG`` records their versions. This extension writes the libraries'
bundle (from ``vl_convert``, matching Altair's Vega-Lite version) into the site's static files,
loads it before any chart script, and defines ``VEGA_DEBUG``, so chart scripts fetch nothing.
Pin Altair and vl-convert together: ``VEGA_DEBUG`` is an undocumented part of Altair's template,
which the browser test in CI guards.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

BUNDLE = "vega-offline.js"


def _bundle_text() -> str:
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
    import altair
    import vl_convert as vlc

    tag = hashlib.sha256(f"{altair.__version__}|{vlc.__version__}".encode()).hexdigest()[:12]
    folder = Path(app.outdir).parent / f"vega-static-{tag}"
    target = folder / BUNDLE
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(_bundle_text(), encoding="utf-8")
        tmp.replace(target)
    return folder


def _on_builder_inited(app) -> None:
    if app.builder.format != "html":
        return
    app.config.html_static_path.append(str(_static_dir(app)))


def _on_config_inited(app, config) -> None:
    # A defined start mode: the theme logs a console error when the stored mode is empty.
    config.html_context = {**(config.html_context or {}), "default_mode": "light"}


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    """Remove Thebe's scripts: Jupyter Book adds its loader twice (a console error), and
    Thebe needs a CDN and Binder, neither of which an offline, archival site can use."""
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if files:
            context[key] = [
                f for f in files
                if "thebe" not in str(getattr(f, "filename", f) or "").lower()
                and "THEBE_JS_URL" not in str(getattr(f, "attributes", {}).get("body", ""))
            ]


def setup(app):
    app.connect("builder-inited", _on_builder_inited)
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _drop_thebe)
    app.add_js_file(BUNDLE, priority=200)
    app.add_css_file("lederuddannelse.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
