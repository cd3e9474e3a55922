"""The render worker sets Sphinx up ahead and renders the real request as one `jupyter-book
build` would: with the set-up when nothing it read has changed, else from the start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT
from lederuddannelse.book import build as b
from lederuddannelse.book.renderer import LOG_ENV, HeldOutput, SetupInputs
from lederuddannelse.params import load_parameters


class Stream:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_held_output_keeps_the_text_until_released():
    stream = Stream()
    held = HeldOutput(stream)
    held.write("Running ")
    assert stream.text == ""
    held.release()
    held.write("done")
    assert stream.text == "Running done"


def test_held_output_refuses_bytes_as_a_text_stream_does():
    """click writes bytes to a stream that takes them (it tests with b""): Jupyter Book's
    messages would then be bytes among the text."""
    with pytest.raises(TypeError):
        HeldOutput(Stream()).write(b"")


def test_setup_inputs_notice_a_rewritten_file_a_new_file_in_a_listed_folder_and_a_new_date(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764460800")
    read, listed, written = tmp_path / "config.yml", tmp_path / "pages", tmp_path / "out.txt"
    read.write_text("a: 1\n")
    listed.mkdir()
    inputs = SetupInputs()
    inputs.recording = True
    read.read_text()
    os.listdir(listed)
    written.write_text("written, not read")
    inputs.settled()
    assert sorted(inputs.first) == [str(read), str(listed)]
    assert inputs.unchanged()

    written.write_text("again")  # not an input
    assert inputs.unchanged()
    (listed / "new.ipynb").write_text("{}")
    assert not inputs.unchanged()
    (listed / "new.ipynb").unlink()
    assert inputs.unchanged()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1764460800 + 86400))  # the pages show the date
    assert not inputs.unchanged()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764460800")
    assert inputs.unchanged()
    copy = tmp_path / "copy.yml"
    shutil.copyfile(read, copy)
    copy.replace(read)  # the same bytes, written anew (stage files are written only on change)
    assert not inputs.unchanged()


def test_a_file_changed_while_the_set_up_read_it_makes_it_stale(tmp_path):
    read = tmp_path / "data.parquet"
    read.write_text("old")
    inputs = SetupInputs()
    inputs.recording = True
    read.read_text()
    read.write_text("new, written by the build while Sphinx was being set up")
    inputs.settled()
    assert not inputs.unchanged()


def _worker(root: Path, log: Path) -> tuple[subprocess.Popen, dict, dict]:
    params = load_parameters(root / "parameters.yml")
    env = b.render_env(root, {**b.data_env(params.globals), LOG_ENV: str(log)})
    args = b.jupyter_book_args(root / b.BUILD_DIR / b.STAGE, root)
    proc = b.render_worker_process(root, env)
    return proc, {"args": args, "cwd": str(root), "env": env}, env


def _send(proc: subprocess.Popen, request: dict) -> None:
    proc.stdin.write(json.dumps(request).encode() + b"\n")
    proc.stdin.flush()


def _wait_for(log: Path, what: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not (log.is_file() and log.read_text().strip() == what):
        assert proc.poll() is None, proc.stdout.read().decode()
        assert time.monotonic() < deadline, f"the worker never reached {what!r}"
        time.sleep(0.05)


@pytest.mark.book
@pytest.mark.parametrize(
    "case, how",
    [
        ("same", "ahead"),
        ("another request", "fresh: another request"),
        ("an input changed", "fresh: what the set-up read has changed"),
        ("the set-up failed", "fresh: the set-up failed"),
    ],
)
def test_a_worker_set_up_ahead_renders_the_real_request(built_book, tmp_path, case, how):
    root = tmp_path / "project"
    shutil.copytree(built_book[0], root, symlinks=True)
    log = tmp_path / "render.log"
    page = root / b.BUILD_DIR / b.STAGE / "appendiks-alle.ipynb"
    proc, request, env = _worker(root, log)
    ahead = {**request, "ahead": True}
    if case == "the set-up failed":
        stage, missing = str(root / b.BUILD_DIR / b.STAGE), str(tmp_path / "no-such-stage")
        ahead["args"] = [missing if a == stage else a for a in ahead["args"]]
    _send(proc, ahead)
    if case != "the set-up failed":
        _wait_for(log, "waiting", proc)
    if case == "another request":
        request = {**request, "env": {**env, "LEDERUDDANNELSE_OTHER": "1"}}
    if case == "an input changed":
        toc = root / b.BUILD_DIR / b.STAGE / "_toc.yml"
        shutil.copyfile(toc, tmp_path / "toc.yml")
        (tmp_path / "toc.yml").replace(toc)  # the same bytes, a new file
    page.touch()  # the page the build re-executed
    _send(proc, request)
    proc.stdin.close()
    out = proc.stdout.read().decode()
    assert proc.wait(timeout=120) == 0, out
    assert log.read_text().strip() == how
    # the output of one `jupyter-book build`: a discarded set-up's is not in it
    assert out.count("Running Jupyter-Book") == 1, out
    assert "no-such-stage" not in out
    html = root / b.BUILD_DIR / b.SITE / "_build" / "html" / "appendiks-alle.html"
    assert html.stat().st_mtime >= page.stat().st_mtime, "the page was rendered again"


@pytest.mark.book
def test_a_build_of_one_changed_chapter_renders_with_the_set_up_made_ahead(
    built_book, tmp_path, monkeypatch
):
    root = tmp_path / "project"
    shutil.copytree(built_book[0], root, symlinks=True)
    shutil.copytree(ROOT / "chapters", root / "chapters", dirs_exist_ok=True)  # as committed
    log = tmp_path / "render.log"
    monkeypatch.setenv("LEDERUDDANNELSE_ROOT", str(root))
    monkeypatch.setenv(LOG_ENV, str(log))
    b.build(root, jobs=2, quiet=True)  # other tests edit the shared book's chapters
    chapter = root / "chapters" / "09_appendiks.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\n```{code-cell} ipython3\nx = 1\n```\n",
        encoding="utf-8",
    )
    report = b.build(root, jobs=2, quiet=True)
    assert list(report.executed) == ["appendiks-alle"] and report.rendered
    assert log.read_text().strip() == "ahead"
    compiled = list((root / b.BUILD_DIR / b.SITE / "_build" / "jinja-bytecode").iterdir())
    assert compiled, "the theme's compiled templates are kept for the next render"
