"""Model results in readers' terms: Danish term labels, profile contrasts, scale-top predictions.

The statistics layer names coefficients as patsy does (``gender[T.2]``, ``interest_pwe``);
readers need "Kvinde frem for mand". The chapters that fit models (who, desire and any
later one) take their labels from here, so a term is named the same way in every table and
chart, and every label comes from the codebook.

Two model-based quantities the survey layer does not return directly are computed here from
a fitted :class:`~lederuddannelse.stats.design.ModelResult` (its coefficients and design-based
covariance), so their uncertainty is the design-based one:

- :func:`profile_contrast`: the odds ratio between two named profiles (e.g. the archetype
  against a contrasting manager), with a Wald CI and t test on the model's residual df;
- :func:`ordinal_at_least`: for an ordinal model, the probability of a level *or higher*
  (e.g. "stor eller meget stor lyst") for named profiles, with a CI on the logit scale.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import patsy
from scipy import special, stats

from lederuddannelse.analysis.compare import definite
from lederuddannelse.analysis.specs import contrast_label
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.errors import EstimationError

_CAT = re.compile(r"^(?:C\()?([A-Za-z_][A-Za-z0-9_]*)\)?\[T\.(.+)\]$")


def _levels(model) -> dict[str, list]:
    """Categorical variables of the model and their levels (the first is the reference)."""
    out = {}
    for factor, info in model.design_info.factor_infos.items():
        if info.type == "categorical":
            hit = re.match(r"^(?:C\(\s*)?([A-Za-z_][A-Za-z0-9_]*)", factor.code)
            if hit:
                out[hit.group(1)] = list(info.categories)
    return out


def _code_label(labels: dict[int, str], value) -> str:
    try:
        return labels[int(float(value))]
    except (KeyError, ValueError, TypeError):
        return str(value)


def failure_text(exc: Exception) -> str:
    """Why a model could not be fitted, in Danish for the page (from the error's ``reason``).

    A page that cannot show its model says so and why, instead of failing the build or
    showing the analyst's English message: e.g. on a small file under the narrow definition
    every manager in one age group may be untrained, which makes that group's odds ratio
    infinite (separation). The error's ``detail`` (which group) stays with the analyst.
    """
    reason = getattr(exc, "reason", None)
    if reason == "separation":
        # The group is not named: it is often one the book hides for its size, and "all of
        # them have the same outcome" would publish its respondents' answer.
        return (
            "i én af modellens grupper har alle besvarelser samme udfald, så gruppens odds "
            "ratio bliver uendelig (fuldstændig adskillelse)"
        )
    if reason == "no_convergence":
        return (
            "modellen konvergerer ikke, fordi en kombination af grupper har samme udfald for "
            "alle besvarelser (kvasi-adskillelse)"
        )
    if reason == "collinear":
        return (
            "nogle af modellens forhold bestemmer hinanden (en gruppe uden besvarelser eller "
            "et forhold, der er givet ved de andre)"
        )
    if reason == "empty":
        return "ingen besvarelser har svar på alle modellens spørgsmål"
    return "modellen kan ikke beregnes på disse data"


def scale_step_text(var: str) -> str:
    """'per trin fra Helt uenig til Helt enig' for a coded item used as a number."""
    cb = load_codebook()
    codes = cb.value_labels(var)
    if not codes:
        return "pr. enhed"
    first, last = list(codes.values())[0], list(codes.values())[-1]
    return f"pr. trin fra {first.lower()} til {last.lower()}"


def label_terms(model) -> pd.DataFrame:
    """One row per coefficient of ``model.table``: ``term, variable, group, label, reference``.

    ``group`` is the variable's codebook label, ``label`` the category (for a dummy) or the
    scale step (for an item used as a number), ``reference`` the reference category.
    Cut points of an ordinal model get ``variable = None``.
    """
    cb = load_codebook()
    levels = _levels(model)
    rows = []
    for term in model.table["term"]:
        hit = _CAT.match(term)
        if term == "Intercept" or "|" in term:
            rows.append(
                {"term": term, "variable": None, "group": term, "label": term, "reference": ""}
            )
        elif hit and hit.group(1) in cb:
            var, code = hit.group(1), hit.group(2)
            labels = cb.value_labels(var) if var in cb.variables else {}
            ref = _code_label(labels, levels.get(var, [""])[0])
            rows.append(
                {
                    "term": term,
                    "variable": var,
                    "group": cb.label(var),
                    "label": _code_label(labels, code),
                    "reference": ref,
                }
            )
        elif term in cb:
            rows.append(
                {
                    "term": term,
                    "variable": term,
                    "group": cb.label(term),
                    "label": scale_step_text(term) if term in cb.variables else "",
                    "reference": "",
                }
            )
        else:
            rows.append(
                {"term": term, "variable": None, "group": term, "label": term, "reference": ""}
            )
    return pd.DataFrame(rows)


#: How each trait of a profile reads in a sentence (its value label in place of {}).
PROFILE_WORDS = {
    "gender": "en {}",
    "age_group": "på {}",
    "education": "med {}",
    "sector": "ansat i {}",
    "org_size": "i en organisation med {}",
    "experience": "med {} som leder",
    "manager_type": "{}",
    "span_of_control": "med et ledelsesspænd på {}",
}


def profile_words(values: dict[str, str]) -> str:
    """'en kvinde ansat i den offentlige sektor i en organisation med 250 ansatte eller flere,
    med mere end 25 år som leder, leder af ledere og med et ledelsesspænd på mere end 100
    medarbejdere': a profile (variable -> value label) as a Danish phrase, not a list of
    »variabel: værdi«."""
    words = []
    for var, label in values.items():
        value = label.lower()
        if var == "sector":
            value = definite(label)
        elif var == "age_group" and value.startswith("under"):
            words.append(value)
            continue
        elif var == "manager_type":
            value = value.replace("ledere af", "leder af", 1)
        words.append(
            PROFILE_WORDS.get(var, f"{load_codebook().label(var).lower()} {{}}").format(value)
        )
    head = " ".join(words[:3])
    rest = words[3:]
    if not rest:
        return head
    return (
        f"{head}, {', '.join(rest[:-1])} og {rest[-1]}" if len(rest) > 1 else f"{head} og {rest[0]}"
    )


def answers_words(values: dict[str, str]) -> str:
    """'alder »50-59 år«, uddannelse »mellemlang videregående uddannelse« og …': the values a
    profile holds fixed, each after its variable's name."""
    parts = [f"{load_codebook().label(v).lower()} »{lab.lower()}«" for v, lab in values.items()]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} og {parts[-1]}"


def odds_ratios(model) -> pd.DataFrame:
    """The model's odds ratios without intercept and cut points, with Danish labels.

    Columns: ``term, variable, group, label, reference, display`` (``"Kvinde frem for mand"``
    or ``"Interesse … (pr. trin …)"``, :func:`~lederuddannelse.analysis.specs.contrast_label`)
    and the table's ``odds_ratio, or_low, or_high, p_value, n, suppressed``.
    """
    lab = label_terms(model)
    t = model.table.merge(lab, on="term", how="left")
    t = t[t["variable"].notna()].copy()
    t["display"] = [
        contrast_label(g, lb, ref) if ref else f"{g} ({lb})"
        for g, lb, ref in zip(t["group"], t["label"], t["reference"])
    ]
    t["short"] = [
        contrast_label(g, lb, ref) if ref else f"{g} (pr. trin)"
        for g, lb, ref in zip(t["group"], t["label"], t["reference"])
    ]
    cols = [
        "term",
        "variable",
        "group",
        "label",
        "reference",
        "display",
        "short",
        "odds_ratio",
        "or_low",
        "or_high",
        "p_value",
        "n",
        "suppressed",
    ]
    return t[cols].reset_index(drop=True)


def strongest(odds: pd.DataFrame) -> str | None:
    """'privat sektor frem for offentlig sektor (odds ratio 0,26)': the largest effect in
    either direction (on the log scale) among the shown odds ratios, for a chart title."""
    from lederuddannelse.report.fmt import odds_ratio_named

    shown = odds[~odds["suppressed"].astype(bool) & odds["odds_ratio"].notna()]
    if not len(shown):
        return None
    r = shown.loc[shown["odds_ratio"].apply(lambda x: abs(np.log(x))).idxmax()]
    if r["reference"]:
        return (  # no colon: the chart title puts one before this text
            f"{r['label'].lower()} frem for {r['reference'].lower()} "
            f"({r['group'].lower()}, {odds_ratio_named(r['odds_ratio'])})"
        )
    return f"{r['group'].lower()} ({odds_ratio_named(r['odds_ratio'])} pr. trin)"


def _design_rows(model, profiles: pd.DataFrame) -> np.ndarray:
    try:
        (X,) = patsy.build_design_matrices([model.design_info], profiles, return_type="dataframe")
    except Exception as exc:  # patsy raises many types; the message is what matters
        raise EstimationError(f"Cannot build the model's terms for the profiles: {exc}") from exc
    if model.kind == "ordinal" and "Intercept" in X.columns:
        X = X.drop(columns="Intercept")
    return X.to_numpy(dtype=float)


def _small(model, profiles: pd.DataFrame) -> np.ndarray:
    """Profiles that use a category with too few respondents (the policy suppresses them)."""
    small = np.zeros(len(profiles), dtype=bool)
    for var, bad in model.small_levels.items():
        if var in profiles.columns:
            small |= profiles[var].isin(bad).to_numpy(dtype=bool)
    return small


def profile_contrast(model, a: dict, b: dict) -> dict:
    """Odds ratio of profile ``a`` against profile ``b`` with CI and p-value (design-based).

    For a logistic or ordinal model, the log odds ratio is ``(x_a - x_b)' beta``; its SE is
    ``sqrt(d' V d)`` with the model's design-based covariance ``V``.
    """
    X = _design_rows(model, pd.DataFrame([a, b]))
    p = X.shape[1]
    d = np.zeros(len(model.coef))
    d[:p] = X[0] - X[1]
    est = float(d @ model.coef)
    se = float(np.sqrt(d @ model.vcov @ d))
    q = float(stats.t.ppf(1 - (1 - model.conf_level) / 2, model.df_resid))
    tstat = est / se if se > 0 else np.nan
    pval = float(2 * stats.t.sf(abs(tstat), model.df_resid)) if np.isfinite(tstat) else np.nan
    hidden = bool(_small(model, pd.DataFrame([a, b])).any())
    out = {
        "odds_ratio": np.exp(est),
        "or_low": np.exp(est - q * se),
        "or_high": np.exp(est + q * se),
        "p_value": pval,
        "suppressed": hidden,
    }
    if hidden:
        out = {k: (np.nan if k != "suppressed" else True) for k in out}
    return out


def ordinal_at_least(model, profiles: pd.DataFrame, level) -> pd.DataFrame:
    """P(outcome >= ``level``) for each profile of an ordinal model, with a logit-scale CI.

    With ``logit P(Y <= k) = zeta_k - x'beta``, ``logit P(Y >= level) = x'beta - zeta_{k}``
    where ``k`` is the level below ``level``: linear in the coefficients, so its SE is exact
    under the delta method and the back-transformed interval stays inside 0-1.
    """
    if model.kind != "ordinal":
        raise EstimationError("ordinal_at_least() needs an ordinal model.")
    if level not in model.levels or model.levels.index(level) == 0:
        raise EstimationError(f"Level {level!r} is not an upper level of {model.levels}.")
    X = _design_rows(model, profiles)
    p = X.shape[1]
    k = model.levels.index(level) - 1  # cut point between level-1 and level
    G = np.zeros((len(X), len(model.coef)))
    G[:, :p] = X
    G[:, p + k] = -1.0
    eta = G @ model.coef
    se = np.sqrt(np.einsum("ij,jk,ik->i", G, model.vcov, G))
    q = float(stats.t.ppf(1 - (1 - model.conf_level) / 2, model.df_resid))
    est = special.expit(eta)
    out = profiles.reset_index(drop=True).copy()
    out["estimate"] = est
    out["se"] = se * est * (1 - est)
    out["ci_low"] = special.expit(eta - q * se)
    out["ci_high"] = special.expit(eta + q * se)
    out["n"] = float(model.n)
    out["suppressed"] = _small(model, profiles)
    out.loc[out["suppressed"], ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return out
