"""`make preview`: sphinx-autobuild on the staged book, with the build's staging as its
pre-build step.

sphinx-autobuild watches what a build reads, serves the rendered book on 127.0.0.1 and reloads
the open page after each rebuild. Before each Sphinx run, ``python -m lederuddannelse build
--stage-only`` (:func:`stage_step`) executes and stages what changed and prints one line; Sphinx
then renders the changed pages (with the configuration `jupyter-book config sphinx` writes)
into `build/preview/`. The published site is not touched; Ctrl-C stops with one line.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from lederuddannelse.book.build import JUPYTER_BOOK
from lederuddannelse.book.stamps import BUILD_DIR, PROJECT_FILES, PROJECT_TREES, PUBLISHED, STAGE
from lederuddannelse.errors import LederuddannelseError

PREVIEW = "preview"  # build/preview: what the preview serves


def rebuild_line(report) -> str:
    """One line: what ran, how long."""
    parts = []
    if report.executed:
        parts.append(
            "re-executed " + ", ".join(f"{n} {s:.1f} s" for n, s in report.executed.items())
        )
    if report.reassembled:
        parts.append(f"merged from the cache (text only) {', '.join(report.reassembled)}")
    what = "; ".join(parts) or "nothing re-executed"
    return f"[{time.strftime('%H:%M:%S')}] {what}; staged in {report.seconds:.1f} s"


def sphinx_conf(root: Path) -> None:
    """conf.py for the staged book, from its `_config.yml` and `_toc.yml` (when they changed)."""
    stage = root / BUILD_DIR / STAGE
    conf = stage / "conf.py"
    newest = max((stage / n).stat().st_mtime for n in ("_config.yml", "_toc.yml"))
    if conf.is_file() and conf.stat().st_mtime >= newest:
        return
    cmd = [sys.executable, "-c", JUPYTER_BOOK, "config", "sphinx", str(stage)]
    subprocess.run(cmd, check=True, capture_output=True)


def stage_step(root: Path, jobs: int) -> int:
    """The pre-build step: execute and stage what changed; print one line (or the error).

    Returns 0 either way: on an error Sphinx renders the last good staged book, so the
    preview keeps serving it (the message says why the edit is not shown)."""
    from lederuddannelse.book.build import build

    try:
        report = build(root, jobs=jobs, quiet=True, stage_only=True)
        sphinx_conf(root)
    except LederuddannelseError as exc:
        print(f"[{time.strftime('%H:%M:%S')}] build FAILED, still serving the last good "
              f"book: {exc}", flush=True)  # fmt: skip
        return 0
    print(rebuild_line(report), flush=True)
    return 0


def autobuild_command(root: Path, port: int, jobs: int) -> list[str]:
    stage, out = root / BUILD_DIR / STAGE, root / BUILD_DIR / PREVIEW
    pre = f'"{sys.executable}" -m lederuddannelse build --stage-only --jobs {jobs}'
    cmd = [sys.executable, "-m", "sphinx_autobuild", str(stage), str(out / "html")]
    cmd += ["-d", str(out / "doctrees"), "-q", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--pre-build", pre, "--ignore", str(root / BUILD_DIR) + "/*"]
    cmd += ["--ignore", str(root / PUBLISHED.parent) + "/*", "--re-ignore", r"__pycache__|\.mo$"]
    watched = [root / n for n in (*PROJECT_TREES, *PROJECT_FILES)] + sorted(root.glob("*.md"))
    for path in watched:
        if path.exists():
            cmd += ["--watch", str(path)]
    return cmd


def wait_for_server(address: str, timeout: float = 30) -> None:
    """Return once ``address`` (http://host:port) accepts connections: sphinx-autobuild
    announces it just before its server starts."""
    import socket
    from urllib.parse import urlparse

    url = urlparse(address)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection((url.hostname, url.port or 80), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)


def preview(root: Path, port: int = 8000, jobs: int = 2) -> int:
    """Stage, then serve and rebuild with sphinx-autobuild until Ctrl-C; returns 0.

    sphinx-autobuild's own lines are left out: each rebuild prints the pre-build step's line,
    completed when Sphinx has rendered (with the seconds from the change to the page), and
    Sphinx's warnings."""
    if not (root / BUILD_DIR / STAGE / "conf.py").is_file():  # sphinx-autobuild needs it
        stage_step(root, jobs)
    cmd = autobuild_command(root, port, jobs)
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    # Started in the background by a shell, Python inherits Ctrl-C as ignored and would never
    # see it, while sphinx-autobuild sets its own handler and stops: take Ctrl-C here as well.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    served, pending, start = False, "", time.perf_counter()
    try:
        for raw in proc.stdout:
            line = re.sub(r"\x1b\[[0-9;]*m", "", raw).rstrip()
            if line.startswith("[sphinx-autobuild] Serving on"):
                if not served:
                    if pending:
                        print(pending, flush=True)
                    address = line.split("Serving on", 1)[1].strip()
                    wait_for_server(address)
                    print(f"Serving the book at {address} (Ctrl-C stops)", flush=True)
                    served = True
                elif pending:
                    took = time.perf_counter() - start
                    print(f"{pending}; rendered, {took:.1f} s in all", flush=True)
                pending = ""
            elif line.startswith("[sphinx-autobuild] Detected changes"):
                start = time.perf_counter()
            elif re.match(r"\[\d\d:\d\d:\d\d\] ", line):
                pending = line
            elif line and not line.startswith(("[sphinx-autobuild]", "python -m sphinx")):
                print(line, flush=True)
        if proc.wait() not in (0, 130, -signal.SIGINT):
            return proc.returncode  # it failed; its message is above
        stopped(proc)  # it serves until stopped: Ctrl-C reached it first
        return 0
    except KeyboardInterrupt:
        stopped(proc)
        return 0


def stopped(proc: subprocess.Popen) -> None:
    """After Ctrl-C: sphinx-autobuild stopped (within 10 s, else killed), and one line."""
    try:
        proc.send_signal(signal.SIGINT)  # Ctrl-C reached it too when run from a terminal
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    print(f"Preview stopped; the published site in {PUBLISHED}/ is as it was.", flush=True)
