"""Chart builders: every figure of the book is made here, from an estimates table.

Each builder takes a tidy table from the statistics layer (estimate, ci_low, ci_high, n,
suppressed), draws the estimate with its confidence interval, labels suppressed rows as such
instead of drawing them, and sets a text alternative (`description`, which becomes the
chart's ARIA label) that states the numbers in Danish.

The specs here are the desktop layout (category labels beside the marks, as a y axis). The
site's chart script (`_static/lederuddannelse.js`) refits each spec to its column when drawn:
the width, wrapped titles and labels, and, below a 520 px column (a phone), each category's
label on its own line above its mark with the plot at full width. It finds the categories as
the nominal ``y`` field of the layers, so every builder with category labels gets that layout;
words drawn above a mark (a text layer with negative ``dy``, as the report's level in
:func:`claim_check_chart`) get a line of their own between label and mark.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from lederuddannelse.report.fmt import (
    SUPPRESSED,
    ci_heading,
    ci_label,
    number,
    number_range,
    odds_ratio,
    odds_ratio_with_ci,
    pct,
    pct_range,
    share_with_ci,
)


def describe_rows(table: pd.DataFrame, label: str, text_of) -> str:
    """A Danish text alternative: each row's label and ``text_of(row)``, or that it is
    suppressed (the alternative must not reveal what the chart hides)."""
    parts = [
        f"{row[label]}: {SUPPRESSED if row.get('suppressed', False) else text_of(row)}"
        for _, row in table.iterrows()
    ]
    return "; ".join(parts) + "."


def describe_proportions(table: pd.DataFrame, label: str, conf_level: float) -> str:
    """A Danish text alternative listing each row's estimate and interval, worded as the
    prose words them (:func:`lederuddannelse.report.fmt.share_with_ci`)."""
    return describe_rows(table, label, lambda row: share_with_ci(row, conf_level))


def with_text_columns(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a proportions table with the Danish texts that labels and tooltips show:
    the estimate (or the suppression mark), the interval and n."""
    data = table.copy()
    data["suppressed"] = data.get("suppressed", False)
    data["suppressed"] = data["suppressed"].fillna(False).astype(bool)
    data["estimate_text"] = [
        SUPPRESSED if s else pct(e) for e, s in zip(data["estimate"], data["suppressed"])
    ]
    data["ci_text"] = [
        "" if s else pct_range(lo, hi)
        for lo, hi, s in zip(data["ci_low"], data["ci_high"], data["suppressed"])
    ]
    data["n_text"] = [number(n) if pd.notna(n) else "" for n in data["n"]]
    return data


# One convention for the book's share axes: bare numbers, the unit in the axis title
# ("Andel (pct.)"), as Statistics Denmark does; the prose says "20 pct.".
PCT_AXIS = {"labelExpr": "format(datum.value * 100, 'd')", "tickCount": 5}


def pct_axis_title(title: str) -> str:
    """'Andel' -> 'Andel (pct.)' (unchanged if it already names its unit)."""
    return title if "pct" in title or "%" in title else f"{title} (pct.)"


def key_line(conf_level: float, extra: str = "") -> str:
    """The line under a chart's subtitle that says how to read its intervals."""
    return f"Vandret streg: {ci_heading(conf_level)}{extra}."


def with_key_line(subtitle: str | list[str], line: str) -> list[str]:
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    return lines if line in lines else lines + [line]


def interval_layers(base: alt.Chart, tooltip, font_size: int, stroke_width: float, dx: int):
    """The layers every proportion chart shares: CI whiskers, the estimate's label beyond the
    interval, and the suppression mark at zero for suppressed rows (drawn instead of a bar)."""
    whiskers = base.mark_rule(color="#222222", strokeWidth=stroke_width, strokeCap="butt").encode(
        x="ci_low:Q", x2="ci_high:Q", tooltip=tooltip
    )
    text = base.mark_text(align="left", dx=dx, color="#222222", fontSize=font_size).encode(
        x=alt.X("ci_high:Q"), text="estimate_text:N"
    )
    suppressed = (
        base.transform_filter("datum.suppressed")
        .mark_text(align="left", dx=4, color="#444444", fontSize=font_size)
        .encode(x=alt.value(0), text="estimate_text:N")
    )
    return whiskers, text, suppressed


def proportion_chart(
    table: pd.DataFrame,
    label: str,
    title: str,
    subtitle: str | list[str],
    conf_level: float,
    axis_title: str = "Andel",
    color: str | None = None,
) -> alt.Chart:
    """Horizontal bars of proportions with CI whiskers; suppressed rows say so in text."""
    data = with_text_columns(table)
    order = list(data[label])
    y = alt.Y(f"{label}:N", sort=order, title=None)
    tooltip = [
        alt.Tooltip(f"{label}:N", title=" "),
        alt.Tooltip("estimate_text:N", title="Andel"),
        alt.Tooltip("ci_text:N", title=ci_label(conf_level)),
        alt.Tooltip("n_text:N", title="Antal svar"),
    ]
    x_scale = alt.Scale(domain=[0, 1])
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(opacity=0.85, **({"color": color} if color else {})).encode(
        x=alt.X(
            "estimate:Q", title=pct_axis_title(axis_title), axis=alt.Axis(**PCT_AXIS), scale=x_scale
        ),
        tooltip=tooltip,
    )
    return alt.layer(
        bars, *interval_layers(base, tooltip, font_size=12, stroke_width=2.5, dx=6)
    ).properties(
        title=alt.Title(title, subtitle=with_key_line(subtitle, key_line(conf_level))),
        width=480,
        height=alt.Step(34),
        description=describe_proportions(data, label, conf_level),
    )


def grouped_proportion_chart(
    table: pd.DataFrame,
    label: str,
    group: str,
    title: str | list[str],
    subtitle: str | list[str],
    conf_level: float,
    axis_title: str = "Andel",
) -> alt.Chart:
    """Proportions of several items in two or more groups side by side (one bar per group
    within each item, offset vertically), with CI whiskers; suppressed cells say so in text.

    Why: comparisons (manager type, sector) are read item by item; bars of the groups next to
    each other, in one colour per group with a legend, show both the level and the gap.
    The text alternative lists every item × group estimate with its interval.
    """
    data = with_text_columns(table)
    data["_desc"] = [f"{lab}, {g}" for lab, g in zip(data[label], data[group])]
    order = list(dict.fromkeys(data[label]))
    groups = list(dict.fromkeys(data[group]))
    y = alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=300))
    y_off = alt.YOffset(f"{group}:N", sort=groups)
    tooltip = [
        alt.Tooltip(f"{label}:N", title=" "),
        alt.Tooltip(f"{group}:N", title="Gruppe"),
        alt.Tooltip("estimate_text:N", title="Andel"),
        alt.Tooltip("ci_text:N", title=ci_label(conf_level)),
        alt.Tooltip("n_text:N", title="Antal svar"),
    ]
    color = alt.Color(f"{group}:N", sort=groups, title=None, legend=alt.Legend(orient="top"))
    base = alt.Chart(data).encode(y=y, yOffset=y_off)
    bars = base.mark_bar().encode(
        x=alt.X(
            "estimate:Q",
            title=pct_axis_title(axis_title),
            axis=alt.Axis(**PCT_AXIS),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=color,
        tooltip=tooltip,
    )
    return alt.layer(
        bars, *interval_layers(base, tooltip, font_size=11, stroke_width=2, dx=5)
    ).properties(
        title=alt.Title(title, subtitle=with_key_line(subtitle, key_line(conf_level))),
        width=280,
        height=alt.Step(16),
        description=describe_proportions(data, "_desc", conf_level),
    )


# --- appended for the methods, who and desire chapters ----------------------------------------
def breakdown_chart(
    parts: list[tuple[str, pd.DataFrame]],
    label: str,
    title: str,
    subtitle: str | list[str],
    conf_level: float,
    axis_title: str = "Andel",
) -> alt.VConcatChart:
    """Several one-way breakdowns (one per grouping variable) stacked under one title.

    ``parts`` is a list of ``(heading, table)``: each table as for :func:`proportion_chart`
    (one row per category of that variable). The panels share the 0–100 % axis so that shares
    can be compared across variables; the text alternative lists every panel.
    """
    panels = [
        proportion_chart(
            t, label=label, title=heading, subtitle=[], conf_level=conf_level, axis_title=axis_title
        ).properties(title=alt.Title(heading))
        for heading, t in parts
    ]
    description = " ".join(  # »Sektor. Offentlig sektor: 74 pct. …«, not a colon chain
        f"{heading}. "
        + describe_proportions(t.assign(suppressed=t.get("suppressed", False)), label, conf_level)
        for heading, t in parts
    )
    return alt.vconcat(*panels, spacing=18).properties(
        title=alt.Title(
            title, subtitle=with_key_line(subtitle, key_line(conf_level)), anchor="start"
        ),
        description=description,
    )


def describe_odds_ratios(table: pd.DataFrame, label: str, conf_level: float) -> str:
    """A Danish text alternative listing each odds ratio and its interval."""
    return describe_rows(table, label, lambda row: odds_ratio_with_ci(row, conf_level))


LOG_TICKS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10, 20, 50)


def log_ticks(lo: float, hi: float) -> list[float]:
    """Explicit ticks for a log axis from ``lo`` to ``hi``: a few round values, far enough apart
    on the log scale that their labels never collide ("0,9" and "1" read as "0,91")."""
    inside = [t for t in LOG_TICKS if lo <= t <= hi]
    if len(inside) < 3:  # a narrow range: finer steps
        fine = [round(lo + (hi - lo) * k / 4, 2) for k in range(5)]
        inside = sorted(set(inside) | {t for t in fine if lo <= t <= hi})
    out: list[float] = []
    for t in inside:  # at least ~12 % apart on the log scale
        if not out or t / out[-1] >= 1.12:
            out.append(t)
    if 1 in inside and 1 not in out:
        out = [t for t in out if abs(t - 1) / 1 >= 0.12] + [1]
    return sorted(out)


def odds_ratio_chart(
    table: pd.DataFrame,
    label: str,
    title: str,
    subtitle: str | list[str],
    conf_level: float,
    axis_title: str = "Odds ratio (logaritmisk akse; 1 = ingen sammenhæng)",
) -> alt.LayerChart:
    """Forest plot: odds ratios as points with CI lines on a log axis, a reference line at 1.

    ``table`` needs ``label, odds_ratio, or_low, or_high`` and optionally ``suppressed``
    (such rows are named, not drawn). Estimates above 1 are drawn in the first palette colour,
    below 1 in the second, so direction reads without the axis.
    """
    data = table.copy()
    data["suppressed"] = data.get("suppressed", False)
    data["suppressed"] = data["suppressed"].fillna(False).astype(bool)
    data["or_text"] = [
        SUPPRESSED if s else odds_ratio(o) for o, s in zip(data["odds_ratio"], data["suppressed"])
    ]
    data["ci_text"] = [
        "" if s else number_range(lo, hi)
        for lo, hi, s in zip(data["or_low"], data["or_high"], data["suppressed"])
    ]
    data["direction"] = ["Højere odds" if o >= 1 else "Lavere odds" for o in data["odds_ratio"]]
    order = list(data[label])
    shown = data[~data["suppressed"]]
    lo = float(min(shown["or_low"].min(), 1.0)) if len(shown) else 0.5
    hi = float(max(shown["or_high"].max(), 1.0)) if len(shown) else 2.0
    x_scale = alt.Scale(type="log", domain=[lo / 1.1, hi * 1.1], nice=False)
    ticks = log_ticks(lo / 1.1, hi * 1.1)
    y = alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=420))
    tooltip = [
        alt.Tooltip(f"{label}:N", title=" "),
        alt.Tooltip("or_text:N", title="Odds ratio"),
        alt.Tooltip("ci_text:N", title=ci_label(conf_level)),
    ]
    base = alt.Chart(data).encode(y=y)
    visible = base.transform_filter("!datum.suppressed")
    rules = visible.mark_rule(color="#222222", strokeWidth=2.5, strokeCap="butt").encode(
        x=alt.X(
            "or_low:Q",
            scale=x_scale,
            title=axis_title,
            axis=alt.Axis(values=ticks, format=",.2~f", labelOverlap="greedy"),
        ),
        x2="or_high:Q",
        tooltip=tooltip,
    )
    points = visible.mark_point(filled=True, size=70).encode(
        x=alt.X("odds_ratio:Q", scale=x_scale),
        color=alt.Color(
            "direction:N",
            title=None,
            scale=alt.Scale(domain=["Højere odds", "Lavere odds"], range=["#0072B2", "#D55E00"]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=tooltip,
    )
    one = (
        alt.Chart(pd.DataFrame({"x": [1.0]}))
        .mark_rule(color="#777777", strokeDash=[4, 3])
        .encode(x=alt.X("x:Q", scale=x_scale))
    )
    suppressed = (
        base.transform_filter("datum.suppressed")
        .mark_text(align="left", color="#444444", fontSize=12)
        .encode(x=alt.value(4), text="or_text:N")
    )
    return (one + rules + points + suppressed).properties(
        title=alt.Title(
            title,
            subtitle=with_key_line(
                subtitle, key_line(conf_level, "; stiplet linje: 1 = ingen sammenhæng")
            ),
        ),
        width=420,
        height=alt.Step(26),
        description=describe_odds_ratios(data, label, conf_level),
    )


def histogram_chart(
    table: pd.DataFrame,
    title: str,
    subtitle: str | list[str],
    x_title: str,
    y_title: str = "Andel af besvarelserne",
) -> alt.Chart:
    """Bars of a binned distribution: ``bin_start, bin_end, share, suppressed``.

    Bins are computed by the caller (so the downloadable table is the one drawn); a bin with
    too few respondents is flagged ``suppressed`` and drawn as an empty bin with a label.
    """
    data = table.copy()
    data["suppressed"] = data.get("suppressed", False)
    data["share_text"] = [
        SUPPRESSED if s else pct(v, 1) for v, s in zip(data["share"], data["suppressed"])
    ]
    data["range_text"] = [
        f"{number(a, 1)}–{number(b, 1)}" for a, b in zip(data["bin_start"], data["bin_end"])
    ]
    tooltip = [
        alt.Tooltip("range_text:N", title=x_title),
        alt.Tooltip("share_text:N", title=y_title),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="#ffffff", strokeWidth=0.5)
        .encode(
            x=alt.X("bin_start:Q", title=x_title, bin="binned"),
            x2="bin_end:Q",
            y=alt.Y("share:Q", title=pct_axis_title(y_title), axis=alt.Axis(**PCT_AXIS)),
            tooltip=tooltip,
        )
    )
    parts = "; ".join(f"{r}: {s}" for r, s in zip(data["range_text"], data["share_text"]))
    return bars.properties(
        title=alt.Title(title, subtitle=subtitle),
        width=480,
        height=220,
        description=f"{x_title}, andel af besvarelserne pr. interval: {parts}.",
    )


def claim_check_chart(
    table: pd.DataFrame,
    label: str,
    claim: str,
    title: str,
    subtitle: str | list[str],
    conf_level: float,
    claim_title: str = "Rapportens tal",
) -> alt.LayerChart:
    """Proportions with CIs (as :func:`proportion_chart`) plus a red tick at the level a
    report states (column ``claim``), so a reader sees at once whether the interval covers it.

    Why: the claims ledger checks published levels by "does the CI cover the report's number";
    this draws exactly that check. The text alternative states estimate, CI and claim per row.
    """
    chart = proportion_chart(table, label, title, subtitle, conf_level)
    data = table.copy()
    order = list(data[label])
    data["claim_text"] = [pct(c) if pd.notna(c) else "" for c in data[claim]]
    data["claim_mark"] = [f"{claim_title}: {t}" if t else "" for t in data["claim_text"]]
    marked = data[data[claim].notna()]  # rows without a published level get no mark
    y = alt.Y(f"{label}:N", sort=order, title=None)
    ticks = (
        alt.Chart(marked)
        .mark_tick(color="#c0392b", thickness=4, size=28, opacity=1)
        .encode(
            y=y,
            x=alt.X(f"{claim}:Q"),
            tooltip=[
                alt.Tooltip(f"{label}:N", title=" "),
                alt.Tooltip("claim_text:N", title=claim_title),
            ],
        )
    )
    # "Rapporten: 43 pct." written at the tick, so the mark reads without a legend
    words = (
        alt.Chart(marked)
        .mark_text(color="#c0392b", align="left", dx=4, dy=-13, fontSize=11)
        .encode(y=y, x=alt.X(f"{claim}:Q"), text="claim_mark:N")
    )
    parts = describe_proportions(table, label, conf_level).rstrip(".").split("; ")
    desc = "; ".join(
        f"{p}, {claim_title.lower()} {c}" if c else p for p, c in zip(parts, data["claim_text"])
    )
    chart.layer.extend([ticks, words])
    lines = chart.title.subtitle if isinstance(chart.title.subtitle, list) else []
    return chart.properties(
        description=desc + ".",
        title=alt.Title(
            chart.title.text, subtitle=lines + [f"Rød lodret streg: {claim_title.lower()}."]
        ),
    )
