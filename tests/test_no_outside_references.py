"""No docstring, comment or data file points at documents outside this repository.

A clone has only the repository: a reference to the project's working notes (a sibling
folder such as ``../shared``) or to a local path is a dead end for a reader. What a reader
needs goes into the docstring or ``docs/`` (``docs/sources.md`` says where the report, the
synthetic data and the statistics conventions come from).
"""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT

OUTSIDE = re.compile(r"\.\./shared\b|\bshared/(brief|source)/|/work/|/home/\w+|[A-Z]:\\\\Users")
SUFFIXES = {".py", ".md", ".yml", ".yaml", ".csv", ".cff", ".toml", ".cfg", ".txt", ".R", ".bib"}


def tracked_text_files():
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in out:
        path = ROOT / name
        if (
            path.suffix in SUFFIXES
            and path.is_file()
            and not name.startswith("tests/vendor/")
            and path.name != "test_no_outside_references.py"
        ):
            yield name, path


def test_nothing_points_outside_the_repository():
    found = [
        f"{name}:{i}: {line.strip()[:90]}"
        for name, path in tracked_text_files()
        for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n"), 1)
        if OUTSIDE.search(line)
    ]
    assert found == [], "references outside the repository:\n" + "\n".join(found)


def test_the_scan_finds_outside_references():
    for text in ("see ../shared/brief/x.md", "shared/source/a.txt", "/work/main/data"):
        assert OUTSIDE.search(text), text
    assert not OUTSIDE.search("see docs/sources.md and data/targets.yml")
