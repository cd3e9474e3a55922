"""What a command is given, checked before any work: environment variables, output files and
numbers on the command line. Each check raises :class:`ParameterError` with one line naming the
input and what it may be; an unexpected error is written to a log under ``build/logs/``
(:func:`write_crash_log`) so that no traceback reaches the terminal.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import traceback
from pathlib import Path

from lederuddannelse.errors import ParameterError

#: Every environment variable the package reads, with what it may be (README lists them).
ENVIRONMENT = {
    "SOURCE_DATE_EPOCH": "the build date the pages show, seconds since 1970-01-01 UTC "
    "(a whole number from 0 to 253402300799, i.e. up to the year 9999)",
    "LEDERUDDANNELSE_CELL_TIMEOUT": "seconds one notebook cell may run (a whole number above 0)",
    "LEDERUDDANNELSE_ROOT": "the project folder (one with _config.yml and chapters/)",
    "LEDERUDDANNELSE_DATA_FILE": "set by the build for the render: the data file",
    "LEDERUDDANNELSE_DATA_MAPPING": "set by the build for the render: the mapping file",
    "LEDERUDDANNELSE_KERNEL_DIR": "set by the build for each kernel: its socket folder",
    "LEDERUDDANNELSE_BUILD_TMP": "set by the build: its temporary folder",
    "LEDERUDDANNELSE_CHARTS": "set by the build for each kernel: 'site' (charts for the site)",
    "XDG_CACHE_HOME": "the user's cache folder (default ~/.cache): an installed package run "
    "outside a project generates the synthetic survey in its lederuddannelse/ folder",
}
#: The last second the build date can show (datetime's year 9999).
MAX_EPOCH = int(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc).timestamp())
#: Folder (under the project) of the tracebacks of unexpected errors.
LOGS = Path("build") / "logs"


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as an integer within the years a page can show, or None."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        epoch = int(value)
    except ValueError:
        epoch = -1
    if not 0 <= epoch <= MAX_EPOCH:
        raise ParameterError(
            f"SOURCE_DATE_EPOCH = {value!r}: expected a whole number of seconds from 0 to "
            f"{MAX_EPOCH} (the build date, 1970 to 9999)."
        )
    return epoch


def check_environment() -> None:
    """Check every environment variable a user may set (see :data:`ENVIRONMENT`)."""
    from lederuddannelse.book.execute import cell_timeout

    source_date_epoch()
    cell_timeout()
    root = os.environ.get("LEDERUDDANNELSE_ROOT", "").strip()
    if root and not (Path(root) / "_config.yml").is_file():
        raise ParameterError(
            f"LEDERUDDANNELSE_ROOT = {root!r}: expected the project folder (one with "
            "_config.yml and chapters/)."
        )


def check_count(option: str, value: int | None, low: int = 1) -> None:
    """A whole-number option (``--jobs``) at least ``low``."""
    if value is not None and value < low:
        raise ParameterError(f"{option} {value}: expected a whole number of at least {low}.")


def check_input_file(option: str, value: str | Path | None) -> None:
    """An input option naming a file (``--params``): it must exist and not be a folder."""
    if value is None:
        return
    path = Path(value)
    if path.is_dir():
        raise ParameterError(f"{option} {value}: is a folder; expected a file.")
    if not path.is_file():
        raise ParameterError(f"{option} {value}: no such file.")


def tracked(path: Path, root: Path) -> bool:
    """True if git tracks ``path`` in the project at ``root`` (a source: chapter, data, ...).

    Outside a git checkout the project's sources are recognised by their places instead.
    """
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--error-unmatch", "--", rel.as_posix()],
            capture_output=True,
            timeout=20,
        )
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        done = inside = None
    if inside is not None and inside.returncode == 0:
        return done.returncode == 0
    first = rel.parts[0] if rel.parts else ""
    if first in {"chapters", "src", "tests", "docs", "_static", "_templates", "locale"}:
        return True
    if first == "data":
        return "generated" not in rel.parts
    return len(rel.parts) == 1 and rel.suffix in {".yml", ".yaml", ".md", ".toml", ".bib", ".cff"}


def check_output(option: str, value: str | Path, root: Path, allowed: tuple[str, ...] = ()) -> Path:
    """Refuse, before any work, an output that would destroy something: a folder, a file the
    repository tracks (chapters, data, configuration; except the command's own product, given
    relative to ``root`` in ``allowed``), anything in the published site; and say so when the
    folder to write into does not exist. Returns the path."""
    from lederuddannelse.book import publishing
    from lederuddannelse.book.stamps import PUBLISHED

    path = Path(value)
    if path.is_dir():
        raise ParameterError(f"{option} {value}: is a folder; expected a file name.")
    if publishing.inside(path, root / PUBLISHED):
        raise ParameterError(
            f"{option} {value}: lies inside the published site ({PUBLISHED}/), which only the "
            "build writes; choose another file."
        )
    if not path.absolute().parent.is_dir():
        raise ParameterError(
            f"{option} {value}: the folder {path.absolute().parent} does not exist; "
            "create it first or choose another file."
        )
    own = {(root / name).resolve() for name in allowed}
    if path.resolve() not in own and tracked(path, root):
        raise ParameterError(
            f"{option} {value}: a file of the repository (a source git tracks); writing it "
            "would destroy it. Choose another file, e.g. under build/."
        )
    return path


def check_output_folder(option: str, value: str | Path, root: Path) -> Path:
    """An output folder (``archive --out``): it must exist, be a folder, lie outside the
    published site and hold no file the repository tracks (a source folder)."""
    from lederuddannelse.book import publishing
    from lederuddannelse.book.stamps import PUBLISHED

    path = Path(value)
    if publishing.inside(path, root / PUBLISHED):
        raise ParameterError(
            f"{option} {value}: lies inside the published site ({PUBLISHED}/), which only the "
            "build writes; choose another folder."
        )
    if not path.exists():
        raise ParameterError(f"{option} {value}: the folder does not exist; create it first.")
    if not path.is_dir():
        raise ParameterError(f"{option} {value}: is a file; expected a folder.")
    if any(tracked(f, root) for f in list(path.iterdir())[:50] if f.is_file()):
        raise ParameterError(
            f"{option} {value}: a folder of the repository's sources; choose another folder, "
            "e.g. build/archive."
        )
    return path


def write_crash_log(root: Path | None, doing: str, exc: BaseException) -> Path:
    """Write the traceback of an unexpected error to ``build/logs/`` (or the temporary folder
    when there is no project) and return the log's path."""
    import tempfile

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = (root / LOGS) if root is not None else Path(tempfile.gettempdir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    log = folder / f"error-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.write_text(f"while {doing}:\n{text}", encoding="utf-8")
    return log
