"""`make bench`: timings of the build, the data layer and the statistics, printed as figures.

Not a timed test: one run on this machine, printed for a reader to judge. Three parts, each a
plain function that prints its table and returns its numbers (add a case to the part it
measures):

- :func:`bench_build`: our build (clean, no-op rebuild, one chapter changed, per-chapter
  execution) against Jupyter Book executing the same pages itself (`execute_notebooks:
  force`) and with jupyter-cache (`execute_notebooks: cache`), in throw-away project copies,
  with the ratios against the targets. The same pages: the peer's copy gets a page per run
  of ours, with that run's parameters (:func:`stage_peer`), so both build the same site;
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
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from lederuddannelse.analysis.specs import barrier_items, reason_items
from lederuddannelse.book.build import BUILD_DIR, TIMINGS, validate_runs
from lederuddannelse.book.notebooks import write_if_changed
from lederuddannelse.book.stage import runs_toc
from lederuddannelse.book.stamps import PROJECT_FILES, PROJECT_TREES
from lederuddannelse.data.synthetic import DEFAULT_SEED
from lederuddannelse.dev.bench_data import SIZES, bench_data, timed
from lederuddannelse.dev.bench_svy import bench_stats_peer
from lederuddannelse.params import DEFINITION_WORDS, Run, load_parameters
from lederuddannelse.paths import EMBEDDED_DATA_PATH, project_root
from lederuddannelse.stats.design import SurveyDesign
from lederuddannelse.variants import definition_pages, page_words, titled


# ============================================================================ build
def copy_project(src: Path, dest: Path, with_generated_data: bool = False) -> Path:
    """Copy the book's sources (not .venv, build output, git or real data) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        if (src / name).exists():
            shutil.copy(src / name, dest / name)
    for page in src.glob("*.md"):  # top-level pages of the book (e.g. litteratur.md)
        shutil.copy(page, dest / page.name)
    generated = EMBEDDED_DATA_PATH.parent.name  # the folder of generated data
    skip = ["real", "__pycache__", "*.ipynb", "*.mo"] + ([] if with_generated_data else [generated])
    for name in PROJECT_TREES:
        if (src / name).exists():
            shutil.copytree(src / name, dest / name, ignore=shutil.ignore_patterns(*skip))
    return dest


def bench_chapter(root: Path) -> Path:
    """The chapter every variant edits (the last one)."""
    return sorted((root / "chapters").glob("[0-9][0-9]_*.md"))[-1]


BENCH_CELL = "\n```{code-cell} ipython3\n:tags: [remove-cell]\nbench_changed = True\n```\n"
SENTENCE = "En sætning, som forfatteren lige har skrevet"


def touch_chapter(root: Path) -> Path:
    """Change one chapter's code, so that every variant must re-execute it (jupyter-cache
    hashes code cells only, and would skip a change to the prose)."""
    chapter = bench_chapter(root)
    chapter.write_text(chapter.read_text(encoding="utf-8") + BENCH_CELL, encoding="utf-8")
    return chapter


def edit_prose(root: Path) -> Path:
    """Change one chapter's text only: a new last paragraph of its text (before the code cell
    :func:`touch_chapter` may have added), numbered so that no two are alike. No variant
    needs a kernel."""
    chapter = bench_chapter(root)
    text = chapter.read_text(encoding="utf-8")
    paragraph = f"\n{SENTENCE} (nr. {text.count(SENTENCE) + 1}).\n"
    at = text.find(BENCH_CELL)
    text = text + paragraph if at < 0 else text[:at] + paragraph + text[at:]
    chapter.write_text(text, encoding="utf-8")
    return chapter


def our_build(root: Path, jobs: int) -> dict[str, float]:
    """Our build as a user runs it: the CLI in a fresh process (start-up and imports count).

    Besides the wall-clock seconds, the build's own report splits the prose and code cases
    into execution and rendering (``... execute``, ``... render``).
    """
    from lederuddannelse.book.build import BuildReport

    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    report = root / BUILD_DIR / "bench-report.json"
    cmd = [sys.executable, "-m", "lederuddannelse", "build", "--jobs", str(jobs), "-q"]
    cmd += ["--report-json", str(report)]

    def run() -> None:
        subprocess.run(cmd, cwd=root, env=env, check=True)

    clean, _ = timed(run)
    out = {"clean": clean}
    timings = json.loads((root / BUILD_DIR / TIMINGS).read_text(encoding="utf-8"))
    out.update({f"chapter {name}": secs for name, secs in sorted(timings.items())})
    out["noop"], _ = timed(run)
    for case, edit in (("prose", edit_prose), ("one", touch_chapter)):
        edit(root)
        out[case], _ = timed(run)
        r = BuildReport.read_json(report)
        out[f"{case} execute"] = sum(r.executed.values())
        out[f"{case} render"] = r.render_seconds
        out[f"{case} audit"] = r.audit_seconds
        out[f"{case} publish"] = r.publish_seconds
    return out


def page_floor(root: Path) -> dict[str, float]:
    """The floor for re-doing one page, in the project ``root`` built by :func:`our_build`:
    executing its chapter alone (kernel start, imports, the chapter's compute; an ordinary
    kernel) plus Sphinx's incremental build of that one page (Jupyter Book on the staged
    book, with only that notebook touched)."""
    from lederuddannelse.book.build import SITE, STAGE, run_one

    chapter = bench_chapter(root)
    env_root = os.environ.get("LEDERUDDANNELSE_ROOT")
    os.environ["LEDERUDDANNELSE_ROOT"] = str(root)
    try:
        execute, _ = timed(
            lambda: run_one(chapter, {}, root, out=root / BUILD_DIR / "floor.ipynb", quiet=True)
        )
    finally:
        if env_root is None:
            os.environ.pop("LEDERUDDANNELSE_ROOT", None)
        else:
            os.environ["LEDERUDDANNELSE_ROOT"] = env_root
    stage = root / BUILD_DIR / STAGE
    page = next(stage.glob(f"{chapter.stem.split('_', 1)[1]}-*.ipynb"))
    page.touch()
    cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build"]
    cmd += [str(stage), "--path-output", str(root / BUILD_DIR / SITE), "--quiet"]
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    render, _ = timed(
        lambda: subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
    )
    return {"execute": execute, "render": render, "total": execute + render}


def preview_loop(root: Path, jobs: int) -> dict[str, float]:
    """The author's loop in `make preview` (on the built project ``root``): seconds from saving
    an edit to the rebuild line (printed when Sphinx has rendered the page), for a prose edit
    and a code edit. Includes noticing the change (sphinx-autobuild's file watcher)."""
    import signal

    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    cmd = [sys.executable, "-m", "lederuddannelse", "preview", "--port", "0", "--jobs", str(jobs)]
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    slug = bench_chapter(root).stem.split("_", 1)[1]
    out: dict[str, float] = {}
    try:
        for line in proc.stdout:
            if line.startswith("Serving"):
                break
        for case, edit in (("prose", edit_prose), ("one", touch_chapter)):
            start = time.perf_counter()
            edit(root)
            for line in proc.stdout:
                if line.startswith("[") and slug in line and "rendered" in line:  # one line
                    out[case] = time.perf_counter() - start
                    out[f"{case} line"] = line.strip()
                    break
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return out


@dataclass(frozen=True)
class PeerPage:
    """One of our runs as the Jupyter Book peer builds it.

    ``file`` is the page's toc entry (relative to the project, without suffix): the chapter
    source itself when the run is the chapter's first page and its parameters are the
    source's defaults, otherwise a copy of the source, ``chapters/{run name}.md``, with the
    run's parameters injected after its parameters cell, as papermill injects them.
    """

    run: Run
    file: str

    @property
    def injected(self) -> bool:
        return self.file != f"chapters/{self.run.source.stem}"


def peer_pages(root: Path) -> list[PeerPage]:
    """The peer's page for each of our runs (``load_parameters(...).runs(root)``), in order."""
    runs = load_parameters(root / "parameters.yml").runs(root)
    defaults = validate_runs(runs, root)
    pages: list[PeerPage] = []
    firsts: set[str] = set()
    for run in runs:
        first = run.slug not in firsts
        firsts.add(run.slug)
        own = defaults[run.source]
        if first and all(k in own and own[k] == v for k, v in run.params.items()):
            pages.append(PeerPage(run, f"chapters/{run.source.stem}"))
        else:
            pages.append(PeerPage(run, f"chapters/{run.name}"))
    return pages


def inject_parameters(text: str, params: dict[str, Any], source: Path) -> str:
    """The MyST chapter ``text`` with a cell after its parameters cell that sets ``params``:
    papermill's own code for them (``# Parameters`` and one assignment a line), tagged
    `injected-parameters` and `remove-cell` as our normalised notebooks tag it."""
    from papermill.translators import translate_parameters

    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        if lines[i].startswith("```{code-cell}"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].rstrip() == "```")
            tags: list[str] = []
            for line in lines[i + 1 : end]:
                if not line.startswith(":"):
                    break
                if line.startswith(":tags:"):
                    tags = yaml.safe_load(line.split(":", 2)[2]) or []
            if "parameters" in tags:
                code = translate_parameters("python3", "python", params, "Parameters")
                cell = (
                    "\n```{code-cell} ipython3\n:tags: [injected-parameters, remove-cell]\n"
                    + code.rstrip("\n")
                    + "\n```\n"
                )
                return "".join(lines[: end + 1]) + cell + "".join(lines[end + 1 :])
            i = end
        i += 1
    raise ValueError(f"{source}: no code cell tagged 'parameters' to inject parameters after")


def write_peer_sources(root: Path, pages: list[PeerPage]) -> None:
    """(Re)write the peer's injected copies from their chapter sources as they are now, so an
    edit of a chapter reaches each of its pages, as it reaches each of our runs. Unchanged
    copies are not rewritten (Sphinx and jupyter-cache see them as unchanged)."""
    for page in pages:
        if page.injected:
            text = page.run.source.read_text(encoding="utf-8")
            out = inject_parameters(text, page.run.params, page.run.source)
            # titled as our build titles the page (lederuddannelse.variants)
            write_if_changed(root / f"{page.file}.md", titled(out, page_words(page.run, root)))


def stage_peer(root: Path) -> list[PeerPage]:
    """Make the project copy ``root`` build the same site as ours with Jupyter Book alone: one
    page per run, with the run's parameters, listed in `_toc.yml` as our staged toc lists them
    (:func:`lederuddannelse.book.stage.runs_toc`: a chapter's other pages nest under its first
    page). Returns the pages; call once per copy (it rewrites the copy's `_toc.yml`)."""
    pages = peer_pages(root)
    write_peer_sources(root, pages)
    by_slug: dict[str, list[str]] = {}
    for page in pages:
        by_slug.setdefault(page.run.slug, []).append(page.file)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    new_toc, _ = runs_toc(toc, by_slug)
    (root / "_toc.yml").write_text(
        yaml.safe_dump(new_toc, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return pages


def check_peer_site(root: Path, pages: list[PeerPage]) -> None:
    """Stop the bench if the peer did not build every page, or built a definition's page
    without executing it with its definition (its notice, which the kernel writes, says
    "smal definition", as ours does)."""
    html = root / "_build" / "html"
    for page in pages:
        path = html / f"{page.file}.html"
        if not path.is_file():
            raise RuntimeError(f"the peer built no page {path.relative_to(root)}")
        word = DEFINITION_WORDS[page.run.params["definition"]]
        if page.injected and definition_pages(page.run.slug, root):
            if f"{word} definition" not in path.read_text(encoding="utf-8"):
                raise RuntimeError(
                    f"the peer's page {page.file} was not executed with definition "
                    f"{page.run.params['definition']!r}"
                )


def cached_notebooks(root: Path) -> int:
    """How many notebooks jupyter-cache holds in the project copy ``root``."""
    from jupyter_cache import get_cache

    return len(get_cache(root / "_build" / ".jupyter_cache").list_cache_records())


def peer_build(root: Path, mode: str) -> dict[str, float]:
    """Jupyter Book executing the same pages as ours itself (:func:`stage_peer`), each with
    its run's parameters; edits reach the peer's copies before the timed rebuild."""
    pages = stage_peer(root)
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
    check_peer_site(root, pages)
    out = {"clean": clean, "notebooks": float(len(pages))}
    if mode == "cache":
        out["cached"] = float(cached_notebooks(root))
        out["noop"], _ = timed(run)
        for case, edit in (("prose", edit_prose), ("one", touch_chapter)):
            edit(root)
            write_peer_sources(root, pages)
            out[case], _ = timed(run)
    return out


def _load() -> str:
    """The load averages (1, 5, 15 min): the machine may be shared; ratios of one run count."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _verdict(value: float, target: float | None, op: str) -> str:
    """'target <= 0.8: met' / 'target <= 0.8: MISSED' (or the plain reference)."""
    if target is None:
        return "(1.0 = floor)"
    met = value <= target if op == "<=" else value < target
    return f"target {op} {target:g}: {'met' if met else 'MISSED'}"


def site_line(
    ours: dict[str, float], force: dict[str, float], cache: dict[str, float], pages: list[PeerPage]
) -> str:
    """What each side built: 'ours: 19 runs; force/cache: 19 notebooks, the same pages'."""
    executed = {key.removeprefix("chapter ") for key in ours if key.startswith("chapter ")}
    same = executed == {p.run.name for p in pages}
    return (
        f"site built: ours: {len(executed)} runs; force/cache: {force['notebooks']:.0f}/"
        f"{cache['notebooks']:.0f} notebooks ({cache['cached']:.0f} in jupyter-cache), "
        + ("the same pages" if same else "DIFFERENT pages: the ratios compare unlike sites")
    )


def bench_build(jobs: int) -> dict[str, dict[str, float]]:
    """Print and return the build timings: ours, Jupyter Book's ``force`` and ``cache``."""
    src = project_root()
    from lederuddannelse.data.synthetic import ensure_embedded_data

    print(ensure_embedded_data(), flush=True)
    load_before = _load()
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
            if label == "ours":
                print("-- measuring the floor for one page ...", flush=True)
                results["floor"] = page_floor(root)
                print("-- measuring make preview ...", flush=True)
                results["preview"] = preview_loop(root, jobs)

    ours, force, cache = results["ours"], results["force"], results["cache"]
    floor, preview = results["floor"], results["preview"]
    print(
        "\nBuild benchmark (seconds, one run each, this machine: "
        f"{os.cpu_count()} cores, --jobs {jobs}; load average at the start {load_before}, "
        f"at the end {_load()})"
    )
    print(f"  {site_line(ours, force, cache, peer_pages(src))}")
    print(f"  {'':34s}{'ours':>8s}{'force':>8s}{'cache':>8s}")
    for key, title in (
        ("clean", "clean build"),
        ("noop", "no-op rebuild"),
        ("prose", "prose edit in one chapter"),
        ("one", "one chapter's code changed"),
    ):
        f = f"{force[key]:8.2f}" if key in force else f"{'-':>8s}"
        print(f"  {title:34s}{ours[key]:8.2f}{f}{cache[key]:8.2f}")
    for key, title in (("prose", "prose edit, make preview"), ("one", "code change, make preview")):
        if key in preview:
            print(f"  {title:34s}{preview[key]:8.2f}{'-':>8s}{cache[key]:8.2f}")
    for key, value in ours.items():
        if key.startswith("chapter "):
            print(f"  {key:34s}{value:8.2f}   (execution, in parallel)")
    name = bench_chapter(project_root()).name
    print(f"\nWhere the time goes (ours; the edited chapter is {name})")
    for case in ("prose", "one"):
        rest = ours[case] - ours[f"{case} execute"] - ours[f"{case} render"]
        sphinx = ours[f"{case} render"] - ours[f"{case} audit"] - ours[f"{case} publish"]
        print(
            f"  {case + ':':8s}execute {ours[f'{case} execute']:5.2f}, render {sphinx:5.2f}, "
            f"audit {ours[f'{case} audit']:5.2f}, publish {ours[f'{case} publish']:5.2f}, "
            f"start-up, keys, staging {rest:5.2f}"
        )
    print(
        f"  floor for one page: {floor['total']:.2f} = the chapter alone {floor['execute']:.2f} "
        f"(kernel start, imports, compute) + Sphinx's incremental build of the page "
        f"{floor['render']:.2f}"
    )
    print(f"\nRatios and targets (load average now {_load()})")
    checks: list[tuple[str, float, float | None]] = [
        ("clean / force", ours["clean"] / force["clean"], 0.7),
        ("no-op / cache no-op", ours["noop"] / cache["noop"], 0.1),
        ("prose edit / cache prose edit", ours["prose"] / cache["prose"], 1.2),
        ("one chapter / cache one chapter", ours["one"] / cache["one"], 1.0),
        ("one chapter / floor for one page", ours["one"] / floor["total"], None),
    ]
    for key, title, target in (
        ("prose", "preview prose / cache prose edit", 1.2),
        ("one", "preview code / cache one chapter", 1.0),
    ):
        if key in preview:
            checks.append((title, preview[key] / cache[key], target))
    for title, ratio, target in checks:
        print(f"  {title:34s}{ratio:8.2f}   {_verdict(ratio, target, '<=')}")
    print(
        f"  {'no-op rebuild seconds':34s}{ours['noop']:8.2f}   {_verdict(ours['noop'], 1.0, '<')}"
    )
    for key in ("prose line", "one line"):
        if key in preview:
            print(f"  make preview printed: {preview[key]}")

    return results


# ============================================================================ data layer
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
# ============================================================================ the site
def bench_site(jobs: int) -> list:
    """Print each page's weight against its budget (400 kB text page, 1.5 MB chart page),
    measured in Chromium when installed, on the project's site brought up to date first
    (`make book`: nothing to do when it is; a stale site would show old weights)."""
    from lederuddannelse.dev import sitecheck

    root = project_root()
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    cmd = [sys.executable, "-m", "lederuddannelse", "build", "--jobs", str(jobs), "-q"]
    subprocess.run(cmd, cwd=root, env=env, check=True)
    weights, how = sitecheck.measured_weights(root / "_build" / "html")
    print(f"Page weights ({how}; transfer = gzip as a static host serves it, raw = bytes)")
    print("\n".join(sitecheck.weight_lines(weights)))
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lederuddannelse.dev.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-layers", action="store_true", help="only the build benchmark")
    parser.add_argument("--site-only", action="store_true", help="only the page weights")
    args = parser.parse_args(argv)
    if args.site_only:
        bench_site(args.jobs)
        return 0
    bench_build(args.jobs)
    if not args.skip_layers:
        print()
        bench_data()
        print()
        bench_stats()
        print()
        bench_stats_peer()  # the statistics against svy under a stratified cluster design
    print()
    bench_site(args.jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
