"""Raking (iterative proportional fitting) of sample weights to population margins.

Matches R's ``survey::rake(..., control = list(maxit = 100, epsilon = 1e-10))`` to rounding
error (see ``../shared/brief/survey-statistics.md``). The statistics layer re-uses the margins
to compute raking-aware standard errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lederuddannelse.errors import WeightingError


@dataclass
class RakeResult:
    """Raked weights and how the raking went."""

    weights: pd.Series
    iterations: int
    converged: bool
    max_change: float
    margins: dict[str, pd.Series] = field(default_factory=dict)
    trimmed: int = 0


def rake(
    df: pd.DataFrame,
    margins: dict[str, pd.Series],
    base_weights: pd.Series | np.ndarray | None = None,
    *,
    epsilon: float = 1e-10,
    maxit: int = 100,
    trim_ratio: float | None = None,
) -> RakeResult:
    """Rake ``base_weights`` so that weighted counts of each margin variable hit the targets.

    ``margins`` maps a column of ``df`` to a Series of population totals indexed by category.
    Every category in the data must have a target and every target a respondent; otherwise
    the margin cannot be met and a :class:`WeightingError` names the margin and category.

    ``trim_ratio`` (optional) caps each weight at ``trim_ratio`` times the mean weight after
    raking, then re-rakes; the number of capped weights is reported. Trimming trades a little
    bias for variance; the book reports whether it was used.
    """
    n = len(df)
    if n == 0:
        raise WeightingError("Cannot rake an empty data set.")
    w = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float).copy()
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise WeightingError("Base weights must be positive and finite, one per row.")

    codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for var, target in margins.items():
        if var not in df.columns:
            raise WeightingError(f"Raking margin '{var}' is not a column of the data.")
        target = pd.Series(target, dtype=float)
        values = df[var]
        if values.isna().any():
            rows = list(df.index[values.isna()][:5])
            raise WeightingError(
                f"Raking margin '{var}' has missing values (rows {rows}); every respondent "
                "needs a category on each weighting variable."
            )
        unknown = sorted(set(values.unique()) - set(target.index), key=str)
        if unknown:
            raise WeightingError(
                f"Raking margin '{var}': categories {unknown} occur in the data but have no "
                f"population total; expected one of {list(target.index)}."
            )
        empty = [c for c in target.index if target[c] > 0 and not (values == c).any()]
        if empty:
            raise WeightingError(
                f"Raking margin '{var}': category {empty[0]!r} has a population total but no "
                "respondents, so raking cannot converge. Merge it with a neighbouring category "
                "in the margins file or drop the margin."
            )
        idx = pd.Categorical(values, categories=list(target.index)).codes
        codes[var] = (idx, target.to_numpy())

    totals = {round(float(t.sum()), 6) for _, t in codes.values()}
    if len(totals) > 1:
        raise WeightingError(
            f"Raking margins do not share one population total: {sorted(totals)}."
        )

    def sweep(w: np.ndarray) -> tuple[np.ndarray, int, float, bool]:
        change = np.inf
        for it in range(1, maxit + 1):
            old = w.copy()
            for idx, target in codes.values():
                current = np.bincount(idx, weights=w, minlength=len(target))
                with np.errstate(divide="ignore", invalid="ignore"):
                    factor = np.where(current > 0, target / current, 1.0)
                w = w * factor[idx]
            change = float(np.max(np.abs(w - old)))
            if change < epsilon * max(1.0, float(np.mean(old))):
                return w, it, change, True
        return w, maxit, change, False

    w, iterations, change, converged = sweep(w)
    trimmed = 0
    if trim_ratio is not None:
        cap = trim_ratio * w.mean()
        trimmed = int(np.sum(w > cap))
        if trimmed:
            w = np.minimum(w, cap)
            w, more, change, converged = sweep(w)
            iterations += more
    if not converged:
        raise WeightingError(
            f"Raking did not converge in {maxit} iterations (largest change {change:.3g}); "
            "check the margins for categories with very few respondents."
        )
    return RakeResult(
        weights=pd.Series(w, index=df.index, name="weight"),
        iterations=iterations,
        converged=converged,
        max_change=change,
        margins={k: pd.Series(v, dtype=float) for k, v in margins.items()},
        trimmed=trimmed,
    )


def kish_effective_n(weights: pd.Series | np.ndarray) -> float:
    """Kish's effective sample size (Σw)²/Σw²: the n an unweighted sample of equal precision has."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))
