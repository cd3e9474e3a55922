"""Column helpers shared by the estimators and the models.

:func:`check_column` (an unknown name, with close matches), :func:`factorize` (codes and
readable, ordered levels), :func:`t_quantile` and :func:`prop_ci` for intervals. The lowest
module of the statistics: it imports nothing else of it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lederuddannelse.errors import AbsentVariableError, EstimationError

__all__ = ["check_column", "factorize", "prop_ci", "t_quantile", "t_sf"]


def t_quantile(conf_level: float, df: np.ndarray | float) -> np.ndarray:
    """Two-sided t quantile; NaN where the degrees of freedom are not positive.

    ``scipy.special.stdtrit``, the function ``scipy.stats.t.ppf`` evaluates (the same numbers,
    without the distribution object's argument handling, which costs 100 times more)."""
    from scipy import special

    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        q = special.stdtrit(np.where(df > 0, df, np.nan), 1 - (1 - conf_level) / 2)
    return q


def t_sf(t: np.ndarray | float, df: np.ndarray | float) -> np.ndarray:
    """Upper tail probability of Student's t (``scipy.stats.t.sf``, by ``special.stdtr``)."""
    from scipy import special

    return special.stdtr(df, -np.asarray(t, dtype=float))


def factorize(s: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes (-1 for missing) and the ordered levels of a grouping variable.

    Categorical columns keep their category order (only observed categories); anything else
    is sorted, so that tables come out in a stable, readable order.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = pd.unique(s.dropna())
        levels = [c for c in s.cat.categories if c in set(present)]
        codes = pd.Categorical(s, categories=levels).codes.astype(np.int64)
    else:
        try:  # one pass: codes of the sorted levels, -1 for missing
            raw, uniq = pd.factorize(s, sort=True)
            codes, levels = raw.astype(np.int64), list(uniq)
        except TypeError:  # values that do not sort (mixed types): first-seen order
            raw, uniq = pd.factorize(s, sort=False)
            codes, levels = raw.astype(np.int64), list(uniq)
    if levels and all(
        isinstance(v, (float, np.floating)) and float(v).is_integer() for v in levels
    ):
        levels = [int(v) for v in levels]  # 1.0, 2.0 -> 1, 2: readable labels
    elif levels and all(isinstance(v, np.integer) for v in levels):
        levels = [int(v) for v in levels]
    return codes, levels


def check_column(df: pd.DataFrame, var: str, absent: Sequence[str] = ()) -> None:
    """Raise a clear error for a name that is not a column of ``df`` (with close matches).

    ``absent``: variables the data file does not have (its mapping says so); asking for one
    raises :class:`AbsentVariableError`, which the build turns into a page that says so.
    """
    if isinstance(var, str) and var not in df.columns and var in absent:
        raise AbsentVariableError(
            f"'{var}' findes ikke i datafilen (mappingfilen angiver den som fraværende)."
        )
    if not isinstance(var, str) or var not in df.columns:
        cols = [str(c) for c in df.columns]
        close = difflib.get_close_matches(str(var), cols, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise EstimationError(
            f"Unknown variable {var!r}: the data have no such column.{hint} "
            "Check the name against the codebook."
        )


def prop_ci(
    p: np.ndarray, se: np.ndarray, df: np.ndarray, n: np.ndarray, conf_level: float, method: str
):
    """CI for shares: ``method`` logit (R's svyciprop default) or Korn-Graubard beta.

    Both use t quantiles with the domain's df (``degf()``), as R's ``svyciprop`` on a domain.
    Korn-Graubard's effective n is ``p(1-p)/se**2`` times ``(t(n_d-1)/t(df))**2``, which
    is 1 here (df = n_d - 1); R's code uses the full sample's n in that ratio for a domain
    of a raked design only (a quirk we do not copy; the effect is below 0.1 % of the n).
    A share of exactly 0 or 1 has SE 0; its interval is then Clopper-Pearson on the
    unweighted domain size, since neither formula is defined there.
    """
    from scipy import special, stats

    alpha = 1 - conf_level
    q = t_quantile(conf_level, df)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "logit":
            lg = special.logit(p)
            sl = se / (p * (1 - p))
            lo, hi = special.expit(lg - q * sl), special.expit(lg + q * sl)
        else:
            ne = p * (1 - p) / se**2
            lo = stats.beta.ppf(alpha / 2, ne * p, ne * (1 - p) + 1)
            hi = stats.beta.ppf(1 - alpha / 2, ne * p + 1, ne * (1 - p))
        edge0, edge1 = (p == 0) & (n > 0), (p == 1) & (n > 0)
        if edge1.any():
            lo = np.where(edge1, stats.beta.ppf(alpha / 2, n, 1), lo)
        if edge0.any():
            hi = np.where(edge0, stats.beta.ppf(1 - alpha / 2, 1, n), hi)
        lo, hi = np.where(edge0, 0.0, lo), np.where(edge1, 1.0, hi)
    return lo, hi
