"""Raking (iterative proportional fitting) of sample weights to population margins.

Matches R's ``survey::rake(..., control = list(maxit = 100, epsilon = 1e-10))`` to rounding
error (R's default ``maxit = 10, epsilon = 1`` stops early; see ``docs/sources.md``). The
statistics layer re-uses the margins to compute raking-aware standard errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
        unknown = sorted({_plain(v) for v in values.unique()} - set(target.index), key=str)
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
        raise WeightingError(f"Raking margins do not share one population total: {sorted(totals)}.")

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


def _plain(value):
    """numpy scalar -> Python scalar, so messages read [5] rather than [np.int64(5)]."""
    return value.item() if hasattr(value, "item") else value


def kish_effective_n(weights: pd.Series | np.ndarray) -> float:
    """Kish's effective sample size (Σw)²/Σw²: the n an unweighted sample of equal precision has."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


# --- margins, weighting a survey, diagnostics (data layer) -------------------------------------
def margins_path() -> Path:
    from lederuddannelse.paths import data_dir

    return data_dir() / "margins.csv"


#: The prefix of a margin's ``source`` that marks it as this edition's assumption.
ASSUMPTION_PREFIX = "assumption:"


def margin_kinds(path=None) -> dict[tuple[str, int], str]:
    """Per (variable, category) of margins.csv: "statistics" when the source cites published
    population statistics, "derived" when it says the share is derived from them (e.g. from
    figures of different years), "assumed" when it says ``assumption: why``. Pages show the
    kind, so an assumed or derived population share is never read as a register figure."""
    return {key: kind for key, (kind, _) in margin_sources(path).items()}


def margin_sources(path=None) -> dict[tuple[str, int], tuple[str, str]]:
    """Per (variable, category) of margins.csv: its kind (:func:`margin_kinds`) and the source
    text of the file."""
    p = Path(path) if path is not None else margins_path()
    table = pd.read_csv(p, encoding="utf-8")
    out = {}
    for r in table.itertuples():
        source = str(r.source).strip()
        kind = (
            "assumed"
            if source.lower().startswith(ASSUMPTION_PREFIX)
            else "derived"
            if "derived" in source.lower()
            else "statistics"
        )
        out[(str(r.variable), int(r.category))] = (kind, source)
    return out


def load_margins(path=None) -> dict[str, pd.Series]:
    """Population totals per weighting variable from ``data/margins.csv``.

    One row per category (``variable,category,label,share,count,source``); returns
    ``{variable: Series(count, index=category code)}``. The file is checked against the
    codebook (weighting variables, codes, shares summing to 1, one common total) because a
    wrong margin silently biases every weighted figure.
    """
    from lederuddannelse.data.codebook import load_codebook
    from lederuddannelse.errors import DataValidationError

    p = Path(path) if path is not None else margins_path()
    table = pd.read_csv(p, encoding="utf-8")
    problems = []
    need = {"variable", "category", "share", "count", "source"}
    if not need <= set(table.columns):
        raise DataValidationError(f"{p}: needs columns {sorted(need)}, has {list(table.columns)}")
    book = load_codebook()
    out: dict[str, pd.Series] = {}
    for var, rows in table.groupby("variable", sort=False):
        if var not in book.weighting_variables:
            problems.append(
                f"{var!r} is not a weighting variable of the codebook ({book.weighting_variables})"
            )
            continue
        codes = set(book.value_labels(var))
        cats = rows["category"].astype(int)
        if set(cats) != codes:
            problems.append(
                f"{var!r}: categories {sorted(set(cats))} do not match codebook codes "
                f"{sorted(codes)}"
            )
        if abs(rows["share"].sum() - 1) > 1e-6:
            problems.append(f"{var!r}: shares sum to {rows['share'].sum():.6f}, not 1")
        if rows["source"].isna().any() or (rows["source"].astype(str).str.strip() == "").any():
            problems.append(f"{var!r}: every row needs a source (a citation or 'assumption: why')")
        out[var] = pd.Series(rows["count"].to_numpy(dtype=float), index=cats.to_numpy(), name=var)
    totals = {v: s.sum() for v, s in out.items()}
    if len(set(totals.values())) > 1:
        problems.append(f"margins do not share one population total: {totals}")
    if problems:
        raise DataValidationError(f"{p}: " + "; ".join(problems))
    return out


def weight_survey(
    df: pd.DataFrame,
    margins: dict[str, pd.Series] | None = None,
    trim_ratio: float | None = None,
    base_weights=None,
    *,
    column: str = "weight",
) -> tuple[pd.DataFrame, RakeResult]:
    """Rake ``df`` to the population margins; return a copy with a ``weight`` column.

    ``margins`` defaults to ``data/margins.csv``. ``base_weights`` defaults to equal
    weights; a weight column already in ``df`` is replaced (pass it as ``base_weights`` to
    start from it). Weights sum to the population total, so weighted counts are numbers of
    managers.
    """
    margins = load_margins() if margins is None else margins
    result = rake(df, margins, base_weights, trim_ratio=trim_ratio)
    out = df.copy()
    out[column] = result.weights.to_numpy()
    return out, result


@dataclass
class WeightingDiagnostics:
    """Tables for the methods chapter: ``margins`` (one row per category) and ``summary``."""

    margins: pd.DataFrame
    summary: pd.DataFrame

    def value(self, measure: str) -> float:
        return float(self.summary.set_index("measure").loc[measure, "value"])


def weighting_diagnostics(df: pd.DataFrame, result: RakeResult) -> WeightingDiagnostics:
    """Margins before and after raking, the weight distribution, Kish n_eff and deff.

    ``margins``: variable, category, label, population share, unweighted sample share,
    weighted share (after raking) and their differences in percentage points.
    ``summary``: tidy ``measure, value`` rows: n, sum of weights, min / percentiles / max,
    max/min ratio, coefficient of variation, Kish's effective n, the design effect due to
    weighting (1 + CV², Kish's approximation), iterations, converged, trimmed weights.
    """
    from lederuddannelse.data.codebook import load_codebook

    book = load_codebook()
    w = result.weights.to_numpy(dtype=float)
    rows = []
    for var, target in result.margins.items():
        labels = book.value_labels(var) if var in book else {}
        pop_share = target / target.sum()
        values = df[var].to_numpy()
        for cat in target.index:
            hit = values == cat
            rows.append(
                {
                    "variable": var,
                    "variable_label": book.label(var) if var in book else var,
                    "category": cat,
                    "label": labels.get(int(cat), str(cat)),
                    "population_share": float(pop_share[cat]),
                    "unweighted_share": float(hit.mean()),
                    "weighted_share": float(w[hit].sum() / w.sum()),
                    "respondents": int(hit.sum()),
                }
            )
    margins = pd.DataFrame(rows)
    margins["unweighted_diff_pp"] = 100 * (
        margins["unweighted_share"] - margins["population_share"]
    )
    margins["weighted_diff_pp"] = 100 * (margins["weighted_share"] - margins["population_share"])

    cv = float(np.std(w) / np.mean(w))
    pct = np.percentile(w, [1, 5, 25, 50, 75, 95, 99])
    summary = pd.DataFrame(
        [
            ("n", len(w)),
            ("sum_of_weights", w.sum()),
            ("mean", w.mean()),
            ("min", w.min()),
            ("p01", pct[0]),
            ("p05", pct[1]),
            ("p25", pct[2]),
            ("median", pct[3]),
            ("p75", pct[4]),
            ("p95", pct[5]),
            ("p99", pct[6]),
            ("max", w.max()),
            ("max_min_ratio", w.max() / w.min()),
            ("cv", cv),
            ("kish_n_eff", kish_effective_n(w)),
            ("deff_weighting", 1 + cv**2),
            ("iterations", result.iterations),
            ("converged", float(result.converged)),
            ("trimmed", result.trimmed),
        ],
        columns=["measure", "value"],
    )
    summary["value"] = summary["value"].astype(float)
    return WeightingDiagnostics(margins=margins, summary=summary)


#: A largest-to-smallest weight ratio above this gets a warning (issue 25): a few respondents
#: then carry the estimates.
MAX_WEIGHT_RATIO = 1_000


def weight_ratio_warning(weights, what: str = "weights") -> str | None:
    """A warning when the largest of ``weights`` is over :data:`MAX_WEIGHT_RATIO` times the
    smallest positive one, else None."""
    w = np.asarray(weights, dtype=float)
    w = w[np.isfinite(w) & (w > 0)]
    if len(w) < 2 or w.max() <= MAX_WEIGHT_RATIO * w.min():
        return None
    return (
        f"WARNING: the largest of the {what} is {w.max() / w.min():,.0f} times the smallest "
        f"(above {MAX_WEIGHT_RATIO:,}): a few respondents carry the estimates; check the weights"
    )
