"""The prevalence chapter (findings F1a, F1b, F2, F4, F11): shares trained, by definition and
timing; who paid and willingness to pay oneself; the share trained by industry."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lederuddannelse.analysis.compare import glue_share, lower_first, subtitle, wrap
from lederuddannelse.analysis.findings import CLEAR_MAJORITY, majority_phrase, report_level
from lederuddannelse.chapters.shared import (
    DEFINITE,
    DEFINITIONS,
    TRAINED_BY_DEFINITION,
    across_definitions,
    among_trained,
    definition_phrase,
    industry_assumed_mark,
    industry_assumed_note,
    provenance,
    short_label,
    the_definition,
)
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.derive import UNWILLING_CODES
from lederuddannelse.data.targets import report_figure
from lederuddannelse.report.charts import claim_check_chart, proportion_chart
from lederuddannelse.report.fmt import SUPPRESSED, pct, share, share_ci
from lederuddannelse.report.tables import estimates_table
from lederuddannelse.variants import definition_pages


@dataclass
class Prevalence:
    """The chapter's estimates, labelled for its charts, tables and prose."""

    by_definition: pd.DataFrame  # one row per definition: estimate, CI, n, ...
    after_2020: pd.DataFrame  # one row: share after 2020 among the trained
    # F4: who paid (among the trained) and willingness to pay oneself (all who answered)
    paid_by: pd.DataFrame  # who paid, among the trained (page's definition)
    paid_workplace: pd.DataFrame  # one row: paid by the workplace
    pay_self: pd.DataFrame  # would take it if paying oneself: Ja/Nej/Ved ikke
    willing: pd.DataFrame  # one row per key 'willing'/'unwilling'
    by_industry: pd.DataFrame  # F11: ch.trained by industry, largest share first


def prevalence(
    shares: pd.DataFrame,
    after_2020: pd.DataFrame,
    paid_by: pd.DataFrame,
    paid_workplace: pd.DataFrame,
    pay_self: pd.DataFrame,
    willing: pd.DataFrame,
    by_industry: pd.DataFrame,
) -> Prevalence:
    """The page's estimates, as its cells compute them with the design, labelled: ``shares``
    (``proportion`` of ``trained_any``, ``trained_narrow``, ``trained_broad``), ``after_2020``,
    ``paid_by`` (``distribution`` of ``paid_by__trained``, an answer hidden under one definition
    hidden under all: ``across_definitions``), ``paid_workplace``, ``pay_self``
    (``distribution``), ``willing`` (``proportion`` of ``willing_to_pay`` and
    ``unwilling_to_pay``) and ``by_industry`` (``proportion_across`` of ``ch.trained`` by
    industry, protected with the other definitions' breakdowns)."""
    cb = load_codebook()
    after = after_2020.copy()
    after.insert(0, "definition", cb.label("after_2020"))
    workplace = paid_workplace.copy()
    workplace.insert(0, "label", cb.label("paid_by_workplace"))
    return Prevalence(
        by_definition(shares),
        after,
        labelled_categories(paid_by, "paid_by"),
        workplace,
        labelled_categories(pay_self, "pay_self"),
        by_willingness(willing),
        by_industry_ranked(by_industry),
    )


def compute(ch) -> Prevalence:
    """Every estimate of the page in one call, as its cells compute them (for tests and for
    reuse outside the book)."""
    design = ch.design
    trained = among_trained(ch, "paid_by", "paid_by_workplace")
    return prevalence(
        pd.concat([design.proportion(f"trained_{d}") for d in DEFINITIONS]),
        design.proportion("after_2020"),
        across_definitions(ch, lambda t: t.distribution("paid_by__trained"), "paid_by"),
        trained.proportion("paid_by_workplace__trained"),
        design.distribution("pay_self"),
        pd.concat([design.proportion(v) for v in ("willing_to_pay", "unwilling_to_pay")]),
        design.proportion_across(ch.trained, TRAINED_BY_DEFINITION, by="industry"),
    )


def by_definition(shares: pd.DataFrame) -> pd.DataFrame:
    """The shares trained under each definition with their ``key`` (any, narrow, broad) and
    ``definition`` (the label's part that differs), in the order given."""
    cb = load_codebook()
    out = shares.reset_index(drop=True)
    out.insert(0, "definition", [short_label(cb.label(v)) for v in out["variable"]])
    out.insert(0, "key", [v.removeprefix("trained_") for v in out["variable"]])
    return out


def labelled_categories(dist: pd.DataFrame, var: str) -> pd.DataFrame:
    """A distribution of ``var`` with its categories' labels (codebook) in ``label``."""
    out = dist.reset_index(drop=True)
    out.insert(0, "label", out["category"].map(load_codebook().value_labels(var)))
    return out


def by_willingness(willing: pd.DataFrame) -> pd.DataFrame:
    """The shares willing / unwilling to pay oneself, keyed 'willing' and 'unwilling'."""
    cb = load_codebook()
    out = willing.reset_index(drop=True)
    out.insert(0, "label", [cb.label(v) for v in out["variable"]])
    out.insert(0, "key", [v.removesuffix("_to_pay") for v in out["variable"]])
    return out


def by_industry_ranked(by_industry: pd.DataFrame) -> pd.DataFrame:
    """F11: the share trained in each industry (DB07, 10 groups) with its label, ordered from
    the largest share to the smallest; suppressed industries last."""
    cb = load_codebook()
    t = by_industry.copy()
    t.insert(0, "label", t["industry"].map(cb.value_labels("industry")))
    t["_key"] = t["estimate"].fillna(-1.0)
    return (
        t.sort_values("_key", ascending=False, kind="stable")
        .drop(columns="_key")
        .reset_index(drop=True)
    )


def _row(frame: pd.DataFrame, key: str | None = None) -> pd.Series:
    return frame.set_index("key").loc[key] if key else frame.iloc[0]


def glue_all(ch, res: Prevalence) -> None:
    """Glue every number the prose uses, Danish-formatted, with CI and n."""
    for d in DEFINITIONS:
        glue_share(ch, f"udbredelse_{d}", _row(res.by_definition, d))
    glue_share(ch, "udbredelse_after2020", _row(res.after_2020))
    ch.glue("udbredelse_after2020_majority", majority_phrase(_row(res.after_2020)))
    for key in ("any", "narrow", "broad", "after_2020"):  # the report's published figures
        ch.glue(f"udbredelse_report_{key}", pct(report_level(key)))
    glue_payment(ch, res)
    glue_industry(ch, res)


def glue_payment(ch, res: Prevalence) -> None:
    """Glue F4's numbers that the prose shows: paid by the workplace, willing/unwilling to pay
    (the other payers are in the figure; a glued value must reach the page)."""
    glue_share(ch, "udbredelse_paid_workplace", res.paid_workplace.iloc[0])
    ch.glue("udbredelse_paid_majority", majority_phrase(res.paid_workplace.iloc[0], CLEAR_MAJORITY))
    ch.glue("udbredelse_paid_report", f"»{report_figure('F4_paid')}«")
    ch.glue(
        "udbredelse_paid_assumed",
        f"Rapporten siger kun »{report_figure('F4_paid')}«, så tallet her hviler på et "
        "antaget niveau."
        if provenance(ch, "paid_by_workplace") == "calibrated"
        else f"Rapporten siger kun »{report_figure('F4_paid')}«.",
    )
    ch.glue("udbredelse_unwilling_report", f"»{report_figure('F4_unwilling')}«")
    ch.glue(
        "udbredelse_assumed_note",
        "Rapporten giver heller ikke tal for, hvor mange der vil eller ikke vil betale selv, så "
        "også de to andele hviler på et antaget niveau."
        if ch.synthetic
        else "Rapporten giver ingen tal for de to andele, kun ordene.",
    )
    w = res.willing.set_index("key")
    glue_share(ch, "udbredelse_willing", w.loc["willing"])
    glue_share(ch, "udbredelse_unwilling", w.loc["unwilling"])
    ch.glue("udbredelse_unwilling_majority", majority_phrase(w.loc["unwilling"]))
    ch.glue("udbredelse_definition", the_definition(ch))


def glue_industry(ch, res: Prevalence) -> None:
    """Glue F11's numbers: the industry with the largest share and the three with the smallest."""
    shown = res.by_industry[~res.by_industry["suppressed"].astype(bool)]
    if len(shown) < 2:  # too few industries to name the highest and lowest
        for name in (
            "udbredelse_industry_top",
            "udbredelse_industry_top_share",
            "udbredelse_industry_top_share_ci",
            "udbredelse_industry_low",
        ):
            ch.glue(name, SUPPRESSED)
        return
    top = shown.iloc[0]
    ch.glue("udbredelse_industry_top", lower_first(top["label"]))
    glue_share(ch, "udbredelse_industry_top_share", top)
    low = shown.iloc[1:].iloc[::-1].head(3)
    level = ch.params["conf_level"]
    names = [
        f"{lower_first(r['label'])} ({share(r)}, {share_ci(r, level)})" for _, r in low.iterrows()
    ]
    # "X (…), dernæst Y (…) og Z (…)": each name carries its own parenthesis with commas, so a
    # plain comma list would not read as a list
    text = names[0]
    if len(names) > 1:
        text += ", dernæst " + " og ".join(names[1:])
    ch.glue("udbredelse_industry_low", text)
    ch.glue("udbredelse_industry_assumed", industry_assumed_note(ch))
    ch.glue(
        "udbredelse_broad_pointer",
        "Rapportens ord om brancherne gælder den brede definition, som tallene her bruger."
        if ch.params["definition"] == "broad"
        else "Rapportens ord om brancherne gælder den brede definition; tallene efter den står "
        "på siden om den brede definition (»Bred« øverst på siden)."
        if definition_pages("udbredelse")
        else "Efterprøvningen (Holder konklusionerne?) afgør F11 under den brede definition, med "
        "andelen for hver af de nævnte brancher.",
    )


def definition_chart(ch, shares: pd.DataFrame):
    """Figure (F1a, F1b): the share trained under each definition (``shares``: one
    ``proportion`` per ``trained_*`` column), with CIs and the report's levels as ticks."""
    defs = by_definition(shares)
    any_ = _row(defs, "any")
    table = defs.assign(rapporten=[report_level(k) for k in defs["key"]])
    chart = claim_check_chart(
        table,
        label="definition",
        claim="rapporten",
        claim_title="Rapporten",
        title=(
            f"{pct(any_['estimate'])} af lederne har taget en lederuddannelse i psykisk "
            "arbejdsmiljø"
        ),
        subtitle=subtitle(ch, "Andel efter definition", any_["n"]),
        conf_level=ch.params["conf_level"],
    )
    return chart


def table(ch, shares: pd.DataFrame, after_2020: pd.DataFrame):
    """Table: the shares trained under each definition and the share trained after 2020, with
    CI and n."""
    after = after_2020.copy()
    after.insert(
        0, "definition", load_codebook().label("after_2020") + " (blandt dem, der har taget den)"
    )
    rows = by_definition(shares).drop(columns="key")
    # each row reads on from the column's heading: 'har taget uddannelsen efter den smalle …'
    rows["definition"] = [
        f"Har taget uddannelsen efter den {DEFINITE[k]} definition"
        for k in (v.removeprefix("trained_") for v in rows["variable"])
    ]
    frame = pd.concat([rows, after], ignore_index=True)
    return estimates_table(
        frame,
        "definition",
        "Andel, der …",
        ch.params["conf_level"],
        caption="Udbredelse af lederuddannelse i psykisk arbejdsmiljø",
        uid="udbredelse-estimater",
    )


def payment_chart(ch, paid_by: pd.DataFrame, paid_workplace: pd.DataFrame):
    """Figure (F4): who paid for the training (``paid_by``: the ``distribution`` among the
    trained), headed by the share paid by the workplace."""
    paid = labelled_categories(paid_by, "paid_by")
    w = paid_workplace.iloc[0]
    head = (
        f"{pct(w['estimate'])} fik uddannelsen betalt af arbejdspladsen"
        if not w["suppressed"]
        else "Hvem betalte for uddannelsen"
    )
    chart = proportion_chart(
        paid,
        label="label",
        title=head,
        subtitle=subtitle(
            ch,
            f"Blandt ledere, der har taget uddannelsen ({definition_phrase(ch)})",
            paid["n"].max(),
            indicators=["paid_by"],
        ),
        conf_level=ch.params["conf_level"],
    )
    return chart


def pay_self_chart(ch, pay_self: pd.DataFrame, willing: pd.DataFrame):
    """Figure (F4): would the manager take the training if paying oneself (``pay_self``: the
    ``distribution`` of the answers), headed by the share unwilling (from ``willing``)."""
    answers = labelled_categories(pay_self, "pay_self")
    u = by_willingness(willing).set_index("key").loc["unwilling"]
    cb = load_codebook()
    head = (
        f"{pct(u['estimate'])} vil ikke tage uddannelsen, hvis de selv skal betale"
        if not u["suppressed"]
        else cb.label("pay_self")
    )
    chart = proportion_chart(
        answers,
        label="label",
        title=head,
        subtitle=subtitle(
            ch,
            f"{cb.label('pay_self')}: svar fra alle ledere, der har svaret",
            answers["n"].max(),
            indicators=["pay_self"],
        ),
        conf_level=ch.params["conf_level"],
    )
    return chart


def industry_chart(ch, by_industry: pd.DataFrame):
    """Figure (F11): the share trained by industry (``proportion(ch.trained, by="industry")``),
    largest first."""
    ranked = by_industry_ranked(by_industry)
    shown = ranked[~ranked["suppressed"].astype(bool)]
    title = (
        wrap(
            f"Flest med uddannelsen i {lower_first(shown.iloc[0]['label'])}: "
            f"{pct(shown.iloc[0]['estimate'])}",
            55,
        )
        if len(shown)
        else load_codebook().label("industry")
    )
    chart = (
        proportion_chart(
            ranked,
            label="label",
            title=title,
            subtitle=subtitle(
                ch,
                (
                    f"Andel, der har taget uddannelsen ({definition_phrase(ch)}), efter branche "
                    + industry_assumed_mark(ch)
                ).rstrip(),
                ranked["n"].sum(),
            ),
            conf_level=ch.params["conf_level"],
        )
        .properties(width=260)
        .configure_axisY(labelLimit=370)
    )  # long industry names, shown whole
    return chart


def industry_table(ch, by_industry: pd.DataFrame):
    """Table (F11): the share trained by industry, largest first, with CI and n."""
    return estimates_table(
        by_industry_ranked(by_industry),
        "label",
        load_codebook().label("industry"),
        ch.params["conf_level"],
        caption=(
            "Andel, der har taget lederuddannelse i psykisk arbejdsmiljø "
            f"({definition_phrase(ch)}), efter branche {industry_assumed_mark(ch)}".rstrip()
        ),
        uid="udbredelse-branche",
    )


def key_figures(
    ch, shares: pd.DataFrame, paid_workplace: pd.DataFrame, pay_self: pd.DataFrame
) -> list:
    """The chapter's opening numbers: trained (any, narrow: ``shares``), paid by the workplace
    (among the trained), unwilling to pay oneself (the answer 'no' in the ``distribution`` of
    ``pay_self``: the same estimate as ``proportion("unwilling_to_pay")``); each with its
    interval and n."""
    from lederuddannelse.report.keyfigures import proportion_figure

    level = ch.params["conf_level"]
    defs = by_definition(shares)
    return [
        proportion_figure(
            _row(defs, "any"),
            "af lederne har taget en lederuddannelse i psykisk arbejdsmiljø (samlet)",
            level,
            report=report_figure("F1a"),
            kind="computed",
        ),
        proportion_figure(
            _row(defs, "narrow"),
            "har taget en, hvor psykisk arbejdsmiljø var hovedindholdet",
            level,
            report=report_figure("F1b_narrow"),
            kind="computed",
        ),
        proportion_figure(
            paid_workplace.iloc[0],
            "af lederne med uddannelsen fik den betalt af arbejdspladsen",
            level,
            report=report_figure("F4_paid"),
            kind=provenance(ch, "paid_by_workplace"),
        ),
        proportion_figure(
            pay_self[pay_self["category"].isin(UNWILLING_CODES)].iloc[0],
            "af alle ledere vil ikke tage den, hvis de selv skal betale",
            level,
            report=report_figure("F4_unwilling"),
            kind=provenance(ch, "unwilling_to_pay"),
        ),
    ]
