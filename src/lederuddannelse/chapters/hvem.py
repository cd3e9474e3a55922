"""The chapter "Hvem har taget uddannelsen" (F8, F10 and the interest/time part of F3).

Three views of who has taken PWE training, from descriptive to model-based:

1. **Shares by group.** The share trained (under the run's definition) in each category of
   every groupable background and workplace variable of the codebook, with a Rao-Scott test
   of association per variable. Descriptive: each variable alone.
2. **A weighted logistic model** of having taken the training on background, workplace,
   interest in the PWE and having time. Odds ratios are net of the other variables, which
   separates e.g. the sector from the organisation size it goes with. Industry is left out of
   the model: it almost determines the sector (public administration, education and health
   is mostly public), and the two together would be nearly collinear.
3. **The archetype as predicted probabilities** (F10). The report's archetype is a profile,
   not a person; the model gives the predicted probability for that named profile and a
   contrasting one, with CIs and the odds ratio between them. The archetype's traits come
   from :data:`lederuddannelse.analysis.specs.ARCHETYPE` (one definition, shared with the claims
   ledger), and each trait is also compared directly between trained and untrained managers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lederuddannelse.analysis.compare import subtitle, wrap
from lederuddannelse.analysis.modelterms import (
    failure_text,
    odds_ratios,
    profile_contrast,
    strongest,
)
from lederuddannelse.analysis.specs import ARCHETYPE, WHO_FACTORS, WHO_ITEMS, who_formula
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.derive import code_indicator
from lederuddannelse.errors import EstimationError
from lederuddannelse.report.charts import breakdown_chart, odds_ratio_chart, proportion_chart
from lederuddannelse.report.fmt import (
    N_HEADING,
    SUPPRESSED,
    ci_label,
    difference_text,
    n_cell,
    number,
    odds_ratio_text,
    pct,
    points_range,
    pvalue_cell,
    ratio_decimals,
    share,
    share_ci,
    share_full,
)
from lederuddannelse.report.tables import odds_ratio_table, plain_table

BACKGROUND = ("gender", "age_group", "education", "experience")
WORKPLACE = ("sector", "industry", "org_size", "manager_type", "span_of_control")
#: The contrasting profile: the opposite end of each archetype trait.
CONTRAST = {
    "gender": 1,
    "sector": 2,
    "org_size": 1,
    "experience": 1,
    "manager_type": 1,
    "span_of_control": 1,
}


@dataclass
class Who:
    by_var: dict[str, pd.DataFrame]  # variable -> shares trained by category (with 'label')
    tests: pd.DataFrame  # variable, label, chi-square test
    manager_diff: pd.DataFrame  # difference managers of managers - of employees
    model: object  # ModelResult or EstimationError
    odds: pd.DataFrame | None  # labelled odds ratios
    profiles: pd.DataFrame  # named profiles with predicted probability
    contrast: dict | None  # odds ratio archetype vs contrast
    traits: pd.DataFrame  # archetype traits: trained vs untrained


def shares_by(ch, var: str) -> pd.DataFrame:
    """Share trained in each category of ``var`` with Danish category labels."""
    cb = load_codebook()
    t = ch.design.proportion(ch.trained, by=var)
    t.insert(0, "label", [cb.value_labels(var).get(int(v), str(v)) for v in t[var]])
    t.insert(0, "group", cb.label(var))
    return t


def typical_values(ch, variables) -> dict:
    """Weighted most common category of each variable: the value a profile holds fixed."""
    out = {}
    for v in variables:
        x = pd.to_numeric(ch.data[v], errors="coerce")
        w = pd.Series(ch.design.w, index=ch.data.index)
        out[v] = int(w[x.notna()].groupby(x[x.notna()]).sum().idxmax())
    return out


def profile_frame(ch) -> pd.DataFrame:
    """The archetype (F10) and its contrast; other model variables at their typical value."""
    cb = load_codebook()
    arche = {var: codes[0] for _, var, codes in ARCHETYPE}
    fixed = typical_values(ch, [v for v in WHO_FACTORS + WHO_ITEMS if v not in arche])
    rows = []
    for key, name, spec in (
        ("archetype", "Arketypen", arche),
        ("contrast", "Modsat profil", CONTRAST),
    ):
        prof = {**fixed, **spec}
        desc = ", ".join(
            f"{cb.label(v).lower()}: {cb.value_labels(v)[prof[v]].lower()}" for _, v, _ in ARCHETYPE
        )
        rows.append({"key": key, "profile": name, "description": desc, **prof})
    return pd.DataFrame(rows)


def compute(ch) -> Who:
    cb = load_codebook()
    by_var = {v: shares_by(ch, v) for v in BACKGROUND + WORKPLACE}
    tests = []
    for v in BACKGROUND + WORKPLACE:
        t = ch.design.chisq(ch.trained, v).iloc[0]
        tests.append(
            {"variable": v, "label": cb.label(v), "p_value": t["p_value"], "F": t["F"], "n": t["n"]}
        )
    codes = list(cb.value_labels("manager_type"))
    manager_diff = ch.design.difference(ch.trained, "manager_type", codes[1], codes[0])
    # archetype traits, trained vs untrained (the trait columns are derived here)
    traits_design = ch.design.with_columns(
        {
            f"_who_trait{k}": code_indicator(ch.data[var], tc)
            for k, (_, var, tc) in enumerate(ARCHETYPE)
        }
    )
    rows = []
    for k, (label, _, _) in enumerate(ARCHETYPE):
        r = traits_design.difference(f"_who_trait{k}", ch.trained, 1, 0).iloc[0].to_dict()
        rows.append({"trait": label, **r})
    traits = pd.DataFrame(rows)
    profiles = profile_frame(ch)
    try:
        model = ch.design.logistic(who_formula(ch.trained))
        odds = odds_ratios(model)
        pred = model.predict(profiles.drop(columns=["key", "profile", "description"]))
        profiles = profiles.assign(
            **{c: pred[c].to_numpy() for c in ("estimate", "se", "ci_low", "ci_high", "suppressed")}
        )
        profiles["n"] = float(model.n)
        contrast = profile_contrast(
            model,
            profiles.iloc[0][list(WHO_FACTORS + WHO_ITEMS)].to_dict(),
            profiles.iloc[1][list(WHO_FACTORS + WHO_ITEMS)].to_dict(),
        )
    except EstimationError as exc:
        model, odds, contrast = exc, None, None
        profiles = profiles.assign(
            estimate=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan, suppressed=True, n=np.nan
        )
    return Who(by_var, pd.DataFrame(tests), manager_diff, model, odds, profiles, contrast, traits)


# --- glue ------------------------------------------------------------------------------------
def glue_all(ch, res: Who) -> None:
    cb = load_codebook()
    level = ch.params["conf_level"]
    ch.glue("hvem_definition", cb.label(ch.trained))
    overall = ch.design.proportion(ch.trained).iloc[0]
    ch.glue("hvem_all", share(overall))
    ch.glue("hvem_all_ci", share_ci(overall, level))
    # F8
    r = res.manager_diff.iloc[0]
    mt = cb.value_labels("manager_type")
    for side, code in (("a", r["a"]), ("b", r["b"])):
        row = res.by_var["manager_type"].set_index("manager_type").loc[code]
        ch.glue(f"hvem_mt_{side}", share(row))
        ch.glue(f"hvem_mt_{side}_ci", share_ci(row, level))
        ch.glue(f"hvem_mt_{side}_label", mt[int(code)].lower())
    ch.glue("hvem_mt_diff", difference_text(r, level))
    # strongest association among the variables (smallest p)
    tests = res.tests.sort_values("p_value")
    ch.glue("hvem_tests_sig", number(int((tests["p_value"] < 1 - ch.params["conf_level"]).sum())))
    ch.glue("hvem_tests_n", number(len(tests)))
    ns = tests[tests["p_value"] >= 1 - ch.params["conf_level"]]
    ch.glue(
        "hvem_tests_nonsig", ", ".join(lab.lower() for lab in ns["label"]) if len(ns) else "ingen"
    )
    ch.glue("hvem_alpha", number(1 - ch.params["conf_level"], 2))
    # model: the sentences that need it are glued whole, so that a page on data where the
    # model cannot be fitted says why instead of showing half sentences
    p = res.profiles.set_index("key")
    desc = {key: p.loc[key, "description"] for key in ("archetype", "contrast")}
    for key in ("archetype", "contrast"):
        ch.glue(f"hvem_desc_{key}", desc[key])
    fixed = [v for v in WHO_FACTORS + WHO_ITEMS if v not in {a[1] for a in ARCHETYPE}]
    ch.glue(
        "hvem_fixed",
        ", ".join(
            f"{cb.label(v).lower()}: {cb.value_labels(v)[int(p.loc['archetype', v])].lower()}"
            for v in fixed
        ),
    )
    failure = model_failure(res)
    if failure is None:
        o = res.odds.set_index("term")
        ors = {item: odds_ratio_text(o.loc[item], level) for item in WHO_ITEMS}
        for item, text in ors.items():
            ch.glue(f"hvem_or_{item}", text)
        ch.glue("hvem_model_basis", f"Modellen bygger på {number(res.model.n)} besvarelser.")
        ch.glue(
            "hvem_f3_text",
            f"Interesse for psykisk arbejdsmiljø har en odds ratio på {ors['interest_pwe']} pr. "
            f"trin, at have tid {ors['has_time']} pr. trin, og at arbejdspladsen afsætter penge "
            f"og tid til uddannelse {ors['workplace_resources']} pr. trin.",
        )
        sig = res.odds[
            (res.odds["p_value"] < 1 - ch.params["conf_level"]) & ~res.odds["suppressed"]
        ]
        top = sig.reindex(
            sig["odds_ratio"].apply(lambda x: abs(np.log(x))).sort_values(ascending=False).index
        ).head(3)
        top_text = "; ".join(
            f"{d.lower()}: {odds_ratio_text(r, level)}"
            for d, (_, r) in zip(top["display"], top.iterrows())
        )
        ch.glue(
            "hvem_or_top_text",
            f"De største sammenhænge blandt baggrundsforholdene er {top_text}."
            if top_text
            else "Ingen af baggrundsforholdene har en statistisk signifikant sammenhæng, når "
            "der tages højde for de øvrige.",
        )
        full = {key: share_full(p.loc[key], level) for key in ("archetype", "contrast")}
        ch.glue(
            "hvem_profiles_text",
            "Modellen giver sandsynligheden for, at en leder med arketypens træk "
            f"({desc['archetype']}) har taget uddannelsen: {full['archetype']}. For en leder "
            f"med de modsatte træk ({desc['contrast']}) er den {full['contrast']}. Odds ratio "
            f"mellem de to profiler er {odds_ratio_text(res.contrast, level)}.",
        )
    else:
        ch.glue(
            "hvem_model_basis",
            f"På disse data kan modellen dog ikke estimeres: {failure}. Derfor viser afsnittet "
            "ingen odds ratioer.",
        )
        ch.glue(
            "hvem_f3_text",
            "Uden modellen kan sammenhængen med interesse, tid og ressourcer ikke vejes op mod "
            "de øvrige forhold her.",
        )
        ch.glue(
            "hvem_or_top_text",
            "Andelene i hver gruppe ovenfor bygger ikke på modellen og gælder stadig.",
        )
        ch.glue(
            "hvem_profiles_text",
            "Modellen ville give sandsynligheden for, at en leder med arketypens træk "
            f"({desc['archetype']}) har taget uddannelsen, og for en leder med de modsatte "
            f"træk ({desc['contrast']}), men på disse data kan den ikke estimeres: {failure}.",
        )
    t = res.traits
    higher = t[
        (t["p_value"] < 1 - ch.params["conf_level"]) & (t["estimate"] > 0) & ~t["suppressed"]
    ]
    ch.glue("hvem_traits_higher", number(len(higher)))
    ch.glue("hvem_traits_n", number(len(t)))
    shown = t[~t["suppressed"]]
    if len(shown):
        top = shown.loc[shown["estimate"].abs().idxmax()]
        ch.glue("hvem_traits_top", f"{top['trait'].lower()}: {difference_text(top, level)}")
    else:
        ch.glue("hvem_traits_top", SUPPRESSED)


def model_failure(res: Who) -> str | None:
    """Why the chapter's model could not be fitted, in Danish; None if it was."""
    return None if res.odds is not None else failure_text(res.model)


def missing_model_figure(ch, name: str, failure: str) -> None:
    """Glue, under a figure's name, a note that the model behind it cannot be estimated, so
    the page keeps its figure number and caption and says why the chart is missing."""
    import html

    from IPython.display import HTML

    ch.glue(
        name,
        HTML(
            '<div class="admonition note"><p class="admonition-title">Modellen kan ikke '
            f"estimeres</p><p>Figuren kan ikke vises: {html.escape(failure)}.</p></div>"
        ),
    )


# --- figures and tables ----------------------------------------------------------------------
def breakdown_figure(ch, res: Who, variables, name: str, title_lead: str) -> None:
    """Glue a stacked breakdown chart of the share trained for ``variables``."""
    parts = [(load_codebook().label(v), res.by_var[v]) for v in variables]
    # title states the largest gap among these variables
    gaps = []
    for v in variables:
        t = res.by_var[v][~res.by_var[v]["suppressed"]]
        if len(t) >= 2:
            hi, lo = t.loc[t["estimate"].idxmax()], t.loc[t["estimate"].idxmin()]
            gaps.append((hi["estimate"] - lo["estimate"], v, hi, lo))
    if gaps:
        _, v, hi, lo = max(gaps, key=lambda g: g[0])
        title = (
            f"{title_lead}: størst forskel efter {load_codebook().label(v).lower()}, "
            f"fra {pct(lo['estimate'])} til {pct(hi['estimate'])}"
        )
    else:
        title = title_lead
    chart = breakdown_chart(
        parts,
        label="label",
        title=wrap(title, 55),
        subtitle=subtitle(
            ch,
            f"Andel, der har taget uddannelsen ({load_codebook().label(ch.trained).lower()})",
            len(ch.data),
        ),
        conf_level=ch.params["conf_level"],
    )
    ch.glue(name, chart)


def shares_download(res: Who, variables) -> pd.DataFrame:
    t = pd.concat([res.by_var[v].drop(columns=[v]) for v in variables], ignore_index=True)
    return t.rename(columns={"group": "variabel", "label": "kategori"})


def tests_table(ch, res: Who):
    frame = pd.DataFrame(
        {
            "Variabel": res.tests["label"],
            # a test about a group the book hides is suppressed like the group (chisq())
            "F (Rao-Scott)": [
                SUPPRESSED if pd.isna(f) else number(f, ratio_decimals(f)) for f in res.tests["F"]
            ],
            "p-værdi": ["" if pd.isna(p) else pvalue_cell(p) for p in res.tests["p_value"]],
            N_HEADING: ["" if pd.isna(n) else number(n) for n in res.tests["n"]],
        }
    )
    return plain_table(
        frame,
        caption="Test for sammenhæng mellem baggrund og at have taget uddannelsen",
        uid="hvem-test",
    )


def odds_chart(ch, res: Who) -> None:
    failure = model_failure(res)
    if failure is not None:
        missing_model_figure(ch, "fig_hvem_model", failure)
        return
    o = res.odds
    lead = strongest(o)
    title = (
        "Sammenhænge med at have taget uddannelsen, når der tages højde for de øvrige forhold"
        if lead is None
        else f"Størst sammenhæng: {lead}"
    )
    chart = odds_ratio_chart(
        o,
        label="short",
        title=wrap(title, 55),
        subtitle=subtitle(ch, "Odds ratio fra vægtet logistisk regression", res.model.n),
        conf_level=ch.params["conf_level"],
    )
    ch.glue("fig_hvem_model", chart)


def odds_table(ch, res: Who):
    if res.odds is None:
        return None
    return odds_ratio_table(
        res.odds,
        "display",
        "Forhold",
        ch.params["conf_level"],
        caption="Vægtet logistisk regression: at have taget uddannelsen",
        uid="hvem-model",
    )


def download_odds(ch, res: Who) -> None:
    """The link to the model's odds ratios as CSV (none when the model cannot be fitted)."""
    if res.odds is not None:
        ch.download(odds_download(res), "hvem-model")


def download_profiles(ch, res: Who) -> None:
    """The link to the profiles' predicted probabilities as CSV (none without a model)."""
    if res.odds is not None:
        ch.download(profiles_download(res), "hvem-profiler")


def odds_download(res: Who) -> pd.DataFrame:
    if res.odds is None:
        return pd.DataFrame()
    return res.odds.drop(columns=["variable", "short"]).rename(
        columns={
            "group": "variabel",
            "label": "kategori",
            "reference": "reference",
            "display": "tekst",
        }
    )


def profile_chart(ch, res: Who) -> None:
    failure = model_failure(res)
    if failure is not None:
        missing_model_figure(ch, "fig_hvem_profiler", failure)
        return
    p = res.profiles
    a = p.set_index("key").loc["archetype"]
    title = (
        f"Arketypen har en forudsagt sandsynlighed på {pct(a['estimate'])} for at have taget "
        "uddannelsen"
        if not bool(a["suppressed"])
        else "Forudsagt sandsynlighed for at have taget uddannelsen"
    )
    chart = proportion_chart(
        p,
        label="profile",
        title=wrap(title, 55),
        subtitle=subtitle(ch, "Forudsagt sandsynlighed fra den logistiske model", p["n"].iloc[0]),
        conf_level=ch.params["conf_level"],
        axis_title="Forudsagt sandsynlighed",
    )
    ch.glue("fig_hvem_profiler", chart)


def profiles_download(res: Who) -> pd.DataFrame:
    return res.profiles.drop(columns=["key"]).rename(
        columns={"profile": "profil", "description": "beskrivelse"}
    )


def traits_table(ch, res: Who):
    rows = []
    for _, r in res.traits.iterrows():
        hidden = bool(r["suppressed"])
        rows.append(
            {
                "Træk": r["trait"],
                "Blandt uddannede": SUPPRESSED if hidden else pct(r["estimate_a"], 1),
                "Blandt ikke-uddannede": SUPPRESSED if hidden else pct(r["estimate_b"], 1),
                f"Forskel ({ci_label(ch.params['conf_level'])}), procentpoint": ""
                if hidden
                else f"{number(100 * r['estimate'], 1)} "
                f"({points_range(r['ci_low'], r['ci_high'], 1)})",
                "p-værdi": "" if hidden else pvalue_cell(r["p_value"]),
                N_HEADING: n_cell(r["n_a"], r["n_b"]),
            }
        )
    return plain_table(
        pd.DataFrame(rows),
        caption="Arketypens træk blandt ledere med og uden uddannelsen",
        uid="hvem-traek",
    )


def traits_download(res: Who) -> pd.DataFrame:
    return res.traits.drop(columns=["by", "variable"], errors="ignore").rename(
        columns={"trait": "traek"}
    )


def key_figures(ch, res: Who) -> list:
    """The chapter's opening numbers: the share trained among managers of managers and of
    employees, and the difference between them with its test."""
    from lederuddannelse.report.keyfigures import difference_figure, proportion_figure

    r = res.manager_diff.iloc[0]
    mt = load_codebook().value_labels("manager_type")
    level = ch.params["conf_level"]
    figures = [
        proportion_figure(
            res.by_var["manager_type"].set_index("manager_type").loc[code],
            f"af {mt[int(code)].lower()} har taget uddannelsen",
            level,
        )
        for code in (r["a"], r["b"])
    ]
    figures.append(difference_figure(r, "forskel mellem de to grupper (procentpoint)", level))
    return figures
