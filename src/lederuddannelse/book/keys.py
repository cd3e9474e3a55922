"""What a run's execution depends on, as one digest that enters jupyter-cache's match.

jupyter-cache matches an executed notebook by its code cells. What the code cells do not show
enters them: the build injects, with the run's parameters, ``build_digest``, a hash of

- the data file's bytes (and its mapping's, and a CSV's metadata sidecar),
- the package modules the chapter's code imports, followed import by import from their names
  (:mod:`lederuddannelse.sources`, so a moved module is still covered),
- the package's data files (codebook, margins, targets) and `requirements.lock`,
- the parameters and the kernel,
- for the chapters that describe the book's own pages (:data:`READS_PARAMETERS_FILE`), the
  whole `parameters.yml`: a group added or removed elsewhere changes what they list.

So a changed code cell, parameter, data file, imported module or lock misses the cache and
executes; a prose edit matches and is merged from the cache without a kernel.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lederuddannelse.book.notebooks import write_if_changed
from lederuddannelse.book.stamps import BUILD_DIR
from lederuddannelse.hashing import sha256_file, tree_hash
from lederuddannelse.params import PARAMETERS_FILE, Run, resolve_data_file, resolve_mapping_file
from lederuddannelse.paths import package_data_files
from lederuddannelse.sources import closure_hash, import_closure, imported_modules

KERNEL = "python3"
DIGEST_PARAMETER = "build_digest"
IMPORTS_FILE = "imports.json"  # build/imports.json: the imports of each chapter and module version

#: The chapter modules whose code reads `parameters.yml` when it runs (to list and link the
#: book's pages): a run importing one depends on the whole file, not only on its own
#: parameters. A test keeps this list equal to the chapter modules that call
#: ``load_parameters``.
READS_PARAMETERS_FILE = ("lederuddannelse.chapters.appendiks", "lederuddannelse.chapters.holder")


def package_hash(root: Path) -> str:
    """The package's whole source and its data files (part of the site's key: the Sphinx
    extension is part of the package)."""
    pkg = root / "src" / "lederuddannelse"
    return tree_hash([*pkg.rglob("*.py"), *pkg.rglob("*.po"), *package_data_files(root)], root)


def code_imports(nb: Any, src: Path) -> list[str]:
    """The package's modules that the notebook's code cells import."""
    found: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            code = "\n".join(
                "" if line.lstrip().startswith(("%", "!")) else line
                for line in cell.source.splitlines()
            )
            found |= imported_modules(code, src)
    return sorted(found)


@dataclass
class Dependencies:
    """What the runs depend on besides their code and parameters, each hashed once."""

    root: Path
    lock: str
    package_data: str
    hashes: dict[str, str] = field(default_factory=dict)
    imports: dict[str, list[str]] = field(default_factory=dict)  # by the file's hash

    @classmethod
    def of(cls, root: Path) -> "Dependencies":
        lock = root / "requirements.lock"
        lock_hash = sha256_file(lock) if lock.exists() else "-"
        deps = cls(root, lock_hash, tree_hash(package_data_files(root), root))
        with contextlib.suppress(OSError, ValueError):
            stored = json.loads((root / BUILD_DIR / IMPORTS_FILE).read_text("utf-8"))
            deps.imports.update(stored if isinstance(stored, dict) else {})
        return deps

    def _save_imports(self) -> None:
        text = json.dumps(self.imports, indent=0, sort_keys=True)
        write_if_changed(self.root / BUILD_DIR / IMPORTS_FILE, text)

    def file_hash(self, path: Path | None) -> str:
        if path is None or not path.is_file():
            return "-"
        if str(path) not in self.hashes:
            self.hashes[str(path)] = sha256_file(path)
        return self.hashes[str(path)]

    def data_hash(self, params: dict[str, Any]) -> str:
        """The data's identity: the file's SHA-256, plus its mapping's when there is one."""
        digest = self.file_hash(resolve_data_file(params["data_file"], self.root))
        mapping = resolve_mapping_file(params.get("data_mapping", "none"), self.root)
        return digest if mapping is None else f"{digest}+{self.file_hash(mapping)}"

    def chapter_imports(self, source: Path, read) -> list[str]:
        """The imports of a chapter's code (``read`` reads the chapter as a notebook)."""
        digest = self.file_hash(source)
        if digest not in self.imports:
            self.imports[digest] = code_imports(read(source), self.root / "src")
            self._save_imports()
        return self.imports[digest]

    def closure(self, names: list[str]) -> dict[str, Path]:
        """The modules ``names`` import, followed import by import (each file parsed once per
        version: the imports are kept in `build/`)."""
        before = len(self.imports)
        files = import_closure(names, self.root / "src", self.imports)
        if len(self.imports) != before:
            self._save_imports()
        return files

    def digest(self, run: Run, read) -> str:
        """The run's ``build_digest`` (see the module docstring)."""
        data_file = resolve_data_file(run.params["data_file"], self.root)
        modules = self.closure(self.chapter_imports(run.source, read))
        payload = {
            "params": run.params,
            "kernel": KERNEL,
            "data": self.data_hash(run.params),
            "sidecar": self.file_hash(Path(f"{data_file}.meta.json")),
            "modules": closure_hash(modules),
            "package_data": self.package_data,
            "lock": self.lock,
        }
        if any(name in modules for name in READS_PARAMETERS_FILE):
            payload["parameters_file"] = self.file_hash(self.root / PARAMETERS_FILE)
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def key_form(nb: Any) -> Any:
    """The notebook as jupyter-cache hashes it here: code cells and their sources only (cell
    metadata such as tags and papermill's timings do not change what the code computes)."""
    import copy

    out = copy.deepcopy(nb)
    out.metadata = {k: v for k, v in out.metadata.items() if k == "language_info"}
    for cell in out.cells:
        cell.metadata = {}
    return out
