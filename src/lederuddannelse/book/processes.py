"""A build's processes and temporary files: one build at a time (:class:`BuildLock`), nothing
outlives it: the pool's workers and their kernels (:func:`worker_init`), the temporary folders
(:func:`build_tmpdir`), SIGTERM handled like Ctrl-C (:func:`terminate_as_interrupt`).

Portable: nothing here imports a platform-only module at the top.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from lederuddannelse.errors import LederuddannelseError

ENV_TMP = "LEDERUDDANNELSE_BUILD_TMP"
TMP_PREFIX = "lederuddannelse-build-"


class BuildLock:
    """Exclusive lock of one project's build folder (a context manager): filelock's lock on
    `build/.lock`, released by the OS when the process dies (even by SIGKILL), with the owner's
    pid beside it, so that a second build stops and names the first one."""

    def __init__(self, build_dir: Path) -> None:
        from filelock import FileLock

        build_dir.mkdir(parents=True, exist_ok=True)
        self.path = build_dir / ".lock"
        self.owner = build_dir / ".lock.pid"
        self.lock = FileLock(self.path)

    def __enter__(self) -> "BuildLock":
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            try:
                holder = self.owner.read_text().strip() or "unknown"
            except OSError:
                holder = "unknown"
            raise LederuddannelseError(
                f"another build is running in this project (pid {holder}; lock {self.path}); "
                "wait for it to finish, or stop it, and try again."
            ) from None
        self.owner.write_text(f"{os.getpid()}\n")
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(OSError):
            self.owner.unlink()
        self.lock.release()


def die_with_parent(sig: int) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (elsewhere: nothing)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:
        os._exit(1)


def end_kernels(signum=None, frame=None) -> None:
    """End this worker's kernels with everything their cells started, then the worker: each
    kernel leads its own process group (jupyter_client starts it in a new session)."""
    import psutil

    for child in psutil.Process().children():
        with contextlib.suppress(OSError):
            os.killpg(child.pid, signal.SIGKILL)
    os._exit(1)


def worker_init(env: dict[str, str]) -> None:
    """Initializer of the build's worker processes: end with the build (SIGTERM, also when
    the build is killed), taking the kernels and their cells' processes along; leave Ctrl-C
    to the build, and give the kernels ``env``."""
    signal.signal(signal.SIGTERM, end_kernels)
    die_with_parent(signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(env)


@contextlib.contextmanager
def build_tmpdir():
    """One temporary folder, named with the build's pid, for everything a build creates;
    published in ``ENV_TMP`` (:func:`clean_stale_tmp` removes those of builds gone)."""
    path = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
    old = os.environ.get(ENV_TMP)
    os.environ[ENV_TMP] = path
    try:
        yield Path(path)
    finally:
        if old is None:
            os.environ.pop(ENV_TMP, None)
        else:
            os.environ[ENV_TMP] = old
        shutil.rmtree(path, ignore_errors=True)


def tmp_parent() -> str | None:
    """The running build's temporary folder (for a run's own folder), or None outside one."""
    path = os.environ.get(ENV_TMP)
    return path if path and os.path.isdir(path) else None


def stale_tmp() -> list[Path]:
    """The temporary folders of builds whose process no longer runs."""
    import psutil

    out = []
    for p in Path(tempfile.gettempdir()).glob(TMP_PREFIX + "*"):
        pid = p.name[len(TMP_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not psutil.pid_exists(int(pid)):
            out.append(p)
    return out


def clean_stale_tmp() -> list[Path]:
    """Remove the temporary folders of builds whose process no longer runs."""
    removed = stale_tmp()
    for p in removed:
        shutil.rmtree(p, ignore_errors=True)
    return removed


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the build unwinds and cleans up."""


@contextlib.contextmanager
def terminate_as_interrupt():
    """While the block runs, SIGTERM raises :class:`Terminated` (main thread only), so that
    the build's ``finally`` blocks (stopping the pool, removing temporary folders) run."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
