"""Read a survey file (CSV, Danish CSV, Parquet, SPSS) and check it against the codebook.

A real data file is the other first-class input of the book, so the checks are strict and
the messages are for people: every problem is collected and reported at once (file,
column, what was expected, the first few offending rows), and nothing is ever repaired
silently. Rows are numbered from 1 = the first data row (the header is not counted).

The derived indicators are added by :mod:`lederuddannelse.data.derive`; the metadata that say a
file is synthetic are read by :mod:`lederuddannelse.data.files`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import numpy as np
import pandas as pd

from lederuddannelse.data.codebook import Codebook, Variable, load_codebook
from lederuddannelse.data.files import read_metadata
from lederuddannelse.errors import DataValidationError

SHOW_ROWS = 5
_SUFFIXES = (".csv", ".txt", ".parquet", ".sav", ".zsav")


@dataclass
class _Read:
    """A file as read, before validation: raw columns plus what the reader noticed."""

    df: pd.DataFrame
    fmt: str
    problems: list[str] = field(default_factory=list)
    numeric: dict[str, np.ndarray] = field(default_factory=dict)
    bad_type: dict[str, np.ndarray] = field(default_factory=dict)
    #: rows whose value the reader already reported (e.g. unmappable SPSS codes): they are
    #: missing in ``numeric`` but must not be reported again as missing answers
    reported: dict[str, np.ndarray] = field(default_factory=dict)


# --- public API ------------------------------------------------------------------------------
def load_survey(path: str | Path, codebook: Codebook | None = None) -> pd.DataFrame:
    """Read and validate a survey file; return one column per codebook variable.

    Coded columns that routing or item non-response can leave empty are float64 with NaN
    ("not asked" / no answer: outside the domain for the statistics layer); the others are
    int64. Columns not in the codebook are kept unchanged at the end. Raises
    :class:`DataValidationError` listing every problem found.
    """
    df, _ = _load(path, codebook)
    return df


def validate_file(path: str | Path, codebook: Codebook | None = None) -> str:
    """Validate a file and return a one-line summary (raises with all problems otherwise)."""
    df, info = _load(path, codebook)
    return info


# --- reading ---------------------------------------------------------------------------------
def _fail(path: Path, problems: list[str]) -> DataValidationError:
    head = f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''} found"
    return DataValidationError(
        head
        + " (rows numbered from 1 = first data row):\n"
        + "\n".join(f"  - {p}" for p in problems)
    )


def _read(path: Path, book: Codebook) -> _Read:
    if not path.exists():
        raise _fail(path, ["file not found"])
    if path.is_dir():
        raise _fail(path, ["is a folder, not a data file"])
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise _fail(
            path, [f"unknown file type {suffix or '(none)'!r}; expected .csv, .parquet or .sav"]
        )
    if path.stat().st_size == 0:
        raise _fail(path, ["file is empty (0 bytes)"])
    if suffix in (".csv", ".txt"):
        return _read_csv(path, book)
    if suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for broken files
            raise _fail(
                path, [f"cannot be read as Parquet ({exc.__class__.__name__}: {exc})"]
            ) from None
        return _Read(df, "Parquet")
    return _read_sav(path, book)


def _read_csv(path: Path, book: Codebook) -> _Read:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(
            path,
            [
                f"not UTF-8 encoded: byte 0x{raw[exc.start]:02x} on line {line} "
                "(perhaps Windows-1252/Latin-1); save the file as 'CSV UTF-8' and try again"
            ],
        ) from None
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise _fail(path, ["file has no header line"])
    danish = first.count(";") > first.count(",")
    sep, decimal = (";", ",") if danish else (",", ".")
    header = next(csv.reader([first.rstrip("\r")], delimiter=sep))
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        # pandas would rename them ('gender.1'); say what is wrong instead.
        raise _fail(path, [f"column names occur more than once: {dupes}"])
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal, low_memory=False)
    except pd.errors.ParserError as exc:
        raise _fail(path, [f"cannot be read as CSV: {exc}"]) from None
    except pd.errors.EmptyDataError:
        raise _fail(path, ["file is empty"]) from None
    read = _Read(df, "Danish CSV (';' and decimal comma)" if danish else "CSV")
    if danish:
        # A codebook column the parser left as text (because of some bad entry) may still
        # hold decimal commas; read them as numbers so that only the bad entries are
        # reported. Other columns are kept exactly as they are.
        for c in df.columns:
            if c in book and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c])):
                df[c] = df[c].map(lambda v: v.replace(",", ".") if isinstance(v, str) else v)
    return read


def _read_sav(path: Path, book: Codebook) -> _Read:
    """Read SPSS and map its value labels onto codebook codes (by label text)."""
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:
        raise _fail(path, [f"cannot be read as SPSS ({exc.__class__.__name__}: {exc})"]) from None
    read = _Read(df, "SPSS")
    for col, spss_labels in (meta.variable_value_labels or {}).items():
        if col not in book or col in book.derived_variables or not book.variable(col).coded:
            continue
        wanted = {_norm(v): k for k, v in book.value_labels(col).items()}
        mapping: dict[float, int] = {}
        for spss_code, text in spss_labels.items():
            if _norm(text) in wanted:
                mapping[float(spss_code)] = wanted[_norm(text)]
            else:
                read.problems.append(
                    f"column {col!r}: SPSS value label {text!r} (value {_fmt(spss_code)}) is not a "
                    f"codebook label; expected one of {_codes_text(book.variable(col))}"
                )
        values = pd.to_numeric(df[col], errors="coerce")
        unlabelled = values.notna() & ~values.isin([float(k) for k in spss_labels])
        if unlabelled.any():
            read.problems.append(
                f"column {col!r}: SPSS values without a value label in {int(unlabelled.sum())} "
                f"rows ({_rows(unlabelled, values)}), so they cannot be mapped to codebook codes"
            )
        mapped = values.map(lambda v: mapping.get(float(v), np.nan) if pd.notna(v) else np.nan)
        # Unlabelled or unmappable values become NaN here but are already reported above,
        # so nothing is dropped silently.
        read.bad_type[col] = np.zeros(len(df), bool)
        read.numeric[col] = mapped.to_numpy(dtype=float)
        read.reported[col] = (values.notna() & mapped.isna()).to_numpy()
    return read


def _norm(text) -> str:
    return " ".join(str(text).split()).casefold()


# --- validation ------------------------------------------------------------------------------
def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, str):
        return repr(v)
    return str(v)


def _rows(mask, values=None) -> str:
    """'rows 3, 9 (values 7, 8)' for the first few offending rows."""
    idx = np.flatnonzero(np.asarray(mask))
    shown = idx[:SHOW_ROWS]
    text = "row" + ("s " if idx.size > 1 else " ") + ", ".join(str(i + 1) for i in shown)
    if idx.size > SHOW_ROWS:
        text += ", ..."
    if values is not None:
        vals = np.asarray(values, dtype=object)[shown]
        text += ": " + ", ".join(_fmt(v) for v in vals)
    return text


def _n(mask) -> str:
    k = int(np.asarray(mask).sum())
    return f"{k} row" if k == 1 else f"{k} rows"


def _codes_text(var: Variable) -> str:
    return ", ".join(f"{k} ({v})" for k, v in var.codes.items())


def _numeric(read: _Read, col: str) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Column as floats, plus a mask of entries that are text rather than numbers."""
    s = read.df[col]
    if col in read.numeric:
        return read.numeric[col], read.bad_type[col], s
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(s), bool), s
    text = s.astype("object")
    blank = text.map(
        lambda v: (
            v is None
            or (isinstance(v, float) and np.isnan(v))
            or (isinstance(v, str) and not v.strip())
        )
    )
    num = pd.to_numeric(text.where(~blank, None), errors="coerce")
    bad = (~blank & num.isna()).to_numpy()
    return num.to_numpy(dtype=float, na_value=np.nan), bad, text


def _load(path: str | Path, codebook: Codebook | None) -> tuple[pd.DataFrame, str]:
    path = Path(path)
    book = codebook or load_codebook()
    read = _read(path, book)
    df = read.df
    problems = list(read.problems)
    if len(df) == 0:
        raise _fail(path, problems + ["file has a header but no data rows"])

    columns = [str(c) for c in df.columns]
    df.columns = columns
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise _fail(path, problems + [f"column names occur more than once: {dupes}"])
    known = set(book.variables)
    extra = [c for c in columns if c not in known]
    # A mapped file (data/mapping.py) may declare variables absent: pages needing them say so.
    absent = set((read_metadata(path) or {}).get("absent") or [])
    for name in book.variables:
        var = book.variable(name)
        if name not in df.columns and var.required and name not in absent:
            hint = get_close_matches(name, extra, n=1)
            problems.append(
                f"missing column {name!r} ({var.label})"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
            )

    n = len(df)
    clean: dict[str, np.ndarray] = {}
    for name in book.variables:
        if name not in df.columns:
            continue
        var = book.variable(name)
        values, bad, original = _numeric(read, name)
        if bad.any():
            expected = {"id": "whole numbers", "weight": "numbers"}.get(var.type, "numeric codes")
            problems.append(
                f"column {name!r}: wrong type, expected {expected} but found text in "
                f"{_n(bad)} ({_rows(bad, original)})"
            )
        missing = np.isnan(values) & ~bad & ~read.reported.get(name, np.zeros(n, bool))
        if var.type == "id":
            problems += _check_id(name, values, missing)
        elif var.type == "weight":
            problems += _check_weight(name, values, missing, bad)
        else:
            problems += _check_codes(var, values)
        clean[name] = values

    # Routing: who was asked what. Evaluated only where the routing variable itself is valid.
    for name, values in clean.items():
        var = book.variable(name)
        if var.type in ("id", "weight"):
            continue
        missing = np.isnan(values) & ~_bad(read, name) & ~read.reported.get(name, np.zeros(n, bool))
        cond = var.applies_to
        if cond is None:
            if not var.missing_ok and missing.any():
                problems.append(
                    f"column {name!r}: missing values in {_n(missing)} ({_rows(missing)}); "
                    "every respondent must have a value"
                )
            continue
        if cond.variable not in clean:
            continue
        ref = clean[cond.variable]
        ref_ok = np.isin(ref, list(book.value_labels(cond.variable)))
        asked = np.isin(ref, cond.values)
        answered_not_asked = ref_ok & ~asked & ~np.isnan(values)
        if answered_not_asked.any():
            problems.append(
                f"column {name!r}: routing violated, answered although not asked in "
                f"{_n(answered_not_asked)} ({_rows(answered_not_asked, values)}); "
                f"asked only where {cond.text}"
            )
        if not var.missing_ok:
            unanswered = ref_ok & asked & missing
            if unanswered.any():
                problems.append(
                    f"column {name!r}: missing although asked in {_n(unanswered)} "
                    f"({_rows(unanswered)}); required where {cond.text}"
                )

    if problems:
        raise _fail(path, problems)

    out = {}
    for name, values in clean.items():
        var = book.variable(name)
        if var.type == "weight":
            out[name] = values
        elif var.type == "id" or not var.may_be_missing:
            out[name] = values.astype(np.int64)
        else:
            out[name] = values
    result = pd.DataFrame(out, index=pd.RangeIndex(n))
    for c in extra:
        result[c] = df[c].to_numpy()

    meta = read_metadata(path)
    synthetic = bool(meta and meta.get("synthetic"))
    parts = [
        f"OK: {path} ({read.fmt}): {n} respondents, {len(clean)} codebook variables",
        "weight column present" if book.weight_variable in clean else "no weight column",
    ]
    if extra:
        parts.append(
            f"{len(extra)} extra column{'s' if len(extra) > 1 else ''} kept: {', '.join(extra[:5])}"
        )
    if synthetic:
        parts.append(
            f"SYNTHETIC data (seed {meta.get('seed')})" if "seed" in meta else "SYNTHETIC data"
        )
    result.attrs["source_file"] = str(path)
    result.attrs["synthetic"] = synthetic
    result.attrs["absent"] = sorted(absent)
    return result, "; ".join(parts)


def _bad(read: _Read, name: str) -> np.ndarray:
    return _numeric(read, name)[1]


def _check_id(name: str, values: np.ndarray, missing: np.ndarray) -> list[str]:
    out = []
    if missing.any():
        out.append(f"column {name!r}: missing respondent ids in {_n(missing)} ({_rows(missing)})")
    finite = np.isfinite(values)
    frac = finite & (values != np.round(values))
    if frac.any():
        out.append(f"column {name!r}: ids must be whole numbers; {_rows(frac, values)}")
    s = pd.Series(values)
    dup = (s.duplicated(keep=False) & s.notna()).to_numpy()
    if dup.any():
        first = s[dup].iloc[0]
        out.append(
            f"column {name!r}: duplicate ids in {_n(dup)} ({_rows(dup, values)}); "
            f"id {_fmt(first)} occurs {int((s == first).sum())} times; every respondent needs a "
            "unique id"
        )
    return out


def _check_weight(name: str, values: np.ndarray, missing: np.ndarray, bad: np.ndarray) -> list[str]:
    out = []
    if missing.any():
        out.append(
            f"column {name!r}: missing weights in {_n(missing)} ({_rows(missing)}); every row "
            "needs a weight"
        )
    invalid = ~np.isnan(values) & ~(np.isfinite(values) & (values > 0))
    if invalid.any():
        out.append(
            f"column {name!r}: weights must be positive and finite, but are not in {_n(invalid)} "
            f"({_rows(invalid, values)})"
        )
    return out


def _check_codes(var: Variable, values: np.ndarray) -> list[str]:
    out = []
    present = ~np.isnan(values)
    whole = present & np.isfinite(values) & (values == np.round(values))
    frac = present & ~whole
    if frac.any():
        out.append(
            f"column {var.name!r}: codes must be whole numbers, but are not in {_n(frac)} "
            f"({_rows(frac, values)})"
        )
    allowed = np.array(list(var.codes), dtype=float)
    wrong = whole & ~np.isin(values, allowed)
    if wrong.any():
        lo, hi = int(allowed.min()), int(allowed.max())
        if var.type == "ordinal" and np.array_equal(np.sort(allowed), np.arange(lo, hi + 1)):
            out.append(
                f"column {var.name!r}: value out of range {lo}-{hi} in {_n(wrong)} "
                f"({_rows(wrong, values)}); expected {_codes_text(var)}"
            )
        else:
            out.append(
                f"column {var.name!r}: unknown code in {_n(wrong)} ({_rows(wrong, values)}); "
                f"expected {_codes_text(var)}"
            )
    return out
