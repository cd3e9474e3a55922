"""The statistics layer against a peer: ``svy`` (the samplics authors' package) under a
stratified cluster design.

``make bench`` runs :func:`bench_stats_peer` after the statistics benchmark: on the same
synthetic 6,000- and 600,000-row samples, given a stratified cluster design
(:func:`~lederuddannelse.data.synthetic_design.add_workplace_design`: strata sector x size,
workplaces of 8 managers, fpc), both compute the same estimates; the lines print each side's
time (best of 3 runs), the ratio ours / svy (target at most 0.5) and the
largest difference of estimates and SEs. Imports are timed on neither side: each computes every
estimate once before the clock starts (our first estimate would otherwise pay SciPy's import, svy's
its engine's start). Design set-up (``SurveyDesign`` / ``svy.Sample``) is timed as its own line.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np
import pandas as pd

from lederuddannelse.data.synthetic import DEFAULT_N, DEFAULT_SEED

SIZES = (DEFAULT_N, 100 * DEFAULT_N)  # as the statistics benchmark: 6,000 and 600,000
TARGET = 0.5


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _data(n: int, seed: int) -> pd.DataFrame:
    from lederuddannelse.data.derive import add_derived
    from lederuddannelse.data.synthetic import generate_survey
    from lederuddannelse.data.synthetic_design import add_workplace_design
    from lederuddannelse.data.weighting import load_margins, weight_survey

    df, _ = generate_survey(n, seed)
    df, _ = weight_survey(add_derived(df), load_margins())
    df = add_workplace_design(df)
    df["desire"] = pd.to_numeric(df["desire"], errors="coerce").astype(float)
    df["trained_any"] = df["trained_any"].astype(float)
    df["interest_pwe"] = pd.to_numeric(df["interest_pwe"], errors="coerce").astype(float)
    df["sector_s"] = df["sector"].map({1: "public", 2: "private"})
    return df[
        ["stratum", "workplace", "fpc", "weight", "trained_any", "desire", "interest_pwe",
         "industry", "sector_s"]
    ].copy()  # fmt: skip


def _ours(df: pd.DataFrame) -> dict[str, Callable[[], Any]]:
    from lederuddannelse.stats.design import SurveyDesign
    from lederuddannelse.stats.disclosure import SuppressionPolicy

    def design():
        return SurveyDesign(
            df, "weight", strata="stratum", psu="workplace", fpc="fpc",
            policy=SuppressionPolicy.none(),
        )  # fmt: skip

    d = design()

    def est(t: pd.DataFrame) -> np.ndarray:
        return t[["estimate", "se"]].to_numpy(dtype=float)

    return {
        "design set-up": design,
        "share": lambda: est(d.proportion("trained_any")),
        "share by industry (10 groups)": lambda: est(d.proportion("trained_any", by="industry")),
        "mean": lambda: est(d.mean("desire")),
        "mean by sector": lambda: est(d.mean("desire", by="sector_s")),
        "logistic regression": lambda: est(
            d.logistic("trained_any ~ interest_pwe + sector_s").table.sort_values("term")
        ),
    }


def _svy(df: pd.DataFrame) -> dict[str, Callable[[], Any]]:
    import polars as pl
    import svy

    data = pl.from_pandas(df)

    def design():
        return svy.Sample(
            data, svy.Design(stratum="stratum", psu="workplace", wgt="weight", pop_size="fpc")
        )

    s = design()

    def prop(by=None) -> np.ndarray:
        t = s.estimation.prop("trained_any", by=by).to_polars().to_pandas()
        t = t[t["trained_any"] == 1.0]
        if by:
            t = t.sort_values(by)
        return t[["est", "se"]].to_numpy(dtype=float)

    def mean(by=None) -> np.ndarray:
        t = s.estimation.mean("desire", by=by).to_polars().to_pandas()
        if by:
            t = t.sort_values(by)
        return t[["est", "se"]].to_numpy(dtype=float)

    def logistic() -> np.ndarray:
        fit = s.glm.fit(
            "trained_any", x=["interest_pwe", svy.Cat("sector_s", ref="private")],
            family="binomial",
        )  # fmt: skip
        t = fit.to_polars().to_pandas()
        names = {"_intercept_": "Intercept", "sector_s_public": "sector_s[T.public]"}
        t["term"] = t["term"].map(lambda x: names.get(x, x))
        return t.sort_values("term")[["estimate", "std_err"]].to_numpy(dtype=float)

    return {
        "design set-up": design,
        "share": prop,
        "share by industry (10 groups)": lambda: prop("industry"),
        "mean": mean,
        "mean by sector": lambda: mean("sector_s"),
        "logistic regression": logistic,
    }


def bench_stats_peer(sizes: tuple[int, ...] = SIZES, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Print and return the comparison with svy (module docstring)."""
    try:
        import svy  # noqa: F401
    except ImportError:
        print("statistics peer: svy is not installed (pip install -r requirements.lock)")
        return pd.DataFrame()
    rows = []
    for n in sizes:
        df = _data(n, seed)
        repeat = 3
        ours, theirs = _ours(df), _svy(df)
        for name in ours:  # imports and engines warm, on both sides
            ours[name](), theirs[name]()
        for name in ours:
            t_ours, a = _best(ours[name], repeat)
            t_svy, b = _best(theirs[name], repeat)
            row = {"rows": n, "estimate": name, "ours_s": t_ours, "svy_s": t_svy}
            row["ratio"] = t_ours / t_svy
            if name != "design set-up":
                a, b = np.asarray(a), np.asarray(b)
                row["max_diff_est"] = float(np.max(np.abs(a[:, 0] - b[:, 0])))
                row["max_diff_se"] = float(np.max(np.abs(a[:, 1] - b[:, 1])))
            rows.append(row)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.float_format", "{:.3g}".format):
        print(
            "statistics against svy (stratified cluster design; seconds, best of runs; "
            f"target ours/svy <= {TARGET}):"
        )
        print(table.to_string(index=False))
    est = table.dropna(subset=["max_diff_est"])
    worst = float(est[["max_diff_est", "max_diff_se"]].to_numpy().max()) if len(est) else np.nan
    over = [f"{r.estimate} ({r.rows:,})" for r in est[est["ratio"] > TARGET].itertuples()]
    print(
        f"largest difference from svy: {worst:.1e}; "
        + (f"over the target: {', '.join(over)}." if over else "every estimate within target.")
    )
    return table


if __name__ == "__main__":
    bench_stats_peer()
