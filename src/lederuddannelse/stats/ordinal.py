"""The weighted proportional-odds model (R's ``svyolr``), fitted by our own Newton-Raphson.

statsmodels' ``OrderedModel`` takes no weights, so this fit stays ours (see
:func:`fit_ordinal`); the design matrix, the table and the small-category sizes are shared with
the other models (:mod:`lederuddannelse.stats.models`).
"""

from __future__ import annotations

import numpy as np

from lederuddannelse.errors import EstimationError
from lederuddannelse.stats.bundle import DesignData
from lederuddannelse.stats.columns import factorize
from lederuddannelse.stats.models import dummy_sizes, matrix_rank, model_frame, model_table, on_rows
from lederuddannelse.stats.results import ModelResult

__all__ = ["fit_ordinal"]


def fit_ordinal(dd: DesignData, formula: str, maxit: int = 100) -> ModelResult:
    """A weighted proportional-odds logistic regression (R's ``svyolr``).

    ``logit P(Y <= k) = zeta_k - x'beta``, fitted by Newton-Raphson on the weighted
    log-likelihood with analytic derivatives; SEs are the sandwich ``H^-1 (S'S) H^-1`` with
    the per-respondent scores projected like every other estimator (replicate designs: refits
    with each replicate weight, as R's ``svyolr`` on a replicate design).

    Why our own fit and not statsmodels: its ``OrderedModel`` takes no weights (neither
    ``var_weights`` nor ``freq_weights``), and a survey's ordinal model is a weighted
    pseudo-likelihood; so the fit stays here, checked against R's ``svyolr``.
    """
    lhs = formula.split("~", 1)[0].strip()
    X, yser, rows, info, data, flevels = model_frame(dd, formula, ordinal=True)
    yc, levels = factorize(yser)
    K = len(levels)
    if K < 3:
        raise EstimationError(
            f"The ordinal outcome {lhs!r} needs at least 3 levels; it has {K}. Use "
            "logistic() for a binary outcome."
        )
    try:
        level_values = np.asarray(levels, dtype=float)
    except (TypeError, ValueError):
        level_values = np.arange(1, K + 1, dtype=float)
    if "Intercept" in X.columns:
        X = X.drop(columns="Intercept")
    Xv = X.to_numpy(dtype=float)
    m, p = Xv.shape
    if p and matrix_rank(Xv) < p:
        raise EstimationError(f"The terms of {formula!r} are collinear; drop or merge terms.")
    w = dd.w[rows]
    w = w / w.mean()
    beta, zeta, it, S, H = _fit_olr(Xv, yc, K, w, formula, maxit)
    Hinv = np.linalg.inv(H)
    Z = np.zeros((dd.n, p + K - 1))
    Z[rows] = S @ Hinv
    theta = np.concatenate([beta, zeta])

    def refit(wr: np.ndarray) -> np.ndarray:
        wr = wr[rows]
        b, z, *_ = _fit_olr(Xv, yc, K, wr / wr.mean(), formula, maxit, start=theta)
        return np.concatenate([b, z])

    V = dd.variance.cov(Z, theta, refit)
    in_model = np.zeros(dd.n, dtype=bool)
    in_model[rows] = True
    df_resid = dd.variance.degf(in_model) - p
    terms = list(X.columns) + [f"{levels[k]}|{levels[k + 1]}" for k in range(K - 1)]
    about = dd.reveals(in_model) or any(dd.reveals(on_rows(dd.n, rows, yc == k)) for k in range(K))
    n_col, small = dummy_sizes(
        X, rows, info, data, flevels, dd.policy.min_n, dd.hidden, dd.reveals, dd.n, about
    )
    n_all = np.concatenate([n_col, np.full(K - 1, float(m))])
    table = model_table(
        terms,
        np.concatenate([beta, zeta]),
        V,
        df_resid,
        n_all,
        True,
        dd.conf_level,
        dd.policy,
    )
    cut = table["term"].isin(terms[p:])
    for c in ("odds_ratio", "or_low", "or_high"):
        table.loc[cut, c] = np.nan
    return ModelResult(
        kind="ordinal",
        formula=formula,
        table=table,
        coef=np.concatenate([beta, zeta]),
        vcov=V,
        terms=terms,
        df_resid=df_resid,
        n=m,
        N=float(dd.w[rows].sum()),
        iterations=it,
        conf_level=dd.conf_level,
        policy=dd.policy,
        design_info=info,
        levels=list(levels),
        level_values=level_values,
        small_levels=small,
    )


def _olr_parts(X, y, K, w, beta, zeta, scores: bool = False):
    """Log-likelihood, gradient, Hessian (and per-row scores) of the weighted ordinal logit.

    Row i's likelihood is F(a) - F(b) with a = zeta[y_i] - eta_i, b = zeta[y_i - 1] - eta_i.
    The Hessian is assembled by blocks (slopes x slopes through X'DX, slopes x cut-points
    and cut-points x cut-points through per-level sums), so that a Newton step costs
    O(n p^2) and not O(n (p + K)^2).
    """
    from scipy import special

    m, p = X.shape
    q = K - 1
    eta = X @ beta
    zfull = np.concatenate([[-np.inf], zeta, [np.inf]])
    Fa, Fb = special.expit(zfull[y + 1] - eta), special.expit(zfull[y] - eta)
    pr = Fa - Fb
    pr = np.where(pr > 0, pr, np.nan)
    fa, fb = Fa * (1 - Fa), Fb * (1 - Fb)
    ga, gb = fa / pr, fb / pr
    up = y < q  # the upper cut-point exists: zeta[y]
    lo = y > 0  # the lower cut-point exists: zeta[y - 1]
    La = np.where(up, ga, 0.0)
    Lb = np.where(lo, -gb, 0.0)
    Laa = np.where(up, fa * (1 - 2 * Fa) / pr - ga**2, 0.0)
    Lbb = np.where(lo, -fb * (1 - 2 * Fb) / pr - gb**2, 0.0)
    Lab = np.where(up & lo, ga * gb, 0.0)
    ll = float(np.sum(w * np.log(pr)))
    ia = np.where(up, y, 0)
    ib = np.where(lo, y - 1, 0)
    # gradient
    g = np.empty(p + q)
    g[:p] = -(X.T @ (w * (La + Lb)))
    g[p:] = np.bincount(ia, weights=w * La, minlength=q) + np.bincount(
        ib, weights=w * Lb, minlength=q
    )
    # Hessian
    H = np.empty((p + q, p + q))
    H[:p, :p] = (X.T * (w * (Laa + Lbb + 2 * Lab))) @ X
    A = np.zeros((m, q))
    rows = np.arange(m)
    A[rows, ia] = w * (Laa + Lab)  # one entry per row in each statement: no add.at needed
    A[rows, ib] += w * (Lbb + Lab)
    H[:p, p:] = -(X.T @ A)
    H[p:, :p] = H[:p, p:].T
    zz = np.bincount(ia, weights=w * Laa, minlength=q) + np.bincount(
        ib, weights=w * Lbb, minlength=q
    )
    Hz = np.diag(zz)
    off = np.bincount(ia * q + ib, weights=w * Lab, minlength=q * q).reshape(q, q)
    H[p:, p:] = Hz + off + off.T
    S = None
    if scores:
        S = np.empty((m, p + q))
        S[:, :p] = -X * (w * (La + Lb))[:, None]
        Sz = np.zeros((m, q))
        Sz[rows, ia] = w * La
        Sz[rows, ib] += w * Lb
        S[:, p:] = Sz
    return ll, g, H, S


def _fit_olr(X, y, K, w, formula, maxit, start=None):
    from scipy import special

    m, p = X.shape
    cum = np.cumsum(np.bincount(y, weights=w, minlength=K))[:-1] / w.sum()
    if np.any(cum <= 0) or np.any(cum >= 1) or np.any(np.diff(cum) <= 0):
        raise EstimationError(
            f"The ordinal model {formula!r} has an outcome level with no respondents in its "
            "rows; merge levels before fitting."
        )
    theta = np.concatenate([np.zeros(p), special.logit(cum)]) if start is None else start
    ll, g, H, _ = _olr_parts(X, y, K, w, theta[:p], theta[p:])
    for it in range(1, maxit + 1):
        try:
            step = np.linalg.solve(-H, g)
        except np.linalg.LinAlgError as exc:
            raise EstimationError(
                f"The ordinal model {formula!r} cannot be fitted (singular information): "
                "likely separation; merge small categories or drop terms."
            ) from exc
        t = 1.0
        while True:
            new = theta + t * step
            if np.all(np.diff(new[p:]) > 0):
                ll_new, g_new, H_new, _ = _olr_parts(X, y, K, w, new[:p], new[p:])
                if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * abs(ll):
                    break
            t /= 2
            if t < 1e-10:
                raise EstimationError(
                    f"The ordinal model {formula!r} did not converge (no improving step)."
                )
        theta, ll, g, H = new, ll_new, g_new, H_new
        if np.max(np.abs(t * step)) < 1e-11:
            break
    else:
        raise EstimationError(
            f"The ordinal model {formula!r} did not converge in {maxit} iterations "
            "(probably separation); merge small categories or drop terms."
        )
    if p and np.max(np.abs(theta[:p])) > 25:
        raise EstimationError(
            f"The ordinal model {formula!r} shows separation (a coefficient runs off to "
            "infinity); merge small categories or drop terms."
        )
    _, _, H, S = _olr_parts(X, y, K, w, theta[:p], theta[p:], scores=True)
    return theta[:p], theta[p:], it, S, -H
