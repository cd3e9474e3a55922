"""Benchmark of the data layer: generation, load + validation and raking, printed as figures.

Run by ``make bench`` (through ``lederuddannelse.bench``) or ``python -m
lederuddannelse.bench_data``. Generation should grow about linearly with n: above a
sampling fraction of 25 % the synthetic population grows with n (see ``synthetic``).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_data(sizes: tuple[int, ...] = (6_000, 600_000), seed: int = 2024) -> dict[str, float]:
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
            t_gen, _ = _timed(lambda: generate_to_file(n, seed, pq))
            generate_to_file(n, seed, csv)
            t_pq, df = _timed(lambda: load_survey(pq))
            t_csv, _ = _timed(lambda: load_survey(csv))
            t_rake, (_, res) = _timed(lambda: weight_survey(df))
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


if __name__ == "__main__":
    bench_data()
