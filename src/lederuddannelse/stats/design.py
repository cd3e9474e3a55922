"""Design-based estimates for a weighted survey, agreeing with R's ``survey`` package.

Every chapter gets its estimates and their uncertainty from :class:`SurveyDesign`, so that one
set of formulas, checked against R (``tests/r/reference.R``), stands behind every number in the
book. The design is R's ``svydesign(ids = ~1, weights = ~weight)``, optionally followed by
``rake()``:

- **Variance.** Each estimator is written as a sum of per-respondent influence values ``z``;
  its variance is ``n/(n-1) * sum((z - mean(z))**2)`` with ``n`` the *full* sample size (R's
  with-replacement, single-stage formula).
- **Raking-aware SEs.** When the weights came from raking, the margins are passed as
  ``rake_margins`` and the influence values are projected on the margins before the variance
  step (10 sweeps of "subtract ``w`` times the within-category mean of ``z/w``"), exactly as
  R's ``svyrecvar`` does for a ``rake()`` design. Without margins the weights count as fixed;
  that ignores that raking removes the variance explained by the margins and usually gives
  slightly larger SEs.
- **Domains, not subsets.** A missing value (NaN) in the analysed variable means "not asked" or
  "outside the domain" (e.g. reasons asked only of the trained). Such rows stay in the design
  with zero contribution, so the variance still uses the full sample, like R's domain
  estimation (``svyby``, ``subset()`` of a design). Rows with a missing grouping variable belong
  to no group.
- **Unweighted variant.** ``weighted=False`` sets every weight to 1 and ignores the margins:
  the same estimators as simple-random-sample statistics, so a chapter can show what weighting
  changes.
- **Small cells.** Every table passes through one :class:`~lederuddannelse.stats.disclosure.SuppressionPolicy`
  before it is returned.

Degrees of freedom follow R: ``n_domain - 1`` for means and shares (``degf()`` of the domain),
``n_model - p`` for regression coefficients (``df.residual`` of ``svyglm``/``svyolr``).

Public API (all tables are tidy frames, already protected by the policy):

- ``proportion(var, by=None, total=False)``, ``mean(...)``: grouping columns, ``variable,
  estimate, se, ci_low, ci_high, df, n, N, deff, suppressed``;
- ``distribution(var, by=None)``: as above plus ``category, n_category``;
- ``multi_response(vars, by=None, labels=None)``: grouping columns, ``rank, item, label, ...``;
- ``difference(var, by, a, b)``: ``estimate_a, estimate_b, estimate, se, ci_low, ci_high, df,
  t, p_value, n_a, n_b, N_a, N_b, suppressed``;
- ``chisq(row_var, col_var)``: ``chisq, F, ndf, ddf, p_value, n, N``;
- ``logistic(formula)``, ``linear(formula)``, ``ordinal(formula)``: a :class:`ModelResult`
  with ``.table`` and ``.predict(profiles)``.

Agreement with R (tests/test_stats_vs_r.py, survey 4.1.1): means, shares, SEs, CIs, design
effects, differences, chi-square and linear/logistic models to about 1e-13; ordinal models
to about 5e-8 (R's optimiser).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
import patsy
from scipy import special, stats

from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.stats.disclosure import (
    DisclosureSpec,
    DomainPlan,
    LinkedSet,
    SuppressionPolicy,
)

__all__ = ["SurveyDesign", "ModelResult"]

_RAKE_SWEEPS = 10  # what R's svyrecvar does for a raked design


# ---------------------------------------------------------------------------- helpers
def _tq(conf_level: float, df: np.ndarray | float) -> np.ndarray:
    """Two-sided t quantile; NaN where the degrees of freedom are not positive."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(1 - (1 - conf_level) / 2, np.where(df > 0, df, np.nan))
    return q


def _factorize(s: pd.Series) -> tuple[np.ndarray, list]:
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


def _rank(X: np.ndarray) -> int:
    """Numerical rank of X from its scaled Gram matrix: p x p work instead of an n x p SVD."""
    G = X.T @ X
    scale = np.sqrt(np.diag(G))
    scale[scale == 0] = 1.0
    G = G / np.outer(scale, scale)
    ev = np.linalg.eigvalsh(G)
    return int(np.sum(ev > ev.max() * 1e-10)) if ev.size else 0


def _expit(x: np.ndarray) -> np.ndarray:
    return special.expit(x)


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
        q = _tq(self.conf_level, self.df_resid)
        base = profiles.reset_index(drop=True).copy()
        if self.kind in ("logistic", "linear"):
            eta = X @ self.coef
            se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.vcov, X))
            if self.kind == "logistic":
                est, lo, hi = _expit(eta), _expit(eta - q * se), _expit(eta + q * se)
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
        p = X.shape[1]
        K = len(self.levels)
        beta, zeta = self.coef[:p], self.coef[p:]
        eta = X @ beta
        u = zeta[None, :] - eta[:, None]  # (m, K-1)
        F = _expit(u)
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
                        "ci_low": float(_expit(lg - q * se_l)),
                        "ci_high": float(_expit(lg + q * se_l)),
                        "suppressed": bool(small[i]),
                    }
                )
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- design
class SurveyDesign:
    """A weighted survey (``ids = ~1``), optionally raked, with design-based estimators.

    Parameters
    ----------
    df:
        One row per respondent.
    weights:
        Name of the weight column, a Series aligned with ``df``, or ``None`` (all weights 1, or
        raked from 1 when ``rake_margins`` is given).
    rake_margins:
        ``{column: Series of population totals by category}``: the margins the weights were
        raked to. Given → raking-aware SEs (R's ``rake()`` design); ``None`` → weights treated
        as fixed. With ``weights=None`` the design rakes equal base weights to these margins.
    weighted:
        ``False`` → every weight is 1 and the margins are ignored (unweighted robustness run).
    conf_level:
        Confidence level for every CI.
    ci_method:
        ``"logit"`` (default, as R's ``svyciprop``) or ``"beta"`` (Korn-Graubard) for shares.
    policy:
        The small-cell rule applied to every returned table; default ``SuppressionPolicy()``.
    """

    def __init__(
        self,
        df: pd.DataFrame,
        weights: str | pd.Series | None = "weight",
        *,
        rake_margins: dict[str, pd.Series] | None = None,
        weighted: bool = True,
        conf_level: float = 0.95,
        ci_method: str = "logit",
        policy: SuppressionPolicy | None = None,
    ) -> None:
        if not isinstance(df, pd.DataFrame) or len(df) < 2:
            raise EstimationError(
                "A survey design needs a DataFrame with at least two respondents."
            )
        if not (0 < float(conf_level) < 1):
            raise ParameterError(f"conf_level must be between 0 and 1, got {conf_level!r}.")
        if ci_method not in ("logit", "beta"):
            raise ParameterError(f"ci_method must be 'logit' or 'beta', got {ci_method!r}.")
        self.df = df
        self.n = len(df)
        self.weighted = bool(weighted)
        self.conf_level = float(conf_level)
        self.ci_method = ci_method
        self.policy = policy if policy is not None else SuppressionPolicy()
        #: the categories hidden in every table (decided once from the whole file)
        self.plan = DomainPlan(self.policy, df)
        self.rake_margins = rake_margins if (weighted and rake_margins) else None

        if not self.weighted:
            w = np.ones(self.n)
        elif weights is None:
            if self.rake_margins:
                from lederuddannelse.data.weighting import rake

                w = rake(df, self.rake_margins).weights.to_numpy(dtype=float)
            else:
                w = np.ones(self.n)
        elif isinstance(weights, str):
            self._check_var(weights)
            w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float)
        else:
            w = np.asarray(weights, dtype=float)
        if w.shape != (self.n,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise EstimationError(
                "Weights must be positive and finite, one per respondent; check the weight "
                "column (missing or zero weights?)."
            )
        self.w = w
        self._margins = self._prepare_margins() if self.rake_margins else {}

    # ------------------------------------------------------------------ internals
    def _prepare_margins(self) -> dict[str, Any]:
        """Raking cells (joint categories of all margins) and their sizes, for the projection.

        R's projection (10 sweeps of "subtract w times the within-category mean of z/w" per
        margin) changes z only by ``w * c[cell]`` where ``c`` lives on the cells: each sweep
        needs only the category sums of z/w, which follow from cell sums. So it is run on
        the (few) cells instead of the n rows: the same arithmetic as R, in O(n) per column.
        """
        codes_list, sizes = [], []
        for var, target in self.rake_margins.items():
            self._check_var(var)
            codes, levels = _factorize(self.df[var])
            if (codes < 0).any():
                raise EstimationError(
                    f"Raking margin '{var}' has missing values; every respondent needs a "
                    "category on each weighting variable."
                )
            # Raking-aware SEs are only right for weights that were raked to these margins.
            target = pd.Series(target, dtype=float)
            got = pd.Series(np.bincount(codes, weights=self.w, minlength=len(levels)), index=levels)
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
        joint = np.zeros(self.n, dtype=np.int64)
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
            "sw": np.bincount(jcell, weights=self.w, minlength=J),
            "sw2": np.bincount(jcell, weights=self.w**2, minlength=J),
        }

    def _cell_shift(self, S: np.ndarray) -> np.ndarray:
        """Per-cell shift C (J x k) such that projected z = z - w * C[cell], from cell sums of z/w."""
        mg = self._margins
        E, N, cnt = mg["E"], mg["N"], mg["cnt"]
        s = [e @ S for e in E]
        c = [np.zeros((e.shape[0], S.shape[1])) for e in E]
        for _ in range(_RAKE_SWEEPS):
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

    def _project(self, Z: np.ndarray) -> np.ndarray:
        """Remove from influence values what the raking margins explain (R's svyrecvar)."""
        if not self._margins:
            return Z
        n, k = Z.shape
        rows = np.repeat(np.arange(n), k)
        cols = np.tile(np.arange(k), n)
        S = self._cell_sums(rows, cols, (Z / self.w[:, None]).ravel(), k)
        C = self._cell_shift(S)
        return Z - self.w[:, None] * C[self._margins["jcell"]]

    def _vcov(self, Z: np.ndarray, full: bool = True) -> np.ndarray:
        """Design-based covariance of estimators with influence values ``Z`` (n x k)."""
        Z = np.asarray(Z, dtype=float)
        if Z.ndim == 1:
            Z = Z[:, None]
        n = self.n
        Zp = self._project(Z)
        Zp = Zp - Zp.mean(axis=0)
        if not full:
            return (Zp * Zp).sum(axis=0) * n / (n - 1)
        return Zp.T @ Zp * n / (n - 1)

    def _sparse_var(
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

    def _grouped_var(self, codes: np.ndarray, vals: np.ndarray, G: int) -> np.ndarray:
        """Variances of G domain estimators whose influence is ``vals`` on rows of group ``codes``."""
        rows = np.flatnonzero(codes >= 0)
        return self._sparse_var(rows, codes[rows], vals[rows], G)

    def _check_var(self, var: str) -> None:
        if not isinstance(var, str) or var not in self.df.columns:
            cols = [str(c) for c in self.df.columns]
            close = difflib.get_close_matches(str(var), cols, n=3)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise EstimationError(
                f"Unknown variable {var!r}: the data have no such column.{hint} "
                "Check the name against the codebook."
            )

    def _numeric(self, var: str) -> np.ndarray:
        self._check_var(var)
        s = self.df[var]
        if s.dtype == bool or str(s.dtype) == "boolean":
            return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        if not (pd.api.types.is_numeric_dtype(s)):
            raise EstimationError(
                f"Variable {var!r} is not numeric (dtype {s.dtype}); recode it to numbers "
                "(or 0/1 for a share) before estimating."
            )
        return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def _binary(self, var: str) -> np.ndarray:
        y = self._numeric(var)
        vals = np.unique(y[~np.isnan(y)])
        if not np.all(np.isin(vals, (0.0, 1.0))):
            shown = ", ".join(f"{v:g}" for v in vals[:8])
            raise EstimationError(
                f"Variable {var!r} is not binary: a share needs values 0/1 (NaN = not asked), "
                f"but it has {shown}{' ...' if len(vals) > 8 else ''}. Recode it to 0/1 "
                "(e.g. (x == category)), or use mean() for a scale."
            )
        return y

    def _groups(self, by: str | Sequence[str] | None) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
        """Group codes per row (-1: no group) and a frame of group labels (one row per group)."""
        if by is None:
            return np.zeros(self.n, dtype=np.int64), pd.DataFrame(index=[0]), []
        by_list = [by] if isinstance(by, str) else list(by)
        if not 1 <= len(by_list) <= 2:
            raise EstimationError("'by' takes one or two grouping variables.")
        codes = np.zeros(self.n, dtype=np.int64)
        labels = pd.DataFrame(index=[0])
        for b in by_list:
            self._check_var(b)
            c, levels = _factorize(self.df[b])
            K = len(levels)
            if K == 0:
                raise EstimationError(f"Grouping variable {b!r} has no values (all missing).")
            codes = np.where((codes < 0) | (c < 0), -1, codes * K + c)
            labels = labels.merge(pd.DataFrame({b: levels}), how="cross")
        return codes, labels, by_list

    # ------------------------------------------------------------------ core domain estimator
    def _domain(self, y: np.ndarray, codes: np.ndarray, G: int) -> dict[str, np.ndarray]:
        """Weighted mean of y in each of G domains with design-based SE and design effect."""
        w = self.w
        valid = (codes >= 0) & ~np.isnan(y)
        c = np.where(valid, codes, -1)
        cv, yv, wv = c[valid], y[valid], w[valid]
        n_g = np.bincount(cv, minlength=G).astype(float)
        W = np.bincount(cv, weights=wv, minlength=G)
        WY = np.bincount(cv, weights=wv * yv, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = WY / W
            resid = np.zeros(self.n)
            resid[valid] = yv - est[cv]
            vals = np.zeros(self.n)
            vals[valid] = wv * resid[valid] / W[cv]
            var = self._grouped_var(c, vals, G)
            se = np.sqrt(np.maximum(var, 0))
            s2 = np.bincount(cv, weights=wv * resid[valid] ** 2, minlength=G) / W * n_g / (n_g - 1)
            vsrs = np.where(W > n_g, s2 * (W - n_g) / (W * n_g), s2 / n_g)
            deff = var / vsrs
        pos = np.bincount(cv, weights=(yv == 1).astype(float), minlength=G)
        neg = np.bincount(cv, weights=(yv == 0).astype(float), minlength=G)
        return {
            "estimate": est,
            "se": se,
            "n": n_g,
            "N": W,
            "deff": deff,
            "df": n_g - 1,
            "pos": pos,
            "neg": neg,
            "vals": vals,
            "codes": c,
        }

    def _prop_ci(self, p: np.ndarray, se: np.ndarray, df: np.ndarray, n: np.ndarray):
        """CI for shares: logit (R's svyciprop default) or Korn-Graubard beta.

        Both use t quantiles with the domain's n - 1 df, as R's ``svyciprop`` on a domain.
        Korn-Graubard's effective n is ``p(1-p)/se**2`` times ``(t(n_d-1)/t(df))**2``, which
        is 1 here (df = n_d - 1); R's code uses the full sample's n in that ratio for a domain
        of a raked design only (a quirk we do not copy; the effect is below 0.1 % of the n).
        A share of exactly 0 or 1 has SE 0; its interval is then Clopper-Pearson on the
        unweighted domain size, since neither formula is defined there.
        """
        alpha = 1 - self.conf_level
        q = _tq(self.conf_level, df)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.ci_method == "logit":
                lg = special.logit(p)
                sl = se / (p * (1 - p))
                lo, hi = _expit(lg - q * sl), _expit(lg + q * sl)
            else:
                ne = p * (1 - p) / se**2
                lo = stats.beta.ppf(alpha / 2, ne * p, ne * (1 - p) + 1)
                hi = stats.beta.ppf(1 - alpha / 2, ne * p + 1, ne * (1 - p))
            edge0, edge1 = (p == 0) & (n > 0), (p == 1) & (n > 0)
            lo = np.where(edge0, 0.0, np.where(edge1, stats.beta.ppf(alpha / 2, n, 1), lo))
            hi = np.where(edge1, 1.0, np.where(edge0, stats.beta.ppf(1 - alpha / 2, 1, n), hi))
        return lo, hi

    def _table(
        self,
        labels: pd.DataFrame,
        r: dict[str, np.ndarray],
        var: str,
        binary: bool,
        by_list: list[str],
        keep: np.ndarray,
        total: dict | None = None,
    ) -> pd.DataFrame:
        if binary:
            lo, hi = self._prop_ci(r["estimate"], r["se"], r["df"], r["n"])
        else:
            q = _tq(self.conf_level, r["df"])
            lo, hi = r["estimate"] - q * r["se"], r["estimate"] + q * r["se"]
        cols: dict[str, Any] = {c: labels[c].to_numpy()[keep] for c in labels.columns}
        m = int(keep.sum())
        cols["variable"] = np.full(m, var, dtype=object)
        for name, v in (
            ("estimate", r["estimate"]),
            ("se", r["se"]),
            ("ci_low", lo),
            ("ci_high", hi),
            ("df", r["df"]),
            ("n", r["n"]),
            ("N", r["N"]),
            ("deff", r["deff"]),
        ):
            cols[name] = np.asarray(v, dtype=float)[keep]
        # counts on each side of a 0/1 variable: a mean of 0/1 is a share, so the count rule
        # applies whichever method was asked for
        counted = binary or bool(np.all(r["pos"] + r["neg"] == r["n"]))
        if counted:
            cols["_pos"], cols["_neg"] = r["pos"][keep], r["neg"][keep]
        cols["suppressed"] = np.zeros(m, dtype=bool)
        cols["_total"] = np.zeros(m, dtype=bool)
        cols["_hidden"] = self.plan.rows_hidden(labels, by_list)[keep]
        if total is not None:
            for c in cols:
                cols[c] = np.append(
                    cols[c].astype(object) if c in labels.columns or c == "variable" else cols[c],
                    total[c],
                )
        t = pd.DataFrame(cols)
        sets: tuple[LinkedSet, ...] = ()
        if len(by_list) == 1:
            sets = (LinkedSet(),)
        elif len(by_list) == 2:
            sets = (LinkedSet((by_list[0],)), LinkedSet((by_list[1],)))
        spec = DisclosureSpec(
            sides=("_pos", "_neg") if counted else (),
            sets=sets,
            total="_total",
            hidden="_hidden",
        )
        return t, spec

    def _estimate(self, var: str, by, binary: bool, total: bool, total_label: str, raw=False):
        y = self._binary(var) if binary else self._numeric(var)
        codes, labels, by_list = self._groups(by)
        G = len(labels)
        r = self._domain(y, codes, G)
        keep = r["n"] > 0
        if not keep.any():
            where = f" in any group of {by_list}" if by_list else ""
            raise EstimationError(
                f"Empty domain: no respondent has a value of {var!r}{where} (all missing). "
                "Check the routing of the question and the domain asked for."
            )
        tot = None
        if total and by_list:
            r0 = self._domain(y, np.where(codes >= 0, 0, -1), 1)
            lab = pd.DataFrame({b: [total_label] for b in by_list})
            row = self._table(lab, r0, var, binary, [], np.array([True]))[0].iloc[0].to_dict()
            row["_total"] = True
            tot = row
        t, spec = self._table(labels, r, var, binary, by_list, keep, tot)
        return (t, spec) if raw else self.policy.apply(t, spec)

    # ------------------------------------------------------------------ public estimators
    def proportion(
        self,
        var: str,
        by: str | Sequence[str] | None = None,
        *,
        total: bool = False,
        total_label: str = "I alt",
    ) -> pd.DataFrame:
        """Weighted share of respondents with ``var == 1`` overall or by one or two groups.

        Columns: the grouping columns, ``variable, estimate, se, ci_low, ci_high, df, n, N,
        deff, suppressed``. ``n`` is unweighted, ``N`` the weighted domain size. CIs use
        ``ci_method``. ``total=True`` adds a row for all groups together (label ``total_label``).
        Matches R's ``svyciprop`` / ``svyby(..., svymean, deff = TRUE)``.
        """
        return self._estimate(var, by, True, total, total_label)

    def mean(
        self,
        var: str,
        by: str | Sequence[str] | None = None,
        *,
        total: bool = False,
        total_label: str = "I alt",
    ) -> pd.DataFrame:
        """Weighted mean of ``var`` (e.g. the 1-5 desire scale); columns as :meth:`proportion`,
        with a symmetric t interval (df = domain n - 1). Matches R's ``svymean``/``svyby``."""
        return self._estimate(var, by, False, total, total_label)

    def distribution(self, var: str, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Share of each category of ``var`` (overall or within groups of ``by``).

        Columns: the grouping columns, ``variable, category, estimate, se, ci_low, ci_high,
        df, n, N, deff, suppressed``; ``n`` is the domain's respondents, ``n_category`` the
        respondents in the category. Shares within a group add up to 1, so the policy treats
        the categories of a group as one linked set.
        """
        self._check_var(var)
        by_list = [] if by is None else ([by] if isinstance(by, str) else list(by))
        ccodes, levels = _factorize(self.df[var])
        if not levels:
            raise EstimationError(f"Empty domain: {var!r} has no values (all missing).")
        codes, labels, by_list = self._groups(by)
        parts = []
        for k, lev in enumerate(levels):
            y = np.where(ccodes < 0, np.nan, (ccodes == k).astype(float))
            r = self._domain(y, codes, len(labels))
            keep = r["n"] > 0
            t, _ = self._table(labels, r, var, True, by_list, keep)
            t.insert(len(by_list) + 1, "category", lev)
            t["n_category"] = t["_pos"]
            parts.append(t)
        out = self._apply_distribution(pd.concat(parts, ignore_index=True), by_list)
        order = by_list + ["_cat"]
        out["_cat"] = out["category"].map({lev: k for k, lev in enumerate(levels)})
        return out.sort_values(order, kind="stable").drop(columns="_cat").reset_index(drop=True)

    def _apply_distribution(self, t: pd.DataFrame, by_list: list[str]) -> pd.DataFrame:
        """Two steps, so that a group's n is hidden only when the group is.

        First the groups (one row each, the groups of a breakdown adding up to the total):
        a group too small, hidden book-wide, or needed as a complement is suppressed with its
        n. Then the categories: a category's count is not an estimate, so only the count rule
        applies to it (with complements within the group and across groups), and a suppressed
        category hides its count and estimate but not the group's n, which the other
        categories of the group show anyway.
        """
        n = t["n"].to_numpy(dtype=float)
        if by_list:
            groups = t.drop_duplicates(by_list)[by_list + ["n", "_hidden"]].reset_index(drop=True)
            gspec = DisclosureSpec(
                sets=(LinkedSet(),)
                if len(by_list) == 1
                else tuple(LinkedSet((b,)) for b in by_list),
                hidden="_hidden",
                mask=(),
            )
            gout = self.policy.apply(groups.assign(suppressed=False), gspec)
            hidden = (
                t[by_list]
                .merge(gout[by_list + ["suppressed"]], on=by_list, how="left")["suppressed"]
                .to_numpy(dtype=bool)
            )
        else:
            hidden = n < self.policy.min_n
        spec = DisclosureSpec(
            size=(),
            shown_counts=("n_category",),
            sides=("_pos", "_neg"),
            sets=(LinkedSet(tuple(by_list), "n_category", "min_count"),)
            + tuple(
                LinkedSet(("category",) + tuple(b for b in by_list if b != o), "n", "min_n")
                for o in by_list
            ),
            total="_total",
            hidden="_hidden",
        )
        out = self.policy.apply(t.assign(_hidden=hidden), spec)
        shown_n = pd.array(np.nan_to_num(n).round().astype("int64"), dtype="Int64")
        shown_n[hidden | (n < self.policy.min_n)] = pd.NA
        out["n"] = shown_n
        return out

    def multi_response(
        self,
        vars: Sequence[str],
        by: str | Sequence[str] | None = None,
        labels: dict[str, str] | None = None,
    ) -> pd.DataFrame:
        """Several 0/1 items (e.g. reasons for taking the training) as a ranked table.

        Columns: grouping columns, ``rank, item, label, estimate, se, ci_low, ci_high, df, n,
        N, deff, suppressed``; ranked by estimate (largest first) within each group. Each item
        is its own domain estimate (respondents asked the item), so items may have different n.
        """
        if not vars:
            raise EstimationError("multi_response() needs at least one item.")
        parts = []
        for v in vars:
            t, spec = self._estimate(v, by, True, False, "", raw=True)
            parts.append(t)
        out = pd.concat(parts, ignore_index=True)
        by_list = [] if by is None else ([by] if isinstance(by, str) else list(by))
        out = out.rename(columns={"variable": "item"})
        names = out["item"].astype(str)
        out.insert(len(by_list) + 1, "label", [(labels or {}).get(v, v) for v in names])
        sets = tuple(LinkedSet(("item",) + tuple(b for b in by_list if b != o)) for o in by_list)
        spec = DisclosureSpec(sides=("_pos", "_neg"), sets=sets, total="_total", hidden="_hidden")
        out = self.policy.apply(out, spec)
        key = out["estimate"].fillna(-1.0)
        if by_list:
            rank = key.groupby([out[b] for b in by_list], sort=False).rank(
                ascending=False, method="first"
            )
        else:
            rank = key.rank(ascending=False, method="first")
        out.insert(len(by_list), "rank", rank.astype(int))
        out = out.sort_values(by_list + ["rank"], kind="stable").reset_index(drop=True)
        return out

    def difference(self, var: str, by: str, a: Any, b: Any) -> pd.DataFrame:
        """Difference of the mean/share of ``var`` between domains ``by == a`` and ``by == b``.

        One row: ``by, a, b, estimate_a, estimate_b, estimate (a - b), se, ci_low, ci_high, df,
        t, p_value, n_a, n_b, N_a, N_b, suppressed``. The SE combines the two domains'
        influence values (full-sample variance, raking-aware if the design is), which equals
        R's ``svyglm(var ~ by)`` on the two domains; the test is a t test with
        ``n_a + n_b - 2`` df, as ``summary.svyglm``.
        """
        y = self._numeric(var)
        vals = np.unique(y[~np.isnan(y)])
        binary = bool(len(vals) and np.all(np.isin(vals, (0.0, 1.0))))
        self._check_var(by)
        # the by-table the book publishes for these domains decides what is suppressed, so a
        # difference never shows a domain (or its n) that the table hides
        published = self._estimate(var, by, binary, False, "")
        hidden_by_table = published.loc[
            published[by].isin([a, b]).to_numpy(dtype=bool), "suppressed"
        ].to_numpy(dtype=bool)
        s = self.df[by]
        rows = {}
        for side, lev in (("a", a), ("b", b)):
            mask = (s == lev).to_numpy(dtype=bool, na_value=False)
            if not mask.any():
                present = ", ".join(repr(v) for v in _factorize(s)[1][:10])
                raise EstimationError(
                    f"Empty domain: no respondent has {by} == {lev!r} (values present: {present})."
                )
            r = self._domain(y, np.where(mask, 0, -1), 1)
            if r["n"][0] == 0:
                raise EstimationError(
                    f"Empty domain: no respondent with {by} == {lev!r} has a value of {var!r} "
                    "(all missing there). Check the routing of the question."
                )
            rows[side] = r
        ra, rb = rows["a"], rows["b"]
        Z = np.column_stack([ra["vals"] - rb["vals"]])
        se = float(np.sqrt(self._vcov(Z)[0, 0]))
        est = float(ra["estimate"][0] - rb["estimate"][0])
        df = ra["n"][0] + rb["n"][0] - 2
        q = float(_tq(self.conf_level, df))
        tstat = est / se if se > 0 else np.nan
        p = float(2 * stats.t.sf(abs(tstat), df)) if df > 0 and np.isfinite(tstat) else np.nan
        t = pd.DataFrame(
            [
                {
                    "by": by,
                    "a": a,
                    "b": b,
                    "variable": var,
                    "estimate_a": ra["estimate"][0],
                    "estimate_b": rb["estimate"][0],
                    "estimate": est,
                    "se": se,
                    "ci_low": est - q * se,
                    "ci_high": est + q * se,
                    "df": df,
                    "t": tstat,
                    "p_value": p,
                    "n_a": ra["n"][0],
                    "n_b": rb["n"][0],
                    "N_a": ra["N"][0],
                    "N_b": rb["N"][0],
                    "suppressed": bool(hidden_by_table.any()),
                    "_pos_a": ra["pos"][0] if binary else np.nan,
                    "_neg_a": ra["neg"][0] if binary else np.nan,
                    "_pos_b": rb["pos"][0] if binary else np.nan,
                    "_neg_b": rb["neg"][0] if binary else np.nan,
                }
            ]
        )
        spec = DisclosureSpec(
            size=("n_a", "n_b"),
            sides=("_pos_a", "_neg_a", "_pos_b", "_neg_b"),
            mask=(
                "estimate_a",
                "estimate_b",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "t",
                "p_value",
                "N_a",
                "N_b",
                "df",
            ),
        )
        return self.policy.apply(t, spec)

    def chisq(self, row_var: str, col_var: str) -> pd.DataFrame:
        """Rao-Scott adjusted test of association in a two-way table (R's ``svychisq``, "F").

        One row: ``row_var, col_var, chisq`` (Pearson's X² of the weighted table scaled to n),
        ``F, ndf, ddf, p_value, n`` (respondents with both variables), ``N``. Rows with a
        missing value in either variable are outside the domain (R's ``na.rm = TRUE``); like R,
        the scale and df use the full sample.
        """
        rc, rlev = _factorize(self._col(row_var))
        cc, clev = _factorize(self._col(col_var))
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
        w = self.w
        W = w[ok].sum()
        pw = np.bincount(cell[ok], weights=w[ok], minlength=K) / W
        Z = np.zeros((self.n, K))
        idx = np.flatnonzero(ok)
        Z[idx] = -pw[None, :] * (w[idx] / W)[:, None]
        Z[idx, cell[idx]] += w[idx] / W
        V = self._vcov(Z)
        N = self.n
        nu = self.n - 1
        # contrast matrix: residuals of the interaction columns on the main effects
        rows_i = np.tile(np.arange(nr), nc)
        cols_i = np.repeat(np.arange(nc), nr)
        X1 = np.column_stack(
            [np.ones(K)]
            + [(rows_i == i).astype(float) for i in range(1, nr)]
            + [(cols_i == j).astype(float) for j in range(1, nc)]
        )
        X12 = np.column_stack(
            [
                ((rows_i == i) & (cols_i == j)).astype(float)
                for j in range(1, nc)
                for i in range(1, nr)
            ]
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
            (counts.sum(1) < self.policy.min_n).any()
            or (counts.sum(0) < self.policy.min_n).any()
            or ((counts > 0) & (counts < self.policy.min_count)).any()
            or bool(self.plan.hidden(row_var))
            or bool(self.plan.hidden(col_var))
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
        return self.policy.apply(t, spec)

    def _col(self, var: str) -> pd.Series:
        self._check_var(var)
        return self.df[var]

    # ------------------------------------------------------------------ regression models
    def _model_data(self, formula: str) -> tuple[pd.DataFrame, dict[str, list]]:
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
            self._check_var(nm)
            if nm not in names:
                names.append(nm)
        in_c = set(re.findall(r"\bC\(\s*([A-Za-z_][A-Za-z0-9_]*)", bare))
        data, levels = {}, {}
        for nm in names:
            col = self.df[nm]
            numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
            if nm in in_c or not numeric:
                codes, lev = _factorize(col)
                data[nm] = pd.Categorical.from_codes(codes, categories=lev)
                levels[nm] = lev
            else:
                data[nm] = pd.to_numeric(col, errors="coerce").to_numpy(
                    dtype=float, na_value=np.nan
                )
        return pd.DataFrame(data), levels

    def _model_frame(self, formula: str, ordinal: bool = False):
        """Design matrix, outcome and the rows used (complete cases) for a formula."""
        if not isinstance(formula, str) or "~" not in formula:
            raise EstimationError(
                f"A model needs a formula like 'y ~ x1 + C(x2)', got {formula!r}."
            )
        lhs, rhs = formula.split("~", 1)
        lhs = lhs.strip()
        data, levels = self._model_data(formula)
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
            self._check_var(lhs)
            yser = self.df[lhs].iloc[rows]
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
                f"Empty domain: no respondent has values of every variable in {formula!r}."
            )
        return X, y, rows, info, data, levels

    def _dummy_sizes(
        self, X: pd.DataFrame, rows: np.ndarray, info, data: pd.DataFrame, levels: dict[str, list]
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
            # a category hidden book-wide counts as empty: its coefficient is never shown
            hidden = self.plan.hidden(var) if var in self.df.columns else frozenset()
            counts = np.where([lv in hidden for lv in lev], 0, counts)
            by_level = {str(lv): int(c) for lv, c in zip(lev, counts)}
            bad = [lv for lv, c in zip(lev, counts) if c < self.policy.min_n]
            if not bad:
                continue
            small[var] = bad
            mine = {c: c[len(code) + 3 : -1] for c in cols if c.startswith(f"{code}[T.")}
            ref = [lv for lv in by_level if lv not in set(mine.values())]
            ref_n = min((by_level[r] for r in ref), default=m)
            for c, lv in mine.items():
                j = cols.index(c)
                n_col[j] = min(n_col[j], by_level.get(lv, m), ref_n)
            if ref_n < self.policy.min_n and "Intercept" in cols:
                n_col[cols.index("Intercept")] = ref_n
        return n_col, small

    def _model_table(self, terms, coef, V, df_resid, n_col, odds: bool) -> pd.DataFrame:
        se = np.sqrt(np.diag(V))
        q = _tq(self.conf_level, df_resid)
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
        return self.policy.apply(t, DisclosureSpec(mask=tuple(mask)))

    def _glm(self, formula: str, kind: str) -> ModelResult:
        X, y, rows, info, data, levels = self._model_frame(formula)
        Xv = X.to_numpy(dtype=float)
        w = self.w[rows]
        w = w / w.mean()
        m, p = Xv.shape
        if _rank(Xv) < p:
            raise EstimationError(
                f"The terms of {formula!r} are collinear (a category with no respondents in the "
                "model's rows, or a variable that is a combination of others); drop or merge terms."
            )
        terms = list(X.columns)
        it = 1
        if kind == "logistic":
            vals = np.unique(y)
            if not np.all(np.isin(vals, (0.0, 1.0))):
                raise EstimationError(
                    f"The outcome of the logistic model {formula!r} is not binary (0/1)."
                )
            self._check_separation(Xv, y, terms, formula, data.iloc[rows], levels)
            beta, mu, it = self._irls(Xv, y, w, formula)
            W_work = w * mu * (1 - mu)
            resid = y - mu
        else:
            XtW = Xv.T * w
            beta = np.linalg.solve(XtW @ Xv, XtW @ y)
            mu = Xv @ beta
            W_work = w
            resid = y - mu
        A = np.linalg.inv((Xv.T * W_work) @ Xv)
        Z = np.zeros((self.n, p))
        Z[rows] = (Xv * (w * resid)[:, None]) @ A
        V = self._vcov(Z)
        df_resid = m - p  # degf (m - 1) + 1 - p
        n_col, small = self._dummy_sizes(X, rows, info, data, levels)
        table = self._model_table(terms, beta, V, df_resid, n_col, odds=(kind == "logistic"))
        return ModelResult(
            kind=kind,
            formula=formula,
            table=table,
            coef=beta,
            vcov=V,
            terms=terms,
            df_resid=df_resid,
            n=m,
            N=float(self.w[rows].sum()),
            iterations=it,
            conf_level=self.conf_level,
            policy=self.policy,
            design_info=info,
            small_levels=small,
        )

    @staticmethod
    def _check_separation(
        X: np.ndarray,
        y: np.ndarray,
        terms: list[str],
        formula: str,
        data: pd.DataFrame,
        levels: dict[str, list],
    ) -> None:
        """Name a category whose respondents all have the same outcome (quasi-separation)."""

        def fail(who: str, value: float) -> None:
            raise EstimationError(
                f"Separation in {formula!r}: every respondent in {who} has outcome "
                f"{int(value)}, so its odds ratio is infinite. Merge that category with a "
                "neighbour or drop the term."
            )

        for var, lev in levels.items():
            if var not in data.columns or len(lev) < 2:
                continue
            codes = data[var].cat.codes.to_numpy()
            for k, lv in enumerate(lev):
                sel = codes == k
                if sel.any() and np.all(y[sel] == y[sel][0]):
                    fail(f"{var} = {lv!r}", y[sel][0])
        for j, term in enumerate(terms):
            col = X[:, j]
            if term == "Intercept" or not np.all((col == 0) | (col == 1)):
                continue
            sel = col == 1
            if sel.any() and sel.sum() < len(col) and np.all(y[sel] == y[sel][0]):
                fail(f"'{term}'", y[sel][0])

    @staticmethod
    def _irls(X: np.ndarray, y: np.ndarray, w: np.ndarray, formula: str, maxit: int = 50):
        """Weighted logistic regression by Newton-Raphson, converged to machine precision."""
        m, p = X.shape
        mu0 = (w * y + 0.5) / (w + 1)
        eta = special.logit(mu0)
        beta = np.zeros(p)
        dev_old = np.inf
        for it in range(1, maxit + 1):
            mu = _expit(eta)
            W = w * mu * (1 - mu)
            z = eta + (y - mu) / np.maximum(mu * (1 - mu), 1e-300)
            XtW = X.T * W
            try:
                beta_new = np.linalg.solve(XtW @ X, XtW @ z)
            except np.linalg.LinAlgError as exc:
                raise EstimationError(
                    f"The logistic model {formula!r} cannot be fitted (singular information "
                    "matrix): likely separation; merge small categories or drop terms."
                ) from exc
            eta = X @ beta_new
            mu = _expit(eta)
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
                "the same outcome). Merge small categories or drop terms."
            )
        if np.max(np.abs(eta)) > 30:
            raise EstimationError(
                f"The logistic model {formula!r} shows (quasi-)separation: some predicted "
                "probabilities are 0 or 1 and the coefficients run off to infinity. Merge small "
                "categories or drop terms."
            )
        return beta, _expit(X @ beta), it

    def logistic(self, formula: str) -> ModelResult:
        """Weighted logistic regression (R's ``svyglm(family = quasibinomial)``).

        ``formula`` is patsy syntax, e.g. ``"trained ~ C(sector) + C(size) + interest"``; rows
        with a missing value in any variable are outside the model's domain. ``.table`` has
        coefficients and odds ratios with design-based (sandwich, raking-aware if the design
        is) SEs; ``.predict(profiles)`` gives predicted probabilities with CIs.
        """
        return self._glm(formula, "logistic")

    def linear(self, formula: str) -> ModelResult:
        """Weighted linear regression (R's ``svyglm(family = gaussian)``), sandwich SEs."""
        return self._glm(formula, "linear")

    def ordinal(self, formula: str, maxit: int = 100) -> ModelResult:
        """Weighted proportional-odds logistic regression (R's ``svyolr``).

        Model: ``logit P(Y <= k) = zeta_k - x'beta``, so a positive coefficient means a higher
        category (e.g. more desire); ``odds_ratio = exp(beta)``. The outcome's order is its
        categorical order, or the sorted numeric values. ``.table`` has the slopes and then
        the cut-points (``term = "1|2"`` etc.); ``.predict(profiles)`` gives the predicted mean
        of the scale and the probability of each level. Fitted by Newton-Raphson on the
        weighted log-likelihood with analytic derivatives; SEs are the sandwich
        ``H^-1 (S'S) H^-1`` with the per-respondent scores projected like every other estimator.
        """
        lhs = formula.split("~", 1)[0].strip()
        X, yser, rows, info, data, flevels = self._model_frame(formula, ordinal=True)
        yc, levels = _factorize(yser)
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
        w = self.w[rows]
        w = w / w.mean()
        beta, zeta, it, S, H = self._fit_olr(Xv, yc, K, w, formula, maxit)
        Hinv = np.linalg.inv(H)
        Z = np.zeros((self.n, p + K - 1))
        Z[rows] = S @ Hinv
        V = self._vcov(Z)
        df_resid = (m - 1) - p
        terms = list(X.columns) + [f"{levels[k]}|{levels[k + 1]}" for k in range(K - 1)]
        n_col, small = self._dummy_sizes(X, rows, info, data, flevels)
        n_all = np.concatenate([n_col, np.full(K - 1, float(m))])
        table = self._model_table(
            terms, np.concatenate([beta, zeta]), V, df_resid, n_all, odds=True
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
            N=float(self.w[rows].sum()),
            iterations=it,
            conf_level=self.conf_level,
            policy=self.policy,
            design_info=info,
            levels=list(levels),
            level_values=level_values,
            small_levels=small,
        )

    @staticmethod
    def _olr_parts(X, y, K, w, beta, zeta, scores: bool = False):
        """Log-likelihood, gradient, Hessian (and per-row scores) of the weighted ordinal logit.

        Row i's likelihood is F(a) - F(b) with a = zeta[y_i] - eta_i, b = zeta[y_i - 1] - eta_i.
        The Hessian is assembled by blocks (slopes x slopes through X'DX, slopes x cut-points
        and cut-points x cut-points through per-level sums), so that a Newton step costs
        O(n p^2) and not O(n (p + K)^2).
        """
        m, p = X.shape
        q = K - 1
        eta = X @ beta
        zfull = np.concatenate([[-np.inf], zeta, [np.inf]])
        Fa, Fb = _expit(zfull[y + 1] - eta), _expit(zfull[y] - eta)
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

    def _fit_olr(self, X, y, K, w, formula, maxit):
        m, p = X.shape
        cum = np.cumsum(np.bincount(y, weights=w, minlength=K))[:-1] / w.sum()
        if np.any(cum <= 0) or np.any(cum >= 1) or np.any(np.diff(cum) <= 0):
            raise EstimationError(
                f"The ordinal model {formula!r} has an outcome level with no respondents in its "
                "rows; merge levels before fitting."
            )
        theta = np.concatenate([np.zeros(p), special.logit(cum)])
        ll, g, H, _ = self._olr_parts(X, y, K, w, theta[:p], theta[p:])
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
                    ll_new, g_new, H_new, _ = self._olr_parts(X, y, K, w, new[:p], new[p:])
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
        _, _, H, S = self._olr_parts(X, y, K, w, theta[:p], theta[p:], scores=True)
        return theta[:p], theta[p:], it, S, -H
