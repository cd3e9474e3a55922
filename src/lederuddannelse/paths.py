"""Where things live in the project, found from the package's own location or the CWD."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path


def find_project_root() -> Path | None:
    """The folder holding `_config.yml`, or None outside a project (an installed package run
    from any folder).

    Looked up from ``LEDERUDDANNELSE_ROOT``, then from the current directory upwards, then
    from this file upwards (editable install), so notebooks executed in a build folder still
    find the codebook and margins.
    """
    env = os.environ.get("LEDERUDDANNELSE_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "_config.yml").is_file() and (folder / "chapters").is_dir():
                return folder
    return None


def project_root() -> Path:
    """The folder holding `_config.yml` (see :func:`find_project_root`)."""
    root = find_project_root()
    if root is None:
        raise FileNotFoundError(
            "Cannot find the project folder (one with _config.yml and chapters/); "
            "set LEDERUDDANNELSE_ROOT to it."
        )
    return root


#: The book's default data file, relative to the project folder (generated, gitignored).
EMBEDDED_DATA_PATH = Path("data") / "generated" / "synthetic-survey.parquet"
#: The module that generates it (its imports are followed for the file's cache key).
EMBEDDED_DATA_GENERATOR = "lederuddannelse.data.synthetic"


#: The package's data files in an installed package (data/ in the repository; pyproject.toml
#: ships them as the package ``lederuddannelse.resources``).
PACKAGE_DATA = "resources"


def embedded_data_path() -> Path:
    """The book's default data file: in the current project, or, for an installed package run
    outside a project, in the user's cache folder (``$XDG_CACHE_HOME/lederuddannelse``)."""
    root = find_project_root()
    if root is not None:
        return root / EMBEDDED_DATA_PATH
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "lederuddannelse" / EMBEDDED_DATA_PATH.name


def data_dir() -> Path:
    """The folder of the codebook, targets and margins: the project's data/, or, outside a
    project, the installed package's own copy (importlib.resources)."""
    root = find_project_root()
    if root is not None:
        return root / "data"
    folder = importlib.resources.files(__package__) / PACKAGE_DATA
    if not isinstance(folder, Path) or not folder.is_dir():
        raise FileNotFoundError(
            "Cannot find the project folder (one with _config.yml and chapters/) nor the "
            f"package's data files ({folder}); reinstall the package or set LEDERUDDANNELSE_ROOT."
        )
    return folder


def package_data_files(root: Path) -> list[Path]:
    """The data files the package reads (codebook, margins, targets), not generated data."""
    folder = root / "data"
    return [p for p in folder.glob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".csv"}]
