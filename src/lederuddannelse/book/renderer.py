"""The render worker: Jupyter Book imported, and Sphinx set up, while the chapters execute.

Importing Jupyter Book, Sphinx, MyST-NB, the theme and the extensions takes about a second,
as long as Sphinx's incremental build of one page; setting up Sphinx (configuration,
extensions, the pickled environment of the last render) takes another 0.15 s. A build that has
something to do (the file stamps changed) therefore starts this worker first
(``build.RenderWorker``): it does that work on the second core while the build computes keys
and runs chapters, and renders once asked. Its output is the build's to read.

The protocol is one JSON line per request on stdin: the `jupyter-book` arguments, the working
folder and the environment.

- A plain request renders at once and exits with Jupyter Book's exit code.
- A request with ``"ahead": true`` (sent when the worker starts, if the book was staged
  before) runs `jupyter-book build` up to Sphinx's build step and waits there for a second
  request, the real one. When it is the same request and nothing the set-up read has changed
  since (:class:`SetupInputs`: every file it opened and folder it listed, and the build date),
  Sphinx builds with the application already set up. Otherwise the set-up is thrown away and
  the real request renders from the start, as a plain one. Either way the output the build
  reads is that of one `jupyter-book build`.

The worker renders once and exits, so no Sphinx state outlives a build: the render is the one
a new `jupyter-book build` process does, only with its imports and set-up done earlier. It dies
with the build (``die_with_parent``); an empty line (or stdin closed) ends it without rendering.
The set-up writes nothing (Sphinx copies its static files only when their bytes differ), so a
worker killed while it waits leaves the site as it was.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

# What `jupyter-book build` imports (the extensions are set up from these modules).
PRELOAD = (
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
    "lederuddannelse.book.sphinx_ext",
    "lederuddannelse.book.citation",
)

# CSS selectors the theme compiles (soupsieve) for every page's navigation; compiled while the
# worker waits, they cost the render nothing (about 0.1 s otherwise). A selector the theme no
# longer uses only costs its compilation here.
THEME_SELECTORS = (
    "li",
    ".toc-h1",
    ".toc-h2",
    "details > a.reference",
    "details > p.caption",
    *(f"li.toctree-l{level} > details" for level in range(6)),
)


def preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional extension: Jupyter Book imports it itself if needed
            pass


def compile_theme_selectors() -> None:
    """Compile :data:`THEME_SELECTORS` the way the theme does (html.parser soup, ``select``),
    so that soupsieve's cache holds them under the same key."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup("<ul><li></li></ul>", "html.parser")
    for selector in THEME_SELECTORS:
        soup.select(selector)


class HeldOutput:
    """A text stream that keeps what is written until :meth:`release` (then writes it and
    everything after to ``stream``); a set-up thrown away takes what it wrote with it. Sphinx
    keeps the streams it was set up with, so a set-up that is used must be able to write to
    the build's pipe."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.held: list[str] | None = []

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # as a text stream does (click tests streams this way)
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self.held is None:
            return self.stream.write(text)
        self.held.append(text)
        return len(text)

    def flush(self) -> None:
        if self.held is None:
            self.stream.flush()

    def release(self) -> None:
        if self.held is not None:
            self.stream.write("".join(self.held))
            self.held = None

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno, ...
        return getattr(self.stream, name)


def _state(path: str) -> list[int] | list[str] | None:
    """A file's signature (:func:`lederuddannelse.hashing.signature`), a folder's sorted
    listing, or None when it does not exist."""
    from lederuddannelse.hashing import signature

    try:
        if os.path.isdir(path):
            return sorted(os.listdir(path))
        return signature(os.stat(path))
    except OSError:
        return None


class SetupInputs:
    """What Sphinx's set-up read: every file opened for reading and every folder listed while
    :attr:`recording` (Python's audit events), each with its state when it was first read.

    :meth:`settled` takes their states after the set-up; :meth:`unchanged` says whether they
    are still the same then (a file written while it was read makes it False) and now, and
    whether the build date is too (the pages show it).
    """

    def __init__(self) -> None:
        self.recording = False
        self.first: dict[str, Any] = {}
        self.after: dict[str, Any] = {}
        self.date = ""
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple) -> None:
        if not self.recording:
            return
        if event == "open":
            path, mode, flags = args
            reading = (
                not any(c in mode for c in "wax+")
                if isinstance(mode, str)
                else not flags & (os.O_WRONLY | os.O_RDWR)
            )
        elif event in ("os.listdir", "os.scandir"):
            path, reading = args[0], True
        else:
            return
        if not reading or not isinstance(path, (str, bytes, os.PathLike)):
            return
        name = os.path.abspath(os.fsdecode(path))
        if name not in self.first:
            self.recording = False  # _state lists folders: not a read of the set-up
            try:
                self.first[name] = _state(name)
            finally:
                self.recording = True

    def settled(self) -> None:
        self.recording = False
        from lederuddannelse.book.citation import build_date

        self.after = {name: _state(name) for name in self.first}
        self.date = build_date()

    def unchanged(self) -> bool:
        from lederuddannelse.book.citation import build_date

        return (
            self.after == self.first
            and all(_state(name) == state for name, state in self.after.items())
            and build_date() == self.date
        )


class _Stale(BaseException):
    """The set-up cannot serve the real request (Jupyter Book lets a BaseException pass)."""


# A file to which the worker writes how it rendered: "ahead" (the set-up served the request)
# or "fresh: WHY", and "waiting" while a set-up waits for the real request. For tests; unset
# in ordinary builds.
LOG_ENV = "LEDERUDDANNELSE_RENDER_LOG"


def _log(how: str) -> None:
    if os.environ.get(LOG_ENV):
        Path(os.environ[LOG_ENV]).write_text(how + "\n", encoding="utf-8")


def _jupyter_book(request: dict[str, Any]) -> int:
    """`jupyter-book build` as the request says, in this process; its exit code."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    from jupyter_book.cli.main import main as jupyter_book

    try:
        jupyter_book(request["args"], prog_name="jupyter-book")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def _read_request() -> dict[str, Any] | None:
    line = sys.stdin.readline()
    return json.loads(line) if line.strip() else None


def render_ahead(ahead: dict[str, Any]) -> int:
    """Set Sphinx up for ``ahead`` now; render when the real request comes (see the module
    docstring). Sphinx's set-up and build are those of one `jupyter-book build`."""
    from sphinx.application import Sphinx

    build = Sphinx.build
    inputs = SetupInputs()
    out, err = sys.stdout, sys.stderr
    held = HeldOutput(out)
    real: dict[str, Any] | None = None
    why = "the set-up failed"

    def build_when_asked(app, *args, **kwargs):
        nonlocal real
        inputs.settled()
        compile_theme_selectors()
        _log("waiting")
        real = _read_request()
        if real is None:
            raise SystemExit(0)
        same = {k: real[k] for k in ("args", "cwd", "env")} == {
            k: ahead[k] for k in ("args", "cwd", "env")
        }
        if not same:
            raise _Stale("another request")
        if not inputs.unchanged():
            raise _Stale("what the set-up read has changed")
        _log("ahead")
        held.release()
        Sphinx.build = build
        return build(app, *args, **kwargs)

    Sphinx.build = build_when_asked
    sys.stdout = sys.stderr = held
    inputs.recording = True
    try:
        code = _jupyter_book(ahead)
    except _Stale as exc:
        code, why = None, str(exc)
    finally:
        inputs.recording = False
        sys.stdout, sys.stderr = out, err
        Sphinx.build = build
    if real is None and held.held is not None:  # the set-up failed before Sphinx's build
        real = _read_request()
        if real is None:
            return 0
        code = None
    if code is None:  # render the real request from the start
        _log(f"fresh: {why}")
        return _jupyter_book(real)
    return code


def main() -> int:
    from lederuddannelse.book.processes import die_with_parent

    die_with_parent()
    preload()
    request = _read_request()
    if request is None:
        return 0
    if request.get("ahead"):
        return render_ahead(request)
    return _jupyter_book(request)


class ForkedWorker:
    """The render worker as a fork of this process, for a process that has Jupyter Book
    imported already (`preview`'s warm build process): the set-up starts at once instead of
    after a second of imports. The same protocol on pipes, and the parts of
    :class:`subprocess.Popen` the build uses (``stdin``, ``stdout``, ``poll``, ``wait``,
    ``kill``). The fork has no threads to lose: the warm build process has none."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        from lederuddannelse.book.processes import exit_forked_child

        requests, self_in = os.pipe()
        self_out, output = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit

            def work() -> None:
                os.dup2(requests, 0)
                os.dup2(output, 1)
                os.dup2(output, 2)
                for fd in (requests, self_in, self_out, output):
                    os.close(fd)
                os.chdir(cwd)
                os.environ.clear()
                os.environ.update(env)
                raise SystemExit(main())

            exit_forked_child(work)
        os.close(requests)
        os.close(output)
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = os.fdopen(self_in, "wb")
        self.stdout = os.fdopen(self_out, "rb")

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        import signal

        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)


def setup_worth_doing(stage: Path) -> bool:
    """Whether a worker should set Sphinx up ahead: the book was staged before (a first build
    has no configuration to set up from; it renders when asked)."""
    return (stage / "_config.yml").is_file() and (stage / "_toc.yml").is_file()


if __name__ == "__main__":
    from lederuddannelse.book.processes import exit_at_once

    exit_at_once(main())
