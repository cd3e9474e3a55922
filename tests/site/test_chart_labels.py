"""Category labels of the dot plots on a phone and on a laptop, measured in Chromium.

On a phone (390 px) a category's label sits on its own line above its dot and interval, at
the plot's left edge, so that the plot gets the column's full width; on a laptop (1280 px)
the labels stand beside the dots, left of the plot, as an axis. Measured on the model's
forest plot (the longest labels of the book) by the bounding boxes the reader sees: for every
dot, the nearest category label (title, legend and x axis aside) and the plot's left edge
(the x axis's domain line). And on every chart page at 320 and 390 px: no category chart keeps
side labels, and no label overlaps another label, a bar, a dot or a value.
"""

from __future__ import annotations

import pytest

from conftest import require_chromium
from lederuddannelse.dev import sitecheck

pytestmark = [pytest.mark.browser, pytest.mark.book]

PAGE = "hvem-alle.html"  # its first dot plot: the model's forest plot

# For each dot of the page's first dot plot: the dot's box, the box of the nearest text that is no
# title, legend or x-axis text (a category label, wherever the layout puts it), and the plot's
# left edge.
DOTS_AND_LABELS = """() => {
  const svg = [...document.querySelectorAll("div[id^='altair-viz-'] svg.marks")]
    .find(s => s.querySelector("g.mark-symbol.role-mark path"));
  const xAxis = [...svg.querySelectorAll("g.role-axis[aria-label^='X-axis']")][0];
  const plotLeft = xAxis.querySelector("g.role-axis-domain line").getBoundingClientRect().left;
  const box = (e) => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: e.textContent}; };
  const labels = [...svg.querySelectorAll("text")]
    .filter(t => !t.closest(".role-title, .role-legend") && !xAxis.contains(t))
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().height > 0)
    .map(box);
  const dots = [...svg.querySelectorAll("g.mark-symbol.role-mark path")].map(box);
  return {plotLeft, chartLeft: svg.getBoundingClientRect().left, dots: dots.map((d) => {
    const mid = (d.top + d.bottom) / 2;
    const dist = (l) => Math.abs((l.top + l.bottom) / 2 - mid);
    return {dot: d, label: labels.reduce((a, b) => (dist(b) < dist(a) ? b : a))};
  })};
}"""


# Every chart of the page, as a phone shows it: category labels above the marks, each clear of
# the other labels and of every bar, dot and value, inside the chart.
PHONE_LABELS = """() => {
  const problems = [];
  const overlap = (p, q) => Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1
    && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1;
  document.querySelectorAll("div[id^='altair-viz-']").forEach((box, i) => {
    const svg = box.querySelector("svg.marks");
    if (!svg) return;
    const name = box.closest("figure")?.id || `chart ${i}`;
    const beside = [...svg.querySelectorAll("g.role-axis[aria-label^='Y-axis']")]
      .some(a => /discrete/.test(a.getAttribute("aria-label")));
    if (beside) problems.push(`${name}: category labels beside the plot`);
    const labels = [...svg.querySelectorAll("g[class*='ledu_category_labels_'] text")]
      .filter(t => t.textContent.trim());
    const marks = [...svg.querySelectorAll("g.mark-rect.role-mark path, "
      + "g.mark-symbol.role-mark path, g.mark-text.role-mark text")]
      .filter(m => !m.closest("g[class*='ledu_category_label']") && m.textContent !== " ");
    const edge = svg.getBoundingClientRect().right + 1;
    labels.forEach((l, a) => {
      const p = l.getBoundingClientRect();
      if (p.right > edge) problems.push(`${name}: label cut at the right (${l.textContent})`);
      labels.slice(a + 1).forEach(m => { if (overlap(p, m.getBoundingClientRect()))
        problems.push(`${name}: labels overlap (${l.textContent} / ${m.textContent})`); });
      marks.forEach(m => { if (overlap(p, m.getBoundingClientRect()))
        problems.push(`${name}: label ${l.textContent} overlaps a mark ${m.textContent}`); });
    });
  });
  return problems;
}"""


@pytest.fixture(scope="module")
def measured(built_book):
    require_chromium()
    _, _, site = built_book
    out, blocked = {}, []
    with sitecheck.serve(site) as base, sitecheck.browser_context(base, blocked) as context:
        page = context.new_page()
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{base}/{PAGE}", wait_until="load")
            assert page.evaluate(sitecheck.WAIT_CHARTS) > 0
            out[width] = page.evaluate(DOTS_AND_LABELS)
        out["phone"] = []
        for name in sitecheck.site_pages(site):
            for width in (320, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{base}/{name}", wait_until="load")
                page.evaluate(sitecheck.WAIT_CHARTS)
                out["phone"] += [f"{name} @ {width}px: {p}" for p in page.evaluate(PHONE_LABELS)]
    assert not blocked, blocked
    return out


def test_on_a_phone_each_label_sits_above_its_dot_at_the_plots_left(measured):
    got = measured[390]
    assert len(got["dots"]) >= 5, got
    for pair in got["dots"]:
        dot, label = pair["dot"], pair["label"]
        where = f"{label['text']!r} at {label} for the dot at {dot}"
        assert label["bottom"] <= dot["top"] + 0.5, "label not above its dot: " + where
        assert dot["top"] - label["bottom"] < 30, "label far from its dot: " + where
        assert abs(label["left"] - got["plotLeft"]) <= 4, "label not at the plot's left: " + where
    # the plot has the column's full width: it starts at the chart's left edge
    assert got["plotLeft"] - got["chartLeft"] < 20, got["plotLeft"] - got["chartLeft"]


def test_on_a_laptop_labels_stand_beside_their_dots(measured):
    got = measured[1280]
    assert len(got["dots"]) >= 5, got
    for pair in got["dots"]:
        dot, label = pair["dot"], pair["label"]
        where = f"{label['text']!r} at {label} for the dot at {dot}"
        assert label["right"] <= got["plotLeft"] + 1, "label not left of the plot: " + where
        assert label["right"] <= dot["left"], "label not beside its dot: " + where
        mid_dot, mid_label = (dot["top"] + dot["bottom"]) / 2, (label["top"] + label["bottom"]) / 2
        assert abs(mid_dot - mid_label) <= 10, "label not level with its dot: " + where


def test_on_a_phone_no_chart_label_meets_another_label_or_a_mark(measured):
    assert not measured["phone"], "\n".join(measured["phone"])
