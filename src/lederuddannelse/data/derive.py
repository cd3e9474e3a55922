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

__all__ = ["add_derived"]


def add_derived(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with the analysis indicators (0/1 floats, NaN outside their domain).

    ``trained_any/narrow/broad`` cover every respondent; a respondent counts once, in the
    narrowest category (the report's definition, and the codebook's one training question).
    ``after_2020`` and ``paid_by_workplace`` are defined among the trained only.
    """
    out = df.copy()

    def col(name: str) -> np.ndarray:
        if name not in out.columns:  # absent in this file (a mapping says so): all unknown
            return np.full(len(out), np.nan)
        return pd.to_numeric(out[name], errors="raise").to_numpy(dtype=float, na_value=np.nan)

    def indicator(values: np.ndarray, hit, domain: np.ndarray | None = None) -> np.ndarray:
        res = np.where(np.isin(values, hit), 1.0, 0.0)
        res[np.isnan(values)] = np.nan
        if domain is not None:
            res[~domain] = np.nan
        return res

    training = col("training")
    trained = np.isin(training, [1, 2])
    out["trained_any"] = indicator(training, [1, 2])
    out["trained_narrow"] = indicator(training, [1])
    out["trained_broad"] = indicator(training, [2])
    out["after_2020"] = indicator(col("training_year"), [2], trained)
    out["paid_by_workplace"] = indicator(col("paid_by"), [1], trained)
    pay = col("pay_self")
    out["willing_to_pay"] = indicator(pay, [1])
    out["unwilling_to_pay"] = indicator(pay, [2])
    out["high_desire"] = indicator(col("desire"), [4, 5])
    return out
