"""One snapshot of the data per build: read and validate a file once, load it many times.

:func:`take_snapshot` reads a data file, validates it (as `data validate` does), and writes a
Parquet copy named by the SHA-256 of the file's bytes into a folder. Every chapter run then
loads the snapshot with :func:`load_snapshot` (no re-validation, no look at the live file), and
the build can key its cache by :attr:`Snapshot.sha256`: a run executed on other data can never
be reused under this file's key. A file that changes while it is read is reported by name.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from lederuddannelse.data.codebook import Codebook
from lederuddannelse.data.files import read_metadata, write_survey
from lederuddannelse.data.mapping_report import ResolvedData
from lederuddannelse.data.reader import fail
from lederuddannelse.hashing import sha256_file

_KEY = "snapshot"
#: Set by the build in each chapter run's environment: the run's data, pinned (:func:`pin`).
ENV_PINNED = "LEDERUDDANNELSE_DATA_SNAPSHOT"


@dataclass(frozen=True)
class Snapshot:
    """A validated data file, frozen: the Parquet copy, the source's digest and summary."""

    path: Path
    source: Path
    sha256: str
    summary: str


def take_snapshot(
    source: str | Path, folder: str | Path, codebook: Codebook | None = None, margins=None
) -> Snapshot:
    """Validate ``source`` once and write ``<folder>/<sha256>.parquet`` (reused if present).

    Raises :class:`~lederuddannelse.errors.DataValidationError` with the file's problems, or
    naming the file if its bytes changed while it was read and checked.
    """
    from lederuddannelse.data.loader import validated

    source = Path(source)
    digest = sha256_file(source)
    out = Path(folder) / f"{digest}.parquet"
    if out.is_file():
        meta = (read_metadata(out) or {}).get(_KEY) or {}
        if meta.get("sha256") == digest:
            return Snapshot(out, source, digest, meta.get("summary", ""))
    df, summary = validated(source, codebook, margins)
    if sha256_file(source) != digest:
        raise fail(
            source,
            ["the file changed while it was read and checked; nothing was built from it"],
        )
    metadata = dict(read_metadata(source) or {})
    metadata.update(
        {
            "synthetic": bool(df.attrs.get("synthetic")),
            "absent": list(df.attrs.get("absent") or []),
            "design": dict(df.attrs.get("design") or {}),
            _KEY: {"sha256": digest, "source": str(source), "summary": summary},
        }
    )
    write_survey(df, out, metadata)
    return Snapshot(out, source, digest, summary)


def load_snapshot(path: str | Path) -> pd.DataFrame:
    """A snapshot's data frame, with the attributes :func:`load_survey` sets; not re-validated.

    Raises :class:`~lederuddannelse.errors.DataValidationError` if ``path`` is not a snapshot
    or its name does not match the digest it was written for.
    """
    path = Path(path)
    meta = read_metadata(path) or {}
    snap = meta.get(_KEY) or {}
    if not snap or path.stem != snap.get("sha256"):
        raise fail(path, ["is not a data snapshot written by take_snapshot (or was renamed)"])
    df = pd.read_parquet(path)
    df.attrs.update(
        {
            "source_file": snap["source"],
            "sha256": snap["sha256"],
            "synthetic": bool(meta.get("synthetic")),
            "absent": list(meta.get("absent") or []),
            "design": dict(meta.get("design") or {}),
        }
    )
    return df


def snapshot_json(snapshot: Snapshot) -> str:
    """The snapshot as one JSON line (for a build's log or a chapter's parameters)."""
    return json.dumps(
        {
            "path": str(snapshot.path),
            "source": str(snapshot.source),
            "sha256": snapshot.sha256,
            "summary": snapshot.summary,
        },
        ensure_ascii=False,
    )


def pin(data: ResolvedData, folder: str | Path, codebook=None, margins=None):
    """``data`` with its ``load_path`` replaced by a snapshot (taken once; validated then).

    Returns (the pinned data, the :class:`Snapshot`). Raises naming the file if it changed
    between its hashing and its snapshot.
    """
    snapshot = take_snapshot(data.load_path, folder, codebook, margins)
    if data.mapping is None and snapshot.sha256 != data.source_sha256:
        raise fail(data.source, ["the file changed while it was read and checked"])
    return replace(data, load_path=snapshot.path), snapshot


def pinned_json(data: ResolvedData) -> str:
    """Pinned data as the JSON of :data:`ENV_PINNED`."""
    fields = ("source", "source_sha256", "load_path", "mapping", "mapping_sha256")
    return json.dumps({k: None if (v := getattr(data, k)) is None else str(v) for k in fields})


def pinned(source: Path, mapping: Path | None) -> ResolvedData | None:
    """The data the build pinned for this run (:data:`ENV_PINNED`), or None outside a build.

    Raises if the build pinned another file than the run's parameters name.
    """
    text = os.environ.get(ENV_PINNED, "")
    if not text:
        return None
    d = json.loads(text)
    same = Path(d["source"]).resolve() == source.resolve() and (
        (Path(d["mapping"]).resolve() if d["mapping"] else None)
        == (mapping.resolve() if mapping else None)
    )
    if not same:
        raise fail(source, [f"the build's data snapshot is of {Path(d['source']).name}"])
    paths = {k: Path(d[k]) if d[k] else None for k in ("source", "load_path", "mapping")}
    return ResolvedData(**{**d, **paths})


def changed(data: ResolvedData) -> str | None:
    """One line naming the pinned file (or mapping) whose bytes changed since, or None."""
    for path, digest in ((data.source, data.source_sha256), (data.mapping, data.mapping_sha256)):
        if path is not None and (not path.is_file() or sha256_file(path) != digest):
            return (
                f"{path}: the file changed while the book was built (SHA-256 {digest[:12]} "
                "when the build started); nothing was published and the previous site stays. "
                "Build again to use the file as it is now."
            )
    return None
