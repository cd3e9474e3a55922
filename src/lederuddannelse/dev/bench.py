"""`make bench`: timings of the build, the data layer and the statistics, printed as figures.

Not a timed test: one run on this machine, printed for a reader to judge. Three parts, each a
plain function that prints its table and returns its numbers (add a case to the part it
measures):

- :func:`bench_build`: our build (clean, no-op rebuild, one chapter changed, per-chapter
  execution) against Jupyter Book executing the same chapters itself (`execute_notebooks:
  force`) and with jupyter-cache (`execute_notebooks: cache`), in throw-away project copies,
  with the ratios against the targets;
- :func:`bench_data`: generating, loading + validating (Parquet and CSV) and raking a survey at
  6,000 and 600,000 rows; generation should grow about linearly with n (above a sampling
  fraction of 25 % the synthetic population grows with n);
- :func:`bench_stats`: every chapter's statistics (grouped by the findings they serve) at the
  same sizes. They must be cheap (well under a second on the real survey's 6,000 respondents)
  and grow about linearly (all estimators are vectorised; the raking-aware variance works on
  the raking cells, not on an n x n or n x groups matrix).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import yaml

from lederuddannelse.analysis.specs import barrier_items, reason_items
from lederuddannelse.book.build import BUILD_DIR, TIMINGS, copy_project
from lederuddannelse.data.synthetic import DEFAULT_N, DEFAULT_SEED
from lederuddannelse.paths import project_root
from lederuddannelse.stats.design import SurveyDesign

SIZES = (DEFAULT_N, 100 * DEFAULT_N)  # the real survey's size, and 100 times it


def timed(fn) -> tuple[float, object]:
    """Seconds taken by ``fn()`` and its result."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


# ============================================================================ build
def touch_chapter(root: Path) -> Path:
    """Change one chapter's code, so that every variant must re-execute it (jupyter-cache
    hashes code cells only, and would skip a change to the prose)."""
    chapter = sorted((root / "chapters").glob("[0-9][0-9]_*.md"))[-1]
    chapter.write_text(
        chapter.read_text(encoding="utf-8")
        + "\n```{code-cell} ipython3\n:tags: [remove-cell]\nbench_changed = True\n```\n",
        encoding="utf-8",
    )
    return chapter


def our_build(root: Path, jobs: int) -> dict[str, float]:
    """Our build as a user runs it: the CLI in a fresh process (start-up and imports count)."""
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    cmd = [sys.executable, "-m", "lederuddannelse", "build", "--jobs", str(jobs), "-q"]

    def run() -> None:
        subprocess.run(cmd, cwd=root, env=env, check=True)

    clean, _ = timed(run)
    out = {"clean": clean}
    timings = json.loads((root / BUILD_DIR / TIMINGS).read_text(encoding="utf-8"))
    out.update({f"chapter {name}": secs for name, secs in sorted(timings.items())})
    out["noop"], _ = timed(run)
    touch_chapter(root)
    out["one"], _ = timed(run)
    return out


def peer_build(root: Path, mode: str) -> dict[str, float]:
    """Jupyter Book executing the chapter sources itself (default parameters)."""
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    cfg["execute"] = {"execute_notebooks": mode, "timeout": 600}
    (root / "_config.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(root),
        "--quiet",
    ]

    def run() -> None:
        subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)

    clean, _ = timed(run)
    out = {"clean": clean}
    if mode == "cache":
        out["noop"], _ = timed(run)
        touch_chapter(root)
        out["one"], _ = timed(run)
    return out


def bench_build(jobs: int) -> dict[str, dict[str, float]]:
    """Print and return the build timings: ours, Jupyter Book's ``force`` and ``cache``."""
    src = project_root()
    from lederuddannelse.data.synthetic import ensure_embedded_data

    print(ensure_embedded_data(), flush=True)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for label, fn in (
            ("ours", lambda r: our_build(r, jobs)),
            ("force", lambda r: peer_build(r, "force")),
            ("cache", lambda r: peer_build(r, "cache")),
        ):
            root = copy_project(src, Path(tmp) / label, with_generated_data=True)
            print(f"-- measuring {label} ...", flush=True)
            results[label] = fn(root)

    ours, force, cache = results["ours"], results["force"], results["cache"]
    print(
        "\nBuild benchmark (seconds, one run each, this machine: "
        f"{os.cpu_count()} cores, --jobs {jobs})"
    )
    print(f"  {'':34s}{'ours':>8s}{'force':>8s}{'cache':>8s}")
    for key, title in (
        ("clean", "clean build"),
        ("noop", "no-op rebuild"),
        ("one", "one chapter changed"),
    ):
        f = f"{force[key]:8.2f}" if key in force else f"{'-':>8s}"
        print(f"  {title:34s}{ours[key]:8.2f}{f}{cache[key]:8.2f}")
    for key, value in ours.items():
        if key.startswith("chapter "):
            print(f"  {key:34s}{value:8.2f}   (execution, in parallel)")
    print("\nRatios and targets")
    checks = [
        ("clean / force", ours["clean"] / force["clean"], "<= 0.5"),
        ("no-op / cache no-op", ours["noop"] / cache["noop"], "<= 1.0"),
        ("one chapter / cache one chapter", ours["one"] / cache["one"], "<= 1.0"),
    ]
    for title, ratio, target in checks:
        print(f"  {title:34s}{ratio:8.2f}   target {target}")
    print(f"  {'no-op rebuild seconds':34s}{ours['noop']:8.2f}   target < 3")

    return results


# ============================================================================ data layer
def bench_data(sizes: tuple[int, ...] = SIZES, seed: int = DEFAULT_SEED) -> dict[str, float]:
    """Print and return timings (seconds) per size; formats: Parquet and CSV."""
    from lederuddannelse.data.loader import load_survey
    from lederuddannelse.data.synthetic import generate_to_file, population_size_for
    from lederuddannelse.data.weighting import weight_survey

    results: dict[str, float] = {}
    print("Data layer benchmark (seconds; one run each)")
    print(
        f"{'n':>9} {'population':>11} {'generate':>9} {'load+validate parquet':>22} "
        f"{'load+validate csv':>18} {'rake':>7} {'iterations':>10}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            pq = Path(tmp) / f"bench-{n}.parquet"
            csv = Path(tmp) / f"bench-{n}.csv"
            t_gen, _ = timed(lambda: generate_to_file(n, seed, pq))
            generate_to_file(n, seed, csv)
            t_pq, df = timed(lambda: load_survey(pq))
            t_csv, _ = timed(lambda: load_survey(csv))
            t_rake, (_, res) = timed(lambda: weight_survey(df))
            print(
                f"{n:>9,} {population_size_for(n):>11,} {t_gen:>9.2f} {t_pq:>22.2f} "
                f"{t_csv:>18.2f} {t_rake:>7.2f} {res.iterations:>10}"
            )
            results.update(
                {
                    f"generate_{n}": t_gen,
                    f"load_parquet_{n}": t_pq,
                    f"load_csv_{n}": t_csv,
                    f"rake_{n}": t_rake,
                    f"rake_iterations_{n}": float(res.iterations),
                }
            )
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        ratio = results[f"generate_{b}"] / results[f"generate_{a}"]
        print(
            f"generation time ratio {b:,}/{a:,}: {ratio:.1f} for a size ratio of {b / a:.0f} "
            f"(population ratio {population_size_for(b) / population_size_for(a):.1f})"
        )
    return results


# ============================================================================ statistics
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
            d.multi_response(reason_items()),
            d.multi_response(barrier_items(), by="manager_type"),
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


def bench_stats(sizes: tuple[int, ...] = SIZES, seed: int = DEFAULT_SEED) -> pd.DataFrame:
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


# ============================================================================ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lederuddannelse.dev.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-layers", action="store_true", help="only the build benchmark")
    args = parser.parse_args(argv)
    bench_build(args.jobs)
    if not args.skip_layers:
        print()
        bench_data()
        print()
        bench_stats()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
