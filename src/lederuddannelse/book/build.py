"""The build: execute every chapter × parameter group with papermill, then Jupyter Book.

Steps, each loud on failure and none publishing anything half-done:

1. validate `parameters.yml` and every chapter's parameters cell;
2. make sure the data exist (the embedded synthetic survey is generated if missing/stale);
3. execute the runs whose cache key changed, in parallel, into `build/book/` (normalised);
4. stage the book (`_config.yml` with execution off, a `_toc.yml` naming the executed pages);
5. `jupyter-book build -W -n --keep-going` into `build/site/`;
6. copy the site to a temporary folder and swap it into `_build/html` in one rename.

A run's cache key is a hash of its chapter source, its parameters, the data file's content, the
package's source and data files, and the lock file. Nothing is rewritten when nothing changed,
so Sphinx (which decides by mtime) has nothing to redo; with an unchanged site key the
Jupyter Book step is skipped altogether.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lederuddannelse.book.incremental import ChapterCode, chapter_code, check_glue, reassemble
from lederuddannelse.book.notebooks import (
    normalise,
    parameters_cell_defaults,
    read_chapter,
    write_if_changed,
)
from lederuddannelse.errors import ChapterError, LederuddannelseError, ParameterError
from lederuddannelse.hashing import sha256_file
from lederuddannelse.params import (
    EMBEDDED,
    Run,
    definition_pages,
    load_parameters,
    resolve_data_file,
    slug_of,
)
from lederuddannelse.paths import EMBEDDED_DATA_PATH
from lederuddannelse.sources import modules_hash

BUILD_DIR = "build"
STAGE = "book"  # build/book: executed notebooks + generated config: the book's source
SITE = "site"  # build/site: Jupyter Book's incremental output
FAILED = "failed"  # build/failed: executed notebooks of failed runs, for inspection
PUBLISHED = Path("_build") / "html"
SITE_KEY_FILE = ".build-key"
CELL_TIMEOUT = 600  # seconds one cell may run before the chapter fails (no silent hang)
# Every kernel computes with single-threaded BLAS, as the warm kernels do (forkkernel): with
# threads, sums are split differently and a chapter run alone differed from the same chapter
# in a full build in the 14th digit.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TIMINGS = "timings.json"  # build/timings.json: seconds per run executed by the last build


# What a build reads: copied by the tests and the benchmark into throw-away projects.
PROJECT_FILES = (
    "_config.yml",
    "_toc.yml",
    "parameters.yml",
    "requirements.lock",
    "references.bib",
    "citation.yml",
    "CITATION.cff",
)
PROJECT_TREES = ("chapters", "data", "_static", "src")


def copy_project(src: Path, dest: Path, with_generated_data: bool = False) -> Path:
    """Copy the book's sources (not .venv, build output, git or real data) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        if (src / name).exists():
            shutil.copy(src / name, dest / name)
    for page in src.glob("*.md"):  # top-level pages of the book (e.g. litteratur.md)
        shutil.copy(page, dest / page.name)
    generated = EMBEDDED_DATA_PATH.parent.name  # the folder of generated data
    skip = ["real", "__pycache__", "*.ipynb"] + ([] if with_generated_data else [generated])
    for name in PROJECT_TREES:
        if (src / name).exists():
            shutil.copytree(src / name, dest / name, ignore=shutil.ignore_patterns(*skip))
    return dest


def tree_hash(paths: list[Path], root: Path) -> str:
    """One hash over the names and contents of ``paths`` (sorted)."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def package_data_files(root: Path) -> list[Path]:
    """The data files the package reads (codebook, margins, targets), not generated data."""
    return [
        p
        for p in (root / "data").glob("*")
        if p.is_file() and p.suffix in {".yml", ".yaml", ".csv"}
    ]


def package_data_hash(root: Path) -> str:
    return tree_hash(package_data_files(root), root)


def package_hash(root: Path) -> str:
    """The package's whole source and the data files it reads (the site's key: the Sphinx
    extension is part of the package)."""
    pkg = root / "src" / "lederuddannelse"
    return tree_hash([*pkg.rglob("*.py"), *package_data_files(root)], root)


@dataclass
class Dependencies:
    """What the runs depend on besides their parameters, each hashed once per build.

    The chapter's code (not its prose, see :mod:`lederuddannelse.book.incremental`) and the
    package modules that code imports, followed import by import from the module names
    (:mod:`lederuddannelse.sources`), so a moved module is still covered and a chapter is not
    re-executed for a change in a module it never runs.
    """

    root: Path
    package_data: str
    lock: str
    data: dict[str, str] = field(default_factory=dict)
    chapters: dict[str, ChapterCode] = field(default_factory=dict)
    modules: dict[tuple[str, ...], str] = field(default_factory=dict)

    @classmethod
    def of(cls, root: Path) -> "Dependencies":
        lock = root / "requirements.lock"
        return cls(root, package_data_hash(root), sha256_file(lock) if lock.exists() else "")

    def data_hash(self, data_file: str) -> str:
        if data_file not in self.data:
            self.data[data_file] = sha256_file(resolve_data_file(data_file, self.root))
        return self.data[data_file]

    def chapter(self, source: Path) -> ChapterCode:
        """The code hash and imports of a chapter source (cached by its content hash)."""
        digest = sha256_file(source)
        if digest not in self.chapters:
            self.chapters.update(_load_chapter_code(self.root))
        if digest not in self.chapters:
            self.chapters[digest] = chapter_code(read_chapter(source), self.root / "src")
            _save_chapter_code(self.root, self.chapters)
        return self.chapters[digest]

    def modules_hash(self, names: tuple[str, ...]) -> str:
        if names not in self.modules:
            self.modules[names] = modules_hash(names, self.root / "src")
        return self.modules[names]


CHAPTER_CODE = "chapter-code.json"  # build/chapter-code.json: ChapterCode per source hash


def _load_chapter_code(root: Path) -> dict[str, ChapterCode]:
    try:
        raw = json.loads((root / BUILD_DIR / CHAPTER_CODE).read_text(encoding="utf-8"))
        return {k: ChapterCode(v["code"], tuple(v["imports"])) for k, v in raw.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _save_chapter_code(root: Path, chapters: dict[str, ChapterCode]) -> None:
    raw = {k: {"code": v.code, "imports": list(v.imports)} for k, v in chapters.items()}
    write_if_changed(root / BUILD_DIR / CHAPTER_CODE, json.dumps(raw, indent=1, sort_keys=True))


def cache_key(run: Run, deps: Dependencies) -> str:
    """What a run's execution depends on: code cells, parameters, data, modules, lock."""
    chapter = deps.chapter(run.source)
    payload = {
        "code": chapter.code,
        "params": run.params,
        "data": deps.data_hash(run.params["data_file"]),
        "modules": deps.modules_hash(chapter.imports),
        "package_data": deps.package_data,
        "lock": deps.lock,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def stored_key(path: Path) -> str | None:
    """The cache key recorded in an executed notebook, or None."""
    return stored_metadata(path).get("cache_key")


def stored_metadata(path: Path) -> dict[str, Any]:
    """The ``lederuddannelse`` metadata of an executed notebook ({} when none)."""
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))["metadata"].get("lederuddannelse", {})
    except (ValueError, KeyError, AttributeError):
        return {}


def run_metadata(run: Run, key: str, root: Path, deps: Dependencies) -> dict[str, Any]:
    """What an executed notebook records about its run (the site shows part of it)."""
    return {
        "cache_key": key,
        "chapter": run.slug,
        "group": run.group,
        "source": str(run.source.relative_to(root)),
        "source_sha256": sha256_file(run.source),
        "parameters": run.params,
        "data_file": resolve_data_file(run.params["data_file"], root).name,
        "data_sha256": deps.data_hash(run.params["data_file"]),
    }


def label_suffix(run: Run, root: Path) -> str:
    """'' for a chapter's first page; its group's name for the others (see suffix_labels)."""
    entry = load_parameters(root / "parameters.yml").chapters.get(run.slug)
    if not entry:  # a run built outside parameters.yml (tests): nothing to keep apart
        return ""
    return "" if run.group == next(iter(entry["groups"])) else run.group


def reassemble_run(run: Run, key: str, out: Path, root: Path, deps: Dependencies) -> bool | None:
    """Re-assemble a run whose prose alone changed from its cached outputs, without a kernel.

    Returns whether the notebook was written, or None when the cached code cells do not
    match the source's (then the run must execute).
    """
    import nbformat

    executed = nbformat.read(out, as_version=4)
    nb = reassemble(executed, read_chapter(run.source))
    if nb is None:
        return None
    check_glue(nb, run.slug, str(run.source.relative_to(root)))
    return write_if_changed(
        out, normalise(nb, run.name, run_metadata(run, key, root, deps), label_suffix(run, root))
    )


def validate_runs(runs: list[Run], root: Path | None = None) -> dict[Path, dict[str, Any]]:
    """Check that every group parameter exists in its chapter's parameters cell.

    The cells' defaults are cached in `build/parameter-cells.json` by the chapter's content
    hash, so a no-op build need not import jupytext.
    """
    if root is None:
        root = runs[0].source.parent.parent if runs else Path.cwd()
    cache_file = root / BUILD_DIR / "parameter-cells.json"
    try:
        cache = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    defaults: dict[Path, dict[str, Any]] = {}
    fresh: dict[str, Any] = {}
    for run in runs:
        if run.source not in defaults:
            digest = sha256_file(run.source)
            if digest not in cache:
                cache[digest] = parameters_cell_defaults(read_chapter(run.source), run.source)
            fresh[digest] = cache[digest]
            defaults[run.source] = cache[digest]
        missing = set(run.params) - set(defaults[run.source])
        if missing:
            raise ParameterError(
                f"{run.source}: the parameters cell lacks {sorted(missing)}, which "
                f"parameters.yml passes to group '{run.group}'; add them with their defaults."
            )
    if cache_file.parent.is_dir() or fresh:
        write_if_changed(cache_file, json.dumps(fresh, sort_keys=True, default=str))
    return defaults


def embedded_data_stamp(root: Path) -> str:
    """The inputs of the embedded survey: the generator's modules (followed from its module
    name, so a moved or split generator stays covered), the data files it reads and the lock."""
    from lederuddannelse.paths import EMBEDDED_DATA_GENERATOR

    lock = root / "requirements.lock"
    parts = [
        modules_hash([EMBEDDED_DATA_GENERATOR], root / "src"),
        package_data_hash(root),
        sha256_file(lock) if lock.exists() else "-",
    ]
    return "|".join(parts)


def ensure_data(root: Path, quiet: bool) -> None:
    """Generate the embedded survey if missing or stale; cheap when nothing changed.

    The generator's own check imports pandas; a stamp of its inputs and of the file's bytes
    lets a no-op build skip it.
    """
    data = root / EMBEDDED_DATA_PATH
    stamp = root / BUILD_DIR / "embedded-data.stamp"

    def key() -> str:
        return embedded_data_stamp(root) + "|" + (sha256_file(data) if data.exists() else "-")

    if stamp.exists() and data.exists() and stamp.read_text() == key():
        return
    from lederuddannelse.data.synthetic import ensure_embedded_data

    _say(ensure_embedded_data(), quiet)
    write_if_changed(stamp, key())


# Kernels talk over local IPC sockets, not TCP: private, and no transport warning in the log.
_IPC_KERNEL_MANAGER = "lederuddannelse.book.build.IPCKernelManager"
_IPC_DIR: str | None = None  # set per run to that run's temporary folder (removed after)


def _ipc_kernel_manager():
    from jupyter_client.manager import KernelManager

    class IPCKernelManager(KernelManager):
        def __init__(self, **kwargs):
            # An absolute socket path: the kernel runs in chapters/, the client elsewhere.
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(Path(_IPC_DIR or tempfile.gettempdir()) / "kernel-ipc"))
            super().__init__(**kwargs)

        def format_kernel_cmd(self, extra_arguments=None):
            # During a build, kernels are forked from a warm process (see forkkernel).
            from lederuddannelse.book.forkkernel import ENV_SOCKET

            if os.environ.get(ENV_SOCKET):
                return [
                    sys.executable,
                    "-m",
                    "lederuddannelse.book.forkkernel",
                    "-f",
                    os.path.realpath(self.connection_file),
                ]
            return super().format_kernel_cmd(extra_arguments)

    return IPCKernelManager


def __getattr__(name: str):
    if name == "IPCKernelManager":
        return _ipc_kernel_manager()
    raise AttributeError(name)


def execute_run(
    run: Run, key: str, out: Path, root: Path, deps: Dependencies
) -> tuple[str, float, bool]:
    """Execute one run with papermill; normalise; write only if changed.

    Runs in a worker process. ``deps`` carries the data file's hash, computed once per build
    for the cache keys. Returns (name, seconds, written). A failing chapter raises
    :class:`ChapterError` with the chapter, group and cell; its notebook is kept in
    `build/failed/`.
    """
    import nbformat
    import papermill as pm

    start = time.perf_counter()
    nb = read_chapter(run.source)
    failed = root / BUILD_DIR / FAILED / f"{run.name}.ipynb"
    global _IPC_DIR
    with tempfile.TemporaryDirectory(prefix="lederuddannelse-") as tmp:
        _IPC_DIR = tmp
        src = Path(tmp) / "in.ipynb"
        dst = Path(tmp) / "out.ipynb"
        nbformat.write(nb, src)
        kernel_env = {"LEDERUDDANNELSE_ROOT": str(root), **KERNEL_ENV}
        saved_env = {k: os.environ.get(k) for k in kernel_env}
        os.environ.update(kernel_env)

        def execute() -> None:
            pm.execute_notebook(
                str(src),
                str(dst),
                parameters=run.params,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                cwd=str(root / "chapters"),
                shutdown_kernel="immediate",
                kernel_manager_class=_IPC_KERNEL_MANAGER,
                execution_timeout=CELL_TIMEOUT,
            )

        try:
            try:
                execute()
            except pm.PapermillExecutionError:
                raise
            except Exception:
                # The kernel itself failed (not the chapter's code). If it was a warm kernel,
                # try once more with an ordinary one before reporting a failure.
                from lederuddannelse.book.forkkernel import ENV_SOCKET

                if not os.environ.pop(ENV_SOCKET, None):
                    raise
                execute()
        except pm.PapermillExecutionError as exc:
            failed.parent.mkdir(parents=True, exist_ok=True)
            if dst.exists():
                shutil.copyfile(dst, failed)
            raise ChapterError(
                f"chapter '{run.slug}' (parameter group '{run.group}', "
                f"{run.source.relative_to(root)}) "
                f"failed in cell {exc.cell_index} (execution count {exc.exec_count}): "
                f"{exc.ename}: {exc.evalue}\n  The executed notebook is kept at "
                f"{failed.relative_to(root)}."
            ) from None
        finally:
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        executed = nbformat.read(dst, as_version=4)
    failed.unlink(missing_ok=True)
    check_glue(executed, run.slug, str(run.source.relative_to(root)))
    meta = run_metadata(run, key, root, deps)
    written = write_if_changed(out, normalise(executed, run.name, meta, label_suffix(run, root)))
    return run.name, time.perf_counter() - start, written


def _say(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, flush=True)


@contextlib.contextmanager
def warm_kernels(runs: int, jobs: int):
    """Fork this build's kernels from one pre-imported process while the block runs.

    Worth it only when a worker executes more than one run: the warm process imports
    everything once (about as long as one ordinary kernel start with its imports), and each
    forked kernel then starts in a fraction of that. With at most one run per worker, ordinary
    kernels are as fast. LEDERUDDANNELSE_WARM_KERNELS=0 switches warm kernels off.
    """
    from lederuddannelse.book.forkkernel import ENV_SOCKET, Zygote

    if runs <= jobs or os.environ.get("LEDERUDDANNELSE_WARM_KERNELS", "1") == "0":
        yield
        return
    with Zygote() as zygote:
        os.environ[ENV_SOCKET] = zygote.wait_ready()
        try:
            yield
        finally:
            os.environ.pop(ENV_SOCKET, None)


def validate_data_files(data_files: set[str], root: Path, quiet: bool) -> None:
    """Check each data file against the codebook before any chapter runs.

    A bad file then stops the build with the loader's own message (file, column, rows,
    expectation) instead of the same message wrapped in every chapter's failure. Cached runs
    need no check: their data file's content is the one validated when they ran.
    """
    from lederuddannelse.data.codebook import load_codebook
    from lederuddannelse.data.loader import load_survey

    codebook = load_codebook(root / "data" / "codebook.yml")
    for data_file in sorted(data_files):
        path = resolve_data_file(data_file, root)
        load_survey(path, codebook)
        _say(f"Data file {path.name}: valid", quiet)


def plan_runs(
    runs: list[Run], root: Path, deps: Dependencies, force: bool, quiet: bool
) -> tuple[list[tuple[Run, str, Path]], list[str]]:
    """Sort the runs: unchanged (skipped), prose changed (re-assembled now), or to execute.

    Returns the runs to execute (run, key, output) and the names of the re-assembled runs.
    """
    stage = root / BUILD_DIR / STAGE
    todo: list[tuple[Run, str, Path]] = []
    reassembled: list[str] = []
    total = len(runs)
    for i, run in enumerate(runs, 1):
        out = stage / f"{run.name}.ipynb"
        key = cache_key(run, deps)
        stored = {} if force else stored_metadata(out)
        if stored.get("cache_key") != key:
            todo.append((run, key, out))
        elif stored.get("source_sha256") == sha256_file(run.source):
            _say(f"[{i}/{total}] {run.name}: unchanged, skipped", quiet)
        else:
            start = time.perf_counter()
            written = reassemble_run(run, key, out, root, deps)
            if written is None:
                todo.append((run, key, out))
                continue
            reassembled.append(run.name)
            secs = time.perf_counter() - start
            _say(f"[{i}/{total}] {run.name}: text changed, re-assembled in {secs:.2f} s", quiet)
    return todo, reassembled


def execute_all(
    runs: list[Run], root: Path, jobs: int, force: bool, quiet: bool
) -> tuple[dict[str, float], list[str]]:
    """Execute the runs whose key changed; return seconds per executed run and the names of
    the runs re-assembled because only their text changed."""
    deps = Dependencies.of(root)
    todo, reassembled = plan_runs(runs, root, deps, force, quiet)
    timings: dict[str, float] = {}
    if not todo:
        return timings, reassembled
    validate_data_files({run.params["data_file"] for run, _, _ in todo}, root, quiet)
    errors: list[str] = []
    done = 0
    with (
        warm_kernels(len(todo), jobs),
        ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool,
    ):
        futures = {
            pool.submit(execute_run, run, key, out, root, deps): run for run, key, out in todo
        }
        for fut in as_completed(futures):
            run = futures[fut]
            done += 1
            try:
                name, secs, written = fut.result()
            except LederuddannelseError as exc:
                errors.append(str(exc))
                _say(f"[{done}/{len(todo)} executed] {run.name}: FAILED", quiet)
                continue
            except Exception as exc:  # the kernel itself failed (start-up, crash, time-out)
                errors.append(
                    f"chapter '{run.slug}' (parameter group '{run.group}', {run.source.name}) "
                    f"could not be executed: {type(exc).__name__}: {exc}"
                )
                _say(f"[{done}/{len(todo)} executed] {run.name}: FAILED", quiet)
                continue
            timings[name] = secs
            note = "" if written else " (output identical)"
            _say(f"[{done}/{len(todo)} executed] {name}: {secs:.1f} s{note}", quiet)
    # Seconds per executed run, for `make bench` (kept out of the notebooks: they must not vary).
    write_if_changed(root / BUILD_DIR / TIMINGS, json.dumps(timings, indent=1, sort_keys=True))
    if errors:
        raise ChapterError("\n".join(errors) + "\nThe published site was left unchanged.")
    return timings, reassembled


def stage_book(runs: list[Run], root: Path) -> Path:
    """Write the book's source into build/book: config, toc, static pages, executed notebooks.

    Files are written only when their content changed (Sphinx rebuilds by mtime).
    """
    stage = root / BUILD_DIR / STAGE
    stage.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    config["only_build_toc_files"] = True
    write_if_changed(
        stage / "_config.yml", yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    )

    by_slug: dict[str, list[str]] = {}
    for run in runs:
        by_slug.setdefault(run.slug, []).append(run.name)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    wanted: set[str] = {f"{r.name}.ipynb" for r in runs}

    variants_of = {slug for slug in by_slug if definition_pages(slug, root)}

    def rewrite(entry: dict[str, Any]) -> list[dict[str, Any]]:
        out = dict(entry)
        for key in ("chapters", "sections", "parts"):
            if key in out:
                out[key] = [e for child in out[key] for e in rewrite(child)]
        file = out.get("file") or out.get("root")
        if not file or not file.startswith("chapters/"):
            if file:
                wanted.add(file if Path(file).suffix else file + ".md")
            return [out]
        slug = slug_of(Path(file))
        names = by_slug.get(slug)
        if not names:
            raise ParameterError(
                f"_toc.yml lists {file}, but parameters.yml has no chapter '{slug}'."
            )
        key = "root" if "root" in out else "file"
        if key == "root":
            return [{**out, key: names[0]}]
        if slug in variants_of:  # the other definitions nest under the default page
            first, *rest = names
            return [{**out, key: first, "sections": [{"file": n} for n in rest]}]
        return [{**out, key: name} for name in names]

    new_toc = rewrite(toc)[0]
    write_if_changed(
        stage / "_toc.yml", yaml.safe_dump(new_toc, allow_unicode=True, sort_keys=False)
    )
    for extra in ("references.bib", "citation.yml", "_static"):
        src = root / extra
        if src.is_file():
            write_if_changed(stage / extra, src.read_text(encoding="utf-8"))
            wanted.add(extra)
        elif src.is_dir():
            for f in src.rglob("*"):
                if f.is_file():
                    rel = f.relative_to(root)
                    dst = stage / rel
                    if not dst.exists() or dst.read_bytes() != f.read_bytes():
                        dst.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(f, dst)
                    wanted.add(str(rel))
    for page in list(wanted):
        src = root / page
        if page.endswith(".md") and src.is_file():
            write_if_changed(stage / page, src.read_text(encoding="utf-8"))
    # Remove executed notebooks no longer in any run (a renamed or dropped group).
    for nb in stage.glob("*.ipynb"):
        if nb.name not in wanted:
            nb.unlink()
    return stage


def site_key(stage: Path, root: Path) -> str:
    files = [p for p in stage.rglob("*") if p.is_file() and "_build" not in p.parts]
    return hashlib.sha256((tree_hash(files, stage) + package_hash(root)).encode()).hexdigest()


def run_jupyter_book(stage: Path, root: Path, quiet: bool) -> Path:
    """`jupyter-book build` the staged book; warnings are errors. Returns the HTML folder."""
    out = root / BUILD_DIR / SITE
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(stage),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
        "--quiet",
    ]
    _say("Rendering the site with Jupyter Book ...", quiet)
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
        lines = [
            ln for ln in text.splitlines() if "WARNING" in ln or "ERROR" in ln or "Error" in ln
        ]
        detail = "\n  ".join(lines[:20]) or text[-3000:]
        raise LederuddannelseError(
            f"Jupyter Book could not render the site (warnings are errors):\n  {detail}\n"
            "The published site was left unchanged."
        )
    return out / "_build" / "html"


def publish(html: Path, root: Path, key: str) -> Path:
    """Copy the new site beside `_build/html` and swap it in with renames: never half a site."""
    target = root / PUBLISHED
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="html.new-", dir=target.parent))
    shutil.copytree(html, tmp, dirs_exist_ok=True)
    (tmp / SITE_KEY_FILE).write_text(key + "\n")
    old = None
    if target.exists():
        old = target.with_name(f"html.old-{os.getpid()}")
        target.rename(old)
    tmp.rename(target)
    if old:
        shutil.rmtree(old, ignore_errors=True)
    return target


@dataclass
class BuildReport:
    executed: dict[str, float]
    rendered: bool
    site: Path
    seconds: float
    reassembled: list[str] = field(default_factory=list)
    render_seconds: float = 0.0

    def write_json(self, path: Path) -> None:
        """The report for another process (`preview` runs the build as a child process)."""
        data = {**self.__dict__, "site": str(self.site)}
        path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")

    @classmethod
    def read_json(cls, path: Path) -> "BuildReport":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{**data, "site": Path(data["site"])})


def build(
    root: Path,
    jobs: int = os.cpu_count() or 2,
    force: bool = False,
    quiet: bool = False,
    params_file: Path | None = None,
) -> BuildReport:
    """The whole pipeline; raises a :class:`LederuddannelseError` with one clear message."""
    start = time.perf_counter()
    params = load_parameters(params_file or root / "parameters.yml")
    runs = params.runs(root)
    validate_runs(runs, root)
    if any(r.params["data_file"] == EMBEDDED for r in runs):
        ensure_data(root, quiet)
    for data_file in {r.params["data_file"] for r in runs}:
        resolve_data_file(data_file, root)
    _say(f"Executing {len(runs)} chapter run(s) with up to {jobs} worker(s) ...", quiet)
    timings, reassembled = execute_all(runs, root, jobs, force, quiet)
    stage = stage_book(runs, root)
    key = site_key(stage, root)
    published = root / PUBLISHED
    key_file = published / SITE_KEY_FILE
    if not force and key_file.exists() and key_file.read_text().strip() == key:
        _say(f"Site unchanged: {published.relative_to(root)}", quiet)
        return BuildReport(timings, False, published, time.perf_counter() - start, reassembled)
    render_start = time.perf_counter()
    html = run_jupyter_book(stage, root, quiet)
    site = publish(html, root, key)
    end = time.perf_counter()
    secs = end - start
    _say(f"Built the book in {secs:.1f} s: open {site.relative_to(root)}/index.html", quiet)
    return BuildReport(timings, True, site, secs, reassembled, end - render_start)


RUNS = "runs"  # build/runs: notebooks re-executed by hand with `run`


def run_one(
    source: Path,
    overrides: dict[str, Any],
    root: Path,
    group: str | None = None,
    out: Path | None = None,
    quiet: bool = False,
) -> Path:
    """Re-execute one chapter with the parameters of one group plus validated overrides.

    The notebook goes to `build/runs/{slug}-{group}[-{overrides}].ipynb` (or ``out``); the
    published site is not touched.
    """
    from lederuddannelse.params import override_run

    source = (root / source).resolve() if not Path(source).is_absolute() else Path(source)
    if not source.is_file():
        raise ParameterError(f"no chapter file {source}; chapters are chapters/NN_slug.md.")
    slug = slug_of(source)
    params = load_parameters(root / "parameters.yml")
    runs = [r for r in params.runs(root) if r.slug == slug]
    if not runs:
        raise ParameterError(f"parameters.yml has no chapter '{slug}' (for {source.name}).")
    groups = [r.group for r in runs]
    if group is None:
        run = runs[0]
    elif group in groups:
        run = runs[groups.index(group)]
    else:
        raise ParameterError(
            f"chapter '{slug}' has no parameter group '{group}'; expected one of "
            f"{', '.join(groups)}."
        )
    defaults = validate_runs([run], root)[run.source]
    run = override_run(run, overrides, defaults)
    if run.params["data_file"] == EMBEDDED:
        ensure_data(root, quiet)
    resolve_data_file(run.params["data_file"], root)
    suffix = "".join(f"-{k}-{v}" for k, v in sorted(overrides.items()))
    suffix = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in suffix)[:80]
    out = out or root / BUILD_DIR / RUNS / f"{run.name}{suffix}.ipynb"
    deps = Dependencies.of(root)
    key = cache_key(run, deps)
    _say(f"Executing {source.relative_to(root)} (group '{run.group}') ...", quiet)
    name, secs, _ = execute_run(run, key, out, root, deps)
    _say(f"Done in {secs:.1f} s. Executed notebook: {out}", quiet)
    return out
