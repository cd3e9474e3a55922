"""Where things live in the project, found from the package's own location or the CWD."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder holding `_config.yml`.

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
    raise FileNotFoundError(
        "Cannot find the project folder (one with _config.yml and chapters/); "
        "set LEDERUDDANNELSE_ROOT to it."
    )


#: The book's default data file, relative to the project folder (generated, gitignored).
EMBEDDED_DATA_PATH = Path("data") / "generated" / "synthetic-survey.parquet"
#: The module that generates it (its imports are followed for the file's cache key).
EMBEDDED_DATA_GENERATOR = "lederuddannelse.data.synthetic"


def embedded_data_path() -> Path:
    """The book's default data file in the current project."""
    return project_root() / EMBEDDED_DATA_PATH


def data_dir() -> Path:
    return project_root() / "data"


def package_data_files(root: Path) -> list[Path]:
    """The data files the package reads (codebook, margins, targets), not generated data."""
    folder = root / "data"
    return [p for p in folder.glob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".csv"}]
