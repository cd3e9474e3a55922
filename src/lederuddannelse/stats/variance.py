"""Design-based variance of a weighted, optionally raked survey: the formulas R's ``survey`` uses.

Every estimator of :class:`~lederuddannelse.stats.design.SurveyDesign` (and every model of
:mod:`lederuddannelse.stats.models`) is written as a sum of per-respondent influence values
``z``; this module turns those into variances, so that one set of formulas stands behind every
standard error in the book:

- **Variance.** ``n/(n-1) * sum((z - mean(z))**2)`` with ``n`` the *full* sample size (R's
  with-replacement, single-stage formula for ``svydesign(ids = ~1, weights = ~weight)``).
- **Raking-aware.** When the weights came from raking, the influence values are first projected
  on the raking margins (10 sweeps of "subtract ``w`` times the within-category mean of
  ``z/w``"), exactly as R's ``svyrecvar`` does for a ``rake()`` design. Without margins the
  weights count as fixed.

It is the lowest module of the statistics, so it also holds the two column helpers that the
estimators and the models share: :func:`check_column` (an unknown name, with close matches) and
:func:`factorize` (codes and readable, ordered levels), plus :func:`t_quantile` for intervals.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lederuddannelse.errors import AbsentVariableError, EstimationError

__all__ = ["DesignVariance", "check_column", "factorize", "t_quantile"]

RAKE_SWEEPS = 10  # what R's svyrecvar does for a raked design


# ---------------------------------------------------------------------------- column helpers
def t_quantile(conf_level: float, df: np.ndarray | float) -> np.ndarray:
    """Two-sided t quantile; NaN where the degrees of freedom are not positive."""
    from scipy import stats

    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(1 - (1 - conf_level) / 2, np.where(df > 0, df, np.nan))
    return q


def factorize(s: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes (-1 for missing) and the ordered levels of a grouping variable.

    Categorical columns keep their category order (only observed categories); anything else
    is sorted, so that tables come out in a stable, readable order.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = pd.unique(s.dropna())
        levels = [c for c in s.cat.categories if c in set(present)]
    else:
        uniq = pd.unique(s.dropna())
        try:
            levels = sorted(uniq)
        except TypeError:
            levels = list(uniq)
    codes = pd.Categorical(s, categories=levels).codes.astype(np.int64)
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


# ---------------------------------------------------------------------------- variance
class DesignVariance:
    """Variances of estimators from their influence values, raking-aware when margins are given.

    Parameters
    ----------
    df:
        One row per respondent (only the margins' columns are read).
    w:
        The design's weights, one per row of ``df``.
    rake_margins:
        ``{column: Series of population totals by category}`` that ``w`` was raked to, or
        ``None`` (weights treated as fixed).
    """

    def __init__(
        self, df: pd.DataFrame, w: np.ndarray, rake_margins: dict[str, pd.Series] | None = None
    ) -> None:
        self.w = w
        self.n = len(w)
        self._margins = _prepare_margins(df, w, rake_margins) if rake_margins else {}

    def _cell_shift(self, S: np.ndarray) -> np.ndarray:
        """Per-cell shift C (J x k): projected z = z - w * C[cell], from cell sums of z/w."""
        mg = self._margins
        E, N, cnt = mg["E"], mg["N"], mg["cnt"]
        s = [e @ S for e in E]
        c = [np.zeros((e.shape[0], S.shape[1])) for e in E]
        for _ in range(RAKE_SWEEPS):
            for a in range(len(E)):
                tot = s[a] - sum(N[a][b] @ c[b] for b in range(len(E)))
                c[a] += tot / cnt[a][:, None]
        return sum(ca[cc] for ca, cc in zip(c, mg["cellcat"]))

    def _cell_sums(
        self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int
    ) -> np.ndarray:
        J = self._margins["J"]
        idx = self._margins["jcell"][rows] * k + cols
        return np.bincount(idx, weights=vals, minlength=J * k).reshape(J, k)

    def project(self, Z: np.ndarray) -> np.ndarray:
        """Remove from influence values what the raking margins explain (R's svyrecvar)."""
        if not self._margins:
            return Z
        n, k = Z.shape
        rows = np.repeat(np.arange(n), k)
        cols = np.tile(np.arange(k), n)
        S = self._cell_sums(rows, cols, (Z / self.w[:, None]).ravel(), k)
        C = self._cell_shift(S)
        return Z - self.w[:, None] * C[self._margins["jcell"]]

    def vcov(self, Z: np.ndarray, full: bool = True) -> np.ndarray:
        """Design-based covariance of estimators with influence values ``Z`` (n x k).

        ``full=False`` returns only the variances (the diagonal).
        """
        Z = np.asarray(Z, dtype=float)
        if Z.ndim == 1:
            Z = Z[:, None]
        n = self.n
        Zp = self.project(Z)
        Zp = Zp - Zp.mean(axis=0)
        if not full:
            return (Zp * Zp).sum(axis=0) * n / (n - 1)
        return Zp.T @ Zp * n / (n - 1)

    def sparse_var(
        self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, G: int
    ) -> np.ndarray:
        """Variances of G estimators whose influence matrix is sparse: entries (rows, cols, vals).

        Domain estimators have one nonzero per row and group, so neither the fixed-weight nor
        the raking-aware variance needs an n x G matrix: both are sums over the entries and,
        for the raking projection, over the raking cells.
        """
        n = self.n
        colsum = np.bincount(cols, weights=vals, minlength=G)
        ss = np.bincount(cols, weights=vals**2, minlength=G)
        if self._margins:
            w = self.w[rows]
            S = self._cell_sums(rows, cols, vals / w, G)
            B = self._cell_sums(rows, cols, vals * w, G)
            C = self._cell_shift(S)
            ss = ss - 2 * (B * C).sum(axis=0) + (self._margins["sw2"][:, None] * C**2).sum(axis=0)
            colsum = colsum - self._margins["sw"] @ C
        return np.maximum(ss - colsum**2 / n, 0.0) * n / (n - 1)

    def grouped_var(self, codes: np.ndarray, vals: np.ndarray, G: int) -> np.ndarray:
        """Variances of G domain estimators: influence ``vals`` on the rows of group ``codes``."""
        rows = np.flatnonzero(codes >= 0)
        return self.sparse_var(rows, codes[rows], vals[rows], G)


def _prepare_margins(
    df: pd.DataFrame, w: np.ndarray, rake_margins: dict[str, pd.Series]
) -> dict[str, object]:
    """Raking cells (joint categories of all margins) and their sizes, for the projection.

    R's projection (10 sweeps of "subtract w times the within-category mean of z/w" per
    margin) changes z only by ``w * c[cell]`` where ``c`` lives on the cells: each sweep
    needs only the category sums of z/w, which follow from cell sums. So it is run on
    the (few) cells instead of the n rows: the same arithmetic as R, in O(n) per column.
    """
    n = len(w)
    codes_list, sizes = [], []
    for var, target in rake_margins.items():
        check_column(df, var)
        codes, levels = factorize(df[var])
        if (codes < 0).any():
            raise EstimationError(
                f"Raking margin '{var}' has missing values; every respondent needs a "
                "category on each weighting variable."
            )
        # Raking-aware SEs are only right for weights that were raked to these margins.
        target = pd.Series(target, dtype=float)
        got = pd.Series(np.bincount(codes, weights=w, minlength=len(levels)), index=levels)
        want = target.reindex(levels)
        scale = max(float(target.sum()), 1.0)
        if want.isna().any() or np.max(np.abs(got.to_numpy() - want.to_numpy())) > 1e-6 * scale:
            raise EstimationError(
                f"The weights do not reproduce the raking margin '{var}' (weighted totals "
                f"{got.round(1).to_dict()} vs population {target.round(1).to_dict()}). Pass the "
                "weights raked to these margins, weights=None to rake here, or "
                "rake_margins=None to treat the weights as fixed."
            )
        codes_list.append(codes)
        sizes.append(len(levels))
    joint = np.zeros(n, dtype=np.int64)
    for codes, K in zip(codes_list, sizes):
        joint = joint * K + codes
    cells, jcell = np.unique(joint, return_inverse=True)
    J = len(cells)
    cellcat = []
    rem = cells.copy()
    for K in reversed(sizes):
        cellcat.append(rem % K)
        rem //= K
    cellcat.reverse()
    cnt_cell = np.bincount(jcell, minlength=J).astype(float)
    E = [np.zeros((K, J)) for K in sizes]
    for e, cc in zip(E, cellcat):
        e[cc, np.arange(J)] = 1.0
    cnt = [e @ cnt_cell for e in E]
    Ncross = [[(E[a] * cnt_cell) @ E[b].T for b in range(len(E))] for a in range(len(E))]
    return {
        "jcell": jcell,
        "J": J,
        "E": E,
        "cellcat": cellcat,
        "cnt": cnt,
        "N": Ncross,
        "sw": np.bincount(jcell, weights=w, minlength=J),
        "sw2": np.bincount(jcell, weights=w**2, minlength=J),
    }
