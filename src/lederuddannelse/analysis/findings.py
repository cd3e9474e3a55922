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
interval covers it; a claimed difference or association "holds" when it has the stated sign
and p < :data:`ALPHA`; a claimed majority holds when the whole interval is above the
threshold of its word (:data:`MAJORITY_WORDS`, the one vocabulary of the pages and the ledger).
``holds`` is ``None`` when the data cannot decide (a needed estimate is suppressed by the
small-cell rule, a model cannot be fitted, or a majority's interval contains its threshold).

Associations with desire (F5-F7) are tested one trait at a time (the simple association, the
report's claim); the joint model with all twelve correlated items is shown beside them as a
robustness check (:attr:`Component.role`), which informs but does not decide.

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
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from lederuddannelse.analysis.compare import comparison_order, order_text
from lederuddannelse.analysis.criteria import (  # re-exported for the chapters and tests
    ALPHA,
    CLEAR_MAJORITY,
    CRITERIA,
    JUST_OVER_HALF,
    MAJORITY,
    MAJORITY_WORDS,
    STATEMENTS,
    estimable,
    majority_phrase,
    share_above,
)
from lederuddannelse.analysis.evidence import (  # re-exported for the chapters
    Evidence as Evidence,
)
from lederuddannelse.analysis.evidence import (
    analysis_columns as analysis_columns,
)
from lederuddannelse.analysis.evidence import (
    desire_model as desire_model,
)
from lederuddannelse.analysis.evidence import (
    profile_model as profile_model,
)
from lederuddannelse.analysis.evidence import (
    trained_model as trained_model,
)
from lederuddannelse.analysis.evidence import (
    variant as variant,
)
from lederuddannelse.analysis.specs import (
    ARCHETYPE,
    F3_TERMS,
    F8_ITEMS,
    F9_BARRIERS,
    F9_RATINGS,
    F11_HIGH,
    F11_LOW,
    F12_PROFILES,
    agree_text,
    barrier_items,
    f12_traits,
    org_size_note,
    reason_items,
)
from lederuddannelse.data import targets
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.errors import AbsentVariableError
from lederuddannelse.report.fmt import (
    SUPPRESSED,
    difference_text,
    mean_with_ci,
    n_is,
    odds_ratio_named,
    pct,
    pvalue,
    share_full,
)


def _order_head(var: str) -> str:
    """'Ledere af ledere minus ledere af medarbejdere': the order, heading a finding's text."""
    text = order_text(var)
    return text[:1].upper() + text[1:]


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
    components: list[Component] = field(default_factory=list)  # each part with size and verdict


#: A component that decides its finding, and one shown beside it as a robustness check.
TEST, ROBUSTNESS = "test", "robustness"


@dataclass
class Component:
    """One part of a claim, checked on its own: what it is, its size (estimate with CI and
    test, in Danish) and whether it holds. A finding holds when all its ``test`` components do,
    so the ledger can show which part fails and by how much; ``robustness`` components (the
    same association in a joint model) are shown but do not decide."""

    what: str
    size: str
    holds: bool | None
    role: str = TEST


def deciding(components: list[Component]) -> list[Component]:
    """The components that decide a finding (not the robustness checks)."""
    return [c for c in components if c.role == TEST]


# ---------------------------------------------------------------------------- helpers
def _share(ev: Evidence, row: pd.Series) -> str:
    """The ledger's share at the run's level: '27 pct. (95 %-KI: 25–29 pct., n = 2.468)'."""
    return share_full(row, ev.params["conf_level"])


def _diff_text(ev: Evidence, row: pd.Series, share: bool = True) -> str:
    """The ledger's difference at the run's level, one decimal and both groups' n:
    '5,2 procentpoint (95 %-KI: 1,0 til 9,4 procentpoint, p = 0,003; n = 812 og 2.140)'."""
    return difference_text(row, ev.params["conf_level"], 1 if share else 2, True, share)


def _sig_positive(row: pd.Series) -> bool | None:
    if not estimable(row) or pd.isna(row.get("p_value")):
        return None
    return bool(row["estimate"] > 0 and row["p_value"] < ALPHA)


def _sig_signed(row: pd.Series, sign: int) -> bool | None:
    """Has the difference the expected sign with p < ALPHA? None if it cannot be decided."""
    if not estimable(row) or pd.isna(row.get("p_value")):
        return None
    return bool(np.sign(row["estimate"]) == sign and row["p_value"] < ALPHA)


def interval_covers(row: pd.Series, level: float) -> bool | None:
    """Does the row's confidence interval contain `level`? None if the row is not estimable."""
    if not estimable(row):
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


def _parts_text(head: str, comps: list[Component]) -> str:
    """'Head. Part one: size; part two: size' (one colon per clause)."""
    items = "; ".join(f"{c.what[0].lower() + c.what[1:]}: {c.size}" for c in comps)
    return f"{head}. {items[0].upper() + items[1:]}" if items else head


def _effect_components(model, terms_signs, outcome: str) -> list[Component]:
    """One component per model term: its odds ratio and test, and whether its sign is the
    claimed one with p < ALPHA."""
    out = []
    for term, sign in terms_signs:
        ok, text = _effect(model, term, sign)
        out.append(Component(f"{_label(term)} ({outcome})", text, ok))
    return out


def _effects_text(model, terms_signs) -> tuple[bool | None, str]:
    parts, oks = [], []
    for term, sign in terms_signs:
        ok, text = _effect(model, term, sign)
        oks.append(ok)
        parts.append(f"{_label(term).lower()} med {text}")
    n = f"; {n_is(model.n)}" if not isinstance(model, Exception) else ""
    return _all(oks), "; ".join(parts) + n


# ---------------------------------------------------------------------------- checks
def _template_values() -> dict[str, str]:
    """The numbers the statement and criterion templates name, as Danish text."""
    return {
        **_level_texts(),
        "majority": pct(MAJORITY),
        "clear": pct(CLEAR_MAJORITY),
        "low": pct(JUST_OVER_HALF[0]),
        "high": pct(JUST_OVER_HALF[1]),
        "org_size_note": org_size_note(),
    }


def statement(fid: str) -> str:
    """The report's claim ``fid`` in Danish, with the published levels from targets.yml."""
    return STATEMENTS[fid].format(**_template_values())


def criterion(fid: str) -> str:
    """The rule deciding whether ``fid`` holds, in Danish, with the published levels."""
    return CRITERIA[fid].format(**_template_values())


def _result(
    fid: str,
    estimate: str,
    holds: bool | None,
    details=None,
    components: list[Component] | None = None,
    **parts: str,
) -> Finding:
    return Finding(
        fid,
        statement(fid),
        estimate,
        holds,
        criterion(fid),
        details,
        dict(parts),
        list(components or []),
    )


def _level(ev, fid: str, what: str, row: pd.Series, key: str) -> Component:
    return Component(what, _share(ev, row), interval_covers(row, report_level(key)))


def f1a(ev: Evidence) -> Finding:
    r = ev.design.proportion("trained_any").iloc[0]
    c = _level(ev, "F1a", "Samlet definition", r, "any")
    return _result("F1a", c.size, c.holds, components=[c], share=c.size)


def f1b(ev: Evidence) -> Finding:
    d = ev.design
    cn = _level(ev, "F1b", "Smal definition", d.proportion("trained_narrow").iloc[0], "narrow")
    cb = _level(ev, "F1b", "Bred definition", d.proportion("trained_broad").iloc[0], "broad")
    text = f"Smal: {cn.size}; bred: {cb.size}"
    return _result(
        "F1b", text, _all([cn.holds, cb.holds]), components=[cn, cb], narrow=cn.size, broad=cb.size
    )


def f2(ev: Evidence) -> Finding:
    r = ev.design.proportion("after_2020_tr").iloc[0]
    c = _level(ev, "F2", "Efter 2020, blandt ledere med uddannelsen", r, "after_2020")
    m = Component("Størstedelen: " + majority_phrase(r), c.size, share_above(r))
    return _result("F2", c.size, _all([c.holds, m.holds]), components=[c, m], share=c.size)


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
        f"»{_label(v).lower()}« med {_share(ev, ranked.set_index('item').loc[v + '_tr'])}"
        for v in top
    )
    comps = [Component("De to hyppigste grunde", top_text, ranking_ok)]
    terms = [(t, 1) for t in F3_TERMS]
    comps += _effect_components(ev.trained_model, terms, "har taget uddannelsen")
    comps += _effect_components(ev.desire_model, terms, "lyst")
    _, text_t = _effects_text(ev.trained_model, terms)
    _, text_d = _effects_text(ev.desire_model, terms)
    text = f"Hyppigste grunde: {top_text}. Har taget uddannelsen: {text_t}. Lyst: {text_d}"
    names = " og ".join(f"»{_label(v).lower()}«" for v in top)
    return _result(
        "F3",
        text,
        _all(c.holds for c in comps),
        ranked,
        components=comps,
        top=top_text,
        top_names=names,
    )


def f4(ev: Evidence) -> Finding:
    d = ev.design
    rp = d.proportion("paid_by_workplace_tr").iloc[0]
    ru = d.proportion("unwilling_to_pay").iloc[0]
    comps = [
        Component(
            f"Betalt af arbejdspladsen ({MAJORITY_WORDS[CLEAR_MAJORITY].removeprefix('et ')})",
            _share(ev, rp),
            share_above(rp, CLEAR_MAJORITY),
        ),
        Component(
            f"Vil ikke betale selv ({MAJORITY_WORDS[MAJORITY].removeprefix('et ')})",
            _share(ev, ru),
            share_above(ru, MAJORITY),
        ),
    ]
    text = f"Betalt af arbejdspladsen: {comps[0].size}; vil ikke betale selv: {comps[1].size}"
    return _result(
        "F4",
        text,
        _all(c.holds for c in comps),
        components=comps,
        paid=comps[0].size,
        unwilling=comps[1].size,
    )


def _desire_finding(fid: str, ev, terms_signs) -> Finding:
    """Each trait's simple association with desire decides (one ordinal model per trait); the
    joint model's odds ratio of the same trait is shown beside it as a robustness check."""
    comps, parts = [], []
    for term, sign in terms_signs:
        simple = ev.simple_desire_model(term)
        ok, text = _effect(simple, term, sign)
        comps.append(Component(f"{_label(term)} (lyst, alene)", text, ok))
        parts.append(f"{_label(term).lower()} med {text}")
    joint = _effect_components(ev.desire_model, terms_signs, "lyst, samlet model")
    comps += [dataclasses.replace(c, role=ROBUSTNESS) for c in joint]
    simple_n = ev.simple_desire_model(terms_signs[0][0])
    n = f"; {n_is(simple_n.n)}" if not isinstance(simple_n, Exception) else ""
    text = "Hver for sig: " + "; ".join(parts) + n
    return _result(fid, text, _all(c.holds for c in deciding(comps)), components=comps)


def f5(ev: Evidence) -> Finding:
    return _desire_finding(
        "F5", ev, [("self_efficacy", -1), ("expect_wellbeing", 1), ("expect_sickness", 1)]
    )


def f6(ev: Evidence) -> Finding:
    return _desire_finding(
        "F6",
        ev,
        [
            ("conflicts", 1),
            ("stressed_employees", 1),
            ("employees_resources", -1),
            ("employees_thriving", -1),
        ],
    )


def f7(ev: Evidence) -> Finding:
    return _desire_finding("F7", ev, [("workplace_strategy", -1), ("workplace_tools", -1)])


def _difference(ev, what: str, row: pd.Series, sign: int) -> Component:
    """A component from a row of SurveyDesign.difference: holds if the difference has ``sign``
    and p < ALPHA; the size is the difference in percentage points with CI and test."""
    return Component(what, _diff_text(ev, row), _sig_signed(row, sign))


def f8(ev: Evidence) -> Finding:
    d = ev.design
    comps, named = [], {}
    for var, name in (
        ("_tr", "Har taget uddannelsen"),
        *((f"{v}_agree", agree_text(v)) for v in F8_ITEMS),
    ):
        r = d.difference(var, "manager_type", *comparison_order("manager_type")).iloc[0]
        comps.append(_difference(ev, name, r, 1))
        named[var.strip("_").removesuffix("_agree")] = comps[-1].size
    by_type = d.proportion("_tr", by="manager_type").set_index("manager_type")
    named["managers"] = _share(ev, by_type.loc[comparison_order("manager_type")[0]])
    named["employees"] = _share(ev, by_type.loc[comparison_order("manager_type")[1]])
    text = _parts_text(_order_head("manager_type"), comps)
    return _result("F8", text, _all(c.holds for c in comps), components=comps, **named)


def f9(ev: Evidence) -> Finding:
    """F9 read as a comparison between the two manager types (this edition's reading: the
    report's first sentence makes no comparison itself), not a ranking within one: each named
    reason and rating with its own test, in the site's one order (managers of managers minus
    managers of employees)."""
    d = ev.design
    comps = []
    for var, sign in F9_BARRIERS:
        r = d.difference(var, "manager_type", *comparison_order("manager_type")).iloc[0]
        comps.append(_difference(ev, f"{_label(var)} (årsag)", r, sign))
    for var in F9_RATINGS:
        r = d.difference(f"{var}_agree", "manager_type", *comparison_order("manager_type")).iloc[0]
        comps.append(_difference(ev, agree_text(var), r, -1))
    ranked = d.multi_response(barrier_items(), by="manager_type")
    emp = ranked[ranked["manager_type"] == comparison_order("manager_type")[1]].sort_values("rank")
    top = emp.iloc[0]
    text = _parts_text(_order_head("manager_type"), comps)
    return _result(
        "F9",
        text,
        _all(c.holds for c in comps),
        ranked,
        components=comps,
        top=f"»{_label(top['item']).lower()}« med {_share(ev, top)}",
        time=comps[0].size,
    )


def f10(ev: Evidence) -> Finding:
    d = ev.design
    comps, rows = [], []
    for k, (label, _, _) in enumerate(ARCHETYPE):
        r = d.difference(f"_trait{k}", "_tr", 1, 0).iloc[0]
        comps.append(_difference(ev, label, r, 1))
        rows.append({"træk": label, **r.to_dict()})
    text = _parts_text("Ledere med minus ledere uden uddannelsen", comps)
    return _result("F10", text, _all(c.holds for c in comps), pd.DataFrame(rows), components=comps)


def _within(row: pd.Series, low: float, high: float) -> bool | None:
    """Is the share "lidt over halvdelen"? As every level and majority on the site, decided by
    the interval: True when the whole interval lies between ``low`` and ``high``, False when it
    lies wholly outside, None when it contains either limit (the data cannot decide)."""
    if not estimable(row):
        return None
    if low < row["ci_low"] and row["ci_high"] < high:
        return True
    if row["ci_high"] < low or row["ci_low"] > high:
        return False
    return None


def f11(ev: Evidence) -> Finding:
    """Under the broad definition whatever the run's definition: the report names it."""
    d = ev.design
    t = d.proportion("trained_broad", by="industry").set_index("industry")
    overall = d.proportion("trained_broad").iloc[0]
    labels = load_codebook().value_labels("industry")
    pub = t.loc[F11_HIGH] if F11_HIGH in t.index else pd.Series(dtype=float)
    low, high = JUST_OVER_HALF
    comps = [
        Component(
            f"{labels[F11_HIGH]}: lidt over halvdelen",
            _share(ev, pub),
            _within(pub, low, high),
        )
    ]
    for k in F11_LOW:
        r = d.difference("trained_broad", f"_industry{k}", 1, 0).iloc[0]
        comps.append(_difference(ev, f"{labels[k]} minus de øvrige brancher", r, -1))
    text = (
        f"{labels[F11_HIGH]}: {_share(ev, pub)}; "
        + "; ".join(
            f"{labels[k].lower()}: {_share(ev, t.loc[k]) if k in t.index else '–'}" for k in F11_LOW
        )
        + f"; alle ledere: {_share(ev, overall)}"
    )
    return _result(
        "F11",
        text,
        _all(c.holds for c in comps),
        t.reset_index(),
        components=comps,
        public=_share(ev, pub),
    )


def f12_profiles(data: pd.DataFrame) -> pd.DataFrame:
    """The most- and least-desire profiles of the report; unnamed traits at the most common
    category (education and organisation size of the most-desire profile)."""

    def mode(v):
        return int(pd.to_numeric(data[v], errors="coerce").mode().iloc[0])

    most = {v: (mode(v) if c is None else c) for v, (c, _) in F12_PROFILES.items()}
    least = {v: (mode(v) if c is None else c) for v, (_, c) in F12_PROFILES.items()}
    return pd.DataFrame([most, least], index=["mest lyst", "mindst lyst"])


def _contrast(model, a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, float, float]:
    """Estimate, SE and p of mean(linear predictor of rows a) - mean(rows b) in ``model``."""
    import patsy

    def rows(frame):
        (X,) = patsy.build_design_matrices([model.design_info], frame, return_type="dataframe")
        return X.drop(columns="Intercept", errors="ignore").to_numpy(dtype=float).mean(axis=0)

    g = rows(a.reset_index(drop=True)) - rows(b.reset_index(drop=True))
    p = g.shape[0]
    est = float(g @ model.coef[:p])
    se = float(np.sqrt(g @ model.vcov[:p, :p] @ g))
    pv = float(2 * stats.t.sf(abs(est / se), model.df_resid)) if se > 0 else float("nan")
    return est, se, pv


def f12_trait_checks(model, profiles: pd.DataFrame) -> list[tuple]:
    """F12's trait checks (:func:`~lederuddannelse.analysis.specs.f12_traits`) on the fitted
    background model: ``(Component, variable, code, odds ratio, p)``, the most-desire profile
    with one trait changed against its reference (another group, or the mean of the others)."""
    base = profiles.iloc[[0]]
    out = []
    for label, var, code, other in f12_traits():
        at = base.assign(**{var: code})
        if other is None:  # a least-desire trait, against the mean of the other categories
            others = [c for c in load_codebook().value_labels(var) if c != code]
            ref, sign = pd.concat([base.assign(**{var: c}) for c in others]), -1
        else:  # a most-desire trait against its least-desire counterpart
            ref, sign = base.assign(**{var: other}), 1
        e, _, p = _contrast(model, at, ref)
        ok = None if np.isnan(p) else bool(np.sign(e) == sign and p < ALPHA)
        size = f"{odds_ratio_named(float(np.exp(e)))} ({pvalue(p)})"
        out.append((Component(label, size, ok), var, code, float(np.exp(e)), p))
    return out


def f12(ev: Evidence) -> Finding:
    model = ev.profile_model
    if isinstance(model, Exception):
        return _result("F12", "modellen kan ikke estimeres", None)
    profiles = f12_profiles(ev.data)
    pred = model.predict(profiles.reset_index(drop=True))
    means = pred[pred["quantity"] == "mean"].reset_index(drop=True)
    if means["suppressed"].any():
        return _result("F12", SUPPRESSED, None, means)
    est, _, pv = _contrast(model, profiles.iloc[[0]], profiles.iloc[[1]])
    comps = [
        Component(
            "Profilen med mest lyst over for profilen med mindst lyst",
            f"{odds_ratio_named(float(np.exp(est)))} ({pvalue(pv)})",
            bool(est > 0 and pv < ALPHA),
        )
    ]
    comps += [check[0] for check in f12_trait_checks(model, profiles)]
    level = ev.params["conf_level"]

    def m(i):
        r = means.iloc[i]
        return mean_with_ci(r["estimate"], r["ci_low"], r["ci_high"], level, 2)

    text = (
        f"Forudsagt gennemsnitlig lyst (skala 1–5): mest lyst {m(0)}, mindst lyst {m(1)}; "
        f"forskel {pvalue(pv)}; {n_is(model.n)}"
    )
    return _result(
        "F12",
        text,
        _all(c.holds for c in comps),
        means,
        components=comps,
        most=m(0),
        least=m(1),
        test=pvalue(pv),
    )


def f13(ev: Evidence) -> Finding:
    d = ev.design
    comps, named = [], {}
    for var in ("barrier_not_relevant", "barrier_no_difference"):
        r = d.difference(var, "sector", *comparison_order("sector")).iloc[0]
        comps.append(_difference(ev, f"{_label(var)} (årsag)", r, 1))
        named[var.removeprefix("barrier_")] = comps[-1].size
    text = _parts_text(_order_head("sector"), comps)
    return _result("F13", text, _all(c.holds for c in comps), components=comps, **named)


def f14(ev: Evidence) -> Finding:
    r = ev.design.difference("reason_career_tr", "sector", *comparison_order("sector")).iloc[0]
    c = _difference(ev, f"{_label('reason_career')} (grund)", r, 1)
    return _result(
        "F14", f"{_order_head('sector')}: " + c.size, c.holds, components=[c], diff=c.size
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
