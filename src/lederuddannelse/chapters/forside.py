"""The front page: the book's key figures and one overview chart, for readers who read no
further. The findings' text is glued by :func:`lederuddannelse.analysis.findings.glue_summary`;
this module adds what a reader sees first."""

from __future__ import annotations

import pandas as pd

from lederuddannelse.analysis import compare as cmp
from lederuddannelse.chapters import udbredelse
from lederuddannelse.report.charts import proportion_chart
from lederuddannelse.report.fmt import number, pct
from lederuddannelse.report.keyfigures import KeyFigure, proportion_figure


def overview(ch) -> pd.DataFrame:
    """The book's main shares in one table (one row each, with CI and n): trained under each
    definition, after 2020 among the trained, paid by the workplace, unwilling to pay oneself."""
    res = udbredelse.compute(ch)
    w = res.willing.set_index("key")
    rows = [
        ("Har taget uddannelsen (samlet)", udbredelse._row(res.by_definition, "any")),
        (
            "… med psykisk arbejdsmiljø som hovedindhold",
            udbredelse._row(res.by_definition, "narrow"),
        ),
        ("… med psykisk arbejdsmiljø som en del", udbredelse._row(res.by_definition, "broad")),
        ("Af de uddannede: tog den efter 2020", res.after_2020.iloc[0]),
        ("Af de uddannede: betalt af arbejdspladsen", res.paid_workplace.iloc[0]),
        ("Vil ikke selv betale for den", w.loc["unwilling"]),
    ]
    cols = ["estimate", "se", "ci_low", "ci_high", "n", "suppressed"]
    return pd.DataFrame([{"label": label, **{c: r.get(c) for c in cols}} for label, r in rows])


def key_figures(ch, table: pd.DataFrame, holds: int, total: int) -> list:
    """The book's key figures: share trained (samlet and narrow), paid by the workplace, and
    how many of the report's findings hold in this edition."""
    level = ch.params["conf_level"]
    t = table.set_index("label")
    return [
        proportion_figure(
            t.iloc[0], "af lederne har taget en lederuddannelse i psykisk arbejdsmiljø", level
        ),
        proportion_figure(t.iloc[1], "har taget en, hvor det var hovedindholdet", level),
        proportion_figure(t.iloc[4], "af de uddannede fik den betalt af arbejdspladsen", level),
        KeyFigure(
            f"{number(holds)} af {number(total)}",
            "af rapportens fund holder i denne udgave",
            href="holder-alle.html",
        ),
    ]


def overview_chart(ch, table: pd.DataFrame) -> None:
    """The front page's one chart: the main shares with their intervals; glued as
    fig_forside_overblik."""
    head = table.iloc[0]
    chart = proportion_chart(
        table,
        label="label",
        title=cmp.wrap(
            f"{pct(head['estimate'])} af lederne har taget en lederuddannelse i psykisk "
            "arbejdsmiljø",
            50,
        ),
        subtitle=cmp.subtitle(ch, "Bogens hovedtal", table["n"].max()),
        conf_level=ch.params["conf_level"],
    )
    ch.glue("fig_forside_overblik", chart)


def ledger_figures(ch, ledger: pd.DataFrame) -> list:
    """The claims ledger's key figures: how many findings hold, do not hold, and cannot be
    decided with this edition's parameters."""
    from lederuddannelse.analysis.findings import counts

    c = counts(ledger)
    of = f" af {number(c['total'])} fund"
    return [
        KeyFigure(number(c["holds"]), "holder" + of),
        KeyFigure(number(c["fails"]), "holder ikke" + of),
        KeyFigure(number(c["undecided"]), "kan ikke afgøres med disse data" + of),
    ]
