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


def run_build(root: Path, jobs: int, changes: list[str]) -> None:
    """One build in a child process (its own process group), summarised in one line.

    A child process picks up edits of the package's own build code, and Ctrl-C can stop it
    with everything it started (pool workers, the warm-kernel process) before it publishes.
    """
    report_file = root / b.BUILD_DIR / "preview-report.json"
    report_file.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "lederuddannelse", "build", "--jobs", str(jobs), "--quiet"]
    cmd += ["--report-json", str(report_file)]
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate()
    except KeyboardInterrupt:
        stop_process_group(proc)
        raise
    when = time.strftime("%H:%M:%S")
    if proc.returncode != 0 or not report_file.exists():
        message = output.strip().removeprefix("error: ")
        print(
            f"[{when}] {_describe(changes) or 'start'}: build FAILED; still serving the last "
            f"good site.\n{message}",
            flush=True,
        )
        return
    print(rebuild_line(changes, b.BuildReport.read_json(report_file)), flush=True)


def stop_process_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the build's process group, then SIGKILL what is left after ``grace`` s."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def preview(root: Path, port: int = 8000, jobs: int = 2, interval: float = 0.5) -> int:
    """Build, serve and rebuild until Ctrl-C (SIGINT) or SIGTERM; returns the exit code."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    # Explicitly: a process started in the background may inherit SIGINT as ignored.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    server = None
    try:
        before = snapshot(root)
        run_build(root, jobs, [])
        server = serve(root, port)
        host, real_port = server.server_address[:2]
        print(f"Serving the book at http://{host}:{real_port}/ (Ctrl-C stops)", flush=True)
        while True:
            time.sleep(interval)
            now = snapshot(root)
            if now == before:
                continue
            time.sleep(interval / 2)  # let an editor finish writing (several files at once)
            now = snapshot(root)
            changes = changed_files(before, now)
            before = now
            run_build(root, jobs, changes)
    except KeyboardInterrupt:
        print(f"Preview stopped; the published site is complete in {b.PUBLISHED}/.", flush=True)
        return 0
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":  # pragma: no cover - `python -m lederuddannelse preview` is the CLI
    from lederuddannelse.paths import project_root

    sys.exit(preview(project_root()))
