"""The front page (00_forside): the report's main results with this edition's status.

Glue cannot cross pages, so the front page computes its numbers itself, with the same checks
(:mod:`lederuddannelse.analysis.findings`) and the same status words as the ledger page
(:mod:`lederuddannelse.chapters.holder`). What a reader sees first, the book's key figures and
one overview chart, is made here too.
"""

from __future__ import annotations

import pandas as pd

from lederuddannelse.analysis import compare as cmp
from lederuddannelse.analysis.findings import Finding, evaluate
from lederuddannelse.chapters.shared import among_trained, provenance, status
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.targets import report_fact, report_figure
from lederuddannelse.report.charts import proportion_chart
from lederuddannelse.report.fmt import SUPPRESSED, number, pct
from lederuddannelse.report.keyfigures import KeyFigure, proportion_figure

# What the front page shows: per finding, the named parts of its estimate it quotes (its status
# is always glued). Only these are glued, because every glued value must appear on the page.
FRONT_PAGE = {
    "F1a": ("share",),
    "F1b": ("narrow", "broad"),
    "F2": ("share",),
    "F3": ("top",),
    "F4": ("paid", "unwilling"),
    "F5": (),
    "F6": (),
    "F7": (),
    "F8": ("managers", "employees", "tr"),
    "F9": ("time",),
    "F10": (),
    "F11": ("public",),
    "F12": ("most", "least", "test"),
    "F13": ("not_relevant",),
    "F14": ("diff",),
}


def glue_summary(ch, prefix: str = "forside") -> dict[str, Finding]:
    """Glue the front page's main results (:data:`FRONT_PAGE`): per finding its status in
    lower case (``{prefix}_F1a_status``) and the named pieces of its estimate
    (``{prefix}_F1a_share``…), plus how many of all findings hold under the page's parameters.

    Glue cannot cross pages, so the front page computes these itself, with the same functions
    as the ledger.
    """
    res = evaluate(ch)
    for fid, keys in FRONT_PAGE.items():
        f = res[fid]
        ch.glue(f"{prefix}_{fid}_status", status(f.holds).lower())
        for key in keys:
            # a finding whose estimate is suppressed (or whose model cannot be fitted on this
            # file) has no parts: the page says so instead of failing
            ch.glue(f"{prefix}_{fid}_{key}", f.parts.get(key, SUPPRESSED))
    oks = [f.holds for f in res.values()]
    ch.glue(f"{prefix}_holds", number(sum(1 for h in oks if h is True)))
    desire = load_codebook().value_labels("desire")
    ch.glue(f"{prefix}_desire_low", f"»{list(desire.values())[0].lower()}«")
    ch.glue(f"{prefix}_desire_high", f"»{list(desire.values())[-1].lower()}«")
    ch.glue(f"{prefix}_total", number(len(oks)))
    ch.glue(
        f"{prefix}_construction",
        "På de syntetiske data følger det af, hvordan data er lavet: rapportens sammenhænge er "
        "bygget ind i dem, så tallet viser kun, at beregningerne genfinder dem, og er ingen "
        "efterprøvning af rapporten."
        if ch.synthetic
        else "Tallet er en efterprøvning af rapporten på denne datafil.",
    )
    ch.glue(f"{prefix}_report_n", number(report_fact("respondents_over")))
    ch.glue(f"{prefix}_report_any", report_figure("F1a"))
    return res


def overview(ch) -> pd.DataFrame:
    """The book's main shares in one table (one row each, with CI and n): trained under each
    definition, after 2020 among the trained, paid by the workplace, unwilling to pay oneself.

    The same estimates as the prevalence chapter's, computed here: glue cannot cross pages, and
    the front page imports no other chapter's module."""
    design = ch.design
    paid = among_trained(ch, "paid_by_workplace")
    rows = [
        ("Har taget uddannelsen (samlet)", design.proportion("trained_any")),
        ("… med psykisk arbejdsmiljø som hovedindhold", design.proportion("trained_narrow")),
        ("… med psykisk arbejdsmiljø som en del", design.proportion("trained_broad")),
        ("Af de uddannede: tog den efter 2020", design.proportion("after_2020")),
        (
            "Af de uddannede: betalt af arbejdspladsen",
            paid.proportion("paid_by_workplace__trained"),
        ),
        ("Vil ikke selv betale for den", design.proportion("unwilling_to_pay")),
    ]
    cols = ["estimate", "se", "ci_low", "ci_high", "n", "suppressed"]
    return pd.DataFrame(
        [{"label": label, **{c: r.iloc[0].get(c) for c in cols}} for label, r in rows]
    )


def key_figures(ch, table: pd.DataFrame, holds: int, total: int) -> list:
    """The book's key figures: share trained (samlet and narrow), paid by the workplace, and
    how many of the report's findings hold in this edition."""
    level = ch.params["conf_level"]
    t = table.set_index("label")
    return [
        proportion_figure(
            t.iloc[0],
            "af lederne har taget en lederuddannelse i psykisk arbejdsmiljø",
            level,
            report=report_figure("F1a"),
            kind="computed",
        ),
        proportion_figure(
            t.iloc[1],
            "har taget en, hvor det var hovedindholdet",
            level,
            report=report_figure("F1b_narrow"),
            kind="computed",
        ),
        proportion_figure(
            t.iloc[4],
            "af de uddannede fik den betalt af arbejdspladsen",
            level,
            report=report_figure("F4_paid"),
            kind=provenance(ch, "paid_by_workplace"),
        ),
        KeyFigure(
            f"{number(holds)} af {number(total)}",
            "af rapportens fund genfindes i de syntetiske data, der er bygget til at vise dem "
            "(ingen efterprøvning af rapporten)"
            if ch.synthetic
            else "fund i rapporten holder på denne datafil",
            href="holder-alle.html",
        ),
    ]


def overview_chart(ch, table: pd.DataFrame):
    """The front page's one chart: the main shares (:func:`overview`) with their intervals."""
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
    return chart
