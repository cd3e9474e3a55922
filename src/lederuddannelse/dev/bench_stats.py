"""Benchmark of the statistics layer: the chapters' full set of estimates on 6,000 and 600,000 rows.

Why: every chapter recomputes its statistics when it runs, so they must be cheap (well under a
second for a chapter on the real survey's 6,000 respondents), and the cost should grow about
linearly with the number of respondents (all estimators are vectorised; the raking-aware
variance works on the raking cells, not on an n x n or n x groups matrix).

``bench_stats()`` prints one line per group of statistics (named after the findings they serve)
with its time at each size and the ratio between sizes; ``make bench`` calls it.
"""

from __future__ import annotations

import time
from typing import Callable

import pandas as pd

from lederuddannelse.stats.design import SurveyDesign

REASONS = [
    "reason_develop",
    "reason_tools",
    "reason_interest",
    "reason_career",
    "reason_required",
    "reason_wellbeing",
]
BARRIERS = [
    "barrier_time",
    "barrier_competent",
    "barrier_no_difference",
    "barrier_not_relevant",
    "barrier_cost",
    "barrier_unaware",
]
BACKGROUND = (
    "C(gender) + C(age_group) + C(education) + C(sector) + C(org_size) + "
    "C(manager_type) + C(span_of_control) + C(experience)"
)
ATTITUDES = (
    "self_efficacy + expect_wellbeing + expect_sickness + interest_pwe + has_time + "
    "conflicts + stressed_employees + employees_resources + employees_thriving + "
    "workplace_strategy + workplace_tools"
)
PROFILES = pd.DataFrame(
    {
        "gender": [2, 1],
        "age_group": [1, 4],
        "education": [3, 4],
        "sector": [1, 2],
        "org_size": [4, 1],
        "manager_type": [2, 1],
        "span_of_control": [3, 1],
        "experience": [4, 1],
    }
)


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    """Derived indicators and domain-restricted variables the chapters build."""
    import numpy as np

    from lederuddannelse.data.derive import add_derived

    out = add_derived(df)
    untrained = out["trained_any"].to_numpy() == 0
    for b in ("barrier_not_relevant", "barrier_no_difference"):
        v = pd.to_numeric(out[b], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out[f"{b}_u"] = np.where(untrained, v, np.nan)
    return out


def workload(d: SurveyDesign) -> dict[str, Callable[[], object]]:
    """The statistics the chapters compute, grouped by the findings they serve."""
    return {
        "F1-F2, F4 shares": lambda: [
            d.proportion(v)
            for v in (
                "trained_any",
                "trained_narrow",
                "trained_broad",
                "after_2020",
                "paid_by_workplace",
                "unwilling_to_pay",
            )
        ],
        "F3, F9 reasons (multi-response)": lambda: (
            d.multi_response(REASONS),
            d.multi_response(BARRIERS, by="manager_type"),
        ),
        "F8, F13, F14 differences": lambda: (
            d.difference("trained_any", "manager_type", 2, 1),
            d.difference("workplace_priority", "manager_type", 2, 1),
            d.difference("relevance", "manager_type", 1, 2),
            d.difference("barrier_not_relevant_u", "sector", 2, 1),
            d.difference("barrier_no_difference_u", "sector", 2, 1),
            d.difference("reason_career", "sector", 2, 1),
        ),
        "F11 by industry, chi-square": lambda: (
            d.proportion("trained_any", by="industry", total=True),
            d.proportion("trained_broad", by=["industry", "sector"]),
            d.chisq("industry", "training"),
        ),
        "desire: means, distribution": lambda: (
            d.mean("desire", by="sector", total=True),
            d.distribution("desire", by="manager_type"),
        ),
        "F3, F10 logistic + profiles": lambda: d.logistic(
            f"trained_any ~ {BACKGROUND} + interest_pwe + has_time"
        ).predict(PROFILES.assign(interest_pwe=3, has_time=3)),
        "F5-F7, F12 ordinal + profiles": lambda: d.ordinal(
            f"desire ~ {BACKGROUND} + {ATTITUDES}"
        ).predict(PROFILES.assign(**{a.strip(): 3 for a in ATTITUDES.split("+")})),
        "linear (robustness)": lambda: d.linear(f"desire ~ {BACKGROUND} + {ATTITUDES}"),
    }


def _time(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def bench_stats(sizes: tuple[int, ...] = (6000, 600_000), seed: int = 2024) -> pd.DataFrame:
    """Print and return timings (seconds, best of a few runs) of the full set of estimates."""
    from lederuddannelse.data.synthetic import generate_survey
    from lederuddannelse.data.weighting import load_margins, weight_survey

    margins = load_margins()
    results = {}
    for n in sizes:
        t = time.perf_counter()
        df, _ = generate_survey(n, seed)
        df = _prepare(df)
        df, _ = weight_survey(df, margins)
        print(
            f"statistics benchmark: {n:,} respondents generated and raked in "
            f"{time.perf_counter() - t:.1f} s",
            flush=True,
        )
        repeat = 3 if n <= 50_000 else 1
        times = {
            "design (raked, margins)": _time(
                lambda: SurveyDesign(df, "weight", rake_margins=margins), repeat
            )
        }
        d = SurveyDesign(df, "weight", rake_margins=margins)
        for name, fn in workload(d).items():
            times[name] = _time(fn, repeat)
        times["TOTAL (raking-aware)"] = sum(times.values())
        fixed = SurveyDesign(df, "weight")
        times["TOTAL (fixed weights)"] = sum(_time(fn, 1) for fn in workload(fixed).values())
        results[n] = times
    table = pd.DataFrame(results)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        table[f"ratio {b // a}x rows"] = table[b] / table[a]
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 140):
        print("\nseconds (best of runs) per group of statistics:")
        print(table.to_string())
    small = results[sizes[0]]["TOTAL (raking-aware)"]
    print(
        f"\nAll of the chapters' statistics on {sizes[0]:,} rows: {small:.2f} s "
        f"({'well under' if small < 0.5 else 'NOT under' if small >= 1 else 'under'} a second)."
    )
    return table


if __name__ == "__main__":
    bench_stats()
