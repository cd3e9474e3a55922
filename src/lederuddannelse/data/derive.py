"""The analysis indicators derived from the answers: one definition for every chapter.

A validated survey (:func:`lederuddannelse.data.loader.load_survey`) has the codebook's coded
answers; the chapters estimate shares of 0/1 indicators. Deriving them in one place means that
"trained", "after 2020" or "high desire" mean the same on every page and in the generator's
calibration (:mod:`lederuddannelse.data.synthetic` checks its targets on the same indicators).
Their labels are in the codebook's ``derived`` section.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["HIGH_DESIRE_LEVELS", "add_derived", "code_indicator"]


#: Desire levels counted as "high desire" (the codebook's 'Stor lyst' and above); the
#: indicator `high_desire` and the desire chapter's ordinal model share this one definition.
HIGH_DESIRE_LEVELS = (4, 5)


def code_indicator(values, codes, domain=None) -> np.ndarray:
    """1.0 where ``values`` is one of ``codes``, 0.0 for another answer, NaN for no answer or
    outside ``domain`` (a boolean mask).

    Why one function: every 0/1 variable of the book (the derived indicators here, agreement
    with an item, an archetype's trait, an industry) is made this way, so that "no answer"
    stays missing (outside the domain, R's domain estimation) and is never counted as a 0.
    Non-numeric values count as no answer.
    """
    if not isinstance(values, pd.Series) and np.asarray(values).dtype.kind in "fiub":
        x = np.asarray(values, dtype=float)
    else:
        x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    res = np.where(np.isin(x, list(codes)), 1.0, 0.0)
    res[np.isnan(x)] = np.nan
    if domain is not None:
        res[~np.asarray(domain, dtype=bool)] = np.nan
    return res


#: The answer to ``pay_self`` ("would you take it if you paid yourself?") that means no.
UNWILLING_CODES = (2,)


def add_derived(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with the analysis indicators (0/1 floats, NaN outside their domain).

    ``trained_any/narrow/broad`` cover every respondent; a respondent counts once, in the
    narrowest category (the report's definition, and the codebook's one training question).
    ``after_2020`` and ``paid_by_workplace`` are defined among the trained only.
    """
    out = df.copy()
    absent = set(out.attrs.get("absent", ()))

    def col(name: str) -> np.ndarray:
        return pd.to_numeric(out[name], errors="raise").to_numpy(dtype=float, na_value=np.nan)

    def derive(name: str, source: str, hit, domain: np.ndarray | None = None) -> None:
        # A source the file does not have (its mapping lists it as absent) makes the indicator
        # absent too, so that a page needing it says so instead of estimating on nothing.
        if source in absent or source not in out.columns:
            absent.add(name)
        else:
            out[name] = code_indicator(col(source), hit, domain)

    for name, hit in (("trained_any", [1, 2]), ("trained_narrow", [1]), ("trained_broad", [2])):
        derive(name, "training", hit)
    trained = np.isin(col("training"), [1, 2]) if "training" in out.columns else None
    derive("after_2020", "training_year", [2], trained)
    derive("paid_by_workplace", "paid_by", [1], trained)
    derive("willing_to_pay", "pay_self", [1])
    derive("unwilling_to_pay", "pay_self", list(UNWILLING_CODES))
    derive("high_desire", "desire", list(HIGH_DESIRE_LEVELS))
    out.attrs["absent"] = sorted(absent)
    return out
