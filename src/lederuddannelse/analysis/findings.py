"""The report's findings F1a-F14 as explicit, testable checks (the claims ledger).

Each finding of the report (its wording is :data:`STATEMENTS`; see ``docs/sources.md``) has one
function here that takes an :class:`Evidence` (built once per run from a Chapter-like object:
anything with ``params``, ``data`` and ``design``, e.g. the result of
:func:`lederuddannelse.chapters.base.open_chapter`) and returns a :class:`Finding`: what the
report says, what this edition estimates (with CI and n, or a test), the criterion used to
decide, and whether the claim holds on the data in use. :func:`evaluate` runs them.

Why explicit criteria: "holds" is a judgement, and a reader (or an auditor running the book on
the real microdata) must be able to see exactly what was checked. The rules are deliberately
simple and written out in :data:`CRITERIA`: a published level "holds" when the confidence
interval covers it; a claimed difference or model effect "holds" when it has the stated sign
and p < :data:`ALPHA`; a claimed majority holds when the lower CI limit is above 50 %.
``holds`` is ``None`` when the data cannot decide (a needed estimate is suppressed by the
small-cell rule, or a model cannot be fitted).

Definitions: findings about "the trained" (F2, F3, F4's payment, F8, F10, F14) follow the
``definition`` parameter (:data:`DEFINITION_DEPENDENT`); F1a, F1b and F11 name their definition
in the report and use it whatever the parameter says. :func:`variant` rebuilds the design with
other parameters (narrow/broad definition, weighted/unweighted) so the ledger can show
robustness without running other notebooks.

Only the checks live here: the model terms and item sets they use are in
:mod:`lederuddannelse.analysis.specs`, the ledger page's tables, glue and figure in
:mod:`lederuddannelse.chapters.holder` and the front page's summary in
:mod:`lederuddannelse.chapters.forside`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy import stats

from lederuddannelse.analysis.specs import (
    ARCHETYPE,
    DESIRE_FORMULA,
    PROFILE_FORMULA,
    TRAINED_FORMULA,
    barrier_items,
    reason_items,
)
from lederuddannelse.data import targets
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.errors import AbsentVariableError, EstimationError
from lederuddannelse.report.fmt import (
    SUPPRESSED,
    difference_text,
    mean_with_ci,
    n_is,
    odds_ratio_named,
    p_below,
    pct,
    pvalue,
    share_full,
)

ALPHA = 0.05  # significance level of every "holds" test

# The report's published levels an estimate's CI should cover: ids of data/targets.yml, whose
# values are read through lederuddannelse.data.targets (the one place they are typed).
LEVEL_TARGETS = {"any": "F1a", "narrow": "F1b_narrow", "broad": "F1b_broad", "after_2020": "F2"}


def report_level(key: str) -> float:
    """The report's published level for ``key`` of :data:`LEVEL_TARGETS` (e.g. "any")."""
    return targets.report_level(LEVEL_TARGETS[key])


def _level_texts() -> dict[str, str]:
    """The published levels as Danish text, for the statement and criterion templates."""
    return {key: pct(report_level(key)) for key in LEVEL_TARGETS}


# Findings whose population ("the trained", "the untrained") follows the definition parameter
DEFINITION_DEPENDENT = ("F2", "F3", "F4", "F8", "F10", "F14")


@dataclass
class Finding:
    """One checked claim.

    ``holds`` is True/False by the ``criterion``; None when the data in use cannot decide.
    ``estimate`` is Danish prose with CI and n (or test), ready to glue or tabulate.
    """

    id: str
    statement: str
    estimate: str
    holds: bool | None
    criterion: str
    details: pd.DataFrame | None = None
    parts: dict[str, str] = field(default_factory=dict)  # named pieces of ``estimate`` for glue


STATEMENTS = {
    "F1a": "{any} af lederne har taget en lederuddannelse i psykisk arbejdsmiljø (samlet).",
    "F1b": "{narrow} har taget den smalle og {broad} den brede uddannelse.",
    "F2": "Af dem, der har taget uddannelsen, tog {after_2020} den efter 2020.",
    "F3": "De vigtigste grunde er at udvikle sig som leder og at få konkrete værktøjer; interesse "
    "for psykisk arbejdsmiljø og tid øger sandsynligheden for at have taget uddannelsen og "
    "lysten til den.",
    "F4": "De fleste fik uddannelsen betalt af arbejdspladsen; de fleste vil ikke tage den, hvis "
    "de selv skal betale.",
    "F5": "Lysten er større, når troen på egne evner er lav, og når lederen forventer, at "
    "uddannelsen forbedrer trivslen og mindsker sygefraværet.",
    "F6": "Konflikter og stressede medarbejdere giver mere lyst; medarbejdere, der har de "
    "nødvendige ressourcer og trives, giver signifikant mindre lyst.",
    "F7": "Mangler arbejdspladsen en klar strategi eller værktøjer for det psykiske "
    "arbejdsmiljø, er lysten større.",
    "F8": "Flere ledere af ledere end ledere af medarbejdere har taget uddannelsen; ledere af "
    "ledere siger oftere, at arbejdspladsen prioriterer det psykiske arbejdsmiljø og "
    "afsætter penge og tid til uddannelse.",
    "F9": "Ledere af medarbejdere begrunder det at de ikke har taget uddannelsen især med mangel "
    "på tid; de vurderer den mere relevant og mere nyttig for trivslen end ledere af ledere.",
    "F10": "Den typiske uddannede leder er en kvinde i offentlig sektor i en stor organisation, "
    "med lang ledererfaring, leder af ledere og med et stort ledelsesspænd.",
    "F11": "I offentlig administration, undervisning og sundhed har lidt over halvdelen taget "
    "uddannelsen (bred definition); relativt få i bygge og anlæg, erhvervsservice og "
    "ejendomshandel.",
    "F12": "Mest lyst: en yngre kvinde i offentlig sektor med et ledelsesspænd på 29-100 og "
    "0-8 års erfaring. Mindst lyst: en ældre mand med lang videregående uddannelse i en "
    "lille privat organisation, med lille ledelsesspænd og mange års erfaring.",
    "F13": "Blandt ledere uden uddannelsen siger ledere i privat sektor oftere end i offentlig, "
    "at den ikke er relevant og ikke vil gøre en positiv forskel for medarbejderne.",
    "F14": "Blandt ledere med uddannelsen angiver ledere i privat sektor signifikant oftere end "
    "i offentlig karrieremuligheder som grund.",
}

_SIG = p_below(ALPHA)
CRITERIA = {
    "F1a": "Holder, hvis konfidensintervallet for andelen (samlet definition) dækker {any}.",
    "F1b": "Holder, hvis konfidensintervallerne for den smalle og den brede andel dækker "
    "henholdsvis {narrow} og {broad}.",
    "F2": "Holder, hvis konfidensintervallet for andelen efter 2020 blandt de uddannede dækker "
    "{after_2020}.",
    "F3": "Holder, hvis de to grunde ligger øverst i rangordenen, og interesse og tid hver har en "
    f"positiv effekt ({_SIG}) i både modellen for at have taget uddannelsen og modellen for lyst.",
    "F4": "Holder, hvis den nedre grænse af konfidensintervallet er over 50 pct. for både "
    "betalt af arbejdspladsen og vil ikke betale selv.",
    "F5": "Holder, hvis troen på egne evner har en negativ og de to forventede effekter en positiv "
    f"effekt på lysten ({_SIG}) i den ordinale model.",
    "F6": f"Holder, hvis konflikter og stress har positive og ressourcer og trivsel negative "
    f"effekter på lysten ({_SIG}) i den ordinale model.",
    "F7": f"Holder, hvis strategi og værktøjer hver har en negativ effekt på lysten ({_SIG}).",
    "F8": f"Holder, hvis ledere af ledere ligger højere end ledere af medarbejdere ({_SIG}) på "
    "alle tre: andel uddannede, prioritering og penge og tid.",
    "F9": "Holder, hvis mangel på tid er den hyppigste årsag blandt ledere af medarbejdere uden "
    "uddannelsen, og de vurderer relevans og effekt på trivsel højere end ledere af ledere "
    f"({_SIG}).",
    "F10": "Holder, hvis hvert af de seks træk er hyppigere blandt uddannede end blandt "
    f"ikke-uddannede ({_SIG}).",
    "F11": "Holder, hvis offentlig administration, undervisning og sundhed har den største andel "
    "(bred definition) og en andel over 50 pct., og de tre nævnte brancher ligger under "
    "gennemsnittet for alle ledere.",
    "F12": "Holder, hvis den forudsagte lyst er større for profilen med mest lyst end for profilen "
    f"med mindst lyst ({_SIG}).",
    "F13": f"Holder, hvis begge årsager er hyppigere i privat end i offentlig sektor ({_SIG}).",
    "F14": "Holder, hvis karrieremuligheder er hyppigere i privat end i offentlig sektor "
    f"({_SIG}).",
}


# ---------------------------------------------------------------------------- design variants
def analysis_columns(df: pd.DataFrame, definition: str) -> dict[str, np.ndarray]:
    """The indicator columns the checks need (NaN = outside the domain), to add to a design.

    ``_tr`` is 'trained' under the definition; ``{var}_tr`` restricts an item asked of all the
    trained to those trained under the definition (so a narrow run looks at narrow training);
    ``_trait{k}`` is 1 where the respondent has the k-th trait of the archetype.
    """
    out: dict[str, np.ndarray] = {}
    tr = pd.to_numeric(df[f"trained_{definition}"], errors="coerce").to_numpy(dtype=float)
    out["_tr"] = tr
    in_tr = tr == 1
    for v in ["after_2020", "paid_by_workplace", *reason_items()]:
        x = pd.to_numeric(df[v], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out[f"{v}_tr"] = np.where(in_tr, x, np.nan)
    for k, (_, var, codes) in enumerate(ARCHETYPE):
        x = pd.to_numeric(df[var], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out[f"_trait{k}"] = np.where(np.isnan(x), np.nan, np.isin(x, codes).astype(float))
    return out


def _fit(design, kind: str, formula: str):
    """The fitted model, or the EstimationError that says why it cannot be fitted."""
    try:
        return getattr(design, kind)(formula)
    except EstimationError as exc:
        return exc


def desire_model(design):
    """The joint ordinal model of desire (F3, F5, F6, F7): higher coefficient = more desire."""
    return _fit(design, "ordinal", DESIRE_FORMULA)


def trained_model(design):
    """Logistic model of having taken the training on interest and time (F3), with sector
    and manager type as controls."""
    return _fit(design, "logistic", TRAINED_FORMULA)


def profile_model(design):
    """Ordinal model of desire on the background traits of the F12 profiles."""
    return _fit(design, "ordinal", PROFILE_FORMULA)


class Evidence:
    """What the checks F1a-F14 read for one run: its parameters and data, a design with the
    checks' derived columns (:func:`analysis_columns`), and the three models.

    Why an object: the checks share one design and the same fitted models (F3, F5, F6 and F7
    read the desire model); building them once here, explicitly, keeps that cost single
    without caching anything on the chapter. The design is the chapter's own with columns
    added (:meth:`SurveyDesign.with_columns`): same weights and raking projection, and the
    chapter's data stay as loaded. Models are fitted on first use.
    """

    def __init__(self, ch) -> None:
        self.params = ch.params
        self.data = ch.data
        self.design = ch.design.with_columns(analysis_columns(ch.data, ch.params["definition"]))

    @cached_property
    def desire_model(self):
        return desire_model(self.design)

    @cached_property
    def trained_model(self):
        return trained_model(self.design)

    @cached_property
    def profile_model(self):
        return profile_model(self.design)


def variant(ch, **changes: Any):
    """A copy of ``ch`` with other parameters (``definition``, ``weighted``), design rebuilt.

    The weights stay those of the data file (raked once); ``weighted=False`` sets them to 1, as
    the chapters' own unweighted run does.
    """
    from lederuddannelse.params import check_global
    from lederuddannelse.stats.design import SurveyDesign

    params = dict(ch.params)
    for name, value in changes.items():
        params[name] = check_global(name, value, "findings.variant")
    d = ch.design
    weights = ch.data["weight"] if "weight" in ch.data.columns else None
    margins = getattr(d, "rake_margins", None)
    if margins is None and params["weighted"] and params.get("raking_se") and not d.weighted:
        from lederuddannelse.data.weighting import load_margins

        margins = load_margins()
    design = SurveyDesign(
        ch.data,
        weights,
        rake_margins=margins if params["weighted"] else None,
        weighted=params["weighted"],
        conf_level=d.conf_level,
        ci_method=d.ci_method,
        policy=d.policy,
        absent=d.absent,
    )
    return dataclasses.replace(ch, params=params, design=design)


# ---------------------------------------------------------------------------- helpers
def _ok(row: pd.Series) -> bool:
    return not bool(row.get("suppressed", False)) and pd.notna(row.get("estimate"))


def _share(ev: Evidence, row: pd.Series) -> str:
    """The ledger's share at the run's level: '27 pct. (95 %-KI: 25–29 pct., n = 2.468)'."""
    return share_full(row, ev.params["conf_level"])


def _diff_text(ev: Evidence, row: pd.Series, share: bool = True) -> str:
    """The ledger's difference at the run's level, one decimal and both groups' n:
    '5,2 procentpoint (95 %-KI: 1,0 til 9,4 procentpoint, p = 0,003; n = 812 og 2.140)'."""
    return difference_text(row, ev.params["conf_level"], 1 if share else 2, True, share)


def _sig_positive(row: pd.Series) -> bool | None:
    if not _ok(row) or pd.isna(row.get("p_value")):
        return None
    return bool(row["estimate"] > 0 and row["p_value"] < ALPHA)


def _covers(row: pd.Series, level: float) -> bool | None:
    if not _ok(row):
        return None
    return bool(row["ci_low"] <= level <= row["ci_high"])


def _all(values) -> bool | None:
    """True if all True; False if any False; None if undecided (and none False)."""
    values = list(values)
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _label(var: str) -> str:
    cb = load_codebook()
    lab = cb.label(var)
    return lab.split(": ", 1)[1] if ": " in lab else lab


def _effect(model, term: str, sign: int) -> tuple[bool | None, str]:
    """Does ``term`` have the given sign with p < ALPHA? And a Danish description."""
    if isinstance(model, Exception):
        return None, "modellen kan ikke estimeres"
    row = model.table.set_index("term").loc[term]
    if bool(row["suppressed"]) or pd.isna(row["estimate"]):
        return None, SUPPRESSED
    ok = bool(np.sign(row["estimate"]) == sign and row["p_value"] < ALPHA)
    return ok, f"{odds_ratio_named(row['odds_ratio'])} ({pvalue(row['p_value'])})"


def _effects_text(model, terms_signs) -> tuple[bool | None, str]:
    parts, oks = [], []
    for term, sign in terms_signs:
        ok, text = _effect(model, term, sign)
        oks.append(ok)
        parts.append(f"{_label(term).lower()}: {text}")
    n = f"; {n_is(model.n)}" if not isinstance(model, Exception) else ""
    return _all(oks), "; ".join(parts) + n


# ---------------------------------------------------------------------------- checks
def statement(fid: str) -> str:
    """The report's claim ``fid`` in Danish, with the published levels from targets.yml."""
    return STATEMENTS[fid].format(**_level_texts())


def criterion(fid: str) -> str:
    """The rule deciding whether ``fid`` holds, in Danish, with the published levels."""
    return CRITERIA[fid].format(**_level_texts())


def _result(fid: str, estimate: str, holds: bool | None, details=None, **parts: str) -> Finding:
    return Finding(fid, statement(fid), estimate, holds, criterion(fid), details, dict(parts))


def f1a(ev: Evidence) -> Finding:
    r = ev.design.proportion("trained_any").iloc[0]
    return _result("F1a", _share(ev, r), _covers(r, report_level("any")), share=_share(ev, r))


def f1b(ev: Evidence) -> Finding:
    d = ev.design
    rn = d.proportion("trained_narrow").iloc[0]
    rb = d.proportion("trained_broad").iloc[0]
    text = f"Smal: {_share(ev, rn)}; bred: {_share(ev, rb)}"
    return _result(
        "F1b",
        text,
        _all([_covers(rn, report_level("narrow")), _covers(rb, report_level("broad"))]),
        narrow=_share(ev, rn),
        broad=_share(ev, rb),
    )


def f2(ev: Evidence) -> Finding:
    r = ev.design.proportion("after_2020_tr").iloc[0]
    return _result("F2", _share(ev, r), _covers(r, report_level("after_2020")), share=_share(ev, r))


def f3(ev: Evidence) -> Finding:
    d = ev.design
    reasons = reason_items()
    ranked = d.multi_response([f"{v}_tr" for v in reasons])
    top = [i.removesuffix("_tr") for i in ranked.sort_values("rank")["item"].head(2)]
    shown = ranked[~ranked["suppressed"]]
    ranking_ok = (
        None if len(shown) < len(reasons) else set(top) == {"reason_develop", "reason_tools"}
    )
    top_text = " og ".join(
        f"„{_label(v).lower()}“: {_share(ev, ranked.set_index('item').loc[v + '_tr'])}" for v in top
    )
    ok_t, text_t = _effects_text(ev.trained_model, [("interest_pwe", 1), ("has_time", 1)])
    ok_d, text_d = _effects_text(ev.desire_model, [("interest_pwe", 1), ("has_time", 1)])
    text = f"Hyppigste grunde: {top_text}. Har taget uddannelsen: {text_t}. Lyst: {text_d}"
    return _result("F3", text, _all([ranking_ok, ok_t, ok_d]), ranked, top=top_text)


def f4(ev: Evidence) -> Finding:
    d = ev.design
    rp = d.proportion("paid_by_workplace_tr").iloc[0]
    ru = d.proportion("unwilling_to_pay").iloc[0]
    majority = [None if not _ok(r) else bool(r["ci_low"] > 0.5) for r in (rp, ru)]
    text = f"Betalt af arbejdspladsen: {_share(ev, rp)}; vil ikke betale selv: {_share(ev, ru)}"
    return _result("F4", text, _all(majority), paid=_share(ev, rp), unwilling=_share(ev, ru))


def f5(ev: Evidence) -> Finding:
    ok, text = _effects_text(
        ev.desire_model, [("self_efficacy", -1), ("expect_wellbeing", 1), ("expect_sickness", 1)]
    )
    return _result("F5", text, ok)


def f6(ev: Evidence) -> Finding:
    ok, text = _effects_text(
        ev.desire_model,
        [
            ("conflicts", 1),
            ("stressed_employees", 1),
            ("employees_resources", -1),
            ("employees_thriving", -1),
        ],
    )
    return _result("F6", text, ok)


def f7(ev: Evidence) -> Finding:
    ok, text = _effects_text(ev.desire_model, [("workplace_strategy", -1), ("workplace_tools", -1)])
    return _result("F7", text, ok)


def f8(ev: Evidence) -> Finding:
    d = ev.design
    parts, oks, named = [], [], {}
    for var, name, share in (
        ("_tr", "andel uddannede", True),
        ("workplace_priority", _label("workplace_priority").lower(), False),
        ("workplace_resources", _label("workplace_resources").lower(), False),
    ):
        r = d.difference(var, "manager_type", 2, 1).iloc[0]
        oks.append(_sig_positive(r))
        parts.append(f"{name}: {_diff_text(ev, r, share)}")
        named[var.strip("_")] = _diff_text(ev, r, share)
        if var == "_tr":
            by_type = ev.design.proportion("_tr", by="manager_type").set_index("manager_type")
            named["managers"] = _share(ev, by_type.loc[2])
            named["employees"] = _share(ev, by_type.loc[1])
    return _result(
        "F8",
        "Ledere af ledere minus ledere af medarbejdere: " + "; ".join(parts),
        _all(oks),
        **named,
    )


def f9(ev: Evidence) -> Finding:
    d = ev.design
    ranked = d.multi_response(barrier_items(), by="manager_type")
    emp = ranked[ranked["manager_type"] == 1].sort_values("rank")
    top = emp.iloc[0]
    ranking_ok = None if emp["suppressed"].any() else top["item"] == "barrier_time"
    parts, oks = (
        [
            f"hyppigste årsag blandt ledere af medarbejdere: {_label(top['item']).lower()} "
            f"({pct(top['estimate'])})"
        ],
        [ranking_ok],
    )
    for var in ("relevance", "expect_wellbeing"):
        r = d.difference(var, "manager_type", 1, 2).iloc[0]
        oks.append(_sig_positive(r))
        parts.append(
            f"{_label(var).lower()}, ledere af medarbejdere minus ledere af ledere: "
            f"{_diff_text(ev, r, share=False)}"
        )
    top_share = _share(ev, top)
    return _result(
        "F9",
        "; ".join(parts),
        _all(oks),
        ranked,
        top=f"„{_label(top['item']).lower()}“: {top_share}",
    )


def f10(ev: Evidence) -> Finding:
    d = ev.design
    parts, oks, rows = [], [], []
    for k, (label, _, _) in enumerate(ARCHETYPE):
        r = d.difference(f"_trait{k}", "_tr", 1, 0).iloc[0]
        oks.append(_sig_positive(r))
        parts.append(f"{label.lower()}: {_diff_text(ev, r)}")
        rows.append({"træk": label, **r.to_dict()})
    return _result(
        "F10", "Uddannede minus ikke-uddannede: " + "; ".join(parts), _all(oks), pd.DataFrame(rows)
    )


def f11(ev: Evidence) -> Finding:
    d = ev.design
    t = d.proportion("trained_broad", by="industry")
    overall = d.proportion("trained_broad").iloc[0]
    t = t.set_index("industry")
    pub = t.loc[9]
    few = [3, 7, 8]
    shown = t[~t["suppressed"]]
    if not _ok(pub) or any(not _ok(t.loc[k]) for k in few if k in t.index):
        holds = None
    else:
        holds = bool(
            shown["estimate"].idxmax() == 9
            and pub["estimate"] > 0.5
            and all(t.loc[k, "estimate"] < overall["estimate"] for k in few)
        )
    labels = load_codebook().value_labels("industry")
    text = (
        f"{labels[9]}: {_share(ev, pub)}; "
        + "; ".join(f"{labels[k].lower()}: {_share(ev, t.loc[k])}" for k in few)
        + f"; alle ledere: {_share(ev, overall)}"
    )
    return _result("F11", text, holds, t.reset_index())


def f12_profiles(data: pd.DataFrame) -> pd.DataFrame:
    """The most- and least-desire profiles of the report; unnamed traits at the most common
    category (education and organisation size of the most-desire profile)."""

    def mode(v):
        return int(pd.to_numeric(data[v], errors="coerce").mode().iloc[0])

    most = {
        "gender": 2,
        "age_group": 1,
        "sector": 1,
        "span_of_control": 3,
        "experience": 1,
        "education": mode("education"),
        "org_size": mode("org_size"),
    }
    least = {
        "gender": 1,
        "age_group": 4,
        "sector": 2,
        "span_of_control": 1,
        "experience": 4,
        "education": 5,
        "org_size": 1,
    }
    return pd.DataFrame([most, least], index=["mest lyst", "mindst lyst"])


def f12(ev: Evidence) -> Finding:
    model = ev.profile_model
    if isinstance(model, Exception):
        return _result("F12", "modellen kan ikke estimeres", None)
    profiles = f12_profiles(ev.data)
    pred = model.predict(profiles.reset_index(drop=True))
    means = pred[pred["quantity"] == "mean"].reset_index(drop=True)
    if means["suppressed"].any():
        return _result("F12", SUPPRESSED, None, means)
    # test on the linear predictor: difference of the two profiles
    import patsy

    (X,) = patsy.build_design_matrices(
        [model.design_info], profiles.reset_index(drop=True), return_type="dataframe"
    )
    X = X.drop(columns="Intercept", errors="ignore").to_numpy(dtype=float)
    p = X.shape[1]
    g = X[0] - X[1]
    est = float(g @ model.coef[:p])
    se = float(np.sqrt(g @ model.vcov[:p, :p] @ g))
    pv = float(2 * stats.t.sf(abs(est / se), model.df_resid))
    holds = bool(est > 0 and pv < ALPHA)
    level = ev.params["conf_level"]

    def m(i):
        r = means.iloc[i]
        return mean_with_ci(r["estimate"], r["ci_low"], r["ci_high"], level, 2)

    text = (
        f"Forudsagt gennemsnitlig lyst (skala 1-5): mest lyst {m(0)}, mindst lyst {m(1)}; "
        f"forskel {pvalue(pv)}; {n_is(model.n)}"
    )
    return _result("F12", text, holds, means, most=m(0), least=m(1), test=pvalue(pv))


def f13(ev: Evidence) -> Finding:
    d = ev.design
    parts, oks, named = [], [], {}
    for var in ("barrier_not_relevant", "barrier_no_difference"):
        r = d.difference(var, "sector", 2, 1).iloc[0]
        oks.append(_sig_positive(r))
        parts.append(f"{_label(var).lower()}: {_diff_text(ev, r)}")
        named[var.removeprefix("barrier_")] = _diff_text(ev, r)
    return _result("F13", "Privat minus offentlig sektor: " + "; ".join(parts), _all(oks), **named)


def f14(ev: Evidence) -> Finding:
    r = ev.design.difference("reason_career_tr", "sector", 2, 1).iloc[0]
    return _result(
        "F14",
        "Privat minus offentlig sektor: " + _diff_text(ev, r),
        _sig_positive(r),
        diff=_diff_text(ev, r),
    )


FINDINGS: dict[str, Callable] = {
    "F1a": f1a,
    "F1b": f1b,
    "F2": f2,
    "F3": f3,
    "F4": f4,
    "F5": f5,
    "F6": f6,
    "F7": f7,
    "F8": f8,
    "F9": f9,
    "F10": f10,
    "F11": f11,
    "F12": f12,
    "F13": f13,
    "F14": f14,
}


def evaluate(ch, ids=None) -> dict[str, Finding]:
    """Every finding (or those in ``ids``) on the chapter's data and parameters."""
    ev = Evidence(ch)
    out = {}
    for fid in ids or FINDINGS:
        try:
            out[fid] = FINDINGS[fid](ev)
        except AbsentVariableError as exc:  # a real file without the question: undecided
            out[fid] = _result(fid, f"Kan ikke afgøres: {exc}", None)
    return out
