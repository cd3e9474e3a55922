"""`make bench`'s data layer: generating, loading + validating (Parquet, CSV, a 250 MB CSV)
and raking, with time and peak memory; called by :mod:`lederuddannelse.dev.bench`.

Load + validate runs in a fresh process each time, so that its peak memory (RSS) is measured.
Targets (issues 24 and 26): CSV at most 3 x Parquet at 6,000 and 600,000 rows, 600,000 rows
of CSV in under 10 s, a 250 MB CSV in under 60 s with a peak under 4 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lederuddannelse.data.synthetic import DEFAULT_N, DEFAULT_SEED

SIZES = (DEFAULT_N, 100 * DEFAULT_N)  # the real survey's size, and 100 times it


def timed(fn) -> tuple[float, object]:
    """Seconds taken by ``fn()`` and its result."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _verdict(value: float, target: float, op: str) -> str:
    met = value <= target if op == "<=" else value < target
    return f"target {op} {target:g}: {'met' if met else 'MISSED'}"


BIG_CSV_BYTES = 250 * 10**6  # the "large file" of issue 26: about 250 MB of CSV
_LOAD_CHILD = """
import json, resource, sys, time
from lederuddannelse.data.loader import load_survey
t = time.perf_counter()
df = load_survey(sys.argv[1])
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak": peak, "rows": len(df)}))
"""


def load_in_child(path: Path) -> dict[str, float]:
    """Load + validate ``path`` in a fresh Python process: time and peak memory (RSS, bytes)."""
    out = subprocess.run(
        [sys.executable, "-c", _LOAD_CHILD, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_big_csv(path: Path, size: int, seed: int = DEFAULT_SEED) -> int:
    """A CSV of about ``size`` bytes: a generated survey repeated with new ids; its rows."""
    from lederuddannelse.data.codebook import load_codebook
    from lederuddannelse.data.synthetic import generate_survey

    df, _ = generate_survey(100 * DEFAULT_N, seed)
    id_col = load_codebook().id_variable
    rows, copy = 0, 0
    with path.open("w", encoding="utf-8") as fh:
        while path.stat().st_size < size or copy == 0:
            part = df.assign(**{id_col: df[id_col] + copy * len(df)})
            part.to_csv(fh, index=False, header=copy == 0)
            fh.flush()
            rows += len(df)
            copy += 1
    return rows


def bench_data(sizes: tuple[int, ...] = SIZES, seed: int = DEFAULT_SEED) -> dict[str, float]:
    """Print and return timings (seconds) per size; formats: Parquet and CSV.

    Load + validate runs in a fresh process each time, so that its peak memory (RSS) is
    measured too; targets (issue 26, 24): CSV at most 3 x Parquet, 600,000 rows of CSV in
    under 10 s, a 250 MB CSV in under 60 s with a peak under 4 GB.
    """
    from lederuddannelse.data.loader import load_survey
    from lederuddannelse.data.synthetic import generate_to_file, population_size_for
    from lederuddannelse.data.weighting import weight_survey

    results: dict[str, float] = {}
    print("Data layer benchmark (seconds; one run each; peak memory of the loading process)")
    print(
        f"{'n':>9} {'population':>11} {'generate':>9} {'load+validate parquet':>22} "
        f"{'load+validate csv':>18} {'csv/parquet':>11} {'peak csv':>9} {'rake':>7} "
        f"{'iterations':>10}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            pq = Path(tmp) / f"bench-{n}.parquet"
            csv = Path(tmp) / f"bench-{n}.csv"
            t_gen, _ = timed(lambda: generate_to_file(n, seed, pq))
            generate_to_file(n, seed, csv)
            t_pq = load_in_child(pq)["seconds"]
            got = load_in_child(csv)
            t_csv = got["seconds"]
            df = load_survey(pq)
            t_rake, (_, res) = timed(lambda: weight_survey(df))
            print(
                f"{n:>9,} {population_size_for(n):>11,} {t_gen:>9.2f} {t_pq:>22.2f} "
                f"{t_csv:>18.2f} {t_csv / t_pq:>10.1f}x {got['peak'] / 2**30:>7.2f}GB "
                f"{t_rake:>7.2f} {res.iterations:>10}"
            )
            results.update(
                {
                    f"generate_{n}": t_gen,
                    f"load_parquet_{n}": t_pq,
                    f"load_csv_{n}": t_csv,
                    f"peak_csv_{n}": got["peak"],
                    f"rake_{n}": t_rake,
                    f"rake_iterations_{n}": float(res.iterations),
                }
            )
            ratio = t_csv / t_pq
            print(
                f"  {n:,} rows: CSV / Parquet {ratio:.1f} ({_verdict(ratio, 3, '<=')})"
                + (f"; CSV {t_csv:.1f} s ({_verdict(t_csv, 10, '<')} s)" if n >= 600_000 else "")
            )
        big = Path(tmp) / "bench-big.csv"
        rows = write_big_csv(big, BIG_CSV_BYTES, seed)
        got = load_in_child(big)
        results.update({"load_csv_big": got["seconds"], "peak_csv_big": got["peak"]})
        print(
            f"{big.stat().st_size / 1e6:,.0f} MB CSV ({rows:,} rows): load+validate "
            f"{got['seconds']:.1f} s ({_verdict(got['seconds'], 60, '<')} s), peak memory "
            f"{got['peak'] / 2**30:.2f} GB ({_verdict(got['peak'] / 2**30, 4, '<')} GB)"
        )
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        ratio = results[f"generate_{b}"] / results[f"generate_{a}"]
        print(
            f"generation time ratio {b:,}/{a:,}: {ratio:.1f} for a size ratio of {b / a:.0f} "
            f"(population ratio {population_size_for(b) / population_size_for(a):.1f})"
        )
    return results
