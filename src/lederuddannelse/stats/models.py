"""Design-based regression models: logistic and linear fits, and what every model shares.

:class:`~lederuddannelse.stats.design.SurveyDesign` fits its models here (``logistic``,
``linear``; the ordinal model is in :mod:`lederuddannelse.stats.ordinal`), from a
:class:`~lederuddannelse.stats.bundle.DesignData` bundle, so this module never imports the
design. Each fit:

1. builds the design matrix from a patsy formula on the design's data (rows with a missing value
   in any variable are outside the model's domain, but stay in the variance's sample); when
   every term is one column (a number or a category), numpy builds it under patsy's
   ``DesignInfo``, the same matrix without patsy's per-row work;
2. fits the point estimates with statsmodels' ``GLM`` (binomial or gaussian family, the design
   weights as ``var_weights``: that reproduces R's ``svyglm`` coefficients; ``freq_weights``
   would give the same coefficients but treat the weights as counts), after our own check for
   (quasi-)separation, which names the category;
3. turns the per-respondent scores into design-based covariances through the design's variance
   (sandwich influence values for Taylor designs, refits with each replicate weight for
   replicate designs, a few replicates per statsmodels fit: :func:`_refit_replicates`), as
   R's ``svyglm`` does, so statsmodels' own covariance is not used;
4. returns a :class:`~lederuddannelse.stats.results.ModelResult` whose table went through the
   design's suppression policy.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError
from lederuddannelse.stats.bundle import DesignData
from lederuddannelse.stats.columns import check_column, factorize, t_quantile, t_sf
from lederuddannelse.stats.disclosure import DisclosureSpec, SuppressionPolicy, text_column
from lederuddannelse.stats.domain import tall
from lederuddannelse.stats.results import ModelResult

__all__ = ["fit_glm", "model_frame", "dummy_sizes", "model_table", "matrix_rank"]


def matrix_rank(X: np.ndarray) -> int:
    """Numerical rank of X from its scaled Gram matrix: p x p work instead of an n x p SVD."""
    G = X.T @ X
    scale = np.sqrt(np.diag(G))
    scale[scale == 0] = 1.0
    G = G / np.outer(scale, scale)
    ev = np.linalg.eigvalsh(G)
    return int(np.sum(ev > ev.max() * 1e-10)) if ev.size else 0


# ---------------------------------------------------------------------------- fitting
def model_data(dd: DesignData, formula: str) -> tuple[pd.DataFrame, dict[str, list]]:
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
        check_column(dd.df, nm, dd.absent)
        if nm not in names:
            names.append(nm)
    in_c = set(re.findall(r"\bC\(\s*([A-Za-z_][A-Za-z0-9_]*)", bare))
    data, levels = {}, {}
    for nm in names:
        col = dd.df[nm]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        if nm in in_c or not numeric:
            codes, lev = factorize(col)
            data[nm] = pd.Categorical.from_codes(codes, categories=lev)
            levels[nm] = lev
        else:
            data[nm] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(data), levels


def model_frame(dd: DesignData, formula: str, ordinal: bool = False):
    """Design matrix, outcome and the rows used (complete cases) for a formula."""
    import patsy

    if not isinstance(formula, str) or "~" not in formula:
        raise EstimationError(f"A model needs a formula like 'y ~ x1 + C(x2)', got {formula!r}.")
    lhs, rhs = formula.split("~", 1)
    lhs = lhs.strip()
    data, levels = model_data(dd, formula)
    # C(x) of a column that is already Categorical adds nothing but sends patsy down a
    # per-value Python loop; the bare name takes its vectorised path (and reads better:
    # "sector[T.2]").
    formula = re.sub(r"\bC\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", r"\1", formula)
    lhs, rhs = formula.split("~", 1)
    lhs = lhs.strip()
    fast = None if ordinal else _direct_matrix(rhs, lhs, data)
    if fast is not None:
        X, ymat = fast
    else:
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
        check_column(dd.df, lhs, dd.absent)
        yser = dd.df[lhs].iloc[rows]
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


# patsy's DesignInfo of a right-hand side is fixed by the formula and the columns' types and
# categories: kept per (formula, types, categories), as a compiled regular expression is
_DESIGN_INFOS: dict = {}


def _direct_matrix(rhs: str, lhs: str, data: pd.DataFrame):
    """(X, y) as patsy's ``dmatrices`` would build them, for formulas whose terms are each one
    column of ``data`` (a number, or a Categorical coded by its contrast matrix), else ``None``.

    patsy sees only the first row, to make the ``DesignInfo`` (term order, column names,
    contrasts: the same object as a full build; kept for the next fit of the same formula on
    columns of the same types and categories); the columns come from numpy. This saves
    patsy's per-row evaluation and missing-value scan (most of a small model's time).
    """
    import patsy

    if lhs not in data.columns or isinstance(data[lhs].dtype, pd.CategoricalDtype):
        return None
    key = (rhs, tuple((c, tuple(t.cat.categories) if t.dtype == "category" else str(t.dtype))
                      for c, t in data.items()))  # fmt: skip
    info = _DESIGN_INFOS.get(key)
    if info is None:
        try:
            info = patsy.dmatrix(rhs, data.iloc[:1], NA_action="drop").design_info
        except patsy.PatsyError:
            return None  # the full build raises the message (or handles the missing values)
        if len(_DESIGN_INFOS) >= 256:
            _DESIGN_INFOS.clear()
        _DESIGN_INFOS[key] = info
    cols, ok = [], np.ones(len(data), dtype=bool)
    for term in info.terms:
        if not term.factors:
            cols.append(np.ones((len(data), 1)))
            continue
        (sub,) = info.term_codings[term] if len(info.term_codings[term]) == 1 else (None,)
        if len(term.factors) != 1 or sub is None:
            return None
        (factor,) = term.factors
        name = factor.code
        if name not in data.columns:
            return None
        col = data[name]
        if info.factor_infos[factor].type == "categorical":
            codes = col.cat.codes.to_numpy()
            ok &= codes >= 0
            cols.append(sub.contrast_matrices[factor].matrix[np.maximum(codes, 0)])
        else:
            v = col.to_numpy(dtype=float)
            ok &= ~np.isnan(v)
            cols.append(v[:, None])
    y = data[lhs].to_numpy(dtype=float)
    ok &= ~np.isnan(y)
    rows = np.flatnonzero(ok)
    X = np.hstack(cols)[rows] if cols else np.empty((len(rows), 0))
    X = pd.DataFrame(X, index=rows, columns=info.column_names)
    X.design_info = info  # as patsy's return_type="dataframe"
    return X, pd.DataFrame({lhs: y[rows]}, index=rows)


def dummy_sizes(
    X: pd.DataFrame,
    rows: np.ndarray,
    info,
    data: pd.DataFrame,
    levels: dict[str, list],
    min_n: int,
    hidden=None,
    reveals=None,
    n_total: int = 0,
    about_hidden: bool = False,
) -> tuple[np.ndarray, dict]:
    """Unweighted respondents behind each coefficient, and small categories per factor.

    A coefficient of a category (a 0/1 column) is an estimate for the respondents in that
    category; the policy suppresses it when they are few. A small reference category makes
    every coefficient of its factor (and the intercept) an estimate about it. A 0/1 column
    whose respondents lie within a group the domain plan hides (``reveals``, e.g. an indicator
    of a hidden region) counts as empty, and ``about_hidden`` (the model's rows or outcome
    single out such a group) empties every coefficient.
    """
    Xv = X.to_numpy()
    m = len(Xv)
    is_dummy = np.all((Xv == 0) | (Xv == 1), axis=0)
    n_col = np.where(is_dummy, (Xv != 0).sum(axis=0), m).astype(float)
    cols = list(X.columns)
    if "Intercept" in cols:
        n_col[cols.index("Intercept")] = m
    if reveals is not None:
        for j in np.flatnonzero(is_dummy):
            if cols[j] == "Intercept":
                continue
            mask = np.zeros(n_total, dtype=bool)
            mask[rows] = Xv[:, j] == 1
            if reveals(mask):
                n_col[j] = 0
    if about_hidden:
        n_col[:] = 0
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


def model_table(
    terms, coef, V, df_resid, n_col, odds: bool, conf_level: float, policy: SuppressionPolicy
) -> pd.DataFrame:
    se = np.sqrt(np.diag(V))
    q = t_quantile(conf_level, df_resid)
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = coef / se
    p = 2 * t_sf(np.abs(tstat), df_resid) if df_resid > 0 else np.full(len(coef), np.nan)
    k = len(coef)
    lo, hi = coef - q * se, coef + q * se
    cols = {
        "term": text_column(list(terms)),
        "estimate": np.array(coef, dtype=float),  # the table's own (coef stays the fit's)
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "t": tstat,
        "df": np.full(k, float(df_resid)),
        "p_value": p,
    }
    mask = ["estimate", "se", "ci_low", "ci_high", "t", "p_value"]
    if odds:
        cols |= {"odds_ratio": np.exp(coef), "or_low": np.exp(lo), "or_high": np.exp(hi)}
        mask += ["odds_ratio", "or_low", "or_high"]
    cols |= {"n": np.asarray(n_col, dtype=float), "suppressed": np.zeros(k, dtype=bool)}
    return policy.apply_columns(cols, DisclosureSpec(mask=tuple(mask)))


def fit_glm(dd: DesignData, formula: str, kind: str) -> ModelResult:
    """A weighted ``"logistic"`` or ``"linear"`` regression (R's ``svyglm``), design-based SEs.

    statsmodels fits the distinct rows of (X, y) with their summed weights when they are few
    (:func:`row_patterns`: categories and scales, the usual survey model): the weighted
    likelihood, and so the coefficients, are the same as on every row, in a fraction of the
    time. The influence values are per row as always. What the formula and the design's data
    fix (the matrix, its distinct rows, the checks, the respondents behind each coefficient,
    the degrees of freedom) is prepared once per design (:func:`_prepare`)."""
    logistic = kind == "logistic"
    pr = _prepare(dd, formula, logistic)
    Xv, y, rows, inv, Xf, yf = pr["Xv"], pr["y"], pr["rows"], pr["inv"], pr["Xf"], pr["yf"]
    w = dd.w[rows]
    w = w / w.mean()
    m, p = Xv.shape
    wf = w if inv is None else np.bincount(inv, weights=w, minlength=len(yf))
    beta, it = _glm_fit(Xf, yf, wf, logistic, formula)
    eta = Xf @ beta
    if logistic:
        from scipy import special

        if np.max(np.abs(eta)) > 30:
            raise EstimationError(
                f"The logistic model {formula!r} shows (quasi-)separation: some predicted "
                "probabilities are 0 or 1 and the coefficients run off to infinity. Merge "
                "small categories or drop terms.",
                reason="no_convergence",
            )
        mu = special.expit(eta)
        W_work = wf * mu * (1 - mu)
    else:
        mu = eta
        W_work = wf
    A = np.linalg.inv((Xf.T * W_work) @ Xf)
    resid = y - (mu if inv is None else mu[inv])
    Z = tall("ij,jk->ik", Xv * (w * resid)[:, None], A)  # influence values, on the model's rows
    if m < dd.n:
        Z, Zm = np.zeros((dd.n, p)), Z
        Z[rows] = Zm

    def refit(wr: np.ndarray) -> np.ndarray:
        wr = wr[rows] if inv is None else np.bincount(inv, weights=wr[rows], minlength=len(yf))
        return _glm_fit(Xf, yf, wr, logistic, formula, start=beta)[0]

    def refit_all(W: np.ndarray) -> np.ndarray:
        return _refit_replicates(W, rows, inv, Xf, yf, beta, logistic, formula)

    V = dd.variance.cov(Z, beta, refit, refit_all)
    df_resid = pr["df_resid"]
    table = model_table(
        pr["terms"], beta, V, df_resid, pr["n_col"], logistic, dd.conf_level, dd.policy
    )
    return ModelResult(
        kind=kind,
        formula=formula,
        table=table,
        coef=beta,
        vcov=V,
        terms=list(pr["terms"]),
        df_resid=df_resid,
        n=m,
        N=float(dd.w[rows].sum()),
        iterations=it,
        conf_level=dd.conf_level,
        policy=dd.policy,
        design_info=pr["info"],
        small_levels=dict(pr["small"]),
    )


def _prepare(dd: DesignData, formula: str, logistic: bool) -> dict:
    """What a fit of ``formula`` needs that the formula and the design's data fix: the model
    matrix (:func:`model_frame`) as an array and its distinct rows (:func:`row_patterns`), the
    checks (collinearity; a binary outcome and no separation for a logistic model), the
    respondents behind each coefficient (:func:`dummy_sizes`) and the degrees of freedom.
    Kept in the design's ``memo`` (arrays read-only); a failed check is raised each time."""
    key = ("model", formula, logistic)
    if dd.memo is not None and key in dd.memo:
        return dd.memo[key]
    X, y, rows, info, data, levels = model_frame(dd, formula)
    Xv = X.to_numpy(dtype=float, copy=True)
    m, p = Xv.shape
    pat = row_patterns([*Xv.T, y]) if m > 1 else None
    if pat is None:  # every row its own pattern
        inv, Xf, yf, cnt = None, Xv, y, np.ones(m)
    else:
        inv, first = pat
        Xf, yf = Xv[first], y[first]
        cnt = np.bincount(inv, minlength=len(first)).astype(float)
    if matrix_rank(Xf) < p:
        raise EstimationError(
            f"The terms of {formula!r} are collinear (a category with no respondents in the "
            "model's rows, or a variable that is a combination of others); drop or merge terms.",
            reason="collinear",
        )
    terms = list(X.columns)
    if logistic:
        if not np.all((yf == 0) | (yf == 1)):
            raise EstimationError(
                f"The outcome of the logistic model {formula!r} is not binary (0/1)."
            )
        _check_separation(Xf, yf, cnt, y, terms, formula, data, rows, levels)
    in_model = np.zeros(dd.n, dtype=bool)
    in_model[rows] = True
    about = dd.reveals(in_model) or (
        logistic
        and (dd.reveals(on_rows(dd.n, rows, y == 1)) or dd.reveals(on_rows(dd.n, rows, y == 0)))
    )
    n_col, small = dummy_sizes(
        X, rows, info, data, levels, dd.policy.min_n, dd.hidden, dd.reveals, dd.n, about
    )
    for a in (Xv, y, rows, Xf, yf, n_col, *(pat or ())):
        a.flags.writeable = False
    out = {
        "Xv": Xv, "y": y, "rows": rows, "inv": inv, "Xf": Xf, "yf": yf, "info": info,
        "terms": tuple(terms), "n_col": n_col, "small": small,
        "df_resid": dd.variance.degf(in_model) + 1 - p,  # R's svyglm: degf + 1 - p
    }  # fmt: skip
    if dd.memo is not None:
        dd.memo[key] = out
    return out


def row_patterns(cols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """The distinct rows of equal-length columns (without missing values): each row's pattern
    (0..k-1) and one row of each pattern; ``None`` when over a quarter of the rows are distinct
    (a continuous variable: nothing to gain).

    Each column becomes integer codes (whole numbers by subtraction, others hashed), combined
    in mixed radix and renumbered by a bincount: O(n), no sorting.
    """
    n = len(cols[0])
    key, size = np.zeros(n, dtype=np.int64), 1
    for v in cols:
        lo = v.min()
        shifted = v - lo
        code = shifted.astype(np.int64)
        if shifted.max() < 2**20 and np.array_equal(code, shifted):
            k = int(code.max()) + 1
        else:
            code, uniq = pd.factorize(v)
            code, k = code.astype(np.int64), len(uniq)
        if k == 1:
            continue
        if size * k > 2**40:
            key, size = _compact(key, size)
        key, size = key * k + code, size * k
    inv, size = _compact(key, size)
    if size > n // 4:
        return None
    first = np.empty(size, dtype=np.int64)
    first[inv] = np.arange(n)
    return inv, first


def _compact(key: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Codes 0..k-1 of the k distinct values of ``key`` (values 0..size-1)."""
    if size <= 4 * len(key) + 1024:
        present = np.bincount(key, minlength=size) > 0
        return (np.cumsum(present) - 1)[key], int(present.sum())
    code, uniq = pd.factorize(key)
    return code.astype(np.int64), len(uniq)


def on_rows(n: int, rows: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """A mask over all n rows: ``sel`` on the model's ``rows``."""
    out = np.zeros(n, dtype=bool)
    out[rows[sel]] = True
    return out


#: a batch of B replicate fits is stacked when one least-squares step on it, about
#: ``B**3 k p**2`` flops for k rows and p coefficients, stays below this
STACK_FLOPS = 2e5  # larger stacks pay for LAPACK's threads and B**3 work


def _refit_replicates(
    W: np.ndarray,
    rows: np.ndarray,
    inv: np.ndarray | None,
    Xf: np.ndarray,
    yf: np.ndarray,
    beta: np.ndarray,
    logistic: bool,
    formula: str,
) -> np.ndarray:
    """Each replicate's coefficients (R x p) from the replicate weights ``W`` (n x R), as R's
    ``svyglm`` on a replicate design: a full fit per replicate, started at ``beta``.

    Why batches: a small model's fit is mostly statsmodels' fixed cost per call, paid once per
    replicate. So B replicates are fitted by *one* statsmodels GLM on the stacked data: the
    model's rows repeated B times with each replicate's weights, and a block-diagonal design
    matrix (B copies of X, one coefficient vector each). Its weighted likelihood is the sum of
    the replicates' likelihoods with no parameter shared, so its coefficients are each
    replicate's own (every IRLS step is B separate weighted least-squares solves in one)."""
    k, p = Xf.shape
    R = W.shape[1]
    if inv is None:
        Wf = W[rows]
    else:  # each pattern's summed weights; rows outside the model go to bin k
        key = np.full(W.shape[0], k, dtype=np.int64)
        key[rows] = inv
        Wf = np.column_stack([np.bincount(key, weights=W[:, r], minlength=k + 1)[:k]
                              for r in range(R)])  # fmt: skip
    B = max(1, min(R, int((STACK_FLOPS / (k * p * p)) ** (1 / 3))))
    out = np.empty((R, p))
    for s in range(0, R, B):
        b = min(B, R - s)
        if b == 1:
            out[s] = _glm_fit(Xf, yf, Wf[:, s], logistic, formula, start=beta)[0]
            continue
        Xs = np.kron(np.eye(b), Xf)
        ws = Wf[:, s : s + b].T.ravel()  # replicate by replicate, as the blocks of Xs
        fit = _glm_fit(Xs, np.tile(yf, b), ws, logistic, formula, start=np.tile(beta, b))[0]
        out[s : s + b] = fit.reshape(b, p)
    return out


def _glm_fit(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    logistic: bool,
    formula: str,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Coefficients of statsmodels' GLM with ``var_weights`` (R's svyglm point estimates).

    Converged far beyond statsmodels' default (1e-8 on the deviance): until the coefficients
    change by less than 1e-12 (absolute and relative), so that they agree with R's to
    rounding error whatever the deviance's scale.
    """
    import warnings

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    family = sm.families.Binomial() if logistic else sm.families.Gaussian()
    model = sm.GLM(y, X, family=family, var_weights=w)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        try:
            res = model.fit(
                start_params=start, tol=1e-12, rtol=1e-12, tol_criterion="params", maxiter=100
            )
        except (ConvergenceWarning, np.linalg.LinAlgError, ValueError) as exc:
            raise EstimationError(
                f"The {'logistic' if logistic else 'linear'} model {formula!r} did not "
                "converge (probably (quasi-)separation: a combination of categories where "
                "everyone has the same outcome). Merge small categories or drop terms.",
                reason="no_convergence",
            ) from exc
    history = getattr(res, "fit_history", None) or {}
    return np.asarray(res.params, dtype=float), int(history.get("iteration", 1))


def _check_separation(
    X: np.ndarray,
    yf: np.ndarray,
    cnt: np.ndarray,
    y: np.ndarray,
    terms: list[str],
    formula: str,
    data: pd.DataFrame,
    rows: np.ndarray,
    levels: dict[str, list],
) -> None:
    """Name a category whose respondents all have the same outcome (quasi-separation).

    ``X, yf``: the model's distinct rows, ``cnt``: the respondents behind each; ``y``: the
    outcome of each of the model's ``rows``."""

    def fail(who: str, value: float, **where) -> None:
        raise EstimationError(
            f"Separation in {formula!r}: every respondent in {who} has outcome "
            f"{int(value)}, so its odds ratio is infinite. Merge that category with a "
            "neighbour or drop the term.",
            reason="separation",
            outcome=int(value),
            **where,
        )

    for var, lev in levels.items():  # respondents and outcome-1s per category, by bincount
        if var not in data.columns or len(lev) < 2:
            continue
        codes = data[var].cat.codes.to_numpy()[rows]
        ok = codes >= 0
        tot = np.bincount(codes[ok], minlength=len(lev))
        ones = np.bincount(codes[ok], weights=y[ok], minlength=len(lev))
        for k, lv in enumerate(lev):
            if tot[k] and ones[k] in (0, tot[k]):
                fail(f"{var} = {lv!r}", float(ones[k] > 0), variable=var, level=lv)
    dummy = np.all((X == 0) | (X == 1), axis=0)
    tot, ones = cnt @ X, (cnt * yf) @ X
    for j, term in enumerate(terms):
        if term == "Intercept" or not dummy[j]:
            continue
        if 0 < tot[j] < cnt.sum() and ones[j] in (0, tot[j]):
            fail(f"'{term}'", float(ones[j] > 0), term=term)
