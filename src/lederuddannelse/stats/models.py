"""Design-based regression models: logistic, linear and proportional-odds fits, and their results.

:class:`~lederuddannelse.stats.design.SurveyDesign` fits its models here (``logistic``,
``linear``, ``ordinal``); this module holds the fitting code so that the design module keeps to
the estimators of shares and means. Each fit:

1. builds the design matrix from a patsy formula on the design's data (rows with a missing value
   in any variable are outside the model's domain, but stay in the variance's sample);
2. fits the point estimates: weighted least squares, logistic regression by Newton-Raphson
   (IRLS) with a check for (quasi-)separation that names the category, or the weighted
   proportional-odds likelihood with analytic derivatives (R's ``svyolr``);
3. turns the per-respondent scores into design-based covariances with
   :meth:`~lederuddannelse.stats.variance.DesignVariance.vcov` (sandwich, raking-aware when the
   design is), so that coefficients agree with R's ``svyglm``/``svyolr``;
4. returns a :class:`ModelResult` whose table went through the design's suppression policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError
from lederuddannelse.stats.disclosure import DisclosureSpec, SuppressionPolicy
from lederuddannelse.stats.variance import check_column, factorize, t_quantile

if TYPE_CHECKING:  # only for annotations: the design imports this module
    from lederuddannelse.stats.design import SurveyDesign

__all__ = ["ModelResult", "fit_glm", "fit_ordinal"]


def _rank(X: np.ndarray) -> int:
    """Numerical rank of X from its scaled Gram matrix: p x p work instead of an n x p SVD."""
    G = X.T @ X
    scale = np.sqrt(np.diag(G))
    scale[scale == 0] = 1.0
    G = G / np.outer(scale, scale)
    ev = np.linalg.eigvalsh(G)
    return int(np.sum(ev > ev.max() * 1e-10)) if ev.size else 0


# ---------------------------------------------------------------------------- results
@dataclass
class ModelResult:
    """A fitted design-based regression.

    ``table`` has one row per coefficient: ``term, estimate, se, ci_low, ci_high, t, df,
    p_value, n, suppressed`` (plus ``odds_ratio, or_low, or_high`` for logistic and ordinal
    models). ``vcov`` is the design-based covariance of ``coef`` (the same order as the table).
    """

    kind: str
    formula: str
    table: pd.DataFrame
    coef: np.ndarray
    vcov: np.ndarray
    terms: list[str]
    df_resid: float
    n: int
    N: float
    iterations: int
    conf_level: float
    policy: SuppressionPolicy
    design_info: Any = None
    levels: list = field(default_factory=list)  # ordinal outcome levels
    level_values: np.ndarray | None = None  # numeric values of the ordinal levels
    small_levels: dict = field(default_factory=dict)  # variable -> categories with n < min_n

    # ------------------------------------------------------------------ prediction
    def predict(self, profiles: pd.DataFrame) -> pd.DataFrame:
        """Predictions with CIs for named profiles (one row per profile in ``profiles``).

        Logistic: predicted probability (CI on the logit scale, back-transformed). Linear:
        predicted mean. Ordinal: a long frame with, per profile, the predicted mean of the
        scale (``quantity == "mean"``, using the numeric level values) and the probability of
        each level (``quantity == <level>``, CI on the logit scale). Every profile column is
        kept; a profile that uses a category with too few respondents is suppressed.
        """
        import patsy
        from scipy import special

        if not isinstance(profiles, pd.DataFrame) or profiles.empty:
            raise EstimationError("predict() needs a non-empty DataFrame of profiles.")
        try:
            (X,) = patsy.build_design_matrices(
                [self.design_info], profiles, return_type="dataframe"
            )
        except Exception as exc:  # patsy raises many types; the message is what matters
            raise EstimationError(
                f"Cannot build the model's terms for the profiles: {exc}. Each profile needs "
                "every variable of the formula, with a category seen in the data."
            ) from exc
        if len(X) != len(profiles):
            raise EstimationError("A profile has a missing value in a variable of the model.")
        if self.kind == "ordinal" and "Intercept" in X.columns:
            X = X.drop(columns="Intercept")
        X = X.to_numpy(dtype=float)
        small = np.zeros(len(profiles), dtype=bool)
        for var, bad in self.small_levels.items():
            if var in profiles.columns:
                small |= profiles[var].isin(bad).to_numpy(dtype=bool)
        q = t_quantile(self.conf_level, self.df_resid)
        base = profiles.reset_index(drop=True).copy()
        if self.kind in ("logistic", "linear"):
            eta = X @ self.coef
            se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.vcov, X))
            if self.kind == "logistic":
                est, lo, hi = (
                    special.expit(eta),
                    special.expit(eta - q * se),
                    special.expit(eta + q * se),
                )
                se = se * est * (1 - est)
            else:
                est, lo, hi = eta, eta - q * se, eta + q * se
            out = base.assign(estimate=est, se=se, ci_low=lo, ci_high=hi, suppressed=small)
        else:
            out = self._predict_ordinal(X, base, small, q)
        for c in ("estimate", "se", "ci_low", "ci_high"):
            out.loc[out["suppressed"], c] = np.nan
        return out

    def _predict_ordinal(self, X: np.ndarray, base: pd.DataFrame, small: np.ndarray, q: float):
        from scipy import special

        p = X.shape[1]
        K = len(self.levels)
        beta, zeta = self.coef[:p], self.coef[p:]
        eta = X @ beta
        u = zeta[None, :] - eta[:, None]  # (m, K-1)
        F = special.expit(u)
        f = F * (1 - F)
        m = len(X)
        P = p + K - 1
        # gradient of the cumulative probabilities: dF_k/dbeta = -f x, dF_k/dzeta_k = f
        gcum = np.zeros((m, K + 1, P))
        for k in range(K - 1):
            gcum[:, k + 1, :p] = -f[:, [k]] * X
            gcum[:, k + 1, p + k] = f[:, k]
        cum = np.concatenate([np.zeros((m, 1)), F, np.ones((m, 1))], axis=1)
        probs = np.diff(cum, axis=1)  # (m, K)
        gprob = np.diff(gcum, axis=1)  # (m, K, P)
        vals = self.level_values
        rows = []
        for i in range(m):
            g_mean = vals @ gprob[i]
            mean = float(vals @ probs[i])
            se_mean = float(np.sqrt(g_mean @ self.vcov @ g_mean))
            rows.append(
                {
                    **base.iloc[i].to_dict(),
                    "profile": i,
                    "quantity": "mean",
                    "estimate": mean,
                    "se": se_mean,
                    "ci_low": mean - q * se_mean,
                    "ci_high": mean + q * se_mean,
                    "suppressed": bool(small[i]),
                }
            )
            for k, lev in enumerate(self.levels):
                pk = float(probs[i, k])
                se_k = float(np.sqrt(gprob[i, k] @ self.vcov @ gprob[i, k]))
                se_l = se_k / (pk * (1 - pk)) if 0 < pk < 1 else np.nan
                lg = special.logit(pk) if 0 < pk < 1 else np.nan
                rows.append(
                    {
                        **base.iloc[i].to_dict(),
                        "profile": i,
                        "quantity": str(lev),
                        "estimate": pk,
                        "se": se_k,
                        "ci_low": float(special.expit(lg - q * se_l)),
                        "ci_high": float(special.expit(lg + q * se_l)),
                        "suppressed": bool(small[i]),
                    }
                )
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- fitting
def _model_data(design: SurveyDesign, formula: str) -> tuple[pd.DataFrame, dict[str, list]]:
    """The formula's columns, typed for patsy: numbers as float (NaN for missing) and
    categorical variables (inside ``C()`` or non-numeric) as pandas Categoricals.

    Why: patsy inspects plain object/nullable columns value by value in Python, which is
    slow; Categoricals and float arrays take its fast paths (10x on 6,000 rows).
    """
    bare = re.sub(r"(['\"]).*?\1", " ", formula)  # drop quoted category names
    names = []
    for nm in re.findall(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*[(.])", bare):
        if nm in ("np", "True", "False", "None"):
            continue
        check_column(design.df, nm, design.absent)
        if nm not in names:
            names.append(nm)
    in_c = set(re.findall(r"\bC\(\s*([A-Za-z_][A-Za-z0-9_]*)", bare))
    data, levels = {}, {}
    for nm in names:
        col = design.df[nm]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        if nm in in_c or not numeric:
            codes, lev = factorize(col)
            data[nm] = pd.Categorical.from_codes(codes, categories=lev)
            levels[nm] = lev
        else:
            data[nm] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(data), levels


def _model_frame(design: SurveyDesign, formula: str, ordinal: bool = False):
    """Design matrix, outcome and the rows used (complete cases) for a formula."""
    import patsy

    if not isinstance(formula, str) or "~" not in formula:
        raise EstimationError(f"A model needs a formula like 'y ~ x1 + C(x2)', got {formula!r}.")
    lhs, rhs = formula.split("~", 1)
    lhs = lhs.strip()
    data, levels = _model_data(design, formula)
    # C(x) of a column that is already Categorical adds nothing but sends patsy down a
    # per-value Python loop; the bare name takes its vectorised path (and reads better:
    # "sector[T.2]").
    formula = re.sub(r"\bC\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", r"\1", formula)
    lhs, rhs = formula.split("~", 1)
    lhs = lhs.strip()
    try:
        if ordinal:
            X = patsy.dmatrix(rhs, data, return_type="dataframe", NA_action="drop")
        else:
            ymat, X = patsy.dmatrices(formula, data, return_type="dataframe", NA_action="drop")
    except patsy.PatsyError as exc:
        raise EstimationError(f"Cannot build the model {formula!r}: {exc}") from exc
    info = X.design_info
    rows = X.index.to_numpy()
    if ordinal:
        check_column(design.df, lhs, design.absent)
        yser = design.df[lhs].iloc[rows]
        keep = yser.notna().to_numpy()
        X = X[keep]
        rows = rows[keep]
        y = yser[keep]
    else:
        if ymat.shape[1] != 1:
            raise EstimationError(
                f"The outcome of {formula!r} is not numeric: recode it to 0/1 or numbers."
            )
        y = ymat.iloc[:, 0].to_numpy(dtype=float)
    if len(rows) == 0:
        raise EstimationError(
            f"Empty domain: no respondent has values of every variable in {formula!r}.",
            reason="empty",
        )
    return X, y, rows, info, data, levels


def _dummy_sizes(
    X: pd.DataFrame,
    rows: np.ndarray,
    info,
    data: pd.DataFrame,
    levels: dict[str, list],
    min_n: int,
    hidden=None,
) -> tuple[np.ndarray, dict]:
    """Unweighted respondents behind each coefficient, and small categories per factor.

    A coefficient of a category (a 0/1 column) is an estimate for the respondents in that
    category; the policy suppresses it when they are few. A small reference category makes
    every coefficient of its factor (and the intercept) an estimate about it.
    """
    Xv = X.to_numpy()
    m = len(Xv)
    is_dummy = np.all((Xv == 0) | (Xv == 1), axis=0)
    n_col = np.where(is_dummy, (Xv != 0).sum(axis=0), m).astype(float)
    cols = list(X.columns)
    if "Intercept" in cols:
        n_col[cols.index("Intercept")] = m
    small: dict = {}
    for factor, finfo in info.factor_infos.items():
        if finfo.type != "categorical":
            continue
        code = factor.code
        hit = re.match(r"^(?:C\(\s*)?([A-Za-z_][A-Za-z0-9_]*)", code)
        var = hit.group(1) if hit else None
        if var not in levels:
            continue
        lev = levels[var]
        counts = np.bincount(data[var].cat.codes.to_numpy()[rows], minlength=len(lev))
        # a category hidden book-wide (``hidden(var)``, the design's domain plan) counts as
        # empty: its coefficient is never shown, like in every table by that variable
        gone = hidden(var) if hidden is not None else frozenset()
        counts = np.where([lv in gone for lv in lev], 0, counts)
        by_level = {str(lv): int(c) for lv, c in zip(lev, counts)}
        bad = [lv for lv, c in zip(lev, counts) if c < min_n]
        if not bad:
            continue
        small[var] = bad
        mine = {c: c[len(code) + 3 : -1] for c in cols if c.startswith(f"{code}[T.")}
        ref = [lv for lv in by_level if lv not in set(mine.values())]
        ref_n = min((by_level[r] for r in ref), default=m)
        for c, lv in mine.items():
            j = cols.index(c)
            n_col[j] = min(n_col[j], by_level.get(lv, m), ref_n)
        if ref_n < min_n and "Intercept" in cols:
            n_col[cols.index("Intercept")] = ref_n
    return n_col, small


def _model_table(
    terms, coef, V, df_resid, n_col, odds: bool, conf_level: float, policy: SuppressionPolicy
) -> pd.DataFrame:
    from scipy import stats

    se = np.sqrt(np.diag(V))
    q = t_quantile(conf_level, df_resid)
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = coef / se
    p = 2 * stats.t.sf(np.abs(tstat), df_resid) if df_resid > 0 else np.full(len(coef), np.nan)
    t = pd.DataFrame(
        {
            "term": terms,
            "estimate": coef,
            "se": se,
            "ci_low": coef - q * se,
            "ci_high": coef + q * se,
            "t": tstat,
            "df": float(df_resid),
            "p_value": p,
        }
    )
    mask = ["estimate", "se", "ci_low", "ci_high", "t", "p_value"]
    if odds:
        t["odds_ratio"] = np.exp(coef)
        t["or_low"], t["or_high"] = np.exp(t["ci_low"]), np.exp(t["ci_high"])
        mask += ["odds_ratio", "or_low", "or_high"]
    t["n"] = n_col
    t["suppressed"] = False
    return policy.apply(t, DisclosureSpec(mask=tuple(mask)))


def fit_glm(design: SurveyDesign, formula: str, kind: str) -> ModelResult:
    """A weighted ``"logistic"`` or ``"linear"`` regression (R's ``svyglm``), sandwich SEs."""
    X, y, rows, info, data, levels = _model_frame(design, formula)
    Xv = X.to_numpy(dtype=float)
    w = design.w[rows]
    w = w / w.mean()
    m, p = Xv.shape
    if _rank(Xv) < p:
        raise EstimationError(
            f"The terms of {formula!r} are collinear (a category with no respondents in the "
            "model's rows, or a variable that is a combination of others); drop or merge terms.",
            reason="collinear",
        )
    terms = list(X.columns)
    it = 1
    if kind == "logistic":
        vals = np.unique(y)
        if not np.all(np.isin(vals, (0.0, 1.0))):
            raise EstimationError(
                f"The outcome of the logistic model {formula!r} is not binary (0/1)."
            )
        _check_separation(Xv, y, terms, formula, data.iloc[rows], levels)
        beta, mu, it = _irls(Xv, y, w, formula)
        W_work = w * mu * (1 - mu)
        resid = y - mu
    else:
        XtW = Xv.T * w
        beta = np.linalg.solve(XtW @ Xv, XtW @ y)
        mu = Xv @ beta
        W_work = w
        resid = y - mu
    A = np.linalg.inv((Xv.T * W_work) @ Xv)
    Z = np.zeros((design.n, p))
    Z[rows] = (Xv * (w * resid)[:, None]) @ A
    V = design.variance.vcov(Z)
    df_resid = m - p  # degf (m - 1) + 1 - p
    n_col, small = _dummy_sizes(
        X, rows, info, data, levels, design.policy.min_n, design.plan.hidden
    )
    table = _model_table(
        terms, beta, V, df_resid, n_col, kind == "logistic", design.conf_level, design.policy
    )
    return ModelResult(
        kind=kind,
        formula=formula,
        table=table,
        coef=beta,
        vcov=V,
        terms=terms,
        df_resid=df_resid,
        n=m,
        N=float(design.w[rows].sum()),
        iterations=it,
        conf_level=design.conf_level,
        policy=design.policy,
        design_info=info,
        small_levels=small,
    )


def _check_separation(
    X: np.ndarray,
    y: np.ndarray,
    terms: list[str],
    formula: str,
    data: pd.DataFrame,
    levels: dict[str, list],
) -> None:
    """Name a category whose respondents all have the same outcome (quasi-separation)."""

    def fail(who: str, value: float, **where) -> None:
        raise EstimationError(
            f"Separation in {formula!r}: every respondent in {who} has outcome "
            f"{int(value)}, so its odds ratio is infinite. Merge that category with a "
            "neighbour or drop the term.",
            reason="separation",
            outcome=int(value),
            **where,
        )

    for var, lev in levels.items():
        if var not in data.columns or len(lev) < 2:
            continue
        codes = data[var].cat.codes.to_numpy()
        for k, lv in enumerate(lev):
            sel = codes == k
            if sel.any() and np.all(y[sel] == y[sel][0]):
                fail(f"{var} = {lv!r}", y[sel][0], variable=var, level=lv)
    for j, term in enumerate(terms):
        col = X[:, j]
        if term == "Intercept" or not np.all((col == 0) | (col == 1)):
            continue
        sel = col == 1
        if sel.any() and sel.sum() < len(col) and np.all(y[sel] == y[sel][0]):
            fail(f"'{term}'", y[sel][0], term=term)


def _irls(X: np.ndarray, y: np.ndarray, w: np.ndarray, formula: str, maxit: int = 50):
    """Weighted logistic regression by Newton-Raphson, converged to machine precision."""
    from scipy import special

    m, p = X.shape
    mu0 = (w * y + 0.5) / (w + 1)
    eta = special.logit(mu0)
    beta = np.zeros(p)
    dev_old = np.inf
    for it in range(1, maxit + 1):
        mu = special.expit(eta)
        W = w * mu * (1 - mu)
        z = eta + (y - mu) / np.maximum(mu * (1 - mu), 1e-300)
        XtW = X.T * W
        try:
            beta_new = np.linalg.solve(XtW @ X, XtW @ z)
        except np.linalg.LinAlgError as exc:
            raise EstimationError(
                f"The logistic model {formula!r} cannot be fitted (singular information "
                "matrix): likely separation; merge small categories or drop terms.",
                reason="no_convergence",
            ) from exc
        eta = X @ beta_new
        mu = special.expit(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = -2 * np.sum(w * (y * np.log(mu) + (1 - y) * np.log1p(-mu)))
        step = np.max(np.abs(beta_new - beta))
        beta = beta_new
        if np.isfinite(dev) and abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-15 or step < 1e-13:
            break
        dev_old = dev
    else:
        raise EstimationError(
            f"The logistic model {formula!r} did not converge in {maxit} iterations "
            "(probably (quasi-)separation: a combination of categories where everyone has "
            "the same outcome). Merge small categories or drop terms.",
            reason="no_convergence",
        )
    if np.max(np.abs(eta)) > 30:
        raise EstimationError(
            f"The logistic model {formula!r} shows (quasi-)separation: some predicted "
            "probabilities are 0 or 1 and the coefficients run off to infinity. Merge small "
            "categories or drop terms.",
            reason="no_convergence",
        )
    return beta, special.expit(X @ beta), it


def fit_ordinal(design: SurveyDesign, formula: str, maxit: int = 100) -> ModelResult:
    """A weighted proportional-odds logistic regression (R's ``svyolr``).

    ``logit P(Y <= k) = zeta_k - x'beta``, fitted by Newton-Raphson on the weighted
    log-likelihood with analytic derivatives; SEs are the sandwich ``H^-1 (S'S) H^-1`` with
    the per-respondent scores projected like every other estimator.
    """
    lhs = formula.split("~", 1)[0].strip()
    X, yser, rows, info, data, flevels = _model_frame(design, formula, ordinal=True)
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
    if p and _rank(Xv) < p:
        raise EstimationError(f"The terms of {formula!r} are collinear; drop or merge terms.")
    w = design.w[rows]
    w = w / w.mean()
    beta, zeta, it, S, H = _fit_olr(Xv, yc, K, w, formula, maxit)
    Hinv = np.linalg.inv(H)
    Z = np.zeros((design.n, p + K - 1))
    Z[rows] = S @ Hinv
    V = design.variance.vcov(Z)
    df_resid = (m - 1) - p
    terms = list(X.columns) + [f"{levels[k]}|{levels[k + 1]}" for k in range(K - 1)]
    n_col, small = _dummy_sizes(
        X, rows, info, data, flevels, design.policy.min_n, design.plan.hidden
    )
    n_all = np.concatenate([n_col, np.full(K - 1, float(m))])
    table = _model_table(
        terms,
        np.concatenate([beta, zeta]),
        V,
        df_resid,
        n_all,
        True,
        design.conf_level,
        design.policy,
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
        N=float(design.w[rows].sum()),
        iterations=it,
        conf_level=design.conf_level,
        policy=design.policy,
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


def _fit_olr(X, y, K, w, formula, maxit):
    from scipy import special

    m, p = X.shape
    cum = np.cumsum(np.bincount(y, weights=w, minlength=K))[:-1] / w.sum()
    if np.any(cum <= 0) or np.any(cum >= 1) or np.any(np.diff(cum) <= 0):
        raise EstimationError(
            f"The ordinal model {formula!r} has an outcome level with no respondents in its "
            "rows; merge levels before fitting."
        )
    theta = np.concatenate([np.zeros(p), special.logit(cum)])
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
