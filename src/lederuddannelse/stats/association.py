"""The test of association in a two-way table: R's ``svychisq`` (Rao-Scott, "F").

Kept out of :mod:`lederuddannelse.stats.design` (which offers it as ``SurveyDesign.chisq``) so
that the design module keeps to the estimators of shares and means; it works on any design
through :class:`~lederuddannelse.stats.bundle.DesignData`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError
from lederuddannelse.stats.bundle import DesignData
from lederuddannelse.stats.columns import check_column, factorize
from lederuddannelse.stats.disclosure import DisclosureSpec

__all__ = ["chisq_test"]


def _col(data: DesignData, var: str) -> pd.Series:
    check_column(data.df, var, data.absent)
    return data.df[var]


def chisq_test(data: DesignData, row_var: str, col_var: str) -> pd.DataFrame:
    """Rao-Scott adjusted test of association of ``row_var`` and ``col_var`` (one row).

    As R, the scale uses the full sample's n and the denominator df are the design's
    ``degf()``; the cell shares' covariance comes from the design (influence values, or the
    replicates' cell shares for a replicate design).
    """
    from scipy import stats

    rc, rlev = factorize(_col(data, row_var))
    cc, clev = factorize(_col(data, col_var))
    nr, nc = len(rlev), len(clev)
    if nr < 2 or nc < 2:
        raise EstimationError(
            f"A test of association needs at least two categories in each variable; "
            f"{row_var!r} has {nr} and {col_var!r} has {nc} (among respondents with values)."
        )
    ok = (rc >= 0) & (cc >= 0)
    if ok.sum() == 0:
        raise EstimationError(
            f"Empty domain: no respondent has values of both {row_var!r} and {col_var!r}."
        )
    cell = np.where(ok, rc + nr * cc, -1)  # rows vary fastest, as R's interaction()
    K = nr * nc
    w = data.w
    W = w[ok].sum()
    pw = np.bincount(cell[ok], weights=w[ok], minlength=K) / W
    Z = np.zeros((data.n, K))
    idx = np.flatnonzero(ok)
    Z[idx] = -pw[None, :] * (w[idx] / W)[:, None]
    Z[idx, cell[idx]] += w[idx] / W
    cell_ok = cell[ok]

    def refit(wr: np.ndarray) -> np.ndarray:
        wo = wr[ok]
        return np.bincount(cell_ok, weights=wo, minlength=K) / wo.sum()

    V = data.variance.cov(Z, pw, refit)
    N = data.n
    nu = data.variance.degf()
    # contrast matrix: residuals of the interaction columns on the main effects
    rows_i = np.tile(np.arange(nr), nc)
    cols_i = np.repeat(np.arange(nc), nr)
    X1 = np.column_stack(
        [np.ones(K)]
        + [(rows_i == i).astype(float) for i in range(1, nr)]
        + [(cols_i == j).astype(float) for j in range(1, nc)]
    )
    X12 = np.column_stack(
        [((rows_i == i) & (cols_i == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    Q, _ = np.linalg.qr(X1)
    C = X12 - Q @ (Q.T @ X12)
    iD = np.diag(np.where(pw == 0, 0.0, 1.0 / np.where(pw == 0, 1.0, pw)))
    denom = C.T @ (iD / N) @ C
    numr = C.T @ iD @ V @ iD @ C
    Delta = np.linalg.solve(denom, numr)
    trD = np.trace(Delta)
    d0 = trD**2 / np.trace(Delta @ Delta)
    tab = (pw * N).reshape(nc, nr).T
    expected = np.outer(tab.sum(1), tab.sum(0)) / N
    with np.errstate(invalid="ignore", divide="ignore"):
        X2 = float(np.nansum((tab - expected) ** 2 / expected))
    F = X2 / trD
    p = float(stats.f.sf(F, d0, d0 * nu))
    # the same policy as the two breakdowns: a test about a category the book hides (too
    # few respondents, or its complement) or with a tiny cell is not published
    counts = np.bincount(cell[ok], minlength=K).reshape(nc, nr).T
    small = (
        (counts.sum(1) < data.policy.min_n).any()
        or (counts.sum(0) < data.policy.min_n).any()
        or ((counts > 0) & (counts < data.policy.min_count)).any()
        or bool(data.hidden(row_var))
        or bool(data.hidden(col_var))
        or any(data.reveals(rc == k) for k in range(nr))
        or any(data.reveals(cc == k) for k in range(nc))
        or data.reveals(ok)
    )
    t = pd.DataFrame(
        [
            {
                "row_var": row_var,
                "col_var": col_var,
                "chisq": X2,
                "F": F,
                "ndf": d0,
                "ddf": d0 * nu,
                "p_value": p,
                "n": int(ok.sum()),
                "N": W,
                "suppressed": bool(small),
            }
        ]
    )
    spec = DisclosureSpec(size=("n",), mask=("chisq", "F", "ndf", "ddf", "p_value", "N"))
    return data.policy.apply(t, spec)
