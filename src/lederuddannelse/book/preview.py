"""`make preview`: build, serve the site on localhost, rebuild on every edit, reload the page.

The loop an author lives in. It builds the book (the ordinary incremental build: a prose edit
re-assembles its page without a kernel, a code edit re-executes only the runs whose key
changed), serves `_build/html` on 127.0.0.1, and polls the sources for changes: `chapters/`,
`src/`, `data/` (not the generated survey), `_static/`, `parameters.yml`, `_config.yml`,
`_toc.yml`, `citation.yml`, `references.bib` and the top-level pages. Each rebuild prints one
line: what changed, what was re-executed or re-assembled, and the seconds it took.

Pages are served with a small script added on the fly (never written into the published
files): it asks `/__preview__/version` once a second and reloads the page when the published
site's key changed. A failed rebuild prints its message and keeps serving the last good site.
Ctrl-C stops the loop (a build in progress is abandoned before it publishes, so the published
site stays the complete previous one) and exits 0.
"""

from __future__ import annotations

import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from lederuddannelse.book import build as b
from lederuddannelse.book.processes import exit_forked_child
from lederuddannelse.errors import LederuddannelseError

WATCHED_FILES = (
    "parameters.yml",
    "_config.yml",
    "_toc.yml",
    "citation.yml",
    "references.bib",
)
WATCHED_TREES = ("chapters", "src", "data", "_static")
IGNORED_PARTS = {"__pycache__", "generated", ".ipynb_checkpoints"}
VERSION_PATH = "/__preview__/version"
RELOAD_SCRIPT = (
    "<script>/* preview only: reload when the site was rebuilt */(function(){var v=null;"
    "setInterval(function(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text();}).then(function(t){if(v!==null&&t!==v)"
    "location.reload();v=t;}).catch(function(){});},1000);})();</script>"
)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every watched file (relative path -> stamp)."""
    files = [root / n for n in WATCHED_FILES] + list(root.glob("*.md"))
    for tree in WATCHED_TREES:
        base = root / tree
        if base.is_dir():
            files += [
                p
                for p in base.rglob("*")
                if not IGNORED_PARTS.intersection(p.relative_to(root).parts)
                and not p.name.endswith((".tmp", "~", ".swp"))
            ]
    out: dict[str, tuple[int, int]] = {}
    for p in files:
        try:
            st = p.stat()
        except OSError:
            continue
        if p.is_file():
            out[str(p.relative_to(root))] = (st.st_mtime_ns, st.st_size)
    return out


def changed_files(old: dict[str, tuple[int, int]], new: dict[str, tuple[int, int]]) -> list[str]:
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def site_version(root: Path) -> str:
    """What the page polls: the published site's key (changes exactly when the site does)."""
    try:
        return (root / b.PUBLISHED / b.SITE_KEY_FILE).read_text().strip()
    except OSError:
        return ""


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the published site (looked up per request: publishing swaps the folder) and
    adds the reload script to HTML pages."""

    root: Path

    def __init__(self, *args, root: Path, **kwargs):
        self.root = root
        super().__init__(*args, directory=str(root / b.PUBLISHED), **kwargs)

    def log_message(self, format, *args) -> None:  # one line per rebuild, not per request
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == VERSION_PATH:
            return self._send(site_version(self.root).encode(), "text/plain")
        target = Path(self.translate_path(path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            text = target.read_text(encoding="utf-8")
            end = text.rfind("</body>")
            text = text[:end] + RELOAD_SCRIPT + text[end:] if end >= 0 else text + RELOAD_SCRIPT
            return self._send(text.encode("utf-8"), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def serve(root: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(PreviewHandler, root=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _describe(changes: list[str]) -> str:
    shown = ", ".join(changes[:3])
    return shown + (f" and {len(changes) - 3} more" if len(changes) > 3 else "")


def rebuild_line(changes: list[str], report: b.BuildReport) -> str:
    """One line: what changed, what ran, how long."""
    parts = []
    if report.executed:
        ran = ", ".join(f"{n} {s:.1f} s" for n, s in sorted(report.executed.items()))
        parts.append(f"re-executed {ran}")
    if report.reassembled:
        parts.append(f"re-assembled (text only) {', '.join(report.reassembled)}")
    if not parts:
        parts.append("nothing re-executed")
    parts.append(
        f"rendered in {report.render_seconds:.1f} s" if report.rendered else "site unchanged"
    )
    when = time.strftime("%H:%M:%S")
    what = _describe(changes) if changes else "start"
    return f"[{when}] {what}: {'; '.join(parts)}; total {report.seconds:.1f} s"


def run_build(root: Path, jobs: int, changes: list[str], server: BuildServer | None) -> None:
    """One build in a child process (its own process group), summarised in one line.

    The child is forked from the warm build process when there is one, else started anew. A
    child process (not this one) builds, so Ctrl-C can stop it with everything it started
    (pool workers, the warm-kernel process) before it publishes.
    """
    report_file = root / b.BUILD_DIR / "preview-report.json"
    log_file = root / b.BUILD_DIR / "preview-build.log"
    report_file.unlink(missing_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    argv = ["build", "--jobs", str(jobs), "--quiet", "--report-json", str(report_file)]
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    if server is not None:
        code = server.build(jobs, report_file, env, root, log_file)
    else:
        with open(log_file, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "lederuddannelse", *argv],
                cwd=root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                code = proc.wait()
            except KeyboardInterrupt:
                stop_process_group(proc.pid, proc.wait)
                raise
    when = time.strftime("%H:%M:%S")
    if code != 0 or not report_file.exists():
        output = log_file.read_text(encoding="utf-8", errors="replace")
        message = output.strip().removeprefix("error: ")
        print(
            f"[{when}] {_describe(changes) or 'start'}: build FAILED; still serving the last "
            f"good site.\n{message}",
            flush=True,
        )
        return
    print(rebuild_line(changes, b.BuildReport.read_json(report_file)), flush=True)


def stop_process_group(pgid: int, wait, grace: float = 5.0) -> None:
    """SIGTERM a build's process group, then SIGKILL what is left after ``grace`` s.

    ``wait(timeout)`` waits for the group's leader and raises on a time-out."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        try:
            wait(grace)
            return
        except Exception:
            continue


# What a build and its render import: loaded once by the warm build process.
PRELOAD = (
    "lederuddannelse.book.build",
    "lederuddannelse.book.incremental",
    "lederuddannelse.book.audit",
    "bs4",
    "lederuddannelse.book.sphinx_ext",
    "lederuddannelse.book.citation",
    "jupytext",
    "nbformat",
    "papermill",
    "jupyter_book.cli.main",
    "jupyter_book.sphinx",
    "jupyter_book.config",
    "sphinx.application",
    "sphinx.builders.html",
    "myst_parser.sphinx_ext",
    "myst_nb.sphinx_ext",
    "myst_nb.sphinx_",
    "sphinx_book_theme",
    "pydata_sphinx_theme",
    "sphinxcontrib.bibtex",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_comments",
    "sphinx_external_toc",
    "sphinx_jupyterbook_latex",
    "sphinx_multitoc_numbering",
    "sphinx_thebe",
)


def build_server(path: str) -> None:
    """The warm build process: import the build and Jupyter Book once, fork a build per request.

    Each request (one JSON line: jobs, report file, cwd, env, log) is answered with the child's
    pid, then with its exit code. The child is a fresh copy of this process (nothing of an
    earlier build survives) in its own process group, and renders in a fork of itself
    (`RENDER_IN_FORK`).
    It has no threads, so forking is safe. It exits when its parent (the preview) is gone.
    """
    import importlib
    import json
    import socket

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    server.settimeout(1.0)
    print("ready", flush=True)
    while os.getppid() == parent:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        with conn:
            request = json.loads(conn.makefile().readline())
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - ends in os._exit

                def rebuild() -> None:
                    server.close()
                    os.setpgid(0, 0)
                    fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    os.dup2(fd, 1)
                    os.dup2(fd, 2)
                    os.chdir(request["cwd"])
                    os.environ.clear()
                    os.environ.update({**request["env"], b.RENDER_IN_FORK: "1"})
                    signal.signal(signal.SIGINT, signal.default_int_handler)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    try:
                        report = b.build(Path(request["cwd"]), jobs=request["jobs"], quiet=True)
                    except LederuddannelseError as exc:
                        print(f"error: {exc}", flush=True)
                        raise SystemExit(1) from None
                    report.write_json(Path(request["report"]))

                exit_forked_child(rebuild)
            conn.sendall(f"{pid}\n".encode())
            _, status = os.waitpid(pid, 0)
            try:
                conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
            except OSError:
                pass


class BuildServer:
    """The preview's handle on its warm build process (see :func:`build_server`)."""

    def __init__(self, root: Path) -> None:
        import tempfile

        self._dir = tempfile.TemporaryDirectory(prefix="preview-")
        self.path = os.path.join(self._dir.name, "build.sock")
        env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
        cmd = [sys.executable, "-m", "lederuddannelse.book.preview", "serve-builds", self.path]
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            self.close()
            raise RuntimeError("the warm build process did not start")

    def build(self, jobs: int, report: Path, env: dict[str, str], cwd: Path, log: Path) -> int:
        import json
        import socket

        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(self.path)
        request = {
            "jobs": jobs,
            "report": str(report),
            "env": env,
            "cwd": str(cwd),
            "log": str(log),
        }
        client.sendall(json.dumps(request).encode() + b"\n")
        answers = client.makefile()
        pid = int(answers.readline())

        def wait(timeout: float) -> None:
            client.settimeout(timeout)
            answers.readline()

        try:
            line = answers.readline()
        except KeyboardInterrupt:
            stop_process_group(pid, wait)
            raise
        finally:
            client.close()
        return int(line) if line.strip() else 1

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._dir.cleanup()


def start_build_server(root: Path) -> BuildServer | None:
    try:
        return BuildServer(root)
    except (OSError, RuntimeError) as exc:
        print(f"(no warm build process: {exc}; each rebuild starts a new one)", flush=True)
        return None


SETTLE = 0.05  # seconds between noticing a change and reading it


def preview(root: Path, port: int = 8000, jobs: int = 2, interval: float = 0.05) -> int:
    """Build, serve and rebuild until Ctrl-C (SIGINT) or SIGTERM; returns the exit code.

    The sources are polled every ``interval`` seconds (a poll stats about a hundred files in
    about a millisecond), so a saved edit is noticed within a twentieth of a second."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    # Explicitly: a process started in the background may inherit SIGINT as ignored.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    server = None
    builds = None
    try:
        builds = start_build_server(root)
        before = snapshot(root)
        run_build(root, jobs, [], builds)
        server = serve(root, port)
        host, real_port = server.server_address[:2]
        print(f"Serving the book at http://{host}:{real_port}/ (Ctrl-C stops)", flush=True)
        while True:
            time.sleep(interval)
            now = snapshot(root)
            if now == before:
                continue
            time.sleep(SETTLE)  # let an editor finish writing (several files at once)
            now = snapshot(root)
            changes = changed_files(before, now)
            before = now
            if builds is not None and any(c.startswith("src" + os.sep) for c in changes):
                builds.close()  # it imported the package's old code: start a fresh one
                builds = start_build_server(root)
            run_build(root, jobs, changes, builds)
    except KeyboardInterrupt:
        print(f"Preview stopped; the published site is complete in {b.PUBLISHED}/.", flush=True)
        return 0
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if builds is not None:
            builds.close()


if (
    __name__ == "__main__"
):  # the warm build process (`python -m lederuddannelse preview` is the CLI)
    if sys.argv[1:2] == ["serve-builds"] and len(sys.argv) == 3:
        build_server(sys.argv[2])
    else:
        print("usage: python -m lederuddannelse.book.preview serve-builds SOCKET", file=sys.stderr)
        sys.exit(2)
