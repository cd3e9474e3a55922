"""The front page (00_forside): the report's main results with this edition's status.

Glue cannot cross pages, so the front page computes its numbers itself, with the same checks
(:mod:`lederuddannelse.analysis.findings`) and the same status words as the ledger page
(:mod:`lederuddannelse.chapters.holder`). What a reader sees first, the book's key figures and
one overview chart, is made here too.
"""

from __future__ import annotations

import pandas as pd

from lederuddannelse.analysis import compare as cmp
from lederuddannelse.analysis.findings import Finding, evaluate, majority_phrase
from lederuddannelse.analysis.specs import F11_HIGH, F11_LOW, org_size_note
from lederuddannelse.chapters.shared import (
    ASSUMED_MARK,
    TRAINED_BY_DEFINITION,
    among_trained,
    estimate_with_kind,
    provenance,
    status,
)
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.targets import report_fact, report_figure
from lederuddannelse.report.charts import proportion_chart
from lederuddannelse.report.fmt import SUPPRESSED, number, pct
from lederuddannelse.report.keyfigures import KeyFigure, proportion_figure


def _point(r) -> str:
    """A share's point estimate for the running text ('27 pct.'), or the suppression mark:
    intervals and n stay in the table and the key figures, not in the sentences."""
    if r is None or bool(r["suppressed"]) or pd.isna(r["estimate"]):
        return SUPPRESSED
    return pct(r["estimate"])


def _pct_of(table: pd.DataFrame, row: int) -> str:
    return _point(table.iloc[row])


def _words(labels, last: str = " og ") -> str:
    """'a, b og c' (``last=" samt "`` where the items themselves contain 'og')."""
    labels = list(labels)
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + last + labels[-1]


def _here(ch, text: str, indicator: str, domain: str | None = None) -> str:
    """This edition's point estimate for the running text, after the report's words: 'her 80
    pct., antaget niveau' where the synthetic data were calibrated to a level this edition
    assumed (:func:`~lederuddannelse.chapters.shared.provenance`; the mark is explained once,
    under the key figures), else 'her 62 pct.'."""
    if provenance(ch, indicator, domain) == "calibrated":
        return f"her {text}, {ASSUMED_MARK}"
    return f"her {text}"


def glue_summary(ch, table: pd.DataFrame, prefix: str = "forside") -> dict[str, Finding]:
    """Glue the front page's plain-language summary of the report's six headings: point
    estimates only (``{prefix}_any``, ``{prefix}_managers``…), the report's own figures and
    words, and the industries the report names, in words from the codebook. Intervals,
    n and each finding's status go into :func:`findings_table`, not into the running text.

    Glue cannot cross pages, so the front page computes these itself, with the same functions
    as the ledger (:func:`~lederuddannelse.analysis.findings.evaluate`).
    """
    res = evaluate(ch)
    cb = load_codebook()
    glue = {
        "report_n": number(report_fact("respondents_over")),
        "report_any": report_figure("F1a"),
        "report_narrow": report_figure("F1b_narrow"),
        "report_broad": report_figure("F1b_broad"),
        "report_after2020": report_figure("F2"),
        "report_paid": report_figure("F4_paid"),
        "any": _pct_of(table, 0),
        "narrow": _pct_of(table, 1),
        "broad": _pct_of(table, 2),
        "after2020": _pct_of(table, 3),
        "after2020_majority": majority_phrase(table.iloc[3]),
        "paid": _here(ch, _pct_of(table, 4), "paid_by_workplace"),
        "unwilling": _here(ch, _pct_of(table, 5), "unwilling_to_pay"),
        "top_reasons": res["F3"].parts.get("top_names", SUPPRESSED),
        "f11_high": cmp.lower_first(cb.value_labels("industry")[F11_HIGH]),
        "f11_low": _words((cb.value_labels("industry")[k].lower() for k in F11_LOW), " samt "),
    }
    # hidden across the definitions' pages as on the chapters' pages (proportion_across)
    across = ch.design.proportion_across
    by_type = across(ch.trained, TRAINED_BY_DEFINITION, by="manager_type").set_index("manager_type")
    managers, employees = cmp.comparison_order("manager_type")
    for key, code in (("managers", managers), ("employees", employees)):
        glue[key] = _point(by_type.loc[code] if code in by_type.index else None)
    industry = across("trained_broad", TRAINED_BY_DEFINITION, by="industry").set_index("industry")
    share = _point(industry.loc[F11_HIGH] if F11_HIGH in industry.index else None)
    glue["f11_share"] = _here(ch, share, "trained_broad", f"industry == {F11_HIGH}")
    holds = sum(1 for f in res.values() if f.holds is True)
    glue["holds"] = number(holds)
    glue["total"] = number(len(res))
    glue["construction"] = (
        "De syntetiske data er bygget, så rapportens sammenhænge findes i dem; at fundene "
        "genfindes, viser kun, at beregningerne virker, og er ingen efterprøvning af rapporten."
        if ch.synthetic
        else "Det er en efterprøvning af rapporten på denne datafil."
    )
    for key, value in glue.items():
        ch.glue(f"{prefix}_{key}", value)
    return res


def findings_table(ch, res: dict[str, Finding]):
    """The front page's one table: each of the report's findings in the report's words, this
    edition's estimate with its interval and n (or test), and its status by the ledger's
    criteria. The running text above it carries no intervals and no finding codes."""
    from lederuddannelse.report.tables import plain_table

    rows = [
        {
            "Fund": fid,
            "Rapporten": f.statement,
            "Denne udgave (skøn, interval, antal svar)": estimate_with_kind(ch, f),
            "Holder?": status(f.holds),
        }
        for fid, f in res.items()
    ]
    return plain_table(
        pd.DataFrame(rows),
        # the mark »antaget niveau« is explained once, under the page's key figures
        caption="Rapportens fund, denne udgaves skøn og status efter kriterierne i "
        f"»Holder konklusionerne?«. Om F10: {org_size_note()}",
        uid="forside-fund",
    )


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
        ("Ledere med uddannelsen, der tog den efter 2020", design.proportion("after_2020")),
        (
            "Ledere med uddannelsen, der fik den betalt af arbejdspladsen",
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
            "af lederne med uddannelsen fik den betalt af arbejdspladsen",
            level,
            report=report_figure("F4_paid"),
            kind=provenance(ch, "paid_by_workplace"),
        ),
        KeyFigure(
            number(holds),
            f"af rapportens {number(total)} fund genfindes i de syntetiske data, der er bygget "
            "til at vise dem; det er ingen efterprøvning af rapporten"
            if ch.synthetic
            else f"af rapportens {number(total)} fund holder på denne datafil",
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
        subtitle=cmp.subtitle(ch, "Hovedtallene i denne udgave", table["n"].max()),
        conf_level=ch.params["conf_level"],
    )
    return chart
