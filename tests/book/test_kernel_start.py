"""A chapter whose kernel cannot start stops the run at the first failure, with the reason,
quickly (issue 25, point 5): no start timeout per chapter, no other chapter started."""

from __future__ import annotations

import json
import sys
import time

import nbformat
import pytest

from lederuddannelse.book.execute import Task, execute_all


@pytest.mark.slow  # it starts (a kernel that crashes)
def test_a_kernel_that_cannot_start_stops_at_the_first_chapter(tmp_path, monkeypatch):
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    crash = "import sys; sys.stderr.write('year 3170843 is out of range\\n'); sys.exit(3)"
    argv = [sys.executable, "-c", crash, "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "broken"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    tasks = [
        Task(f"c{i}", f"chapter 'c{i}'", nbformat.writes(nb), str(tmp_path),
             str(tmp_path / f"failed-{i}.ipynb"), str(tmp_path), str(tmp_path), 600)
        for i in range(4)
    ]  # fmt: skip
    start = time.monotonic()
    results = list(execute_all(tasks, 1, {}))
    seconds = time.monotonic() - start
    assert len(results) == 1, [r.name for r in results]
    [result] = results
    assert result.fatal and "Kernel died" in result.error and "Stopped" in result.error
    assert seconds < 30, seconds
