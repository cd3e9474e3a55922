"""The book's Altair theme and renderer settings, shared by every chart.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies) ordered so that neighbouring categories also differ in lightness, which keeps
them apart in greyscale print. Numbers are formatted the Danish way through Vega's
``formatLocale`` (decimal comma, thousands point). Charts render as SVG, which gives each mark
an ARIA label; the export action stays (PNG/SVG download), the editor link (network) goes.
"""

from __future__ import annotations

import altair as alt

# Okabe-Ito, ordered dark/light alternating for greyscale.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = "'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif"
DANISH_LOCALE = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", " kr."],
    "minus": "\u2212",  # a true minus sign
}
DANISH_TIME_LOCALE = {
    "dateTime": "%A den %d. %B %Y %X",
    "date": "%d-%m-%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
    "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
    "months": [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "shortMonths": [
        "jan",
        "feb",
        "mar",
        "apr",
        "maj",
        "jun",
        "jul",
        "aug",
        "sep",
        "okt",
        "nov",
        "dec",
    ],
}
THEME = "lederuddannelse"


@alt.theme.register(THEME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "background": "#ffffff",
            "view": {"stroke": None, "continuousWidth": 520, "continuousHeight": 300},
            "range": {"category": PALETTE},
            "mark": {"color": PALETTE[0]},
            "bar": {"color": PALETTE[0]},
            "axis": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "labelColor": "#222222",
                "titleColor": "#222222",
                "gridColor": "#dddddd",
                "labelLimit": 320,
            },
            "legend": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 320},
            "title": {
                "fontSize": 16,
                "anchor": "start",
                "color": "#111111",
                "subtitleFontSize": 13,
                "subtitleColor": "#444444",
            },
        }
    }


#: The environment variable the book's build sets for its kernels (book/execute.py): "site"
#: there, where the charts are made for the site.
CHARTS_ENV = "LEDERUDDANNELSE_CHARTS"
#: The renderers :func:`setup_charts` registers with Altair (see :func:`site_chart` and
#: :func:`jupyter_chart`).
SITE_RENDERER = "lederuddannelse-site"
JUPYTER_RENDERER = "lederuddannelse-jupyter"
#: The key of a chart's Vega-Lite spec in its output's metadata in the build's notebooks (not a
#: mime type of the output: myst-nb would warn that it cannot render it).
SPEC_KEY = "lederuddannelse.vegalite"
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    "formatLocale": DANISH_LOCALE,
    "timeFormatLocale": DANISH_TIME_LOCALE,
}


def jupyter_chart(spec: dict, **options):
    """A chart as Jupyter shows it without a network: a PNG drawn by vl-convert (Danish number
    formats), with IPython's text/plain beside it. JupyterLab renders ``image/png`` out of the
    box, also in a notebook it does not trust; it has no renderer for Vega-Lite 6's mime type,
    and Altair's HTML would look for Vega on a network or in the site's ``_static`` folder."""
    from altair.vegalite.v6.display import png_renderer

    return png_renderer(spec, embed_options=options.get("embed_options", EMBED_OPTIONS))


def site_chart(spec: dict, **options):
    """A chart made by the book's build: Altair's HTML, which the site shows (Vega from the
    site's own ``_static`` folder, :data:`EMBED_OPTIONS`), with its Vega-Lite spec in the
    output's metadata (:data:`SPEC_KEY`), from which the downloadable notebook draws the PNG of
    :func:`jupyter_chart` (``site/downloads.py``, only for the pages a build writes)."""
    from altair.vegalite.v6.display import html_renderer

    return html_renderer(spec, **options), {SPEC_KEY: spec}


def setup_charts() -> None:
    """Enable the theme and the chart renderer with Danish number formats (call once per
    chapter): :func:`site_chart` in the book's build (:data:`CHARTS_ENV` is "site"), else
    :func:`jupyter_chart` (JupyterLab, a downloaded notebook run with papermill).

    ``base_url`` points Altair's loader at the site's own `_static` folder instead of a CDN:
    the offline bundle (see `sphinx_ext`) normally satisfies it before any load is tried, and if
    it ever did not, the page would fail visibly on a local 404 rather than reach the network.
    """
    import os

    alt.theme.enable(THEME)
    alt.renderers.register(SITE_RENDERER, site_chart)
    alt.renderers.register(JUPYTER_RENDERER, jupyter_chart)
    if os.environ.get(CHARTS_ENV) == "site":
        alt.renderers.enable(SITE_RENDERER, base_url="_static", embed_options=EMBED_OPTIONS)
    else:
        alt.renderers.enable(JUPYTER_RENDERER, embed_options=EMBED_OPTIONS)
