"""The no-op check by file stamps: nothing changed means no hashing; any change is seen."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import copy_project
from lederuddannelse.book import build as b
from lederuddannelse.book import stamps

OPTIONS = ["None", None, None]


def built(tmp_path):
    """A project copy with a published site and the stamp a finished build records."""
    root = copy_project(tmp_path)
    site = root / b.PUBLISHED
    site.mkdir(parents=True)
    (site / "index.html").write_text("<p>site</p>")
    b.record_stamp(root, stamps.input_stamp(root, OPTIONS, []), [], [])
    return root


def test_nothing_changed_is_a_noop_and_the_command_line_stops_there(tmp_path):
    root = built(tmp_path)
    assert stamps.unchanged(root, OPTIONS)[0]
    assert not stamps.unchanged(root, ["None", "data/other.csv", None])[0], "other options"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from lederuddannelse.cli import main; sys.exit(main(['build']))",
        ],
        cwd=root,
        env={**os.environ, "LEDERUDDANNELSE_ROOT": str(root)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Nothing changed since the last build" in out


def test_an_edit_is_seen_even_with_the_same_size_and_modification_time(tmp_path):
    """The change time cannot be set back: an edit that restores size and mtime is seen."""
    root = built(tmp_path)
    chapter = next((root / "chapters").glob("*.md"))
    st = chapter.stat()
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text[:-1] + ("x" if text[-1] != "x" else "y"), encoding="utf-8")
    os.utime(chapter, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert chapter.stat().st_size == st.st_size
    assert not stamps.unchanged(root, OPTIONS)[0]


def test_published_files_new_files_and_deletions_are_seen(tmp_path):
    root = built(tmp_path)
    (root / b.PUBLISHED / "index.html").write_text("<p>tampered</p>")
    assert not stamps.unchanged(root, OPTIONS)[0]
    root = built(tmp_path / "2")
    (root / b.PUBLISHED / "notes.ipynb").write_text("{}")
    assert not stamps.unchanged(root, OPTIONS)[0]
    root = built(tmp_path / "3")
    next((root / "src").rglob("*.py")).unlink()
    assert not stamps.unchanged(root, OPTIONS)[0]


def test_an_edit_during_the_build_is_not_taken_for_a_noop(tmp_path):
    """The input stamp is taken when the build starts: a file saved while it runs (after it
    was read) leaves the next build something to do."""
    root = built(tmp_path)
    at_start = stamps.input_stamp(root, OPTIONS, [])
    (root / "parameters.yml").write_text((root / "parameters.yml").read_text() + "\n")
    b.record_stamp(root, at_start, [], [])
    assert not stamps.unchanged(root, OPTIONS)[0]
