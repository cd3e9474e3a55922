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

from lederuddannelse.analysis.compare import join_list, order_text, subtitle, wrap
from lederuddannelse.analysis.modelterms import (
    answers_words,
    failure_text,
    odds_ratios,
    profile_contrast,
    profile_words,
    strongest,
)
from lederuddannelse.analysis.specs import (
    ARCHETYPE,
    WHO_FACTORS,
    WHO_ITEMS,
    org_size_note,
    who_formula,
)
from lederuddannelse.chapters.shared import (
    DEFINITE,
    TRAINED_BY_DEFINITION,
    fitted,
    industry_assumed_note,
)
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.derive import code_indicator
from lederuddannelse.errors import EstimationError
from lederuddannelse.report.charts import breakdown_chart, odds_ratio_chart, proportion_chart
from lederuddannelse.report.fmt import (
    N_HEADING,
    SUPPRESSED,
    ci_label,
    count_of,
    difference_text,
    n_cell,
    number,
    odds_ratio_text,
    odds_ratios_named,
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


def labelled(shares: pd.DataFrame, var: str) -> pd.DataFrame:
    """The share trained in each category of ``var`` (``proportion(ch.trained, by=var)``) with
    the variable's label in ``group`` and the categories' labels in ``label``."""
    cb = load_codebook()
    t = shares.reset_index(drop=True)
    t.insert(0, "label", [cb.value_labels(var).get(int(v), str(v)) for v in t[var]])
    t.insert(0, "group", cb.label(var))
    return t


def manager_types() -> tuple:
    """The codes compared in F8: managers of managers (a) and of employees (b)."""
    codes = list(load_codebook().value_labels("manager_type"))
    return codes[1], codes[0]


#: The 0/1 columns of the archetype's traits (F10), added by :func:`with_traits`.
TRAIT_COLUMNS = tuple(f"_who_trait{k}" for k in range(len(ARCHETYPE)))


def with_traits(ch):
    """The chapter's design with a 0/1 column per trait of the archetype (F10), e.g. 'woman'
    or 'public sector' (:data:`TRAIT_COLUMNS`, in the order of ``ARCHETYPE``)."""
    return ch.design.with_columns(
        {
            col: code_indicator(ch.data[var], tc)
            for col, (_, var, tc) in zip(TRAIT_COLUMNS, ARCHETYPE)
        }
    )


def traits_frame(differences: list[pd.DataFrame]) -> pd.DataFrame:
    """The archetype's traits, trained vs untrained: one ``difference`` per trait column."""
    rows = [
        {"trait": label, **d.iloc[0].to_dict()} for (label, _, _), d in zip(ARCHETYPE, differences)
    ]
    return pd.DataFrame(rows)


def tests_frame(tests: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The Rao-Scott tests of association (``chisq(ch.trained, var)``), one row per variable."""
    cb = load_codebook()
    rows = []
    for v, t in tests.items():
        r = t.iloc[0]
        rows.append(
            {"variable": v, "label": cb.label(v), "p_value": r["p_value"], "F": r["F"], "n": r["n"]}
        )
    return pd.DataFrame(rows)


def profiles(ch, model) -> pd.DataFrame:
    """The archetype (F10) and its contrast with the model's predicted probability of having
    taken the training (CI, n); empty estimates when the model could not be fitted."""
    prof = profile_frame(ch)
    if isinstance(model, Exception):
        return prof.assign(
            estimate=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan, suppressed=True, n=np.nan
        )
    try:
        pred = model.predict(prof.drop(columns=["key", "profile", "description"]))
    except EstimationError:
        return profiles(ch, EstimationError("prediction failed"))
    prof = prof.assign(
        **{c: pred[c].to_numpy() for c in ("estimate", "se", "ci_low", "ci_high", "suppressed")}
    )
    prof["n"] = float(model.n)
    return prof


def who(ch, by_var, tests, manager_diff, model, traits) -> Who:
    """The page's estimates for its prose (its cells' outputs, labelled)."""
    prof = profiles(ch, model)
    contrast = None
    if not isinstance(model, Exception):
        keys = list(WHO_FACTORS + WHO_ITEMS)
        try:
            contrast = profile_contrast(
                model, prof.iloc[0][keys].to_dict(), prof.iloc[1][keys].to_dict()
            )
        except EstimationError as exc:  # as if the model could not be fitted
            model, contrast = exc, None
            prof = profiles(ch, exc)
    return Who(
        {v: labelled(t, v) for v, t in by_var.items()},
        tests_frame(tests),
        manager_diff,
        model,
        None if isinstance(model, Exception) else odds_ratios(model),
        prof,
        contrast,
        traits_frame(traits),
    )


def compute(ch) -> Who:
    """Every estimate of the page in one call, as its cells compute them."""
    design = ch.design
    variables = BACKGROUND + WORKPLACE
    traits = with_traits(ch)
    return who(
        ch,
        {v: design.proportion_across(ch.trained, TRAINED_BY_DEFINITION, by=v) for v in variables},
        {v: design.chisq(ch.trained, v) for v in variables},
        design.difference(ch.trained, "manager_type", *manager_types()),
        fitted(design.logistic, who_formula(ch.trained)),
        [traits.difference(col, ch.trained, 1, 0) for col in TRAIT_COLUMNS],
    )


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
        desc = profile_words({v: cb.value_labels(v)[prof[v]] for _, v, _ in ARCHETYPE})
        rows.append({"key": key, "profile": name, "description": desc, **prof})
    return pd.DataFrame(rows)


# --- glue ------------------------------------------------------------------------------------
def glue_all(ch, res: Who) -> None:
    cb = load_codebook()
    level = ch.params["conf_level"]
    ch.glue("hvem_definition", f"den {DEFINITE[ch.params['definition']]} definition")
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
    ch.glue("hvem_tests_text", tests_text(res.tests, level))
    # model: the sentences that need it are glued whole, so that a page on data where the
    # model cannot be fitted says why instead of showing half sentences
    p = res.profiles.set_index("key")
    desc = {key: p.loc[key, "description"] for key in ("archetype", "contrast")}
    for key in ("archetype", "contrast"):
        ch.glue(f"hvem_desc_{key}", desc[key])
    fixed = [v for v in WHO_FACTORS + WHO_ITEMS if v not in {a[1] for a in ARCHETYPE}]
    ch.glue(
        "hvem_fixed",
        answers_words({v: cb.value_labels(v)[int(p.loc["archetype", v])] for v in fixed}),
    )
    failure = model_failure(res.model)
    if failure is None:
        o = res.odds.set_index("term")
        ors = {item: odds_ratio_text(o.loc[item], level) for item in WHO_ITEMS}
        for item, text in ors.items():
            ch.glue(f"hvem_or_{item}", text)
        ch.glue("hvem_model_basis", f"Modellen bygger på {number(res.model.n)} besvarelser.")
        ch.glue(
            "hvem_f3_text",
            "For hvert trin på svarskalaen har interesse for psykisk arbejdsmiljø en odds ratio "
            f"på {ors['interest_pwe']}, at have tid {ors['has_time']}, og at arbejdspladsen "
            f"afsætter penge og tid til uddannelse {ors['workplace_resources']}.",
        )
        top_text = strongest_factors(res.odds, level)
        ch.glue(
            "hvem_or_top_text",
            f"Blandt de øvrige forhold er sammenhængen størst for {top_text}."
            if top_text
            else "Ingen af de øvrige forhold har en statistisk signifikant sammenhæng, når "
            "der tages højde for resten.",
        )
        full = {key: share_full(p.loc[key], level) for key in ("archetype", "contrast")}
        ch.glue(
            "hvem_profiles_text",
            f"For arketypen, {desc['archetype']}, giver modellen en sandsynlighed på "
            f"{full['archetype']} for at have taget uddannelsen. For {desc['contrast']}, altså "
            f"en leder med de modsatte træk, er den {full['contrast']}. Odds ratio mellem de to "
            f"profiler er {odds_ratio_text(res.contrast, level)}.",
        )
    else:
        ch.glue(
            "hvem_model_basis",
            f"På disse data kan modellen dog ikke estimeres; {failure}. Derfor vises ingen odds "
            "ratioer.",
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
            "Modellen ville give sandsynligheden for at have taget uddannelsen for arketypen, "
            f"{desc['archetype']}, og for {desc['contrast']}, men på disse data kan den ikke "
            f"estimeres; {failure}.",
        )
    t = res.traits
    higher = t[
        (t["p_value"] < 1 - ch.params["conf_level"]) & (t["estimate"] > 0) & ~t["suppressed"]
    ]
    ch.glue("hvem_traits_higher", count_of(len(higher), len(t), "træk", neuter=True))
    ch.glue("hvem_org_size_note", org_size_note())
    shown = t[~t["suppressed"]]
    if len(shown):
        top = shown.loc[shown["estimate"].abs().idxmax()]
        ch.glue("hvem_traits_top", f"»{top['trait'].lower()}«, {difference_text(top, level)}")
    else:
        ch.glue("hvem_traits_top", SUPPRESSED)


def strongest_factors(odds: pd.DataFrame, conf_level: float, top: int = 3) -> str:
    """The ``top`` strongest significant odds ratios of the model's background and workplace
    factors (not the F3 items, said before), in words; levels of one variable are said once:
    'ledererfaring (odds ratio 2,90, 2,22 og 2,00 for mere end 25 år, 17–25 år og 9–16 år frem
    for 0–8 år, alle statistisk signifikante)', not as three factors. '' if none."""
    sig = odds[
        odds["variable"].isin(WHO_FACTORS)
        & (odds["p_value"] < 1 - conf_level)
        & ~odds["suppressed"].astype(bool)
    ]
    rows = sig.loc[sig["odds_ratio"].apply(lambda x: abs(np.log(x))).sort_values().index[::-1]]
    rows = rows.head(top)
    parts = []
    for var in dict.fromkeys(rows["variable"]):
        own = rows[rows["variable"] == var]
        r = own.iloc[0]
        if len(own) == 1:
            d = r["display"]
            parts.append(f"{d[:1].lower()}{d[1:]} ({odds_ratio_text(r, conf_level, named=True)})")
            continue
        ors = odds_ratios_named(own["odds_ratio"])
        labels = join_list([str(lb).lower() for lb in own["label"]])
        each = "begge" if len(own) == 2 else "alle"
        parts.append(
            f"{str(r['group']).lower()} ({ors} for {labels} frem for "
            f"{str(r['reference']).lower()}, {each} statistisk signifikante)"
        )
    return join_list(parts) if parts else ""


def tests_text(tests: pd.DataFrame, conf_level: float) -> str:
    """'Otte af de ni variable har en statistisk signifikant sammenhæng med at have taget
    uddannelsen (p under 0,05); det gælder ikke alder.' from :func:`tests_frame`."""
    sig = tests["p_value"] < 1 - conf_level
    count = count_of(int(sig.sum()), len(tests), "variable")
    ns = [lab.lower() for lab in tests.loc[~sig, "label"]]
    tail = ""
    if ns and sig.any():
        tail = (
            f"; det gælder ikke {ns[0] if len(ns) == 1 else ', '.join(ns[:-1]) + ' og ' + ns[-1]}"
        )
    return (
        f"{count[:1].upper()}{count[1:]} har en statistisk "
        f"signifikant sammenhæng med at have taget uddannelsen (p under "
        f"{number(1 - conf_level, 2)}){tail}."
    )


def model_failure(model) -> str | None:
    """Why the chapter's model could not be fitted, in Danish; None if it was."""
    return failure_text(model) if isinstance(model, Exception) else None


def missing_model_figure(failure: str):
    """A note in a figure's place that the model behind it cannot be estimated, so the page
    keeps its figure number and caption and says why the chart is missing."""
    import html

    from IPython.display import HTML

    return HTML(
        '<div class="admonition note"><p class="admonition-title">Modellen kan ikke '
        f"estimeres</p><p>Figuren kan ikke vises: {html.escape(failure)}.</p></div>"
    )


# --- figures and tables ----------------------------------------------------------------------
def breakdown_figure(ch, by_var: dict[str, pd.DataFrame], title_lead: str):
    """A stacked breakdown chart of the share trained by each variable of ``by_var``
    (variable -> ``proportion(ch.trained, by=variable)``), titled with the largest gap."""
    cb = load_codebook()
    shares = {v: labelled(t, v) for v, t in by_var.items()}
    parts = [(cb.label(v), t) for v, t in shares.items()]
    # title states the largest gap among these variables
    gaps = []
    for v, t in shares.items():
        t = t[~t["suppressed"]]
        if len(t) >= 2:
            hi, lo = t.loc[t["estimate"].idxmax()], t.loc[t["estimate"].idxmin()]
            gaps.append((hi["estimate"] - lo["estimate"], v, hi, lo))
    if gaps:
        _, v, hi, lo = max(gaps, key=lambda g: g[0])
        title = (
            f"{title_lead}: størst forskel efter {cb.label(v).lower()}, "
            f"fra {pct(lo['estimate'])} til {pct(hi['estimate'])}"
        )
    else:
        title = title_lead
    return breakdown_chart(
        parts,
        label="label",
        title=wrap(title, 55),
        subtitle=subtitle(
            ch,
            "Andel, der har taget uddannelsen efter den "
            f"{DEFINITE[ch.params['definition']]} definition."
            + (f" {industry_note(ch)}" if "industry" in by_var else ""),
            len(ch.data),
        ),
        conf_level=ch.params["conf_level"],
    )


def industry_note(ch) -> str:
    """The industries' provenance under the page's definition: the assumed levels are the
    broad definition's; under another definition the shares are computed from the same data,
    not assumed themselves."""
    note = industry_assumed_note(ch)
    definition = ch.params["definition"]
    if ch.synthetic and definition != "broad":
        note += (
            f" Tallene efter den {DEFINITE[definition]} definition er beregnet på de samme data "
            "og er ikke selv antaget."
        )
    return note


def shares_download(by_var: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The shares of a breakdown as the page's CSV."""
    t = pd.concat([labelled(t, v).drop(columns=[v]) for v, t in by_var.items()], ignore_index=True)
    return t.rename(columns={"group": "variabel", "label": "kategori"})


def tests_table(ch, tests: dict[str, pd.DataFrame]):
    """Table: the Rao-Scott tests (variable -> ``chisq(ch.trained, variable)``)."""
    t = tests_frame(tests)
    frame = pd.DataFrame(
        {
            "Variabel": t["label"],
            # a test about a group the book hides is suppressed like the group (chisq())
            "F (Rao-Scott)": [
                SUPPRESSED if pd.isna(f) else number(f, ratio_decimals(f)) for f in t["F"]
            ],
            "p-værdi": ["" if pd.isna(p) else pvalue_cell(p) for p in t["p_value"]],
            N_HEADING: ["" if pd.isna(n) else number(n) for n in t["n"]],
        }
    )
    return plain_table(
        frame,
        caption="Test for sammenhæng mellem baggrund og at have taget uddannelsen",
        uid="hvem-test",
    )


def odds_chart(ch, model):
    """Figure: the logistic model's odds ratios, or a note saying why it cannot be fitted."""
    failure = model_failure(model)
    if failure is not None:
        return missing_model_figure(failure)
    o = odds_ratios(model)
    lead = strongest(o)
    title = (
        "Sammenhænge med at have taget uddannelsen, når der tages højde for de øvrige forhold"
        if lead is None
        else f"Størst sammenhæng: {lead}"
    )
    return odds_ratio_chart(
        o,
        label="short",
        title=wrap(title, 55),
        subtitle=subtitle(ch, "Odds ratio fra vægtet logistisk regression", model.n),
        conf_level=ch.params["conf_level"],
    )


def odds_table(ch, model):
    """Table: the model's odds ratios (None when it could not be fitted)."""
    if model_failure(model) is not None:
        return None
    return odds_ratio_table(
        odds_ratios(model),
        "display",
        "Forhold",
        ch.params["conf_level"],
        caption="Vægtet logistisk regression: at have taget uddannelsen",
        uid="hvem-model",
    )


def download_odds(ch, model) -> None:
    """The link to the model's odds ratios as CSV (none when the model cannot be fitted)."""
    if model_failure(model) is None:
        ch.download(odds_download(model), "hvem-model")


def download_profiles(ch, model, prof: pd.DataFrame) -> None:
    """The link to the profiles' predicted probabilities as CSV (none without a model)."""
    if model_failure(model) is None:
        ch.download(profiles_download(prof), "hvem-profiler")


def odds_download(model) -> pd.DataFrame:
    """The model's odds ratios as the page's CSV."""
    return (
        odds_ratios(model)
        .drop(columns=["variable", "short"])
        .rename(
            columns={
                "group": "variabel",
                "label": "kategori",
                "reference": "reference",
                "display": "tekst",
            }
        )
    )


def profile_chart(ch, prof: pd.DataFrame, model):
    """Figure (F10): the predicted probability for the archetype and its contrast
    (:func:`profiles`), or a note saying why the model cannot be fitted."""
    failure = model_failure(model)
    if failure is not None:
        return missing_model_figure(failure)
    a = prof.set_index("key").loc["archetype"]
    title = (
        f"Arketypen har en forudsagt sandsynlighed på {pct(a['estimate'])} for at have taget "
        "uddannelsen"
        if not bool(a["suppressed"])
        else "Forudsagt sandsynlighed for at have taget uddannelsen"
    )
    return proportion_chart(
        prof,
        label="profile",
        title=wrap(title, 55),
        subtitle=subtitle(
            ch, "Forudsagt sandsynlighed fra den logistiske model", prof["n"].iloc[0]
        ),
        conf_level=ch.params["conf_level"],
        axis_title="Forudsagt sandsynlighed",
    )


def profiles_download(prof: pd.DataFrame) -> pd.DataFrame:
    """The profiles as the page's CSV."""
    return prof.drop(columns=["key"]).rename(
        columns={"profile": "profil", "description": "beskrivelse"}
    )


def traits_table(ch, differences: list[pd.DataFrame]):
    """Table (F10): each archetype trait among the trained and the untrained, with the
    difference (``difference(trait, ch.trained, 1, 0)`` per trait column)."""
    rows = []
    for _, r in traits_frame(differences).iterrows():
        hidden = bool(r["suppressed"])
        rows.append(
            {
                "Træk": r["trait"],
                "Blandt ledere med uddannelsen": SUPPRESSED if hidden else pct(r["estimate_a"], 1),
                "Blandt ledere uden uddannelsen": SUPPRESSED if hidden else pct(r["estimate_b"], 1),
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


def traits_download(differences: list[pd.DataFrame]) -> pd.DataFrame:
    """The traits table as the page's CSV."""
    return (
        traits_frame(differences)
        .drop(columns=["by", "variable"], errors="ignore")
        .rename(columns={"trait": "traek"})
    )


def key_figures(ch, by_type: pd.DataFrame, manager_diff: pd.DataFrame) -> list:
    """The chapter's opening numbers: the share trained among managers of managers and of
    employees (``by_type``: ``proportion(ch.trained, by="manager_type")``), and the
    difference between them with its test."""
    from lederuddannelse.report.keyfigures import difference_figure, proportion_figure

    r = manager_diff.iloc[0]
    mt = load_codebook().value_labels("manager_type")
    level = ch.params["conf_level"]
    figures = [
        proportion_figure(
            by_type.set_index("manager_type").loc[code],
            f"af {mt[int(code)].lower()} har taget uddannelsen",
            level,
        )
        for code in (r["a"], r["b"])
    ]
    figures.append(difference_figure(r, f"forskel, {order_text('manager_type')}", level))
    return figures
