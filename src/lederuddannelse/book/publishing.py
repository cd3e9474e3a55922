"""Publishing the site to `_build/html`: atomically, verifiably, with no debris left behind.

Why not two renames (old away, new in): a crash between them leaves no site at all. Instead the
new site is copied beside the published one (`_build/html.new-*`) and the two folders are
*exchanged* in one system call (Linux ``renameat2(RENAME_EXCHANGE)``): at every instant
`_build/html` is either the complete old or the complete new site, and it stays an ordinary
folder (hosting uploads, ``tar`` and ``file://`` reading all see a real directory, not a
symlink). Where the exchange is not available (another OS or a file system without it) the
two renames are used, and the next build restores a site left unpublished between them.

Every published site carries a manifest (path -> SHA-256 of every file), so that a build that
finds nothing to render can still check that nobody changed the published tree (a notebook
written into it by mistake, a deleted page) and republish it when they did.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from lederuddannelse.book.notebooks import write_if_changed
from lederuddannelse.hashing import sha256_file, signature

SITE_KEY_FILE = ".build-key"
MANIFEST_FILE = ".build-manifest.json"
PUBLISHED_STATS = "published-stats.json"  # beside the rendered site: see copy_site
NEW_PREFIX = "html.new-"
OLD_PREFIX = "html.old-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step (the C library's ``renameat2``); False if the
    system cannot do that (not Linux/glibc, or a file system without it)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    rc = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, f"cannot exchange {a} and {b}: {os.strerror(err)}")


def file_digests(site: Path) -> dict[str, str]:
    """Path (relative, '/'-separated) -> SHA-256 of every file of a site but its own records."""
    out: dict[str, str] = {}
    for p in sorted(site.rglob("*")):
        if p.is_file() and p.parent == site and p.name in (SITE_KEY_FILE, MANIFEST_FILE):
            continue
        if p.is_file() or p.is_symlink():
            out[p.relative_to(site).as_posix()] = sha256_file(p)
    return out


def site_intact(site: Path, key: str) -> bool:
    """True if ``site`` is the published build ``key`` with every file as it was published."""
    try:
        if (site / SITE_KEY_FILE).read_text().strip() != key:
            return False
        manifest = json.loads((site / MANIFEST_FILE).read_text(encoding="utf-8"))
        return manifest == file_digests(site)
    except (OSError, ValueError):
        return False


def clean_stale(target: Path) -> list[Path]:
    """Remove what an interrupted publish left beside ``target`` (call with the build lock held).

    If ``target`` is missing but an old site is there (a crash between the two renames of the
    fallback), that site is put back first: a reader must never find no site.
    """
    parent = target.parent
    if not parent.is_dir():
        return []
    olds = sorted(parent.glob(OLD_PREFIX + "*"), key=lambda p: p.stat().st_mtime)
    if not target.exists() and olds:
        olds.pop().rename(target)
    removed = []
    for p in [*olds, *parent.glob(NEW_PREFIX + "*")]:
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() and not p.is_symlink() else p.unlink()
        removed.append(p)
    return removed


def copy_site(html: Path, dest: Path, previous: Path) -> dict[str, str]:
    """Copy the rendered site into ``dest`` and return its manifest (path -> SHA-256).

    A page edit changes a few files of a 12 MB site, and copying all of it cost about a second:
    a file with the digest the previous site's manifest records, untouched since that site was
    published, becomes a hard link to it (never into Sphinx's output, which Sphinx rewrites in
    place). A rendered file whose inode, size and times are those recorded when it was last
    published (`published-stats.json` beside ``html``) is not read again.
    """
    try:
        manifest_file = previous / MANIFEST_FILE
        published_ns = manifest_file.stat().st_mtime_ns
        before = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        published_ns, before = 0, {}
    stats_file = html.parent / PUBLISHED_STATS
    try:
        seen = json.loads(stats_file.read_text(encoding="utf-8")) if before else {}
    except (OSError, ValueError):
        seen = {}
    digests: dict[str, str] = {}
    stats: dict[str, list] = {}

    def link_or_copy(src: str, dst: str) -> str:
        rel = Path(dst).relative_to(dest).as_posix()
        sig = signature(os.stat(src))
        known = seen.get(rel)
        data = None
        if known and known[0] == sig and before.get(rel) == known[1]:
            digest, size = known[1], sig[1]
        else:
            data = Path(src).read_bytes()
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
        digests[rel], stats[rel] = digest, [sig, digest]
        old = previous / rel
        try:
            if before.get(rel) == digest and not old.is_symlink():
                ost = old.stat()
                if ost.st_size == size and ost.st_mtime_ns <= published_ns:
                    os.link(old, dst)
                    return dst
        except OSError:  # gone, another file system, or links not allowed: copy
            pass
        Path(dst).write_bytes(Path(src).read_bytes() if data is None else data)
        shutil.copystat(src, dst)
        return dst

    shutil.copytree(html, dest, dirs_exist_ok=True, copy_function=link_or_copy)
    with contextlib.suppress(OSError):  # only a shortcut for the next publish
        write_if_changed(stats_file, json.dumps(stats))
    return digests


def publish(html: Path, target: Path, key: str) -> Path:
    """Copy the site ``html`` to ``target`` in one atomic step: never half a site, never none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=NEW_PREFIX, dir=target.parent))
    try:
        manifest = copy_site(html, new, previous=target)
        (new / MANIFEST_FILE).write_text(json.dumps(manifest, indent=0, sort_keys=True) + "\n")
        (new / SITE_KEY_FILE).write_text(key + "\n")
        new.chmod(0o755)  # mkdtemp makes it private; a published site is for reading
        if target.is_symlink() or not target.exists():
            if target.is_symlink():
                target.unlink()
            new.rename(target)
            return target
        if exchange(new, target):
            return target  # ``new`` now holds the old site: removed below
        old = target.with_name(f"{OLD_PREFIX}{os.getpid()}")
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return target
    finally:
        shutil.rmtree(new, ignore_errors=True)  # gone once renamed into place


def inside(path: Path, folder: Path) -> bool:
    """True if ``path`` is ``folder`` or lies inside it (after resolving symlinks)."""
    p, f = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return p == f or f in p.parents
