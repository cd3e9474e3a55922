"""Read a survey file (CSV, Danish CSV, Parquet, SPSS) and check it against the codebook.

A real data file is the other first-class input of the book, so the checks are strict and
the messages are for people: every problem is collected and reported at once (file,
column, what was expected, the first few offending rows), and nothing is ever repaired
silently. Rows are numbered from 1 = the first data row (the header is not counted).

One rule for values: a codebook column holds the codebook's numeric codes (ids: whole numbers;
weights: numbers). Nothing else is translated: not labels ("Mand"), not True/False (a binary
item is written 0/1 like every other code), not "Ja"/"Nej". Such entries are reported with the
codes expected. Values are shown in messages as the file holds them ("2,5" in a Danish CSV).

The derived indicators are added by :mod:`lederuddannelse.data.derive`; the metadata that say a
file is synthetic are read by :mod:`lederuddannelse.data.files`.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import numpy as np
import pandas as pd

from lederuddannelse.data.codebook import Codebook, Variable, load_codebook
from lederuddannelse.data.design_block import design_columns_like
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
    #: a Danish CSV: decimal commas in codebook columns read as decimal points
    danish: bool = False


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


def validate_file(path: str | Path, codebook: Codebook | None = None, margins=None) -> str:
    """Validate a file for the book and return a one-line summary (raises otherwise).

    Checks what the book needs, not only the codebook: the file must also be weightable to
    the population margins (every category with a population total needs respondents), so
    that `data validate` never says OK for a file the build would reject.
    """
    from lederuddannelse.data.derive import add_derived
    from lederuddannelse.data.weighting import load_margins, weight_ratio_warning, weight_survey
    from lederuddannelse.errors import WeightingError

    df, info = _load(path, codebook)
    # As the chapters do: the file's own weights, if any, are the base weights of the raking.
    base = df["weight"].to_numpy(dtype=float) if "weight" in df.columns else None
    try:
        weighted, _ = weight_survey(
            add_derived(df), margins if margins is not None else load_margins(), base_weights=base
        )
    except WeightingError as exc:
        raise _fail(Path(path), [f"cannot be weighted to the population: {exc}"]) from None
    for weights, what in ((base, "file's weights"), (weighted["weight"], "raked weights")):
        warning = None if weights is None else weight_ratio_warning(weights, what)
        if warning:
            info += f"; {warning}"
            break
    looks = design_columns_like([c for c in df.columns if c not in (codebook or load_codebook())])
    if looks and not df.attrs.get("design"):
        shown = "; ".join(f"{role}: {', '.join(c[:4])}" for role, c in looks.items())
        info += (
            f"; WARNING: columns that look like a sampling design ({shown}) but no design is "
            "declared: the book analyses the file as a simple weighted sample. Declare the "
            "design in a mapping file's 'design:' block (docs/real-data.md)"
        )
    return info


# --- reading ---------------------------------------------------------------------------------
def _fail(path: Path, problems: list[str]) -> DataValidationError:
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


def _read(path: Path, book: Codebook) -> _Read:
    link = link_problem(path)
    if link:
        raise _fail(path, [link])
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
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    if counts["\t"] > max(counts[","], counts[";"]):
        raise _fail(
            path,
            [
                "the file looks tab-separated (its header line is split by tabs); save it as "
                "CSV with ',' (or ';' and decimal comma) between the columns"
            ],
        )
    danish = counts[";"] > counts[","]
    sep, decimal = (";", ",") if danish else (",", ".")
    header = next(csv.reader([first.rstrip("\r")], delimiter=sep))
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        # pandas would rename them ('gender.1'); say what is wrong instead.
        raise _fail(path, [f"column names occur more than once: {dupes}"])
    mixed = _mixed_separator(text, sep, len(header))
    if mixed:
        raise _fail(path, [mixed])
    # Codebook columns are read as text: values are checked (and shown) as the file holds
    # them, and nothing is converted behind the reader's back (True/False, 20-digit ids).
    as_text = {c: str for c in header if c in book}
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, decimal=decimal, dtype=as_text, low_memory=False
        )
    except pd.errors.ParserError as exc:
        raise _fail(path, [f"cannot be read as CSV: {exc}"]) from None
    except pd.errors.EmptyDataError:
        raise _fail(path, ["file is empty"]) from None
    return _Read(df, "Danish CSV (';' and decimal comma)" if danish else "CSV", danish=danish)


def _mixed_separator(text: str, sep: str, fields: int) -> str | None:
    """A message if the data rows use another separator than the header line (e.g. a ';'
    header over ',' rows, which pandas would read as one mangled column)."""
    other = "," if sep == ";" else ";"
    for number, line in enumerate(text.splitlines()[1:51], start=2):
        if not line.strip():
            continue
        row = next(csv.reader([line], delimiter=sep))
        if fields > 1 and len(row) == 1 and other in line:
            return (
                f"the header line separates columns by {sep!r} but line {number} by {other!r}; "
                "use one separator throughout the file"
            )
    return None


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
    if isinstance(v, _AsWritten):
        return str(v)
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


class _AsWritten(str):
    """A value as the file holds it (shown without quotes: "2,5", not 2.5)."""


def _blank(v) -> bool:
    return (
        v is None
        or (isinstance(v, float) and np.isnan(v))
        or v is pd.NA
        or (isinstance(v, str) and not v.strip())
    )


def _numeric(read: _Read, col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column as floats, a mask of entries that are not numbers, and the values to show.

    True/False (a boolean column) are not numbers: see the rule in the module docstring.
    """
    s = read.df[col]
    if col in read.numeric:
        return read.numeric[col], read.bad_type[col], s.to_numpy(dtype=object)
    if pd.api.types.is_bool_dtype(s):
        present = s.notna().to_numpy()
        return np.full(len(s), np.nan), present, s.to_numpy(dtype=object)
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        return values, np.zeros(len(s), bool), values
    text = s.astype("object")
    blank = text.map(_blank).to_numpy(dtype=bool)
    clean = text.map(lambda v: v.strip() if isinstance(v, str) else v)
    if read.danish:
        clean = clean.map(lambda v: v.replace(",", ".") if isinstance(v, str) else v)
    num = pd.to_numeric(clean.where(~blank, None), errors="coerce")
    bad = ~blank & num.isna().to_numpy()
    # Numbers as written ("2,5"); text that is not a number quoted ('x').
    shown = np.array(
        [
            (v if is_bad else _AsWritten(v.strip())) if isinstance(v, str) else v
            for v, is_bad in zip(text, bad)
        ],
        dtype=object,
    )
    return num.to_numpy(dtype=float, na_value=np.nan), bad, shown


_WHOLE = re.compile(r"^[+-]?\d+$")


def _id_keys(read: _Read, col: str) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """Respondent ids without loss: (Python ints or None, not-whole mask, missing, shown).

    Ids are compared as exact integers, never as float64 (which cannot tell 20-digit ids
    apart). Text and numbers are both accepted if they are whole numbers.
    """
    s = read.df[col]
    keys: list = []
    frac = np.zeros(len(s), bool)
    missing = np.zeros(len(s), bool)
    for i, v in enumerate(s.to_numpy(dtype=object)):
        if _blank(v):
            missing[i] = True
            keys.append(None)
        elif isinstance(v, (bool, np.bool_)):
            frac[i] = True
            keys.append(None)
        elif isinstance(v, (int, np.integer)):
            keys.append(int(v))
        elif isinstance(v, (float, np.floating)):
            ok = np.isfinite(v) and float(v).is_integer()
            frac[i] = not ok
            keys.append(int(v) if ok else None)
        elif _WHOLE.match(str(v).strip()):
            keys.append(int(str(v).strip()))
        else:
            frac[i] = True
            keys.append(None)
    shown = np.array(
        [_AsWritten(v.strip()) if isinstance(v, str) and _WHOLE.match(v.strip()) else v for v in s],
        dtype=object,
    )
    return keys, frac, missing, shown


_INT64 = (-(2**63), 2**63 - 1)


def _id_column(keys: list) -> np.ndarray:
    """int64 if every id fits, else the ids as text (exact either way)."""
    if all(_INT64[0] <= k <= _INT64[1] for k in keys):
        return np.array(keys, dtype=np.int64)
    return np.array([str(k) for k in keys], dtype=object)


def _case_hints(book: Codebook, columns: list[str]) -> tuple[list[str], set[str]]:
    """'columns differ only in case' for codebook names written in another case."""
    lower = {c.casefold(): c for c in columns if c not in book.variables}
    pairs = [
        (lower[name.casefold()], name)
        for name in book.variables
        if name not in columns and name.casefold() in lower
    ]
    if not pairs:
        return [], set()
    shown = ", ".join(f"{got!r} (codebook: {want!r})" for got, want in pairs[:8])
    more = f" and {len(pairs) - 8} more" if len(pairs) > 8 else ""
    return (
        [
            f"columns differ only in case from the codebook's names: {shown}{more}; "
            "rename them exactly as in the codebook (lower case)"
        ],
        {want for _, want in pairs},
    )


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
    case_problems, case_only = _case_hints(book, columns)
    problems += case_problems
    for name in book.variables:
        var = book.variable(name)
        if name not in df.columns and var.required and name not in case_only | absent:
            hint = get_close_matches(name, extra, n=1)
            problems.append(
                f"missing column {name!r} ({var.label})"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
            )

    n = len(df)
    clean: dict[str, np.ndarray] = {}
    shown: dict[str, np.ndarray] = {}
    ids = None
    for name in book.variables:
        if name not in df.columns:
            continue
        var = book.variable(name)
        if var.type == "id":
            keys, frac, missing, shown[name] = _id_keys(read, name)
            problems += _check_id(name, keys, frac, missing, shown[name])
            if not frac.any() and not missing.any():
                ids = keys
            clean[name] = np.array([np.nan if k is None else 0.0 for k in keys])
            continue
        values, bad, shown[name] = _numeric(read, name)
        if bad.any():
            expected = "numbers" if var.type == "weight" else "numeric codes"
            bools = all(str(v).strip().lower() in ("true", "false") for v in shown[name][bad])
            problems.append(
                f"column {name!r}: wrong type, expected {expected} but found text in "
                f"{_n(bad)} ({_rows(bad, shown[name])})"
                + ("; True/False are not codes, labels neither" if bools else "")
                + (f"; the codes are {_codes_text(var)}" if var.coded else "")
            )
        missing = np.isnan(values) & ~bad & ~read.reported.get(name, np.zeros(n, bool))
        if var.type == "weight":
            problems += _check_weight(name, values, missing, bad, shown[name])
        else:
            problems += _check_codes(var, values, shown[name])
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
                f"{_n(answered_not_asked)} ({_rows(answered_not_asked, shown[name])}); "
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
        elif var.type == "id":
            out[name] = _id_column(ids)
        elif not var.may_be_missing:
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
    # the sampling design a mapping file declared (SurveyDesign's keyword arguments)
    result.attrs["design"] = dict((meta or {}).get("design") or {})
    return result, "; ".join(parts)


def _bad(read: _Read, name: str) -> np.ndarray:
    return _numeric(read, name)[1]


def _check_id(
    name: str, keys: list, frac: np.ndarray, missing: np.ndarray, shown: np.ndarray
) -> list[str]:
    out = []
    if missing.any():
        out.append(f"column {name!r}: missing respondent ids in {_n(missing)} ({_rows(missing)})")
    if frac.any():
        out.append(f"column {name!r}: ids must be whole numbers; {_rows(frac, shown)}")
    present = pd.Series([k for k in keys], dtype=object)
    dup = (present.duplicated(keep=False) & present.notna()).to_numpy()
    if dup.any():
        first = present[dup].iloc[0]
        out.append(
            f"column {name!r}: duplicate ids in {_n(dup)} ({_rows(dup, shown)}); "
            f"id {first} occurs {int((present == first).sum())} times; every respondent needs a "
            "unique id"
        )
    return out


def _check_weight(
    name: str, values: np.ndarray, missing: np.ndarray, bad: np.ndarray, shown: np.ndarray
) -> list[str]:
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
            f"({_rows(invalid, shown)})"
        )
    return out


def _check_codes(var: Variable, values: np.ndarray, shown: np.ndarray) -> list[str]:
    out = []
    present = ~np.isnan(values)
    whole = present & np.isfinite(values) & (values == np.round(values))
    frac = present & ~whole
    if frac.any():
        out.append(
            f"column {var.name!r}: codes must be whole numbers, but are not in {_n(frac)} "
            f"({_rows(frac, shown)})"
        )
    allowed = np.array(list(var.codes), dtype=float)
    wrong = whole & ~np.isin(values, allowed)
    if wrong.any():
        lo, hi = int(allowed.min()), int(allowed.max())
        if var.type == "ordinal" and np.array_equal(np.sort(allowed), np.arange(lo, hi + 1)):
            out.append(
                f"column {var.name!r}: value out of range {lo}-{hi} in {_n(wrong)} "
                f"({_rows(wrong, shown)}); expected {_codes_text(var)}"
            )
        else:
            out.append(
                f"column {var.name!r}: unknown code in {_n(wrong)} ({_rows(wrong, shown)}); "
                f"expected {_codes_text(var)}"
            )
    return out
