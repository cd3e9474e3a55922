"""Chart builders: every figure of the book is made here, from an estimates table.

Each builder takes a tidy table from the statistics layer (estimate, ci_low, ci_high, n,
suppressed), draws the estimate with its confidence interval, labels suppressed rows as such
instead of drawing them, and sets a text alternative (`description`, which becomes the
chart's ARIA label) that states the numbers in Danish.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from lederuddannelse.fmt import number, pct

SUPPRESSED_LABEL = "undertrykt (for få svar)"


def describe_proportions(table: pd.DataFrame, label: str, conf_level: float) -> str:
    """A Danish text alternative listing each row's estimate and interval."""
    parts = []
    for _, row in table.iterrows():
        if row.get("suppressed", False):
            parts.append(f"{row[label]}: {SUPPRESSED_LABEL}")
        else:
            parts.append(
                f"{row[label]}: {pct(row['estimate'])} "
                f"({number(100 * conf_level)} %-KI {pct(row['ci_low'], suffix='')}–{pct(row['ci_high'])})"
            )
    return "; ".join(parts) + "."


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
    data = table.copy()
    data["suppressed"] = data.get("suppressed", False)
    data["estimate_text"] = [
        SUPPRESSED_LABEL if s else pct(e) for e, s in zip(data["estimate"], data["suppressed"])
    ]
    data["ci_text"] = [
        "" if s else f"{pct(lo, suffix='')}–{pct(hi)}"
        for lo, hi, s in zip(data["ci_low"], data["ci_high"], data["suppressed"])
    ]
    data["n_text"] = [number(n) for n in data["n"]]
    order = list(data[label])
    y = alt.Y(f"{label}:N", sort=order, title=None)
    tooltip = [
        alt.Tooltip(f"{label}:N", title=" "),
        alt.Tooltip("estimate_text:N", title="Andel"),
        alt.Tooltip("ci_text:N", title=f"{number(100 * conf_level)} %-KI"),
        alt.Tooltip("n_text:N", title="Antal svar"),
    ]
    x_scale = alt.Scale(domain=[0, 1])
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(**({"color": color} if color else {})).encode(
        x=alt.X("estimate:Q", title=axis_title, axis=alt.Axis(format=".0%"), scale=x_scale),
        tooltip=tooltip,
    )
    whiskers = base.mark_rule(color="#222222", strokeWidth=1.5).encode(
        x="ci_low:Q", x2="ci_high:Q", tooltip=tooltip
    )
    text = base.mark_text(align="left", dx=6, color="#222222", fontSize=12).encode(
        x=alt.X("ci_high:Q"), text="estimate_text:N"
    )
    suppressed = base.transform_filter("datum.suppressed").mark_text(
        align="left", dx=4, color="#444444", fontSize=12
    ).encode(x=alt.value(0), text="estimate_text:N")
    return (
        (bars + whiskers + text + suppressed)
        .properties(
            title=alt.Title(title, subtitle=subtitle),
            width=480,
            height=alt.Step(34),
            description=describe_proportions(data, label, conf_level),
        )
    )
