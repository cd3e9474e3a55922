"""Survey files on disk: the generator's metadata (Parquet key-value or CSV sidecar) and writing.

Reading a survey (:mod:`lederuddannelse.data.loader`) needs to know whether a file is synthetic,
and the generator (:mod:`lederuddannelse.data.synthetic`) writes files with that metadata; both
use this module, so neither imports the other. A file is synthetic only if its metadata say so:
Parquet carries it in the schema's key-value metadata, a CSV in ``<file>.meta.json`` next to it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from lederuddannelse.data.codebook import Codebook, load_codebook
from lederuddannelse.errors import ParameterError

__all__ = ["is_synthetic", "metadata_path", "read_metadata", "write_sav", "write_survey"]


def metadata_path(path: str | Path) -> Path:
    """Sidecar file with the metadata of a CSV (CSV has no place for it)."""
    return Path(str(path) + ".meta.json")


def read_metadata(path: str | Path) -> dict | None:
    """The generator's metadata of a file (Parquet key-value, or the CSV's sidecar), if any."""
    path = Path(path)
    side = metadata_path(path)
    if side.is_file():
        return json.loads(side.read_text(encoding="utf-8"))
    if path.suffix.lower() == ".parquet" and path.is_file():
        import pyarrow.parquet as pq

        kv = pq.read_schema(path).metadata or {}
        if b"lederuddannelse" in kv:
            return json.loads(kv[b"lederuddannelse"].decode("utf-8"))
        if kv.get(b"synthetic") == b"true":
            return {"synthetic": True}
    return None


def is_synthetic(path: str | Path) -> bool:
    """True if the file says it was made by the synthetic generator."""
    meta = read_metadata(path)
    return bool(meta and meta.get("synthetic"))


def write_survey(df: pd.DataFrame, out: str | Path, metadata: dict) -> Path:
    """Write CSV or Parquet by extension, with the metadata (Parquet key-value or sidecar).

    The file appears at once (written to a temporary name, then renamed), so a reader never
    sees half a file.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    meta_json = json.dumps(metadata, sort_keys=True, ensure_ascii=False)
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        kv = dict(table.schema.metadata or {})
        kv[b"synthetic"] = b"true"
        kv[b"lederuddannelse"] = meta_json.encode("utf-8")
        pq.write_table(table.replace_schema_metadata(kv), tmp)
    elif suffix == ".csv":
        df.to_csv(tmp, index=False, lineterminator="\n")
        metadata_path(out).write_text(meta_json + "\n", encoding="utf-8")
    else:
        raise ParameterError(f"output file must end in .csv or .parquet, got {out.name!r}")
    os.replace(tmp, out)
    return out


def write_sav(df: pd.DataFrame, path: str | Path, codebook: Codebook | None = None) -> Path:
    """Write a survey as SPSS ``.sav`` with the codebook's variable and value labels."""
    import pyreadstat

    book = codebook or load_codebook()
    cols = [c for c in df.columns if c in book]
    data = pd.DataFrame({c: pd.to_numeric(df[c]).astype("float64") for c in cols})
    pyreadstat.write_sav(
        data,
        str(path),
        column_labels=[book.label(c) for c in cols],
        variable_value_labels={
            c: {float(k): v for k, v in book.value_labels(c).items()}
            for c in cols
            if book.variable(c).coded
        },
    )
    return Path(path)
