"""Warm kernels: fork IPython kernels from a process that has imported everything already.

Most of a chapter's execution time is not its statistics but starting a kernel and importing
pandas, SciPy, Altair and this package (about 1.5 s of the 3 s a small chapter takes). The build
therefore starts one *zygote* process that imports all of that once, and papermill's kernels
are forked from it:

- ``python -m lederuddannelse.book.forkkernel zygote SOCKET`` imports the heavy modules, prints
  ``ready`` and serves fork requests on a Unix socket. It never runs chapter code itself, so
  every kernel starts from the same clean state, exactly as a fresh process would (modules
  imported, nothing executed). BLAS is kept single-threaded so that forking is safe.
- ``python -m lederuddannelse.book.forkkernel -f CONNECTION_FILE`` is the kernel command that the
  kernel manager starts instead of ``ipykernel_launcher``. It asks the zygote for a kernel
  with that connection file, working directory and environment, then stays alive as the
  kernel's stand-in: signals it receives are passed on, and the kernel exits when it dies
  (the kernel manager may kill it outright).

Only the build uses this (``build.execute_all``); ``run`` and any other papermill use start
ordinary kernels. Set ``LEDERUDDANNELSE_WARM_KERNELS=0`` to switch it off.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time

from lederuddannelse.book.processes import die_with_parent, pid_alive

ENV_SOCKET = "LEDERUDDANNELSE_ZYGOTE"

# What a chapter imports, loaded once in the zygote.
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "scipy.special",
    "scipy.optimize",
    "patsy",
    "altair",
    "pyarrow.parquet",
    "yaml",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "lederuddannelse.chapters.base",
    "lederuddannelse.stats.design",
    "lederuddannelse.data.loader",
    "lederuddannelse.data.derive",
    "lederuddannelse.data.weighting",
    "lederuddannelse.data.codebook",
    "lederuddannelse.stats.disclosure",
    "lederuddannelse.report.charts",
    "lederuddannelse.report.tables",
    "lederuddannelse.report.theme",
    "lederuddannelse.report.fmt",
    "lederuddannelse.params",
    "statsmodels.genmod.generalized_linear_model",
    "statsmodels.regression.linear_model",
    "statsmodels.miscmodels.ordinal_model",
    "statsmodels.genmod.families",
)


def _run_kernel(request: dict) -> None:
    """In the forked child: become an IPython kernel for the requested connection file."""
    os.setsid()
    die_with_parent()  # and with the zygote (the watchdog below follows the stand-in)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
    launcher = request["launcher_pid"]

    def watchdog() -> None:
        while pid_alive(launcher):
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", request["connection_file"]])
    app.start()
    os._exit(0)


def zygote(path: str) -> None:
    """Import everything a chapter needs, then fork a kernel per request."""
    import importlib

    die_with_parent()  # never outlive the build, even one killed with SIGKILL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional module: the kernel imports it itself if needed
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        with conn:
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            if not data:
                continue
            request = json.loads(data)
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                try:
                    _run_kernel(request)
                finally:
                    os._exit(1)
            conn.sendall(f"{pid}\n".encode())


def launch(connection_file: str) -> int:
    """The kernel command: have the zygote fork a kernel, then stand in for it."""
    die_with_parent()  # the kernel manager's worker died: so do the stand-in and its kernel
    path = os.environ[ENV_SOCKET]
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    env = {k: v for k, v in os.environ.items() if k != ENV_SOCKET}
    request = {
        "connection_file": os.path.abspath(connection_file),
        "cwd": os.getcwd(),
        "env": env,
        "launcher_pid": os.getpid(),
    }
    client.sendall(json.dumps(request).encode() + b"\n")
    pid = int(client.makefile().readline())
    client.close()

    def forward(signum, _frame) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
        if signum == signal.SIGTERM:
            sys.exit(0)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(sig, forward)
    while pid_alive(pid):
        time.sleep(0.05)
    return 0


class Zygote:
    """Start and stop a zygote process for the duration of a build (a context manager)."""

    def __init__(self) -> None:
        import subprocess
        import tempfile

        from lederuddannelse.book.processes import tmp_parent

        self._dir = tempfile.TemporaryDirectory(prefix="zygote-", dir=tmp_parent())
        self.path = os.path.join(self._dir.name, "zygote.sock")
        env = {
            **os.environ,
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lederuddannelse.book.forkkernel", "zygote", self.path],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        self._ready = False

    def wait_ready(self) -> str:
        """Block until the zygote has imported everything; returns its socket path."""
        if not self._ready:
            line = self.proc.stdout.readline().strip()
            if line != "ready":
                self.close()
                raise RuntimeError("the warm-kernel process did not start")
            self._ready = True
        return self.path

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
        self._dir.cleanup()

    def __enter__(self) -> "Zygote":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def main(argv: list[str]) -> int:
    if argv[:1] == ["zygote"] and len(argv) == 2:
        zygote(argv[1])
        return 0
    if len(argv) == 2 and argv[0] == "-f":
        return launch(argv[1])
    print(
        "usage: python -m lederuddannelse.book.forkkernel (zygote SOCKET | -f CONNECTION_FILE)",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
