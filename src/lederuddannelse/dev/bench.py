"""`make bench`: timings of the build, printed as figures (not a timed test).

Measured in one run on this machine, in a throw-away copy of the project:

- our build: clean, no-op rebuild, rebuild after touching one chapter, per-chapter execution;
- peers: the same chapters built by Jupyter Book itself with `execute_notebooks: force`, and
  with jupyter-cache (`execute_notebooks: cache`): clean, no-op and one changed chapter;
- the ratios ours / peer against the targets of the foundation issue;
- the data and statistics layers' own benchmarks.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from lederuddannelse.book.build import copy_project
from lederuddannelse.paths import project_root


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


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def our_build(root: Path, jobs: int) -> dict[str, float]:
    """Our build as a user runs it: the CLI in a fresh process (start-up and imports count)."""
    import json

    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    cmd = [sys.executable, "-m", "lederuddannelse", "build", "--jobs", str(jobs), "-q"]

    def run() -> None:
        subprocess.run(cmd, cwd=root, env=env, check=True)

    clean, _ = timed(run)
    out = {"clean": clean}
    from lederuddannelse.book.build import BUILD_DIR, TIMINGS

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lederuddannelse.dev.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-layers", action="store_true", help="only the build benchmark")
    args = parser.parse_args(argv)
    src = project_root()
    from lederuddannelse.data.synthetic import ensure_embedded_data

    print(ensure_embedded_data(), flush=True)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for label, fn in (
            ("ours", lambda r: our_build(r, args.jobs)),
            ("force", lambda r: peer_build(r, "force")),
            ("cache", lambda r: peer_build(r, "cache")),
        ):
            root = copy_project(src, Path(tmp) / label, with_generated_data=True)
            print(f"-- measuring {label} ...", flush=True)
            results[label] = fn(root)

    ours, force, cache = results["ours"], results["force"], results["cache"]
    print(
        "\nBuild benchmark (seconds, one run each, this machine: "
        f"{os.cpu_count()} cores, --jobs {args.jobs})"
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

    if not args.skip_layers:
        from lederuddannelse.dev.bench_data import bench_data
        from lederuddannelse.dev.bench_stats import bench_stats

        print()
        bench_data()
        print()
        bench_stats()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
