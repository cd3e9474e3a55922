"""The build: execute every chapter × parameter group with papermill, then Jupyter Book.

Steps, each loud on failure and none publishing anything half-done:

1. validate `parameters.yml` and every chapter's parameters cell;
2. make sure the data exist (the embedded synthetic survey is generated if missing/stale);
3. execute the runs whose cache key changed, in parallel, into `build/book/` (normalised);
4. stage the book (`_config.yml` with execution off, a `_toc.yml` naming the executed pages);
5. `jupyter-book build -W -n --keep-going` into `build/site/`, or, when only paragraphs of
   chapter pages changed, those paragraphs patched into the pages there
   (:mod:`lederuddannelse.book.prosepatch`, exact or not used);
6. audit the rendered site for disclosive cells (:mod:`lederuddannelse.book.audit`): a small
   count or a cell recoverable by differencing stops the build before publishing;
7. copy the site to a temporary folder and swap it into `_build/html` in one rename.

A run's cache key is a hash of its chapter source, its parameters, the data file's content, the
package's source and data files, and the lock file. Nothing is rewritten when nothing changed,
so Sphinx (which decides by mtime) has nothing to redo; with an unchanged site key the
Jupyter Book step is skipped altogether.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
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

from lederuddannelse.book import prosepatch, publishing, stamps
from lederuddannelse.book.incremental import ChapterCode, chapter_code, check_glue, reassemble
from lederuddannelse.book.notebooks import (
    normalise,
    parameters_cell_defaults,
    write_if_changed,
)
from lederuddannelse.book.notebooks import read_chapter as _read_chapter
from lederuddannelse.book.processes import (
    BuildLock,
    build_tmpdir,
    clean_stale_tmp,
    die_with_parent,
    pool_worker_init,
    terminate_as_interrupt,
    tmp_parent,
)
from lederuddannelse.book.stamps import (  # noqa: F401  (the build's names for them)
    BUILD_DIR,
    PROJECT_FILES,
    PROJECT_TREES,
    PUBLISHED,
    STAGE,
)
from lederuddannelse.errors import (
    AbsentVariableError,
    ChapterError,
    LederuddannelseError,
    ParameterError,
)
from lederuddannelse.hashing import sha256_file
from lederuddannelse.params import (
    EMBEDDED,
    Run,
    definition_pages,
    load_parameters,
    public_data_file,
    resolve_data_file,
    resolve_mapping_file,
    slug_of,
)
from lederuddannelse.paths import EMBEDDED_DATA_PATH
from lederuddannelse.report.markup import md_text
from lederuddannelse.sources import modules_hash

SITE = "site"  # build/site: Jupyter Book's incremental output
FAILED = "failed"  # build/failed: executed notebooks of failed runs, for inspection
SITE_KEY_FILE = publishing.SITE_KEY_FILE
CELL_TIMEOUT = 600  # seconds one cell may run before the chapter fails (no silent hang)
ENV_CELL_TIMEOUT = "LEDERUDDANNELSE_CELL_TIMEOUT"  # overrides CELL_TIMEOUT (e.g. in tests)
# Every kernel computes with single-threaded BLAS, as the warm kernels do (forkkernel): with
# threads, sums are split differently and a chapter run alone differed from the same chapter
# in a full build in the 14th digit.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TIMINGS = "timings.json"  # build/timings.json: seconds per run executed by the last build
AUDIT_CACHE = "audit-cache.pickle"  # build/audit-cache.pickle: what the last audit read
CHAPTER_READINGS = "chapter-readings"  # build/chapter-readings/: each chapter's last reading


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


_CHAPTERS: dict[tuple[str, str], Any] = {}


def read_chapter(source: Path):
    """The chapter source as a notebook, parsed once per content in this process.

    A changed chapter is read three times in a build (its parameters cell, its code key, its
    re-assembly or execution); parsing MyST costs a tenth of a second each. Callers must not
    change the notebook (re-assembly copies it).
    """
    key = (str(source), sha256_file(source))
    if key not in _CHAPTERS:
        build_dir = source.parent.parent / BUILD_DIR  # chapters/ lies in the project's root
        cache = build_dir / CHAPTER_READINGS if build_dir.is_dir() else None
        _CHAPTERS[key] = _read_chapter(source, cache)
    return _CHAPTERS[key]


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
    imports: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, root: Path) -> "Dependencies":
        lock = root / "requirements.lock"
        return cls(root, package_data_hash(root), sha256_file(lock) if lock.exists() else "")

    def data_hash(self, data_file: str, data_mapping: str = "none") -> str:
        """The data's identity: the file's SHA-256, plus the mapping file's when there is one."""
        key = data_file if data_mapping == "none" else f"{data_file}\0{data_mapping}"
        if key not in self.data:
            digest = sha256_file(resolve_data_file(data_file, self.root))
            mapping = resolve_mapping_file(data_mapping, self.root)
            if mapping is not None:
                digest += "+" + sha256_file(mapping)
            self.data[key] = digest
        return self.data[key]

    def sidecar_hash(self, data_file: str) -> str:
        """Hash of a CSV's metadata sidecar (`FILE.meta.json`), or '-' without one.

        The sidecar decides the page's "synthetic data" notice, so adding, changing or
        removing it must re-execute the runs on that file.
        """
        key = f"sidecar:{data_file}"
        if key not in self.data:
            # = data.synthetic.metadata_path, without importing pandas into a no-op build
            side = Path(f"{resolve_data_file(data_file, self.root)}.meta.json")
            self.data[key] = sha256_file(side) if side.is_file() else "-"
        return self.data[key]

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
            if not self.imports:
                self.imports.update(_load_json(self.root / BUILD_DIR / MODULE_IMPORTS))
            before = len(self.imports)
            self.modules[names] = modules_hash(names, self.root / "src", self.imports)
            if len(self.imports) != before:
                path = self.root / BUILD_DIR / MODULE_IMPORTS
                write_if_changed(path, json.dumps(self.imports, indent=0, sort_keys=True))
        return self.modules[names]


def run_data_hash(run: Run, deps: Dependencies) -> str:
    """A run's data identity: the file's hash, plus its mapping's (see Dependencies.data_hash)."""
    return deps.data_hash(run.params["data_file"], run.params.get("data_mapping", "none"))


MODULE_IMPORTS = "module-imports.json"  # build/module-imports.json: imports per module version


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


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
        "data": run_data_hash(run, deps),
        "data_sidecar": deps.sidecar_hash(run.params["data_file"]),
        "modules": deps.modules_hash(chapter.imports),
        "package_data": deps.package_data,
        "lock": deps.lock,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


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
        "parameters": public_parameters(run.params),
        "data_file": resolve_data_file(run.params["data_file"], root).name,
        "data_sha256": deps.data_hash(run.params["data_file"]),
        **mapping_provenance(run, root),
    }


def _chapters_of(path: Path) -> dict[str, Any]:
    """parameters.yml's chapters (read once per content in this process; not to be changed)."""
    key = (str(path), sha256_file(path))
    if key not in _PARAMETER_CHAPTERS:
        _PARAMETER_CHAPTERS[key] = load_parameters(path).chapters
    return _PARAMETER_CHAPTERS[key]


_PARAMETER_CHAPTERS: dict[tuple[str, str], dict[str, Any]] = {}


def label_suffix(run: Run, root: Path) -> str:
    """'' for a chapter's first page; its group's name for the others (see suffix_labels)."""
    entry = _chapters_of(root / "parameters.yml").get(run.slug)
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
    # The asynchronous manager: with it nbclient notices a dead kernel within a second or two
    # and enforces the per-cell timeout; the synchronous one blocks in its client without
    # either, so a crashed (warm) kernel hung the build for good.
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
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

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel (or the warm kernel's stand-in) dies with the worker that started it.
            kw.setdefault("preexec_fn", die_with_parent)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager


def import_papermill():
    """Papermill, imported without pyarrow.

    Papermill's I/O module imports pyarrow (and with it NumPy) for its HDFS handler whenever
    pyarrow is installed; the build's workers only read and write local notebooks, and the
    import costs the first chapter of a build 0.1 s before its kernel starts. So pyarrow is
    held back while papermill is imported (its HDFS handler then says that it needs pyarrow),
    unless this process has imported pyarrow already.
    """
    if "papermill" in sys.modules or "pyarrow" in sys.modules:
        import papermill

        return papermill
    sys.modules["pyarrow"] = None  # type: ignore[assignment]  (import pyarrow: ImportError)
    try:
        import papermill
    finally:
        if "pyarrow" in sys.modules and sys.modules["pyarrow"] is None:
            del sys.modules["pyarrow"]
    return papermill


PAPERMILL_ENGINE = "lederuddannelse"


def papermill_engine() -> str:
    """The name of papermill's nbclient engine as the build runs it: the executed notebook is
    written when the run ends, not at the start and end of every cell.

    Papermill writes the whole notebook twice per cell so that a run can be followed from
    outside; nothing here reads it before the run ends, and with 35 cells the writes cost a
    chapter about 0.2 s. Papermill's last write comes after the run even when a cell fails,
    so a failed chapter's notebook is kept as far as it ran, as before.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    class OneWriteEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            nb_man.save = lambda **_: None  # the instance's: papermill's cell hooks call it
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            finally:
                del nb_man.save  # papermill's notebook_complete, called next, writes it

    papermill_engines.register(PAPERMILL_ENGINE, OneWriteEngine)
    return PAPERMILL_ENGINE


def __getattr__(name: str):
    if name == "IPCKernelManager":
        return _ipc_kernel_manager()
    raise AttributeError(name)


def cell_timeout() -> int:
    """Seconds one cell may run: ``LEDERUDDANNELSE_CELL_TIMEOUT`` or :data:`CELL_TIMEOUT`."""
    value = os.environ.get(ENV_CELL_TIMEOUT, "").strip()
    if not value:
        return CELL_TIMEOUT
    try:
        seconds = int(value)
        if seconds <= 0:
            raise ValueError
    except ValueError:
        raise ParameterError(
            f"{ENV_CELL_TIMEOUT} = {value!r}: expected a whole number of seconds above 0."
        ) from None
    return seconds


def _stopped_cell(notebook: Path) -> int | None:
    """The cell a partly executed notebook stopped in: the last one papermill started.

    Papermill stamps a cell's start time when it starts it (its final clean-up marks even
    unstarted cells "completed", so the status alone does not tell). None if no code cell was
    started (the kernel never came up).
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    started = [
        i
        for i, cell in enumerate(cells)
        if cell.get("cell_type") == "code"
        and cell.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else None


def execute_run(
    run: Run, key: str, out: Path, root: Path, deps: Dependencies
) -> tuple[str, float, bool]:
    """Execute one run with papermill; normalise; write only if changed.

    Runs in a worker process. ``deps`` carries the data file's hash, computed once per build
    for the cache keys. Returns (name, seconds, written). A failing chapter, a cell running
    longer than :func:`cell_timeout` and a kernel that dies raise :class:`ChapterError` with
    the chapter, group and cell; the notebook as far as it ran is kept in `build/failed/`.
    """
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    pm = import_papermill()

    # nbclient logs "Kernel died ..." itself; the ChapterError below says it once, clearly.
    for logger in ("traitlets", "papermill"):
        logging.getLogger(logger).setLevel(logging.CRITICAL)
    start = time.perf_counter()
    nb = read_chapter(run.source)
    failed = root / BUILD_DIR / FAILED / f"{run.name}.ipynb"
    timeout = cell_timeout()
    where = f"chapter '{run.slug}' (parameter group '{run.group}', {run.source.relative_to(root)})"
    global _IPC_DIR
    with tempfile.TemporaryDirectory(prefix="lederuddannelse-", dir=tmp_parent()) as tmp:
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
                execution_timeout=timeout,
                engine_name=papermill_engine(),
            )

        def keep_failed() -> str:
            failed.parent.mkdir(parents=True, exist_ok=True)
            if dst.exists():
                shutil.copyfile(dst, failed)
                return f"\n  The executed notebook is kept at {failed.relative_to(root)}."
            return ""

        stand_in = None
        try:
            try:
                execute()
            except (pm.PapermillExecutionError, CellTimeoutError, DeadKernelError):
                raise
            except Exception:
                # The kernel did not start (not the chapter's code). If it was a warm kernel,
                # try once more with an ordinary one before reporting a failure (a kernel
                # that died while running a cell raised DeadKernelError: reported, not retried).
                from lederuddannelse.book.forkkernel import ENV_SOCKET

                if not os.environ.pop(ENV_SOCKET, None):
                    raise
                execute()
        except pm.PapermillExecutionError as exc:
            if exc.ename == AbsentVariableError.__name__:
                stand_in = absent_variable_page(nb, exc.evalue)
            else:
                kept = keep_failed()
                raise ChapterError(
                    f"{where} failed in cell {exc.cell_index} (execution count {exc.exec_count}): "
                    f"{exc.ename}: {exc.evalue}{kept}"
                ) from None
        except CellTimeoutError:
            cell = _stopped_cell(dst)
            kept = keep_failed()
            raise ChapterError(
                f"{where}: cell {cell if cell is not None else '?'} ran longer than the limit of "
                f"{timeout} s per cell and was stopped (set {ENV_CELL_TIMEOUT} to change the "
                f"limit).{kept}"
            ) from None
        except DeadKernelError:
            cell = _stopped_cell(dst)
            kept = keep_failed()
            at = f"while running cell {cell}" if cell is not None else "while running"
            raise ChapterError(
                f"{where}: the kernel died {at} (the process exited, e.g. os._exit, a crash or "
                f"out of memory).{kept}"
            ) from None
        finally:
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        executed = stand_in or nbformat.read(dst, as_version=4)
    hide_data_path(executed, run.params)
    failed.unlink(missing_ok=True)
    if stand_in is None:
        check_glue(executed, run.slug, str(run.source.relative_to(root)))
    meta = run_metadata(run, key, root, deps)
    written = write_if_changed(out, normalise(executed, run.name, meta, label_suffix(run, root)))
    return run.name, time.perf_counter() - start, written


_GLUE_ROLE = re.compile(r"\s*\{glue(?::\w+)?\}`[^`]*`")


def absent_variable_page(nb, message: str):
    """The page of a chapter that needs a variable the data file does not have.

    A real export may lack a question (its mapping lists it under ``absent``). Rather than
    failing the build, the chapter is published as its title (with its label) and a note that
    names the missing variable, so the rest of the book still builds on that file.
    """
    import nbformat

    first = next(c for c in nb.cells if c.cell_type == "markdown")
    lines = first.source.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    note = (
        ":::{admonition} Kapitlet kan ikke beregnes på denne datafil\n:class: warning\n"
        f"{md_text(message)} Kapitlet bygger på den, og derfor vises det ikke. De øvrige "
        "kapitler er beregnet som sædvanligt.\n:::"
    )
    page = nbformat.v4.new_notebook(metadata=nb.metadata)
    page.cells = [
        # the title and its label; a glued part of the title (e.g. the variant switch) has no
        # value on this page
        nbformat.v4.new_markdown_cell(_GLUE_ROLE.sub("", "\n".join(lines[: title + 1])).rstrip()),
        nbformat.v4.new_markdown_cell(note),
    ]
    return page


def public_parameters(params: dict[str, Any]) -> dict[str, Any]:
    """The run's parameters as pages may show them: the data file by its name, not its path
    (a path reveals the analyst's machine)."""
    out = {**params, "data_file": public_data_file(params["data_file"])}
    if "data_mapping" in params:
        out["data_mapping"] = public_data_file(params["data_mapping"])
    return out


def hide_data_path(nb: Any, params: dict[str, Any]) -> None:
    """Rewrite papermill's injected parameters cell with the data file's name only.

    The executed notebook is published (the page's source download); the kernel needed the
    path, the reader does not.
    """
    from papermill.translators import translate_parameters

    public = public_parameters(params)
    if public == params:
        return
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = translate_parameters("python3", "python", public, "Parameters")


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


@contextlib.contextmanager
def worker_pool(workers: int):
    """The build's worker processes; on Ctrl-C/SIGTERM or an error they are stopped at once
    (not awaited: a chapter may run for minutes), and their kernels die with them."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=pool_worker_init)
    try:
        yield pool
    except BaseException:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


VALIDATED = "validated.json"  # build/validated.json: data files that passed, by content


def validate_data_files(
    data_files: set[tuple[str, str]], root: Path, quiet: bool, deps: Dependencies | None = None
) -> None:
    """Check each (data file, mapping) as `data validate` does (codebook and weighting) before
    any chapter runs.

    With ``deps`` (the build's), a file without a mapping that passed before with the same
    content, the same package (code, codebook, margins) and the same lock file is not checked
    again: the check is a function of those alone, and loading the survey costs a second.

    A bad file then stops the build once, with the loader's own message (file, column, rows,
    expectation), instead of the same message wrapped in every chapter's failure. Cached runs
    need no check: their data file's content is the one validated when they ran. A survey-tool
    export with a mapping is mapped here, once, into `build/mapped/` (see data/mapping.py).
    """
    done = _load_json(root / BUILD_DIR / VALIDATED)
    salt = package_hash(root) + (deps.lock if deps is not None else "")
    todo = []
    for data_file, data_mapping in sorted(data_files):
        stamp = ""
        if deps is not None and data_mapping == "none":  # a mapping writes build/mapped/
            stamp = hashlib.sha256((salt + deps.data_hash(data_file)).encode()).hexdigest()
            if done.get(stamp) == data_file:
                name = resolve_data_file(data_file, root).name
                _say(f"Data file {name}: valid (validated before, unchanged)", quiet)
                continue
        todo.append((data_file, data_mapping, stamp))
    if not todo:
        return
    # Imported only now: they import pandas (half a second a build with unchanged data
    # would spend before its first chapter starts).
    from lederuddannelse.data.codebook import load_codebook
    from lederuddannelse.data.loader import validate_file
    from lederuddannelse.data.weighting import load_margins
    from lederuddannelse.params import resolve_data

    codebook = load_codebook(root / "data" / "codebook.yml")
    margins = load_margins(root / "data" / "margins.csv")
    for data_file, data_mapping, stamp in todo:
        data = resolve_data(data_file, data_mapping, root)
        validate_file(data.load_path, codebook, margins)
        via = f" (mapped with {data.mapping.name})" if data.mapping else ""
        _say(f"Data file {data.source.name}{via}: valid", quiet)
        if stamp:
            done[stamp] = data_file
            write_if_changed(root / BUILD_DIR / VALIDATED, json.dumps(done, indent=0))


def mapping_provenance(run: Run, root: Path) -> dict[str, str]:
    """The mapping file's name and hash for a run's metadata (empty without a mapping)."""
    mapping = resolve_mapping_file(run.params.get("data_mapping", "none"), root)
    if mapping is None:
        return {}
    return {"mapping_file": mapping.name, "mapping_sha256": sha256_file(mapping)}


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
    validate_data_files(
        {(run.params["data_file"], run.params.get("data_mapping", "none")) for run, _, _ in todo},
        root,
        quiet,
        deps,
    )
    errors: list[str] = []
    done = 0
    with (
        warm_kernels(len(todo), jobs),
        worker_pool(max(1, min(jobs, len(todo)))) as pool,
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


def runs_toc(
    toc: dict[str, Any], pages: dict[str, list[str]], nested: set[str]
) -> tuple[dict[str, Any], set[str]]:
    """The project's `_toc.yml` with each chapter entry (`chapters/NN_slug`) replaced by its
    pages, ``pages[slug]`` in the order of parameters.yml, and the other files the toc lists
    (with `.md` when the entry gives no suffix).

    A chapter in ``nested`` (published under several definitions of training) keeps its other
    pages as sections of its first; any other chapter's pages follow one another. The staged
    book and the bench's Jupyter Book peer (which builds the same pages) both use it.
    """
    listed: set[str] = set()

    def rewrite(entry: dict[str, Any]) -> list[dict[str, Any]]:
        out = dict(entry)
        for key in ("chapters", "sections", "parts"):
            if key in out:
                out[key] = [e for child in out[key] for e in rewrite(child)]
        file = out.get("file") or out.get("root")
        if not file or not file.startswith("chapters/"):
            if file:
                listed.add(file if Path(file).suffix else file + ".md")
            return [out]
        slug = slug_of(Path(file))
        names = pages.get(slug)
        if not names:
            raise ParameterError(
                f"_toc.yml lists {file}, but parameters.yml has no chapter '{slug}'."
            )
        key = "root" if "root" in out else "file"
        if key == "root":
            return [{**out, key: names[0]}]
        if slug in nested:  # the other definitions nest under the default page
            first, *rest = names
            return [{**out, key: first, "sections": [{"file": n} for n in rest]}]
        return [{**out, key: name} for name in names]

    return rewrite(toc)[0], listed


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

    new_toc, listed = runs_toc(
        toc, by_slug, {slug for slug in by_slug if definition_pages(slug, root)}
    )
    wanted |= listed
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


def site_key(digests: dict[str, str], package: str) -> str:
    """The site's key: every staged file (``prosepatch.stage_digests``) and the package."""
    return hashlib.sha256((json.dumps(digests, sort_keys=True) + package).encode()).hexdigest()


#: Environment variables telling the Sphinx extension which data the build used.
DATA_ENV = {
    "data_file": "LEDERUDDANNELSE_DATA_FILE",
    "data_mapping": "LEDERUDDANNELSE_DATA_MAPPING",
}


def apply_data_overrides(
    globals_: dict[str, Any], data_file: str | None, data_mapping: str | None
) -> None:
    """Set `data_file`/`data_mapping` from the command line (checked like parameters.yml's)."""
    from lederuddannelse.params import check_global

    for name, value in (("data_file", data_file), ("data_mapping", data_mapping)):
        if value is not None:
            globals_[name] = check_global(name, value, "command line")
    if data_file is not None and data_mapping is None:
        globals_["data_mapping"] = "none"


def data_env(globals_: dict[str, Any]) -> dict[str, str]:
    return {env: str(globals_.get(name, "none")) for name, env in DATA_ENV.items()}


# Set by `preview`'s warm build process, which has Jupyter Book and Sphinx imported already:
# the render worker is a fork of it (``renderer.ForkedWorker``).
RENDER_IN_FORK = "LEDERUDDANNELSE_RENDER_IN_FORK"


def render_process(
    cmd: list[str], cwd: Path, env: dict[str, str], worker: RenderWorker | None = None
) -> subprocess.CompletedProcess:
    """Run the Jupyter Book command ``cmd`` (``python -c ... ARGS``) and capture its output:
    in the build's render worker when there is one (it has imported Jupyter Book, and may
    have set Sphinx up, already), else in a new process."""
    if worker is not None:
        return worker.render(cmd[3:], cwd, env)
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, env=env, preexec_fn=die_with_parent
    )


def render_env(root: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the Jupyter Book render (the Sphinx extension reads the root and
    which data the build used from it)."""
    return {
        **os.environ,
        "LEDERUDDANNELSE_ROOT": str(root),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        **(extra_env or {}),
    }


def render_worker_process(root: Path, env: dict[str, str]):
    """The render worker's process (:mod:`lederuddannelse.book.renderer`), its stdin and
    stdout piped: a fork of this process when it has Jupyter Book imported (`preview`'s warm
    build process), else a new Python process."""
    from lederuddannelse.book.renderer import ForkedWorker

    if os.environ.get(RENDER_IN_FORK) == "1" and "jupyter_book.cli.main" in sys.modules:
        return ForkedWorker(root, env)
    return subprocess.Popen(
        [sys.executable, "-m", "lederuddannelse.book.renderer"],
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent,
    )


class RenderWorker:
    """The build's render process, started early (see :mod:`lederuddannelse.book.renderer`).

    Started as soon as a build knows it has something to do (the file stamps changed), it
    imports Jupyter Book on the other core while the build computes its keys and executes
    chapters, and, when the book was staged before, sets Sphinx up for the render this build
    will most likely ask for (``ahead``); :meth:`render` then costs Sphinx's build only.
    It renders once; :meth:`close` ends it if it was never asked (the site was unchanged).
    While it renders, this process imports the disclosure audit, which runs next.
    """

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        from lederuddannelse.book.renderer import setup_worth_doing

        self.proc = render_worker_process(root, env)
        self.ahead = setup_worth_doing(root / BUILD_DIR / STAGE)
        if self.ahead:
            args = jupyter_book_args(root / BUILD_DIR / STAGE, root)
            self._send({"args": args, "cwd": str(root), "env": env, "ahead": True})

    def _send(self, request: dict[str, Any]) -> None:
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:  # it died: its output says why
            pass

    def render(
        self, args: list[str], cwd: Path, env: dict[str, str]
    ) -> subprocess.CompletedProcess:
        self._send({"args": args, "cwd": str(cwd), "env": env})
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        # imported while the worker renders: the audit's reading (the checks need pandas
        # only if a table changed)
        import bs4  # noqa: F401

        import lederuddannelse.book.audit_incremental  # noqa: F401

        out = self.proc.stdout.read()
        code = self.proc.wait()
        return subprocess.CompletedProcess(args, code, out.decode("utf-8", "replace"), "")

    def close(self) -> None:
        if self.proc.poll() is None:  # never asked to render: it has nothing to finish
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()


@contextlib.contextmanager
def render_ahead(root: Path, env: dict[str, str]):
    """A holder for the build's :class:`RenderWorker`: ``start()`` starts it (once); it is
    closed when the block ends, rendered or not."""

    class Ahead:
        worker: RenderWorker | None = None

        def start(self) -> None:
            if self.worker is None:
                self.worker = RenderWorker(root, env)

    ahead = Ahead()
    try:
        yield ahead
    finally:
        if ahead.worker is not None:
            ahead.worker.close()


def jupyter_book_args(stage: Path, root: Path) -> list[str]:
    """`jupyter-book build` of the staged book into build/site; warnings are errors."""
    out = root / BUILD_DIR / SITE
    return ["build", str(stage), "--path-output", str(out), "-W", "-n", "--keep-going", "--quiet"]


def run_jupyter_book(
    stage: Path,
    root: Path,
    quiet: bool,
    extra_env: dict[str, str] | None = None,
    worker: RenderWorker | None = None,
) -> Path:
    """`jupyter-book build` the staged book; warnings are errors. Returns the HTML folder."""
    out = root / BUILD_DIR / SITE
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        *jupyter_book_args(stage, root),
    ]
    _say("Rendering the site with Jupyter Book ...", quiet)
    proc = render_process(cmd, root, render_env(root, extra_env), worker)
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


def render_site(
    stage: Path,
    root: Path,
    quiet: bool,
    data: dict[str, str],
    worker: RenderWorker | None,
    digests: dict[str, str],
    package: str,
    force: bool = False,
    explain: bool = False,
) -> tuple[Path, list[str]]:
    """The rendered site (its HTML folder) and the pages patched: a prose edit patched in
    without Sphinx when :mod:`lederuddannelse.book.prosepatch` can do it exactly, else
    Jupyter Book's render (no page patched)."""
    site = root / BUILD_DIR / SITE
    # What Sphinx's configuration is made of besides the staged book (sphinx_ext): a change
    # makes Sphinx rewrite every page, so no patch is exact then.
    from lederuddannelse.book.citation import build_date

    env = {
        **data,
        "build_date": build_date(),
        "parameters": sha256_file(root / "parameters.yml"),
        "citation": sha256_file(root / "citation.yml") if (root / "citation.yml").is_file() else "",
    }
    if not force:
        pages, why = prosepatch.patch_site(stage, site, digests, package, env, root)
        if pages:
            _say(f"Patched the changed text into {', '.join(pages)} (no Sphinx run needed).", quiet)
            return site / "_build" / "html", pages
        if explain:  # the author edited text only and may wonder why Sphinx runs
            _say(f"The edit needs Sphinx: {why}.", quiet)
    prosepatch.forget_rendered(site)
    html = run_jupyter_book(stage, root, quiet, data, worker)
    prosepatch.record_rendered(site, digests, package, env)
    return html, []


def publish(html: Path, root: Path, key: str) -> Path:
    """Publish the rendered site to `_build/html` in one atomic step (see :mod:`publishing`)."""
    return publishing.publish(html, root / PUBLISHED, key)


def clean_after_killed_build(root: Path, quiet: bool) -> None:
    """Remove what a killed build left: half-published sites, its temporary folders.

    Called with the build lock held, so nothing removed here belongs to a running build.
    """
    removed = publishing.clean_stale(root / PUBLISHED) + clean_stale_tmp()
    if removed:
        _say(f"Removed {len(removed)} leftover(s) of an interrupted build.", quiet)


def record_stamp(root: Path, inputs: str, extra_then: list[str], runs: list[Run]) -> None:
    """After a complete build: what :func:`unchanged_since_last_build` compares with.

    ``inputs`` is the stamp taken when the build *started* (over ``extra_then``, the last
    build's outside files): a file edited while the build ran then differs from it, and the
    next build does not take itself for a no-op. If this build read other outside files, no
    stamp is recorded for them yet (the next build checks everything, then records it).
    """
    extra = set()
    for run in runs:
        for path in (
            resolve_data_file(run.params["data_file"], root),
            resolve_mapping_file(run.params.get("data_mapping", "none"), root),
        ):
            if path is not None and not publishing.inside(path, root):
                extra.add(str(path))
                extra.add(f"{path}.meta.json")
    if sorted(extra) != sorted(extra_then):
        inputs = ""
    data = {"inputs": inputs, "outputs": stamps.output_stamp(root), "extra": sorted(extra)}
    write_if_changed(root / BUILD_DIR / stamps.NOOP_STAMP, json.dumps(data, indent=0))


@dataclass
class BuildReport:
    executed: dict[str, float]
    rendered: bool
    site: Path
    seconds: float
    reassembled: list[str] = field(default_factory=list)
    render_seconds: float = 0.0  # render, audit and publish
    audit_seconds: float = 0.0  # of which the disclosure audit
    publish_seconds: float = 0.0  # of which publishing
    patched: list[str] = field(default_factory=list)  # pages whose prose was patched in

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
    data_file: str | None = None,
    data_mapping: str | None = None,
) -> BuildReport:
    """The whole pipeline; raises a :class:`LederuddannelseError` with one clear message.

    One build at a time per project (a lock in `build/`); SIGTERM unwinds like Ctrl-C; all
    temporary folders live in one folder removed at the end (or by the next build, if this
    one is killed). ``data_file`` and ``data_mapping`` override the global parameters of the
    same names (`make book DATA=... MAPPING=...`).
    """
    start = time.perf_counter()
    with (
        BuildLock(root / BUILD_DIR),
        terminate_as_interrupt(),
        build_tmpdir(),
    ):
        clean_after_killed_build(root, quiet)
        options = [str(params_file), data_file, data_mapping]
        same, stamp, extra = (False, "", []) if force else stamps.unchanged(root, options)
        if same:
            _say(f"Nothing changed since the last build: {PUBLISHED}/", quiet)
            return BuildReport({}, False, root / PUBLISHED, time.perf_counter() - start)
        stamp = stamp or stamps.input_stamp(root, options, extra)
        return _build(
            root, jobs, force, quiet, params_file, data_file, data_mapping, (stamp, extra)
        )


def _build(
    root: Path,
    jobs: int,
    force: bool,
    quiet: bool,
    params_file: Path | None,
    data_file: str | None = None,
    data_mapping: str | None = None,
    stamp: tuple[str, list[str]] = ("", []),
) -> BuildReport:
    start = time.perf_counter()
    params = load_parameters(params_file or root / "parameters.yml")
    apply_data_overrides(params.globals, data_file, data_mapping)
    with render_ahead(root, render_env(root, data_env(params.globals))) as ahead:
        # Something changed since the last build (the stamps said so), most likely a page:
        # the render worker imports Jupyter Book meanwhile.
        ahead.start()
        runs = params.runs(root)
        validate_runs(runs, root)
        if any(r.params["data_file"] == EMBEDDED for r in runs):
            ensure_data(root, quiet)
        for data_file in {r.params["data_file"] for r in runs}:
            resolve_data_file(data_file, root)
        for data_mapping in {r.params.get("data_mapping", "none") for r in runs}:
            resolve_mapping_file(data_mapping, root)
        _say(f"Executing {len(runs)} chapter run(s) with up to {jobs} worker(s) ...", quiet)
        timings, reassembled = execute_all(runs, root, jobs, force, quiet)
        stage = stage_book(runs, root)
        digests, package = prosepatch.stage_digests(stage), package_hash(root)
        key = site_key(digests, package)
        published = root / PUBLISHED
        if not force and publishing.site_intact(published, key):
            _say(f"Site unchanged: {published.relative_to(root)}", quiet)
            record_stamp(root, *stamp, runs)
            secs = time.perf_counter() - start
            return BuildReport(timings, False, published, secs, reassembled)
        if (published / publishing.SITE_KEY_FILE).is_file() and not force:
            if (published / publishing.SITE_KEY_FILE).read_text().strip() == key:
                _say("The published site differs from what was built; publishing it again.", quiet)
        render_start = time.perf_counter()
        html, patched = render_site(
            stage,
            root,
            quiet,
            data_env(params.globals),
            ahead.worker,
            digests,
            package,
            force,
            explain=bool(reassembled) and not timings,
        )
    # disclosure gate: what readers could read, checked before anything is published
    from lederuddannelse.book.audit_incremental import gate

    audit_start = time.perf_counter()
    gate(
        html,
        _check_tables,
        min_n=min(r.params["min_n"] for r in runs),
        min_count=min(r.params["min_count"] for r in runs),
        quiet=quiet,
        cache=root / BUILD_DIR / AUDIT_CACHE,
    )
    publish_start = time.perf_counter()
    site = publish(html, root, key)
    record_stamp(root, *stamp, runs)
    end = time.perf_counter()
    secs = end - start
    _say(f"Built the book in {secs:.1f} s: open {site.relative_to(root)}/index.html", quiet)
    return BuildReport(
        timings,
        True,
        site,
        secs,
        reassembled,
        end - render_start,
        publish_start - audit_start,
        end - publish_start,
        patched,
    )


def _check_tables(*args) -> None:
    """The audit's table checks, imported (with pandas) only when a table changed."""
    from lederuddannelse.book.audit import check_raw_tables

    check_raw_tables(*args)


RUNS = "runs"  # build/runs: notebooks re-executed by hand with `run`


def refuse_build_output(out: Path, root: Path) -> None:
    """Stop if ``out`` lies in the published site or in the build's own folders.

    A notebook written there would overwrite a live page (or an executed chapter the next
    build trusts); `run` writes its notebooks elsewhere.
    """
    owned = {
        root / PUBLISHED: "the published site",
        root / BUILD_DIR / STAGE: "the build's executed chapters",
        root / BUILD_DIR / SITE: "the build's rendered site",
    }
    for folder, what in owned.items():
        if publishing.inside(out, folder):
            raise ParameterError(
                f"output {out}: lies inside {what} ({folder.relative_to(root)}/), which only "
                f"the build writes; choose another file, e.g. {BUILD_DIR}/{RUNS}/{Path(out).name}."
            )


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

    if out is not None:
        refuse_build_output(out, root)
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
    validate_data_files(
        {(run.params["data_file"], run.params.get("data_mapping", "none"))}, root, quiet
    )
    suffix = "".join(f"-{k}-{v}" for k, v in sorted(overrides.items()))
    suffix = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in suffix)[:80]
    out = out or root / BUILD_DIR / RUNS / f"{run.name}{suffix}.ipynb"
    deps = Dependencies.of(root)
    key = cache_key(run, deps)
    _say(f"Executing {source.relative_to(root)} (group '{run.group}') ...", quiet)
    with terminate_as_interrupt(), build_tmpdir():
        name, secs, _ = execute_run(run, key, out, root, deps)
    _say(f"Done in {secs:.1f} s. Executed notebook: {out}", quiet)
    return out
