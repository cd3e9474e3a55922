"""One reader for every data file (CSV, Danish CSV, Parquet, SPSS): the same rules everywhere.

Both the loader (:mod:`lederuddannelse.data.loader`, `data validate`) and the mapping
(:mod:`lederuddannelse.data.mapping`, `data map`) read a file through :func:`read_table`, so a
file is never read one way by one command and another way by the other. The reader checks the
file as a file (exists, type, encoding, header, separators, duplicate names) and returns its
columns as they are; the checks against the codebook are the loader's.

A CSV is read by pyarrow's columnar reader with every column as text (Arrow strings, not
Python objects: memory stays proportional to the file), so that values are checked and shown
as the file holds them. The encoding is checked in chunks before parsing, so that a wrong byte
is reported with its line number.
"""

from __future__ import annotations

import codecs
import csv
import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pyarrow import ArrowInvalid

from lederuddannelse.errors import DataValidationError

SUFFIXES = (".csv", ".txt", ".parquet", ".sav", ".zsav")
_CHUNK = 1 << 24  # 16 MiB
_MIXED_LINES = 50  # data lines checked for another separator than the header's


@dataclass
class RawFile:
    """A data file as read: raw columns and what the reader learnt about the file."""

    path: Path
    df: pd.DataFrame
    fmt: str
    #: a Danish CSV (';' between columns and decimal comma)
    danish: bool = False
    #: CSV: every column is text as written (Arrow strings); else the file's own types
    text: bool = False
    #: SPSS value labels per column ({code: label}), variable labels, file label
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    file_label: str = ""
    #: CSV columns the reader parsed as numbers (see :func:`read_table`'s ``numbers``)
    typed: frozenset[str] = frozenset()


def fail(path: Path, problems: list[str]) -> DataValidationError:
    """The one error for a data file: every problem found, listed under the file's name."""
    head = f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''} found"
    return DataValidationError(
        head
        + " (rows numbered from 1 = first data row):\n"
        + "\n".join(f"  - {p}" for p in problems)
    )


def link_problem(path: Path) -> str | None:
    """What is wrong with ``path`` if it is a symbolic link that loops or dangles, else None."""
    if not path.is_symlink() and path.exists():
        return None
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13: "Symlink loop from ..."
        return "is a symbolic link that loops (it points, directly or not, back to itself)"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that loops (it points, directly or not, back to itself)"
        if path.is_symlink():
            return f"is a symbolic link to {os.readlink(path)}, which does not exist"
    return None


def read_table(path: str | Path, numbers: Iterable[str] = ()) -> RawFile:
    """Read a data file as it is; raise :class:`DataValidationError` naming what is wrong.

    ``numbers``: CSV columns expected to hold numbers (the codebook's codes and weights). They
    are parsed as numbers by the reader when every entry in them is a number or blank (one
    pass, no text kept); if any is not, the whole file is read as text, so that the loader can
    show the entries as written.
    """
    path = Path(path)
    link = link_problem(path)
    if link:
        raise fail(path, [link])
    if not path.exists():
        raise fail(path, ["file not found"])
    if path.is_dir():
        raise fail(path, ["is a folder, not a data file"])
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise fail(
            path, [f"unknown file type {suffix or '(none)'!r}; expected .csv, .parquet or .sav"]
        )
    if path.stat().st_size == 0:
        raise fail(path, ["file is empty (0 bytes)"])
    if suffix in (".csv", ".txt"):
        return _read_csv(path, set(numbers))
    if suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for broken files
            raise fail(
                path, [f"cannot be read as Parquet ({exc.__class__.__name__}: {exc})"]
            ) from None
        return RawFile(path, df, "Parquet")
    return _read_sav(path)


def _check_utf8(path: Path) -> bool:
    """Decode the file in chunks; a wrong byte is reported with its line number. Returns
    whether the file has a quote character (only then can a value hold a line break)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    quoted = False
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk[: exc.start].count(b"\n") + 1
                raise fail(
                    path,
                    [
                        f"not UTF-8 encoded: byte 0x{chunk[exc.start]:02x} on line "
                        f"{line} (perhaps "
                        "Windows-1252/Latin-1); save the file as 'CSV UTF-8' and try again"
                    ],
                ) from None
            lines += chunk.count(b"\n")
            quoted = quoted or b'"' in chunk
    return quoted


def _head_lines(path: Path, count: int) -> list[str]:
    out: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line in fh:
            out.append(line.rstrip("\r\n"))
            if len(out) >= count:
                break
    return out


def _read_csv(path: Path, numbers: set[str]) -> RawFile:
    import pyarrow as pa

    quoted = _check_utf8(path)
    head = _head_lines(path, _MIXED_LINES + 1)
    first = head[0] if head else ""
    if not first.strip():
        raise fail(path, ["file has no header line"])
    sep, header = _header(path, first)
    danish = sep == ";"
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        # a reader would rename them ('gender.1'); say what is wrong instead.
        raise fail(path, [f"column names occur more than once: {dupes}"])
    mixed = _mixed_separator(head[1:], sep, len(header))
    if mixed:
        raise fail(path, [mixed])
    typed = [c for c in header if c in numbers]
    try:
        table = _parse(path, header, sep, typed, quoted)
    except pa.ArrowInvalid as exc:
        if not typed or "conversion error" not in str(exc):
            raise fail(path, [f"cannot be read as CSV: {_arrow_message(exc)}"]) from None
        typed = []
        try:
            table = _parse(path, header, sep, typed, quoted)
        except pa.ArrowInvalid as exc:
            raise fail(path, [f"cannot be read as CSV: {_arrow_message(exc)}"]) from None
    # one block per column (no consolidation into a 2-D block: a copy of every typed column)
    df = table.to_pandas(
        types_mapper=lambda t: None if t == pa.float64() else pd.ArrowDtype(t),
        split_blocks=True,
        self_destruct=True,
    )
    del table
    return RawFile(
        path,
        df,
        "Danish CSV (';' and decimal comma)" if danish else "CSV",
        danish=danish,
        text=True,
        typed=frozenset(typed),
    )


def _parse(path: Path, header: list[str], sep: str, typed: list[str], quoted: bool = True):
    """Parse with pyarrow (in parallel blocks unless a quoted value may hold a line break)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types = {c: pa.string() for c in header}
    types.update({c: pa.float64() for c in typed})
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=quoted),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            null_values=[""],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            decimal_point="," if sep == ";" else ".",
        ),
    )


def _header(path: Path, first: str) -> tuple[str, list[str]]:
    """The separator (',' or ';', whichever splits the header line more) and column names;
    a tab-separated file is refused."""
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    if counts["\t"] > max(counts[","], counts[";"]):
        raise fail(
            path,
            [
                "the file looks tab-separated (its header line is split by tabs); save it as "
                "CSV with ',' (or ';' and decimal comma) between the columns"
            ],
        )
    sep = ";" if counts[";"] > counts[","] else ","
    return sep, next(csv.reader([first], delimiter=sep))


def text_column(path: str | Path, column: str) -> pd.Series:
    """One CSV column as the file holds it (text), e.g. to show a typed column's entries."""
    path = Path(path)
    sep, names = _header(path, _head_lines(path, 1)[0])
    table = _parse(path, names, sep, [])
    return table.column(column).to_pandas(types_mapper=pd.ArrowDtype)


def _arrow_message(exc: Exception) -> str:
    """pyarrow's parse error without its internal prefix ('CSV parse error: ...')."""
    text = str(exc).strip()
    return text.removeprefix("CSV parse error: ")


def _mixed_separator(lines: list[str], sep: str, fields: int) -> str | None:
    """A message if the data rows use another separator than the header line (e.g. a ';'
    header over ',' rows, which a reader would read as one mangled column)."""
    other = "," if sep == ";" else ";"
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        row = next(csv.reader([line], delimiter=sep))
        if fields > 1 and len(row) == 1 and other in line:
            return (
                f"the header line separates columns by {sep!r} but line {number} by {other!r}; "
                "use one separator throughout the file"
            )
    return None


def _read_sav(path: Path) -> RawFile:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:
        raise fail(path, [f"cannot be read as SPSS ({exc.__class__.__name__}: {exc})"]) from None
    labels = {
        c: {float(k): str(v) for k, v in (lab or {}).items()}
        for c, lab in (meta.variable_value_labels or {}).items()
    }
    col_labels = {c: lab for c, lab in (meta.column_names_to_labels or {}).items() if lab}
    return RawFile(
        path,
        df,
        "SPSS",
        value_labels=labels,
        column_labels=col_labels,
        file_label=meta.file_label or "",
    )


def infer_column(s: pd.Series, danish: bool) -> pd.Series:
    """A CSV column (text) as a reader would type it: whole numbers -> int64 (float64 when
    some are blank), numbers (decimal comma in a Danish CSV) -> float64, else text (blank ->
    missing, other text kept as written). Column-wise: one cast per column."""
    text = s.str.strip()
    blank = text.isna() | (text == "")
    if blank.all():
        return pd.Series(np.nan, index=s.index)
    text = text.where(~blank, None)
    try:
        if not blank.any():
            return text.astype("int64[pyarrow]").astype(np.int64)
    except (ValueError, TypeError, ArrowInvalid):
        pass
    try:
        number = text.str.replace(",", ".", regex=False) if danish else text
        return number.astype("float64[pyarrow]").astype(float)
    except (ValueError, TypeError, ArrowInvalid):
        return s.astype(object).where(~blank, np.nan)
