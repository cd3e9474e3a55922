"""The result of a design-based regression: coefficients, covariance and predictions.

:class:`ModelResult` is what ``SurveyDesign.logistic``/``linear``/``ordinal`` return
(:mod:`lederuddannelse.stats.models`, :mod:`lederuddannelse.stats.ordinal` fit them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError
from lederuddannelse.stats.columns import t_quantile
from lederuddannelse.stats.disclosure import SuppressionPolicy

__all__ = ["ModelResult"]


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
