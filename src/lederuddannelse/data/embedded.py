"""The embedded synthetic survey, made when missing or stale, without importing pandas when
it is current: a stamp in `build/` of its inputs and of the file's bytes."""

from __future__ import annotations

from pathlib import Path

from lederuddannelse.hashing import sha256_file, tree_hash
from lederuddannelse.paths import EMBEDDED_DATA_GENERATOR, EMBEDDED_DATA_PATH, package_data_files
from lederuddannelse.sources import modules_hash

STAMP = Path("build") / "embedded-data.stamp"


def embedded_data_stamp(root: Path) -> str:
    """The inputs of the embedded survey: the generator's modules (followed from its module
    name, so a moved or split generator stays covered), the data files it reads and the lock."""
    lock = root / "requirements.lock"
    parts = [
        modules_hash([EMBEDDED_DATA_GENERATOR], root / "src"),
        tree_hash(package_data_files(root), root),
        sha256_file(lock) if lock.exists() else "-",
    ]
    return "|".join(parts)


def ensure_embedded(root: Path) -> str:
    """Generate the embedded survey if missing or stale; what was done ('' if nothing: the
    stamp skips the generator's own check, which imports pandas)."""
    data, stamp = root / EMBEDDED_DATA_PATH, root / STAMP

    def key() -> str:
        return embedded_data_stamp(root) + "|" + (sha256_file(data) if data.exists() else "-")

    if stamp.exists() and data.exists() and stamp.read_text() == key():
        return ""
    from lederuddannelse.data.synthetic import ensure_embedded_data

    done = ensure_embedded_data()
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(key())
    return done
