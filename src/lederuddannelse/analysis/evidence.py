"""What the findings' checks read for one run: the design with the checks' columns, the
three models, and variants of a run (other definition, unweighted).

Split from :mod:`lederuddannelse.analysis.findings` (the checks themselves).
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from lederuddannelse.analysis.compare import restricted
from lederuddannelse.analysis.specs import (
    ARCHETYPE,
    DESIRE_FORMULA,
    F8_ITEMS,
    F9_RATINGS,
    F11_LOW,
    PROFILE_FORMULA,
    TRAINED_FORMULA,
    agree_codes,
    reason_items,
)
from lederuddannelse.data.derive import code_indicator
from lederuddannelse.errors import EstimationError


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
        out[f"{v}_tr"] = restricted(df, v, in_tr)
    for k, (_, var, codes) in enumerate(ARCHETYPE):
        out[f"_trait{k}"] = code_indicator(df[var], codes)
    for var in (*F8_ITEMS, *F9_RATINGS):
        out[f"{var}_agree"] = code_indicator(df[var], agree_codes(var))
    for k in F11_LOW:
        out[f"_industry{k}"] = code_indicator(df["industry"], (k,))
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


def simple_desire_model(design, term: str):
    """The ordinal model of desire on ``term`` alone: F5-F7's main test, the simple
    association the report states (the joint model is their robustness check)."""
    return _fit(design, "ordinal", f"desire ~ {term}")


def trained_model(design):
    """Logistic model of having taken the training on interest and time (F3), with sector
    and manager type as controls."""
    return _fit(design, "logistic", TRAINED_FORMULA)


def profile_model(design):
    """Ordinal model of desire on the background traits of the F12 profiles."""
    return _fit(design, "ordinal", PROFILE_FORMULA)


class Evidence:
    """What the checks F1a-F14 read for one run: its parameters and data, a design with the
    checks' derived columns (:func:`analysis_columns`), the three models and the simple
    models of desire on one trait each.

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
        self._simple: dict[str, Any] = {}

    @cached_property
    def desire_model(self):
        return desire_model(self.design)

    def simple_desire_model(self, term: str):
        """The ordinal model of desire on ``term`` alone (F5-F7's main test: the simple
        association the report states), fitted once per term."""
        if term not in self._simple:
            self._simple[term] = simple_desire_model(self.design, term)
        return self._simple[term]

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
        **d.design_args,  # the same sampling design (strata, PSUs, replicates)
        rake_margins=margins if params["weighted"] else None,
        weighted=params["weighted"],
        conf_level=d.conf_level,
        ci_method=d.ci_method,
        policy=d.policy,
        absent=d.absent,
    )
    return dataclasses.replace(ch, params=params, design=design)
