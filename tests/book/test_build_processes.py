"""A build cannot hang, cannot leave processes or folders behind, and runs one at a time.

Each test builds a throw-away project whose one chapter (three parameter groups, two workers)
crashes, sleeps or records its pid, and drives `python -m lederuddannelse build` as a user
would: killing it, interrupting it, starting a second build. Those that start kernels are
marked slow.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from conftest import copy_project
from lederuddannelse.book import build as b
from lederuddannelse.book import execute
from lederuddannelse.book.processes import TMP_PREFIX, BuildLock
from lederuddannelse.errors import LederuddannelseError

CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Probe

```{{code-cell}} ipython3
:tags: [parameters]
{params}
```

```{{code-cell}} ipython3
import os, pathlib, time
marks = pathlib.Path({marks!r})
parent = pathlib.Path(f"/proc/{{os.getppid()}}/cmdline").read_bytes().replace(b"\\0", b" ")
(marks / str(os.getpid())).write_bytes(parent)
{body}
```
"""


def probe_project(tmp_path: Path, body: str, groups: int = 3) -> tuple[Path, Path]:
    """A project whose only chapter runs ``body`` in ``groups`` groups; returns (root, marks)."""
    from lederuddannelse.data.synthetic import generate_to_file

    root = copy_project(tmp_path / "project")
    marks = tmp_path / "marks"
    marks.mkdir()
    generate_to_file(n=300, seed=3, out=root / "data" / "probe.parquet")
    params = yaml.safe_load((root / "parameters.yml").read_text())
    write_probe(root, marks, body, params["global"])
    params["global"]["data_file"] = "data/probe.parquet"
    params["chapters"] = {"probe": {"groups": {g: {} for g in "abcdef"[:groups]}}}
    (root / "parameters.yml").write_text(yaml.safe_dump(params))
    return root, marks


def write_probe(root: Path, marks: Path, body: str, globals_: dict | None = None) -> None:
    """The probe chapter; its parameters cell takes the book's global parameters."""
    if globals_ is None:
        globals_ = yaml.safe_load((root / "parameters.yml").read_text())["global"]
    cell = "\n".join(f"{k} = {v!r}" for k, v in globals_.items())
    text = CHAPTER.format(marks=str(marks), body=body, params=cell)
    (root / "chapters" / "90_probe.md").write_text(text)


def start_build(root: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lederuddannelse", "build", "--jobs", "2", "--quiet"],
        cwd=root,
        env={**os.environ, "LEDERUDDANNELSE_ROOT": str(root), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell job would be
    )


def finish(proc: subprocess.Popen, timeout: float) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"the build did not finish within {timeout} s:\n{err[-2000:]}")
    return proc.returncode, out, err


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0]


def descendants(pid: int) -> set[int]:
    parents = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and (st := _stat(int(p.name))):
            parents[int(p.name)] = st[0]
    out, todo = set(), [pid]
    while todo:
        cur = todo.pop()
        kids = {c for c, par in parents.items() if par == cur}
        out |= kids
        todo += kids
    return out


def alive(pids: set[int]) -> set[int]:
    return {p for p in pids if (st := _stat(p)) and st[1] != "Z"}


def wait_for(cond, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def build_tmp_folders(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"{TMP_PREFIX}{pid}-*"))


def running_probe(tmp_path: Path) -> tuple[Path, Path, subprocess.Popen, set[int]]:
    """A build whose two kernels sleep; returns once both run, with all its processes."""
    root, marks = probe_project(tmp_path, "time.sleep(600)")
    proc = start_build(root)
    wait_for(lambda: len(list(marks.iterdir())) >= 2, 120, "two kernels running the chapter")
    kernels = {int(p.name) for p in marks.iterdir()}
    family = descendants(proc.pid)
    assert kernels <= family
    assert build_tmp_folders(proc.pid), "the build keeps its temporary files in its own folder"
    return root, marks, proc, family


@pytest.mark.slow
def test_a_crashing_kernel_fails_the_chapter_promptly(tmp_path):
    root, marks = probe_project(tmp_path, "os._exit(3)")
    start = time.monotonic()
    rc, _, err = finish(start_build(root), 120)
    assert rc == 1
    assert "chapter 'probe' (parameter group 'a', chapters/90_probe.md): the kernel died" in err
    assert "while running cell 3" in err
    assert "Traceback" not in err
    assert time.monotonic() - start < 60


@pytest.mark.slow
def test_the_cell_timeout_fires(tmp_path):
    root, marks = probe_project(tmp_path, "time.sleep(600)")
    start = time.monotonic()
    rc, _, err = finish(start_build(root, LEDERUDDANNELSE_CELL_TIMEOUT="3"), 120)
    assert rc == 1
    assert "cell 3 ran longer than the limit of 3 s per cell" in err
    assert "LEDERUDDANNELSE_CELL_TIMEOUT" in err
    assert "Traceback" not in err
    assert time.monotonic() - start < 60


def test_a_bad_cell_timeout_setting_is_refused(monkeypatch):
    monkeypatch.setenv(execute.ENV_CELL_TIMEOUT, "soon")
    with pytest.raises(LederuddannelseError, match="LEDERUDDANNELSE_CELL_TIMEOUT = 'soon'"):
        execute.cell_timeout()
    monkeypatch.setenv(execute.ENV_CELL_TIMEOUT, "7")
    assert execute.cell_timeout() == 7


def test_the_pool_starts_its_workers_explicitly_never_by_fork():
    assert execute.START_METHOD in ("forkserver", "spawn")


@pytest.mark.slow
def test_sigkill_takes_every_child_with_it_and_the_next_build_cleans_up(tmp_path):
    root, marks, proc, family = running_probe(tmp_path)
    (root / "_build").mkdir(exist_ok=True)
    debris = [root / "_build" / "html.new-x1", root / "_build" / "html.old-99"]
    for d in debris:
        d.mkdir()
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    wait_for(lambda: not alive(family), 15, f"the killed build's children {alive(family)} to die")
    assert build_tmp_folders(proc.pid), "SIGKILL leaves the temporary folder (no clean-up ran)"
    # The next build may run at once (the lock died with the process) and removes the debris.
    write_probe(root, marks, "raise ValueError('stop here')")
    rc, _, err = finish(start_build(root), 120)
    assert "another build" not in err
    assert "ValueError: stop here" in err
    assert not build_tmp_folders(proc.pid)
    assert not any(d.exists() for d in debris)


@pytest.mark.slow
@pytest.mark.parametrize(
    "sig, code, line",
    [
        (signal.SIGTERM, 143, "Terminated: stopped; the published site was left as it was."),
        (signal.SIGINT, 130, "Interrupted: stopped; the published site was left as it was."),
    ],
)
def test_sigterm_and_ctrl_c_stop_cleanly_with_one_line(tmp_path, sig, code, line):
    root, marks, proc, family = running_probe(tmp_path)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C reaches the terminal's whole foreground group
    else:
        os.kill(proc.pid, sig)
    rc, _, err = finish(proc, 30)
    assert rc == code
    assert err.strip() == line, err
    wait_for(lambda: not alive(family), 15, f"the build's children {alive(family)} to die")
    assert not build_tmp_folders(proc.pid)


def test_a_second_build_says_another_is_running(tmp_path):
    root = copy_project(tmp_path)
    with BuildLock(root / "build"):
        with pytest.raises(LederuddannelseError) as err:
            b.build(root, jobs=1, quiet=True)
        assert f"another build is running in this project (pid {os.getpid()};" in str(err.value)
        proc = subprocess.run(
            [sys.executable, "-m", "lederuddannelse", "build"],
            cwd=root,
            env={**os.environ, "LEDERUDDANNELSE_ROOT": str(root)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1
        assert f"another build is running in this project (pid {os.getpid()};" in proc.stderr
        assert not (root / "_build").exists(), "the second build touched nothing"


CHILD = """import subprocess
child = subprocess.Popen(["sleep", "600"])
(marks / f"child-{child.pid}").write_text("")
"""


def children_started(marks: Path) -> set[int]:
    return {int(p.name.split("-")[1]) for p in marks.glob("child-*")}


@pytest.mark.slow
def test_processes_a_chapter_cell_starts_end_with_the_build(tmp_path):
    """A finished build, and a killed one, leave no process a chapter's cell started."""
    root, marks = probe_project(tmp_path, CHILD, groups=2)
    finish(start_build(root), 180)  # both runs execute (the probe project has no book to stage)
    started = children_started(marks)
    assert len(started) == 2
    wait_for(lambda: not alive(started), 15, f"the cells' processes {alive(started)} to end")

    for p in marks.iterdir():
        p.unlink()
    write_probe(root, marks, CHILD + "time.sleep(600)")
    proc = start_build(root)
    wait_for(lambda: len(children_started(marks)) >= 2, 120, "two cells' processes running")
    started = children_started(marks)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    wait_for(lambda: not alive(started), 15, f"the cells' processes {alive(started)} to end")
