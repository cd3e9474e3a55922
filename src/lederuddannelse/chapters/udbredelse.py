"""The prevalence chapter (findings F1a, F1b, F2, F4, F11): shares trained, by definition and
timing; who paid and willingness to pay oneself; the share trained by industry."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lederuddannelse.analysis.compare import (
    glue_share,
    lower_first,
    restricted_columns,
    subtitle,
    trained_mask,
    wrap,
)
from lederuddannelse.analysis.findings import report_level
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.targets import report_figure
from lederuddannelse.params import DEFINITION_WORDS, definition_pages
from lederuddannelse.report.charts import claim_check_chart, proportion_chart
from lederuddannelse.report.fmt import SUPPRESSED, pct, share, share_ci
from lederuddannelse.report.tables import estimates_table

DEFINITIONS = ("any", "narrow", "broad")


@dataclass
class Prevalence:
    by_definition: pd.DataFrame  # one row per definition: estimate, CI, n, ...
    after_2020: pd.DataFrame  # one row: share after 2020 among the trained
    # F4: who paid (among the trained) and willingness to pay oneself (all who answered)
    paid_by: pd.DataFrame  # who paid, among the trained (page's definition)
    paid_workplace: pd.DataFrame  # one row: paid by the workplace
    pay_self: pd.DataFrame  # would take it if paying oneself: Ja/Nej/Ved ikke
    willing: pd.DataFrame  # one row per key 'willing'/'unwilling'
    by_industry: pd.DataFrame  # F11: ch.trained by industry, largest share first


def compute(ch) -> Prevalence:
    """Estimate F1a (any), F1b (narrow, broad), F2 (after 2020 among the trained), F4 and F11."""
    cb = load_codebook()
    rows = []
    for d in DEFINITIONS:
        est = ch.design.proportion(f"trained_{d}")
        est.insert(0, "definition", short_label(cb.label(f"trained_{d}")))
        est.insert(0, "key", d)
        rows.append(est)
    by_def = pd.concat(rows, ignore_index=True)
    after = ch.design.proportion("after_2020")
    after.insert(0, "definition", cb.label("after_2020"))
    return Prevalence(by_def, after, *compute_payment(ch), compute_industry(ch))


def compute_payment(ch) -> tuple[pd.DataFrame, ...]:
    """F4: who paid (among those trained under the page's definition) and whether managers
    would take the training if they had to pay themselves (all managers who answered).

    Why the page's definition: the payment question was put to everybody trained; restricting
    it to ``ch.trained`` lets the narrow/broad robustness runs show whether the answer differs
    by kind of training. Under the default (any) the domain is exactly the question's routing.
    Returns the frames in the order of :class:`Prevalence`: paid_by, paid_workplace, pay_self,
    willing.
    """
    cb = load_codebook()
    derived = restricted_columns(
        ch.data, ("paid_by", "paid_by_workplace"), trained_mask(ch), "trained"
    )
    design = ch.design.with_columns(derived)
    paid_col, workplace_col = derived
    paid = design.distribution(paid_col)
    paid.insert(0, "label", paid["category"].map(cb.value_labels("paid_by")))
    workplace = design.proportion(workplace_col)
    workplace.insert(0, "label", cb.label("paid_by_workplace"))
    pay = ch.design.distribution("pay_self")
    pay.insert(0, "label", pay["category"].map(cb.value_labels("pay_self")))
    rows = []
    for key, var in (("willing", "willing_to_pay"), ("unwilling", "unwilling_to_pay")):
        est = ch.design.proportion(var)
        est.insert(0, "label", cb.label(var))
        est.insert(0, "key", key)
        rows.append(est)
    return paid, workplace, pay, pd.concat(rows, ignore_index=True)


def compute_industry(ch) -> pd.DataFrame:
    """F11: the share trained (page's definition) in each industry (DB07, 10 groups), ordered
    from the largest share to the smallest; suppressed industries last."""
    cb = load_codebook()
    # the pages of the other definitions publish the same breakdown: any = narrow + broad
    related = [f"trained_{d}" for d in DEFINITION_WORDS]
    t = ch.design.proportion_across(ch.trained, related, by="industry")
    t.insert(0, "label", t["industry"].map(cb.value_labels("industry")))
    t["_key"] = t["estimate"].fillna(-1.0)
    return (
        t.sort_values("_key", ascending=False, kind="stable")
        .drop(columns="_key")
        .reset_index(drop=True)
    )


def short_label(label: str) -> str:
    """'Har taget … (smal definition)' -> 'Smal definition': the part that differs."""
    if label.endswith(")") and "(" in label:
        inner = label[label.rindex("(") + 1 : -1]
        return inner[:1].upper() + inner[1:]
    return label


def _row(frame: pd.DataFrame, key: str | None = None) -> pd.Series:
    return frame.set_index("key").loc[key] if key else frame.iloc[0]


def glue_all(ch, res: Prevalence) -> None:
    """Glue every number the prose uses, Danish-formatted, with CI and n."""
    for d in DEFINITIONS:
        glue_share(ch, f"udbredelse_{d}", _row(res.by_definition, d))
    glue_share(ch, "udbredelse_after2020", _row(res.after_2020))
    for key in ("any", "narrow", "broad", "after_2020"):  # the report's published figures
        ch.glue(f"udbredelse_report_{key}", pct(report_level(key)))
    glue_payment(ch, res)
    glue_industry(ch, res)


def _majority(row) -> str:
    """A phrase that follows the CI: a majority only when the whole interval is above one half."""
    if bool(row.get("suppressed", False)) or pd.isna(row["estimate"]):
        return "ikke til at afgøre (for få svar)"
    if row["ci_low"] > 0.5:
        return "et klart flertal (hele konfidensintervallet ligger over halvdelen)"
    if row["ci_high"] < 0.5:
        return "et mindretal (hele konfidensintervallet ligger under halvdelen)"
    return "ikke klart et flertal (konfidensintervallet omfatter halvdelen)"


def definition_phrase(ch) -> str:
    """The page's definition in words for prose: 'samlet', 'smal definition', ..."""
    return short_label(load_codebook().label(ch.trained)).lower()


def glue_payment(ch, res: Prevalence) -> None:
    """Glue F4's numbers that the prose shows: paid by the workplace, willing/unwilling to pay
    (the other payers are in the figure; a glued value must reach the page)."""
    glue_share(ch, "udbredelse_paid_workplace", res.paid_workplace.iloc[0])
    ch.glue("udbredelse_paid_majority", _majority(res.paid_workplace.iloc[0]))
    ch.glue("udbredelse_paid_report", f"»{report_figure('F4_paid')}«")
    ch.glue("udbredelse_unwilling_report", f"»{report_figure('F4_unwilling')}«")
    ch.glue(
        "udbredelse_assumed_note",
        "Rapporten giver ingen tal for de to andele; de syntetiske data har her et niveau, som "
        "denne udgave har antaget (se Om undersøgelsen), så tallene ovenfor er ikke rapportens."
        if ch.synthetic
        else "Rapporten giver ingen tal for de to andele, kun ordene.",
    )
    w = res.willing.set_index("key")
    glue_share(ch, "udbredelse_willing", w.loc["willing"])
    glue_share(ch, "udbredelse_unwilling", w.loc["unwilling"])
    ch.glue("udbredelse_unwilling_majority", _majority(w.loc["unwilling"]))
    ch.glue("udbredelse_definition", definition_phrase(ch))


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
    ch.glue(
        "udbredelse_broad_pointer",
        "Denne side viser netop den brede definition, så tallene kan sammenlignes direkte med "
        "rapportens."
        if ch.params["definition"] == "broad"
        else "Sammenligningen med rapportens tal står på siden med den brede definition "
        "(vælg »Bred« øverst på siden)."
        if definition_pages("udbredelse")
        else "Regnskabet (Holder konklusionerne?) afgør F11 under den brede definition, med "
        "andelen for hver af de nævnte brancher.",
    )


def definition_chart(ch, res: Prevalence) -> None:
    """Figure: share trained under each definition, with CIs; glued, not shown, so that
    the `{glue:figure}` in the prose places it with its number and caption."""
    any_ = _row(res.by_definition, "any")
    table = res.by_definition.assign(rapporten=[report_level(k) for k in res.by_definition["key"]])
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
    ch.glue("fig_udbredelse_definition", chart)


def table(ch, res: Prevalence):
    """Table: all estimates of the chapter, with CI and n."""
    frame = pd.concat([res.by_definition.drop(columns="key"), res.after_2020], ignore_index=True)
    return estimates_table(
        frame,
        "definition",
        "Andel, der …",
        ch.params["conf_level"],
        caption="Udbredelse af lederuddannelse i psykisk arbejdsmiljø",
        uid="udbredelse-estimater",
    )


def payment_chart(ch, res: Prevalence) -> None:
    """Figure (F4): who paid for the training, among the trained.

    Glued as fig_udbredelse_betaling."""
    w = res.paid_workplace.iloc[0]
    head = (
        f"{pct(w['estimate'])} fik uddannelsen betalt af arbejdspladsen"
        if not w["suppressed"]
        else "Hvem betalte for uddannelsen"
    )
    chart = proportion_chart(
        res.paid_by,
        label="label",
        title=head,
        subtitle=subtitle(
            ch,
            f"Blandt ledere, der har taget uddannelsen ({definition_phrase(ch)})",
            res.paid_by["n"].max(),
        ),
        conf_level=ch.params["conf_level"],
    )
    ch.glue("fig_udbredelse_betaling", chart)


def pay_self_chart(ch, res: Prevalence) -> None:
    """Figure (F4): would the manager take the training if paying oneself; glued as
    fig_udbredelse_selvbetaling."""
    u = res.willing.set_index("key").loc["unwilling"]
    cb = load_codebook()
    head = (
        f"{pct(u['estimate'])} vil ikke tage uddannelsen, hvis de selv skal betale"
        if not u["suppressed"]
        else cb.label("pay_self")
    )
    chart = proportion_chart(
        res.pay_self,
        label="label",
        title=head,
        subtitle=subtitle(
            ch,
            f"{cb.label('pay_self')}: svar fra alle ledere, der har svaret",
            res.pay_self["n"].max(),
        ),
        conf_level=ch.params["conf_level"],
    )
    ch.glue("fig_udbredelse_selvbetaling", chart)


def industry_chart(ch, res: Prevalence) -> None:
    """Figure (F11): the share trained by industry, largest first.

    Glued as fig_udbredelse_branche."""
    shown = res.by_industry[~res.by_industry["suppressed"].astype(bool)]
    title = (
        wrap(
            f"Flest uddannede i {lower_first(shown.iloc[0]['label'])}: "
            f"{pct(shown.iloc[0]['estimate'])}",
            55,
        )
        if len(shown)
        else load_codebook().label("industry")
    )
    chart = (
        proportion_chart(
            res.by_industry,
            label="label",
            title=title,
            subtitle=subtitle(
                ch,
                f"Andel, der har taget uddannelsen ({definition_phrase(ch)}), efter branche",
                res.by_industry["n"].sum(),
            ),
            conf_level=ch.params["conf_level"],
        )
        .properties(width=260)
        .configure_axisY(labelLimit=370)
    )  # long industry names, shown whole
    ch.glue("fig_udbredelse_branche", chart)


def industry_table(ch, res: Prevalence):
    """Table (F11): the share trained by industry, with CI and n."""
    return estimates_table(
        res.by_industry,
        "label",
        load_codebook().label("industry"),
        ch.params["conf_level"],
        caption=(
            "Andel, der har taget lederuddannelse i psykisk arbejdsmiljø "
            f"({definition_phrase(ch)}), efter branche"
        ),
        uid="udbredelse-branche",
    )


def key_figures(ch, res: Prevalence) -> list:
    """The chapter's opening numbers: trained (any, narrow), paid by the workplace, unwilling
    to pay oneself; each with its interval and n."""
    from lederuddannelse.report.keyfigures import proportion_figure

    level = ch.params["conf_level"]
    w = res.willing.set_index("key")
    return [
        proportion_figure(
            _row(res.by_definition, "any"),
            "af lederne har taget en lederuddannelse i psykisk arbejdsmiljø (samlet)",
            level,
            report=report_figure("F1a"),
            kind="computed",
        ),
        proportion_figure(
            _row(res.by_definition, "narrow"),
            "har taget en, hvor psykisk arbejdsmiljø var hovedindholdet",
            level,
            report=report_figure("F1b_narrow"),
            kind="computed",
        ),
        proportion_figure(
            res.paid_workplace.iloc[0],
            "af de uddannede fik den betalt af arbejdspladsen",
            level,
            report=report_figure("F4_paid"),
            kind="computed",
        ),
        proportion_figure(
            w.loc["unwilling"],
            "af alle ledere vil ikke tage den, hvis de selv skal betale",
            level,
            report=report_figure("F4_unwilling"),
            kind="computed",
        ),
    ]
