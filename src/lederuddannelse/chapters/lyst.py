"""The chapter "Lyst til uddannelse" (F5, F6, F7, F12 and the desire part of F3).

Desire (*lyst*) is a five-point ordinal answer, so it is modelled with a weighted
proportional-odds model (R's ``svyolr``): an odds ratio above 1 means higher odds of a higher
desire category per step of the explanatory item. Two models are shown, and both are the
claims ledger's own (:func:`lederuddannelse.analysis.findings.desire_model` and
:func:`~lederuddannelse.analysis.findings.profile_model`), so the chapter and the ledger cannot
disagree:

- **attitudes and workplace** (F3, F5, F6, F7): self-efficacy, expected effects, problems in
  the work environment, the workplace's strategy and tools, interest and time, jointly, so
  each effect is net of the others (as in the report's regression);
- **background** (F12): gender, age, sector, span of control, experience, education and
  organisation size. The report's most- and least-desire managers are named profiles of this
  model (:func:`lederuddannelse.analysis.findings.f12_profiles`); the chapter shows, for each, the
  predicted probability of "stor eller meget stor lyst" with its CI, the predicted mean on
  the scale, and the odds ratio between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lederuddannelse.analysis.compare import join_list, phrase, subtitle, wrap
from lederuddannelse.analysis.evidence import simple_desire_model
from lederuddannelse.analysis.findings import (
    desire_model,
    f12_profiles,
    f12_trait_checks,
    profile_model,
)
from lederuddannelse.analysis.modelterms import (
    failure_text,
    odds_ratios,
    ordinal_at_least,
    profile_contrast,
    profile_words,
    strongest,
)
from lederuddannelse.analysis.specs import F12_OTHERS, F12_PROFILES, contrast_label
from lederuddannelse.chapters.shared import assumed_levels_sentence, provenance
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.derive import HIGH_DESIRE_LEVELS
from lederuddannelse.report.charts import odds_ratio_chart, proportion_chart
from lederuddannelse.report.fmt import (
    N_HEADING,
    SUPPRESSED,
    ci_heading,
    mean_with_ci,
    number,
    odds_ratio_named,
    odds_ratio_text,
    p_below,
    pct,
    pct_range,
    pvalue,
    share,
    share_ci,
    share_with_ci,
)
from lederuddannelse.report.tables import odds_ratio_table, plain_table

#: The items of the attitude model by the finding they test (in the order of the prose).
ITEM_GROUPS = {
    "F5": ("self_efficacy", "expect_wellbeing", "expect_sickness"),
    "F6": ("conflicts", "stressed_employees", "employees_resources", "employees_thriving"),
    "F7": ("workplace_strategy", "workplace_tools"),
    "F3": ("interest_pwe", "has_time", "workplace_resources"),
}
#: The findings decided by each trait's simple association with desire (one model per trait,
#: as the claims ledger decides them); the joint model is their robustness check.
SIMPLE = ("F5", "F6", "F7")
#: "High desire" = this level or higher (defined once, in data.derive).
HIGH_LEVEL = min(HIGH_DESIRE_LEVELS)


@dataclass
class Desire:
    distribution: pd.DataFrame  # share in each desire category
    high: pd.DataFrame  # share with high desire (one row)
    attitude_model: object  # ModelResult or EstimationError
    attitude_or: pd.DataFrame | None
    background_model: object
    background_or: pd.DataFrame | None
    profiles: pd.DataFrame  # most/least: P(high desire) with CI, mean with CI
    contrast: dict | None
    simple_or: pd.DataFrame | None = None  # F5-F7: each trait alone (term-indexed odds ratios)


def labelled_distribution(dist: pd.DataFrame) -> pd.DataFrame:
    """The distribution of ``desire`` with its categories' labels (codebook) in ``label``."""
    labels = load_codebook().value_labels("desire")
    out = dist.reset_index(drop=True)
    out.insert(0, "label", [labels.get(int(c), str(c)) for c in out["category"]])
    return out


def _odds(model) -> pd.DataFrame | None:
    """The model's odds ratios, or None when it could not be fitted (an EstimationError)."""
    return None if isinstance(model, Exception) else odds_ratios(model)


def profiles(ch, background) -> pd.DataFrame:
    """F12: the report's two profiles (most and least desire) with the background model's
    predicted probability of high desire (CI, n) and predicted mean on the scale; empty
    estimates when the model could not be fitted (``background`` is then the error)."""
    prof = f12_profiles(ch.data)
    names = {"mest lyst": "Mest lyst", "mindst lyst": "Mindst lyst"}
    base = prof.reset_index(drop=True)
    out = base.copy()
    out.insert(0, "profile", [names.get(i, i) for i in prof.index])
    cb = load_codebook()
    out.insert(
        1,
        "description",
        [
            profile_words({v: cb.value_labels(v)[int(x)] for v, x in base.iloc[i].items()})
            for i in range(len(base))
        ],
    )
    if isinstance(background, Exception):
        for c in ("estimate", "ci_low", "ci_high", "mean", "mean_low", "mean_high"):
            out[c] = np.nan
        out["suppressed"] = True
        out["n"] = np.nan
        return out
    hi = ordinal_at_least(background, base, HIGH_LEVEL)
    for c in ("estimate", "se", "ci_low", "ci_high", "n", "suppressed"):
        out[c] = hi[c].to_numpy()
    pred = background.predict(base)
    means = pred[pred["quantity"] == "mean"].reset_index(drop=True)
    out["mean"], out["mean_low"], out["mean_high"] = (
        means[c].to_numpy() for c in ("estimate", "ci_low", "ci_high")
    )
    return out


def simple_models(design) -> dict:
    """F5-F7's deciding models: desire on each of their traits alone (the claims ledger's
    :func:`~lederuddannelse.analysis.evidence.simple_desire_model`), term -> model or error."""
    return {t: simple_desire_model(design, t) for f in SIMPLE for t in ITEM_GROUPS[f]}


def simple_odds(models: dict) -> pd.DataFrame | None:
    """Each trait's odds ratio from its own model, one row per term (None if none fitted)."""
    rows = [
        odds_ratios(m).set_index("term").loc[[t]]
        for t, m in models.items()
        if not isinstance(m, Exception)
    ]
    return pd.concat(rows) if rows else None


def desire(
    ch, dist: pd.DataFrame, high: pd.DataFrame, attitudes, background, simple=None
) -> Desire:
    """The page's estimates for its prose: the distribution and share of high desire, and
    the two ordinal models (each a fitted model or the error saying why it could not be)."""
    contrast = None
    if not isinstance(background, Exception):
        base = f12_profiles(ch.data).reset_index(drop=True)
        contrast = profile_contrast(background, base.iloc[0].to_dict(), base.iloc[1].to_dict())
    return Desire(
        labelled_distribution(dist),
        high,
        attitudes,
        _odds(attitudes),
        background,
        _odds(background),
        profiles(ch, background),
        contrast,
        simple_odds(simple) if simple is not None else None,
    )


def compute(ch) -> Desire:
    """Every estimate of the page in one call (the claims ledger's models, so the chapter and
    the ledger cannot disagree)."""
    design = ch.design
    return desire(
        ch,
        design.distribution("desire"),
        design.proportion("high_desire"),
        desire_model(design),
        profile_model(design),
        simple_models(design),
    )


# --- glue ------------------------------------------------------------------------------------
def _clauses(rows: list, word: str = "og") -> str:
    """»at uddannelsen vil forbedre medarbejdernes trivsel (odds ratio 1,47), og at …«: each
    item as the statement the managers agreed with (:data:`~lederuddannelse.analysis.compare.
    PHRASES`), not its label."""
    parts = [f"{phrase(r['term'])[2]} ({odds_ratio_named(r['odds_ratio'])})" for r in rows]
    return join_list(parts, word)


def group_text(ch, items, o: pd.DataFrame | None) -> str:
    """What a model says about a group of items (F3, F5, F6 or F7), in sentences: the items
    that go with more desire, those that go with less, and those without a statistically
    significant association. The direction is only said where the test supports it; CIs and
    p-values stand in the table under the figure."""
    if o is None:
        return "Modellen kan ikke estimeres på disse data, så sammenhængene kan ikke vises."
    rows = [{**o.loc[v].to_dict(), "term": v} for v in items if v in o.index]
    shown = [r for r in rows if not bool(r["suppressed"]) and pd.notna(r["odds_ratio"])]
    sig = [r for r in shown if r["p_value"] < 1 - ch.params["conf_level"]]
    more = [r for r in sig if r["odds_ratio"] > 1]
    less = [r for r in sig if r["odds_ratio"] < 1]
    same = [r for r in shown if not any(r is x for x in sig)]
    out = []
    if more:
        out.append(f"Jo mere enige lederne er i, {_clauses(more)}, desto mere lyst har de.")
    if less:
        lead = "Omvendt har de mindre lyst" if more else "Lederne har mindre lyst"
        out.append(f"{lead}, jo mere enige de er i, {_clauses(less)}.")
    if same:
        out.append(
            f"Enighed i, {_clauses(same, 'eller')}, hænger ikke statistisk "
            "signifikant sammen med lysten."
        )
    if len(shown) < len(items):
        out.append("For de øvrige udsagn er der for få svar til at vise sammenhængen.")
    return " ".join(out)


def high_levels_words(labels: dict) -> str:
    """'»stor lyst« eller »meget stor lyst«': the levels counted as high desire."""
    return f"»{labels[HIGH_LEVEL].lower()}« eller »{labels[max(labels)].lower()}«"


def least_only_text(ch, res: Desire) -> str:
    """F12's traits named only for the least-desire profile (e.g. a long higher education):
    the claims ledger compares each with the mean of the variable's other groups; the table
    above with one group. Both, with whether each is statistically significant."""
    if res.background_or is None:
        return "Uden modellen kan de to sammenligninger ikke vises her."
    cb, alpha = load_codebook(), 1 - ch.params["conf_level"]
    bo = res.background_or
    out = []
    for _, var, code, odds, p in f12_trait_checks(res.background_model, f12_profiles(ch.data)):
        label = cb.value_labels(var)[code]
        row = bo[(bo["variable"] == var) & (bo["label"] == label)]
        if F12_PROFILES[var][0] is not None or row.empty or bool(row["suppressed"].iloc[0]):
            continue
        r = row.iloc[0]

        def sig(pv):
            return "statistisk signifikant" if pv < alpha else "ikke statistisk signifikant"

        out.append(
            f"I efterprøvningen sammenlignes {contrast_label(cb.label(var), label).lower()} med "
            f"gennemsnittet af de øvrige {F12_OTHERS.get(var, 'grupper')}, og forskellen er "
            f"{sig(p)} ({odds_ratio_named(odds)}, {pvalue(p)}). Sammenlignet med "
            f"{str(r['reference']).lower()} alene er den {sig(r['p_value'])} "
            f"({odds_ratio_named(r['odds_ratio'])}, {pvalue(r['p_value'])})."
        )
    return (
        " ".join(out) or "Sammenligningen med én bestemt gruppe kan ikke vises her (for få svar)."
    )


def glue_all(ch, res: Desire) -> None:
    cb = load_codebook()
    lvl = ch.params["conf_level"]
    h = res.high.iloc[0]
    ch.glue("lyst_high", share(h))
    ch.glue("lyst_high_ci", share_ci(h, lvl))
    ch.glue("lyst_assumed", assumed_levels_sentence(ch, "desire"))
    labels = cb.value_labels("desire")
    ch.glue("lyst_high_levels", high_levels_words(labels))
    d = res.distribution[~res.distribution["suppressed"]]
    if len(d):
        top = d.loc[d["estimate"].idxmax()]
        ch.glue("lyst_mode", f"»{top['label'].lower()}«")
        ch.glue("lyst_mode_share", share_with_ci(top, lvl))
    else:
        ch.glue("lyst_mode", SUPPRESSED)
        ch.glue("lyst_mode_share", SUPPRESSED)
    # attitude model
    o = res.attitude_or.set_index("term") if res.attitude_or is not None else None
    ch.glue("lyst_model_n", number(res.attitude_model.n) if o is not None else "–")
    for finding, items in ITEM_GROUPS.items():
        own = res.simple_or if finding in SIMPLE else o
        ch.glue(f"lyst_items_{finding}", group_text(ch, items, own))
    # background model and profiles
    bo = res.background_or
    ch.glue("lyst_alpha", p_below(1 - lvl))
    ch.glue("lyst_bg_n", number(res.background_model.n) if bo is not None else "–")
    if bo is not None:
        sig = bo[(bo["p_value"] < 1 - lvl) & ~bo["suppressed"]]
        groups = list(dict.fromkeys(g.lower() for g in sig["group"]))
        ch.glue(
            "lyst_bg_sig",
            (", ".join(groups[:-1]) + " og " + groups[-1])
            if len(groups) > 1
            else (groups[0] if groups else "ingen af dem"),
        )
    else:
        reason = failure_text(res.background_model)
        ch.glue("lyst_bg_sig", f"ingen af dem, fordi modellen ikke kan estimeres ({reason})")
    for i, key in enumerate(("most", "least")):
        r = res.profiles.iloc[i]
        hidden = bool(r["suppressed"]) or pd.isna(r["estimate"])
        ch.glue(f"lyst_{key}_desc", r["description"])
        ch.glue(f"lyst_{key}_p_full", SUPPRESSED if hidden else share_with_ci(r, lvl))
        ch.glue(
            f"lyst_{key}_mean",
            SUPPRESSED if hidden else mean_with_ci(r["mean"], r["mean_low"], r["mean_high"], lvl),
        )
    ch.glue("lyst_contrast", odds_ratio_text(res.contrast, lvl))
    ch.glue("lyst_f12_least_text", least_only_text(ch, res))
    ch.glue("lyst_scale_min", f"»{labels[min(labels)].lower()}«")
    ch.glue("lyst_scale_max", f"»{labels[max(labels)].lower()}«")
    ch.glue("lyst_scale_first", number(min(labels)))
    ch.glue("lyst_scale_last", number(max(labels)))


# --- figures and tables ----------------------------------------------------------------------
def distribution_chart(ch, dist: pd.DataFrame, high: pd.DataFrame):
    """Figure: the distribution of desire (``distribution("desire")``), headed by the share
    with high desire (``proportion("high_desire")``)."""
    h = high.iloc[0]
    title = (
        f"{pct(h['estimate'])} har stor eller meget stor lyst til en lederuddannelse i psykisk "
        "arbejdsmiljø"
        if not bool(h["suppressed"])
        else "Lyst til en lederuddannelse i psykisk arbejdsmiljø"
    )
    return proportion_chart(
        labelled_distribution(dist),
        label="label",
        title=wrap(title, 55),
        subtitle=subtitle(ch, "Fordeling af svarene", h["n"], indicators=["desire"]),
        conf_level=ch.params["conf_level"],
    )


def distribution_download(dist: pd.DataFrame) -> pd.DataFrame:
    """The distribution as the page's CSV (Danish column names)."""
    return (
        labelled_distribution(dist)
        .drop(columns=["category"])
        .rename(columns={"label": "lyst", "n_category": "antal_i_kategori"})
    )


def _or_title(o: pd.DataFrame, lead: str) -> str:
    top = strongest(o)
    return f"Størst sammenhæng: {top}" if top else lead


def attitude_chart(ch, model):
    """Figure (F3, F5, F6, F7): the attitude model's odds ratios (None if it could not be
    fitted; the prose then says why)."""
    o = _odds(model)
    if o is None:
        return None
    return odds_ratio_chart(
        o,
        label="short",
        title=wrap(_or_title(o, "Holdninger og arbejdsplads"), 55),
        subtitle=subtitle(
            ch,
            "Holdninger og arbejdsplads: odds ratio for højere lyst pr. trin, ordinal logistisk "
            "regression",
            model.n,
        ),
        conf_level=ch.params["conf_level"],
    )


def background_chart(ch, model):
    """Figure (F12): the background model's odds ratios (None if it could not be fitted)."""
    o = _odds(model)
    if o is None:
        return None
    return odds_ratio_chart(
        o,
        label="short",
        title=wrap(_or_title(o, "Baggrund"), 55),
        subtitle=subtitle(
            ch,
            "Baggrund: odds ratio for højere lyst, ordinal logistisk regression",
            model.n,
        ),
        conf_level=ch.params["conf_level"],
    )


def odds_table(ch, model, which: str):
    """Table: a model's odds ratios ('attitude' or 'background'); None if not fitted."""
    o = _odds(model)
    if o is None:
        return None
    caption = (
        "Ordinal model af lyst: holdninger og arbejdsplads"
        if which == "attitude"
        else "Ordinal model af lyst: baggrund"
    )
    return odds_ratio_table(
        o, "display", "Forhold", ch.params["conf_level"], caption=caption, uid=f"lyst-model-{which}"
    )


#: The two columns of :func:`simple_table`: the deciding test and the robustness check.
ALONE, JOINT = "Hvert forhold for sig (afgør fundet)", "Alle forhold i én model (robusthedstjek)"


def simple_frame(ch, models: dict, attitudes) -> pd.DataFrame:
    """F5-F7's traits with the odds ratio of each trait alone (deciding) and in the joint
    model (robustness), as text cells."""
    level, cb = ch.params["conf_level"], load_codebook()
    alone, joint = simple_odds(models), _odds(attitudes)
    joint = joint.set_index("term") if joint is not None else None
    rows = []
    for finding in SIMPLE:
        for t in ITEM_GROUPS[finding]:
            a = alone.loc[t] if alone is not None and t in alone.index else None
            j = joint.loc[t] if joint is not None and t in joint.index else None
            rows.append(
                {
                    "Fund": finding,
                    "Udsagn": cb.question(t),
                    ALONE: odds_ratio_text(a, level),
                    JOINT: odds_ratio_text(j, level),
                    N_HEADING: number(a["n"]) if a is not None else SUPPRESSED,
                }
            )
    return pd.DataFrame(rows)


def simple_table(ch, models: dict, attitudes):
    """Table (F5-F7): each trait's odds ratio for higher desire, alone and in the joint
    model, so that the number deciding the finding stands beside its robustness check."""
    return plain_table(
        simple_frame(ch, models, attitudes),
        caption="Odds ratio for højere lyst pr. trin på enighedsskalaen: hvert forhold for sig "
        "og alle forhold i én model",
        uid="lyst-hver-for-sig",
    )


def odds_download(model) -> pd.DataFrame:
    """A model's odds ratios as the page's CSV (empty if not fitted)."""
    o = _odds(model)
    if o is None:
        return pd.DataFrame()
    return o.drop(columns=["variable", "short"]).rename(
        columns={"group": "variabel", "label": "kategori", "display": "tekst"}
    )


def profile_chart(ch, p: pd.DataFrame):
    """Figure (F12): the predicted share with high desire for the two profiles
    (:func:`profiles`)."""
    ok = not p["suppressed"].any()
    title = (
        f"{pct(p['estimate'].iloc[0])} mod {pct(p['estimate'].iloc[1])}: forudsagt stor eller "
        "meget stor "
        "lyst for de to profiler"
        if ok
        else "Forudsagt andel med stor eller meget stor lyst for to profiler"
    )
    return proportion_chart(
        p,
        label="profile",
        title=wrap(title, 55),
        subtitle=subtitle(
            ch,
            "Forudsagt sandsynlighed for stor eller meget stor lyst",
            p["n"].iloc[0] if ok else len(ch.data),
        ),
        conf_level=ch.params["conf_level"],
        axis_title="Forudsagt sandsynlighed",
    )


def profiles_table(ch, p: pd.DataFrame):
    """Table (F12): the two profiles' predicted desire (:func:`profiles`)."""
    rows = []
    for _, r in p.iterrows():
        hidden = bool(r["suppressed"]) or pd.isna(r["estimate"])
        rows.append(
            {
                "Profil": r["profile"],
                "Beskrivelse": r["description"],
                "Stor eller meget stor lyst": SUPPRESSED if hidden else pct(r["estimate"], 1),
                ci_heading(ch.params["conf_level"]): ""
                if hidden
                else pct_range(r["ci_low"], r["ci_high"], 1),
                "Forudsagt gennemsnit på skalaen": ""
                if hidden
                else mean_with_ci(r["mean"], r["mean_low"], r["mean_high"], None, 2),
            }
        )
    return plain_table(
        pd.DataFrame(rows), caption="Forudsagt lyst for rapportens to profiler", uid="lyst-profiler"
    )


def profiles_download(p: pd.DataFrame) -> pd.DataFrame:
    """The profiles as the page's CSV (Danish column names)."""
    return p.rename(
        columns={
            "profile": "profil",
            "description": "beskrivelse",
            "mean": "gennemsnit",
            "mean_low": "gennemsnit_ki_nedre",
            "mean_high": "gennemsnit_ki_oevre",
        }
    )


def key_figures(ch, high: pd.DataFrame, p: pd.DataFrame) -> list:
    """The chapter's opening numbers: the share with high desire, and the predicted share
    with high desire for the report's two profiles (most and least desire)."""
    from lederuddannelse.report.keyfigures import proportion_figure

    level = ch.params["conf_level"]
    p = p.set_index("profile")
    return [
        proportion_figure(
            high.iloc[0],
            "af lederne har stor eller meget stor lyst til uddannelsen",
            level,
            kind=provenance(ch, "high_desire"),
        ),
        proportion_figure(
            p.loc["Mest lyst"],
            "har stor eller meget stor lyst i profilen med mest lyst (model)",
            level,
        ),
        proportion_figure(
            p.loc["Mindst lyst"],
            "har stor eller meget stor lyst i profilen med mindst lyst (model)",
            level,
        ),
    ]
