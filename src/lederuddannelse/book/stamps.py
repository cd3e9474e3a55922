"""The no-op check: has anything a build reads or publishes changed since the last build?

A rebuild with nothing to do should cost little more than starting Python, less than hashing
the sources and the site (the build's real check: the runs' digests and
``publishing.site_intact``). So every build first compares *stamps*: the inode, size,
modification and change time of every input file (the project's files and folders, the data
files outside it) and output file (the published site, the staged notebooks), recorded when the
last build finished. A write, a replacement, a deletion or a new file changes them (the change
time cannot be set back by a program). When all are the same, the last build's outcome stands.

Light on purpose: `python -m lederuddannelse build` imports this module, not the build, when
nothing changed (:func:`quick_noop`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from lederuddannelse.hashing import signature

BUILD_DIR = "build"
STAGE = "book"  # build/book: executed notebooks + generated config: the book's source
PUBLISHED = Path("_build") / "html"

# What a build reads: copied by the tests and the benchmark into throw-away projects.
PROJECT_FILES = (
    "_config.yml",
    "_toc.yml",
    "parameters.yml",
    "requirements.lock",
    "references.bib",
    "citation.yml",
    "CITATION.cff",
)
PROJECT_TREES = ("chapters", "data", "_static", "_templates", "locale", "src")

NOOP_STAMP = "noop-stamp.json"  # build/noop-stamp.json: file stamps after the last build


def _file_stamps(paths: list[Path], base: Path) -> list[list[Any]]:
    """(path, :func:`signature`) of each existing file: any write, replacement, deletion or
    new file changes the list."""
    out = []
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            out.append([str(p), None])
            continue
        out.append([os.path.relpath(p, base), *signature(st)])
    return out


def _tree_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` (sorted; no caches of the interpreter)."""
    out = []
    stack = [str(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if e.name != "__pycache__":
                    stack.append(e.path)
            else:
                out.append(Path(e.path))
    return sorted(out)


def input_stamp(root: Path, options: list[Any], extra: list[str]) -> str:
    """One hash of the stamps of everything a build reads, and of how it was called.

    ``extra``: files outside the project the last build read (its data and mapping files).
    """
    files = [root / n for n in PROJECT_FILES] + sorted(root.glob("*.md"))
    for tree in PROJECT_TREES:
        files += _tree_files(root / tree)
    files += [Path(e) for e in extra]
    payload = [options, sys.executable, _file_stamps(files, root)]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def output_stamp(root: Path) -> str:
    """One hash of the stamps of the published site's files and of the staged book (the
    executed notebooks the next build compares its keys with)."""
    files = _tree_files(root / PUBLISHED) + _tree_files(root / BUILD_DIR / STAGE)
    return hashlib.sha256(json.dumps(_file_stamps(files, root)).encode()).hexdigest()


def unchanged(root: Path, options: list[Any]) -> tuple[bool, str, list[str]]:
    """Whether nothing a build reads or publishes changed since the last complete build;
    returns (unchanged, this build's input stamp, the extra files), to record at the end."""
    try:
        last = json.loads((root / BUILD_DIR / NOOP_STAMP).read_text(encoding="utf-8"))
        extra = [str(e) for e in last["extra"]]
    except (OSError, ValueError, KeyError, TypeError):
        return False, "", []
    stamp = input_stamp(root, options, extra)
    same = last.get("inputs") == stamp and last.get("outputs") == output_stamp(root)
    return same, stamp, extra


def quick_noop(root: Path, options: list[Any], report_json: Path | None = None) -> bool:
    """The command line's no-op: True (and the build's report written) if nothing changed.

    Holds the build lock while it looks. False, so that the whole build runs, when anything
    changed or an interrupted build left something to clean up.
    """
    import time

    from lederuddannelse.book.processes import BuildLock, stale_tmp
    from lederuddannelse.book.publishing import NEW_PREFIX, OLD_PREFIX

    start = time.perf_counter()
    if not (root / BUILD_DIR / NOOP_STAMP).is_file():
        return False
    with BuildLock(root / BUILD_DIR):
        site = root / PUBLISHED
        if any(site.parent.glob(NEW_PREFIX + "*")) or any(site.parent.glob(OLD_PREFIX + "*")):
            return False
        if stale_tmp() or not unchanged(root, options)[0]:
            return False
    if report_json is not None:  # for build.BuildReport.read_json (the rest: defaults)
        seconds = time.perf_counter() - start
        report = {"executed": {}, "rendered": False, "seconds": seconds, "site": str(site)}
        report_json.write_text(json.dumps(report, indent=1, sort_keys=True), encoding="utf-8")
    return True
