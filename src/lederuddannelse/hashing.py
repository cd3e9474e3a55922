"""Content hashes (the cache keys of the build, the data fingerprint shown on every page) and
the file signature that stands in for a hash when a file is unchanged."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_file(path: Path | str) -> str:
    """SHA-256 of a file's bytes, read in blocks (data files may be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def signature(st: os.stat_result) -> list[int]:
    """A file's inode, size, modification and change time: any write or replacement changes
    it (the ctime cannot be set back by a program). Equal signatures: the same bytes."""
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def tree_hash(paths: list[Path], root: Path) -> str:
    """One hash over the names and contents of ``paths`` (sorted)."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()
