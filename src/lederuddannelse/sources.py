"""The package's own source files, found from module names: what a cache key must cover.

A cache key that lists files by path breaks silently when a module moves (the old path is
skipped, the moved code is no longer covered). Keys here start from module *names* (the
modules a chapter's code cells import, or the data generator's module) and follow every
``import lederuddannelse...`` statement in the source, at any depth and also inside
functions, to the set of files that code can run. A name that resolves to no file is an
error, not a skip.

Static: nothing is imported, so a no-op build stays cheap. The package imports its own
modules only with plain import statements (no ``importlib`` by string), which keeps this
complete; a test checks that.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from lederuddannelse.errors import LederuddannelseError

PACKAGE = "lederuddannelse"


def package_src() -> Path:
    """The folder holding the installed ``lederuddannelse`` package (``src/``)."""
    import lederuddannelse

    return Path(lederuddannelse.__file__).resolve().parent.parent


def module_file(name: str, src: Path) -> Path:
    """The file of module ``name`` under the source folder ``src`` (``.py`` or package)."""
    base = src.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise LederuddannelseError(
        f"module '{name}' has no file under {src} (looked for {base.name}.py and "
        f"{base.name}/__init__.py); was it moved? Update the import or the module name."
    )


def _exists(name: str, src: Path) -> bool:
    base = src.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(code: str, src: Path, current: str = "") -> set[str]:
    """The package's modules that ``code`` imports (with their parent packages).

    ``from lederuddannelse.chapters import udbredelse`` names the module
    ``lederuddannelse.chapters.udbredelse`` when that is a file, else the package.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()  # the kernel reports it when the cell runs
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the current module's package
                parts = current.split(".")[: -node.level] if current else []
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names = [base]
            names += [f"{base}.{a.name}" for a in node.names if _exists(f"{base}.{a.name}", src)]
        else:
            continue
        for name in names:
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                parts = name.split(".")
                found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return found


def import_closure(
    names: set[str] | list[str] | tuple[str, ...],
    src: Path,
    known: dict[str, list[str]] | None = None,
) -> dict[str, Path]:
    """Every package module reachable from ``names`` by imports: name -> file.

    ``known`` caches each file's imports by the hash of its bytes (parsing is most of the
    cost); pass the same dict to several calls, or one kept between builds.
    """
    known = {} if known is None else known
    todo = sorted(set(names))
    files: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in files:
            continue
        path = module_file(name, src)
        files[name] = path
        is_package = path.name == "__init__.py"
        current = name + ".__init__" if is_package else name
        data = path.read_bytes()
        digest = hashlib.sha256(current.encode() + b"\0" + data).hexdigest()
        if digest not in known:
            known[digest] = sorted(imported_modules(data.decode("utf-8"), src, current))
        todo += [dep for dep in known[digest] if dep not in files]
        parent = name.rpartition(".")[0]
        if parent and parent not in files:
            todo.append(parent)
    return files


def modules_hash(
    names: set[str] | list[str] | tuple[str, ...],
    src: Path,
    known: dict[str, list[str]] | None = None,
) -> str:
    """One hash over the names and bytes of every module reachable from ``names``."""
    return closure_hash(import_closure(names, src, known))


def closure_hash(files: dict[str, Path]) -> str:
    """One hash over the names and bytes of the modules of an :func:`import_closure`."""
    h = hashlib.sha256()
    for name, path in sorted(files.items()):
        h.update(name.encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()
