"""A build's processes and temporary files: one build at a time, nothing outlives it.

- :class:`BuildLock`: an exclusive ``flock`` on `build/.lock` holding the owner's pid. The
  kernel releases it when the process dies, even by SIGKILL, so a killed build never blocks
  the next one; a second build running at the same time stops with the first one's pid.
- :func:`die_with_parent`: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (Linux), called in every child
  the build starts (pool workers, the warm-kernel process, kernels, Jupyter Book), so that
  killing the build, even with SIGKILL, takes its children with it.
- :func:`build_tmpdir`: every temporary folder of a build lives in one folder named with the
  build's pid (`lederuddannelse-build-PID-*` in the system's temporary folder, short enough for
  the kernels' Unix sockets); :func:`clean_stale_tmp` removes those of builds no longer running.
- :func:`terminate_as_interrupt`: SIGTERM unwinds the build like Ctrl-C, so its ``finally``
  blocks (stopping kernels, removing temporary folders) run.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from lederuddannelse.errors import LederuddannelseError

ENV_TMP = "LEDERUDDANNELSE_BUILD_TMP"
TMP_PREFIX = "lederuddannelse-build-"
_PR_SET_PDEATHSIG = 1


class BuildLock:
    """Exclusive lock of one project's build folder (a context manager)."""

    def __init__(self, build_dir: Path, what: str = "build") -> None:
        self.path = build_dir / ".lock"
        self.what = what
        self._fd: int | None = None

    def __enter__(self) -> "BuildLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise LederuddannelseError(
                f"another build is running in this project (pid {holder}; lock {self.path}); "
                "wait for it to finish, or stop it, and try again."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only).

    If the parent already died before the call (a race at start-up), exit at once.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:
        os._exit(1)


def pool_worker_init() -> None:
    """Initializer of the build's worker processes: die with the build; Ctrl-C is the build's."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Forked workers inherit the build's SIGTERM handler (raise and unwind); a worker told
    # to stop must simply stop, taking its kernel with it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def build_tmpdir():
    """One temporary folder for everything a build creates; published in ``ENV_TMP``."""
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


def exit_forked_child(work: Callable[[], None]) -> NoReturn:
    """In a child of ``os.fork()``: run ``work``, then end the process with its exit code.

    0 when ``work`` returns, ``SystemExit``'s code when it raises one, 1 (and the traceback on
    stderr) on any other error. ``os._exit`` skips the parent's atexit handlers and buffered
    output that the fork inherited, so the child never runs its parent's clean-up.
    """
    code = 1
    try:
        work()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        exit_at_once(code)


def exit_at_once(code: int) -> NoReturn:
    """End this process with ``code`` once its standard streams are flushed, without the
    interpreter's clean-up.

    Freeing every object and module costs a process that has imported Sphinx or pandas
    0.05-0.3 s after its work is done: a render worker holds Sphinx's whole environment, and
    the build waits for its end. Only for processes whose work is complete: every file they
    write is written in a ``with`` block (or by a library that closes it), and their worker
    processes and threads have been awaited.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def pid_alive(pid: int) -> bool:
    """Is process ``pid`` running (ours or another user's)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_tmp() -> list[Path]:
    """Remove the temporary folders of builds whose process no longer runs."""
    removed = []
    for p in Path(tempfile.gettempdir()).glob(TMP_PREFIX + "*"):
        try:
            pid = int(p.name[len(TMP_PREFIX) :].split("-", 1)[0])
        except ValueError:
            continue
        if (
            pid != os.getpid()
            and not pid_alive(pid)
            and p.is_dir()
            and p.stat().st_uid == os.getuid()
        ):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the build unwinds and cleans up."""


@contextlib.contextmanager
def terminate_as_interrupt():
    """While the block runs, SIGTERM raises :class:`Terminated` (main thread only)."""
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
