"""Execute chapter runs with papermill, in parallel, in a process pool with an explicit start
method (spawn).

A run's kernel is started and watched through papermill's and nbclient's public options: a cell
may run :func:`cell_timeout` seconds, a kernel that dies fails its chapter at once, and either
is reported with the chapter, the parameter group and the cell. The executed notebook of a
failed run is kept in `build/failed/`. The pool's workers die with the build (see
:mod:`lederuddannelse.book.processes`); their kernels die with them (ipykernel's parent poller).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lederuddannelse.errors import AbsentVariableError, ChapterError, ParameterError

CELL_TIMEOUT = 600  # seconds one cell may run before the chapter fails (no silent hang)
ENV_CELL_TIMEOUT = "LEDERUDDANNELSE_CELL_TIMEOUT"  # overrides CELL_TIMEOUT (e.g. in tests)
# spawn, on every platform: each worker is a fresh interpreter, a child of the build (so it
# dies with the build, even by SIGKILL on Linux: see processes.worker_init). Never fork (the
# build's process has threads); not forkserver, whose server outlives a killed build and keeps
# its workers and their kernels alive.
START_METHOD = "spawn"
KERNEL_START_TIMEOUT = 30  # seconds a kernel may take to answer its first message
ENV_KERNEL_DIR = "LEDERUDDANNELSE_KERNEL_DIR"  # the running chapter's folder for its sockets
# Single-threaded BLAS in every kernel: sums split over threads differ in the last digits, and
# a chapter run alone must give the bytes of the same run in a full build.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# the charts are made for the site (report.theme.CHARTS_ENV: HTML for the page, PNG for Jupyter)
KERNEL_ENV["LEDERUDDANNELSE_CHARTS"] = "site"


def cell_timeout() -> int:
    """Seconds one cell may run: ``LEDERUDDANNELSE_CELL_TIMEOUT`` or :data:`CELL_TIMEOUT`."""
    value = os.environ.get(ENV_CELL_TIMEOUT, "").strip() or str(CELL_TIMEOUT)
    if not value.isdecimal() or int(value) <= 0:
        raise ParameterError(
            f"{ENV_CELL_TIMEOUT} = {value!r}: expected a whole number of seconds above 0."
        )
    return int(value)


@dataclass(frozen=True)
class Task:
    """One run to execute: its parameterised notebook (JSON) and where things go."""

    name: str
    where: str  # "chapter 'x' (parameter group 'y', chapters/NN_x.md)", for messages
    notebook: str
    cwd: str
    failed: str  # where the notebook of a failed run is kept
    root: str
    tmp: str | None
    timeout: int
    data: str = ""  # the run's pinned data (JSON, see lederuddannelse.data.snapshot.ENV_PINNED)


@dataclass(frozen=True)
class Result:
    name: str
    seconds: float
    notebook: str = ""  # the executed notebook (JSON)
    absent: bool = False  # the chapter needs a variable the data file lacks (see chapters)
    error: str = ""
    fatal: bool = False  # failed outside the chapter's code (its kernel did not start, ...)


def _stopped_cell(notebook: Path) -> int | None:
    """The last code cell papermill started in a partly executed notebook (None: none)."""
    import json

    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    started = [
        i
        for i, c in enumerate(cells)
        if c.get("cell_type") == "code"
        and c.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else None


def execute(task: Task) -> Result:
    """Execute one run (in a worker process); errors come back as a message, never raised."""
    start = time.perf_counter()
    try:
        return _execute(task, start)
    except ChapterError as exc:
        return Result(task.name, time.perf_counter() - start, error=str(exc))
    except Exception as exc:  # the kernel did not start, or anything else outside the code
        return Result(
            task.name,
            time.perf_counter() - start,
            error=f"{task.where} could not be executed (its kernel did not start or did not "
            f"answer): {type(exc).__name__}: {exc}. Stopped at this first such failure; "
            "the other chapters would fail the same way.",
            fatal=True,
        )


def _execute(task: Task, start: float) -> Result:
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from lederuddannelse.data.snapshot import ENV_PINNED

    # nbclient logs "Kernel died ..." itself; the ChapterError below says it once, clearly.
    for logger in ("traitlets", "papermill"):
        logging.getLogger(logger).setLevel(logging.CRITICAL)
    failed = Path(task.failed)
    with tempfile.TemporaryDirectory(prefix="run-", dir=task.tmp) as tmp:
        dst = Path(tmp) / "out.ipynb"
        os.environ[ENV_KERNEL_DIR] = tmp  # the kernel's sockets (see kernel.py)
        os.environ[ENV_PINNED] = task.data  # the data snapshot the kernel reads

        def kept() -> str:
            if not dst.exists():
                return ""
            failed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(dst, failed)
            return f"\n  The executed notebook is kept at {os.path.relpath(failed, task.root)}."

        try:
            pm.execute_notebook(
                nbformat.reads(task.notebook, as_version=4),
                str(dst),
                kernel_name="python3",
                progress_bar=False,
                cwd=task.cwd,
                # the kernel's own log (e.g. "parent appears to have exited") stays quiet
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
                shutdown_kernel="immediate",
                execution_timeout=task.timeout,
                kernel_manager_class="lederuddannelse.book.kernel.IPCKernelManager",
                start_timeout=KERNEL_START_TIMEOUT,
            )
        except pm.PapermillExecutionError as exc:
            if exc.ename == AbsentVariableError.__name__:
                from lederuddannelse.chapters.absent import absent_variable_page

                page = absent_variable_page(nbformat.reads(task.notebook, 4), exc.evalue)
                return Result(task.name, time.perf_counter() - start, nbformat.writes(page), True)
            raise ChapterError(
                f"{task.where} failed in cell {exc.cell_index} (execution count "
                f"{exc.exec_count}): {exc.ename}: {exc.evalue}{kept()}"
            ) from None
        except CellTimeoutError:
            cell = _stopped_cell(dst)
            raise ChapterError(
                f"{task.where}: cell {'?' if cell is None else cell} ran longer than the limit "
                f"of {task.timeout} s per cell and was stopped (set {ENV_CELL_TIMEOUT} to "
                f"change the limit).{kept()}"
            ) from None
        except DeadKernelError:
            cell = _stopped_cell(dst)
            at = "while running" if cell is None else f"while running cell {cell}"
            raise ChapterError(
                f"{task.where}: the kernel died {at} (the process exited, e.g. os._exit, a "
                f"crash or out of memory).{kept()}"
            ) from None
        failed.unlink(missing_ok=True)
        return Result(task.name, time.perf_counter() - start, dst.read_text(encoding="utf-8"))


def execute_all(tasks: list[Task], jobs: int, env: dict[str, str]):
    """Execute ``tasks`` on up to ``jobs`` workers; yield each :class:`Result` as it ends,
    and stop after the first one that failed outside its code (:attr:`Result.fatal`: e.g. its
    kernel did not start), which every other chapter would repeat.

    On Ctrl-C, SIGTERM or an error in the caller, the workers are terminated at once (a
    chapter may run for minutes) and their kernels end with them.
    """
    from lederuddannelse.book.processes import worker_init

    ctx = multiprocessing.get_context(START_METHOD)
    pool = ctx.Pool(max(1, min(jobs, len(tasks))), worker_init, ({**env, **KERNEL_ENV},))
    complete = False
    try:
        for result in pool.imap_unordered(execute, tasks):
            yield result
            if result.fatal:
                return
        complete = True
    finally:
        pool.close() if complete else pool.terminate()
        pool.join()
