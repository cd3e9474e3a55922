"""The site's chart script refits the book's charts to a phone: labels above the marks.

The specs come from the chart builders (:mod:`lederuddannelse.report.charts`); the refit is the
script every page loads (`_static/lederuddannelse.js`, ``leduCharts.fit``), run in Chromium on
a blank page with a stand-in for Vega-Embed. Below a 520 px column the category labels become a
text layer over the full-width plot (y axis gone); everything a reader relies on stays: the same
data, the report's level ("Rapporten: 47 pct."), the key line, the text alternative. On a wide
column the side labels stay. Each refitted spec is rendered by vl-convert, so it is valid
Vega-Lite and draws the labels as text.
"""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest
import vl_convert as vlc

from conftest import require_chromium
from lederuddannelse.dev import sitecheck
from lederuddannelse.report.charts import (
    breakdown_chart,
    claim_check_chart,
    grouped_proportion_chart,
    odds_ratio_chart,
)
from lederuddannelse.report.fmt import SUPPRESSED

pytestmark = pytest.mark.browser

LONG = "Offentlig administration, undervisning og sundhed"
LABELS = ["Samlet", "Smal definition", LONG]


def _shares(labels=LABELS) -> pd.DataFrame:
    k = len(labels)
    return pd.DataFrame(
        {
            "label": labels,
            "estimate": [0.47, 0.16, 0.7][:k],
            "ci_low": [0.45, 0.14, 0.66][:k],
            "ci_high": [0.49, 0.18, 0.74][:k],
            "n": [600, 300, 200][:k],
            "suppressed": [False] * k,
        }
    )


def _specs() -> dict[str, dict]:
    claim = _shares().assign(report=[0.47, 0.16, None])
    grouped = pd.concat(
        [_shares().assign(group="Privat sektor"), _shares().assign(group="Offentlig sektor")]
    )
    odds = pd.DataFrame(
        {
            "label": ["Køn: Kvinde", "Sektor: Privat sektor", LONG, "Alder: 60 år eller derover"],
            "odds_ratio": [1.3, 0.26, 1.1, 0.9],
            "or_low": [1.1, 0.2, 0.9, 0.5],
            "or_high": [1.5, 0.34, 1.3, 1.6],
            "suppressed": [False, False, False, True],  # named, not drawn
        }
    )
    charts = {
        "claim": claim_check_chart(
            claim, "label", "report", "Titel", "Undertitel", 0.95, "Rapporten"
        ),
        "grouped": grouped_proportion_chart(grouped, "label", "group", "Titel", "Under", 0.95),
        "odds": odds_ratio_chart(odds, "label", "Titel", "Undertitel", 0.95),
        "breakdown": breakdown_chart(
            [("Sektor", _shares()), ("Køn", _shares(["Mand", "Kvinde"]))],
            "label",
            "Titel",
            "Undertitel",
            0.95,
        ),
    }
    return {name: chart.to_dict() for name, chart in charts.items()}


@pytest.fixture(scope="module")
def fitted(project_root):
    """Every spec refitted at a phone's column (342 px) and a laptop's (700 px)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    script = (project_root / "_static" / "lederuddannelse.js").read_text(encoding="utf-8")
    specs = _specs()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=sitecheck.chromium_path(), args=["--no-sandbox"]
        )
        try:
            page = browser.new_page()
            page.set_content("<html><body></body></html>")
            page.add_script_tag(content="window.vegaEmbed = function () {};")
            page.add_script_tag(content=script)
            out = {
                (name, width): page.evaluate(
                    "([spec, width]) => window.leduCharts.fit(spec, width)", [spec, width]
                )
                for name, spec in specs.items()
                for width in (342, 700)
            }
        finally:
            browser.close()
    return specs, out


def _units(spec: dict) -> list[dict]:
    """The unit specs with a mark, however deep in layers and vertical stacks."""
    if "layer" in spec or "vconcat" in spec:
        return [u for part in spec.get("layer", spec.get("vconcat", [])) for u in _units(part)]
    return [spec] if "mark" in spec else []


def _label_layers(spec: dict) -> list[dict]:
    return [u for u in _units(spec) if u.get("name", "").startswith("ledu_category_labels_")]


def _category_axes(spec: dict) -> list:
    return [
        u["encoding"]["y"].get("axis", {})
        for u in _units(spec)
        if u.get("encoding", {}).get("y", {}).get("type") == "nominal"
        and not u.get("name", "").startswith("ledu_category_label")
    ]


@pytest.mark.parametrize("name", ["claim", "grouped", "odds", "breakdown"])
def test_on_a_phone_labels_become_a_text_layer_above_the_marks(fitted, name):
    specs, out = fitted
    spec, phone = specs[name], out[(name, 342)]
    panels = len(spec.get("vconcat", [spec]))
    labels = _label_layers(phone)
    assert len(labels) == panels  # one label layer per panel
    assert all(axis is None for axis in _category_axes(phone))  # the side labels are gone
    for layer in labels:
        assert layer["mark"]["type"] == "text" and layer["encoding"]["x"] == {"value": 0}
    # the long label is wrapped onto lines that fit the column, nothing cut
    wrapped = json.loads(labels[0]["transform"][-1]["calculate"].split(")[datum")[0][1:])
    if name != "breakdown" or LONG in wrapped:
        lines = wrapped[LONG].strip("\n").split("\n")
        assert " ".join(lines) == LONG and len(lines) >= 1
        assert all(len(line) * 13 * 0.56 <= 342 for line in lines)
    # the same data, text alternative, key line and (claim chart) the report's level
    assert phone["datasets"] == spec["datasets"]
    assert phone.get("description") == spec.get("description")
    assert any("Vandret streg" in line for line in phone["title"]["subtitle"])
    if name == "claim":
        texts = [u for u in _units(phone) if u["mark"].get("type") == "text"]
        assert any(u["encoding"].get("text", {}).get("field") == "claim_mark" for u in texts)
        assert any(u["mark"].get("type") == "tick" for u in _units(phone))
    assert not _label_layers(out[(name, 700)])  # a laptop keeps the labels beside
    assert all(axis is not None for axis in _category_axes(out[(name, 700)]))


@pytest.mark.parametrize("name", ["claim", "grouped", "odds", "breakdown"])
def test_the_phone_layout_renders_its_labels_as_text(fitted, name):
    specs, out = fitted
    svg = vlc.vegalite_to_svg(out[(name, 342)])
    # what the SVG writes as text (the text alternative in aria-label attributes aside)
    shown = " ".join(html.unescape(s) for s in re.findall(r">([^<>]+)</(?:text|tspan)>", svg))
    assert "Smal definition" in shown or "Sektor: Privat sektor" in shown or "Mand" in shown
    assert "Offentlig administration," in shown  # the long label, first of its lines
    if name == "claim":
        assert "Rapporten: 47\u00a0pct." in shown.replace(" pct.", "\u00a0pct.")
    if name == "breakdown":  # each panel its own labels
        assert "Samlet" in shown and "Mand" in shown
    if name == "odds":  # a suppressed row keeps its label, and says why it has no dot
        assert "Alder: 60 år eller derover" in shown and SUPPRESSED in shown
