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

import unicodedata
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ArrowInvalid

from lederuddannelse.data.codebook import Codebook, Variable, load_codebook
from lederuddannelse.data.design_block import design_columns_like
from lederuddannelse.data.files import read_metadata
from lederuddannelse.data.reader import RawFile, fail, infer_column, read_table, text_column

SHOW_ROWS = 5
_STRING = pd.ArrowDtype(pa.string())


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
    #: a CSV: every column is text as written
    text: bool = False
    #: how to show the values of columns in ``numeric`` (default: as they are in ``df``)
    shown: dict[str, object] = field(default_factory=dict)


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
    return validated(path, codebook, margins)[1]


def validated(
    path: str | Path, codebook: Codebook | None = None, margins=None
) -> tuple[pd.DataFrame, str]:
    """:func:`validate_file`'s checks, returning the data as well as the summary (one read)."""
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
    return df, info


# --- reading ---------------------------------------------------------------------------------
_fail = fail


def _read(path: Path, book: Codebook) -> _Read:
    numbers = [c for c in book.variables if book.variable(c).type != "id"]
    raw = read_table(path, numbers=numbers)
    if raw.fmt == "SPSS":
        return _read_sav(raw, book)
    read = _Read(raw.df, raw.fmt, danish=raw.danish, text=raw.text)
    for col in raw.typed:  # parsed as numbers: shown as written, read again only if shown
        values = np.asarray(raw.df[col], dtype=float)  # float64: blanks are NaN already
        read.numeric[col] = values
        read.bad_type[col] = np.zeros(len(values), bool)
        read.shown[col] = _Shown(None, read.bad_type[col], source=(raw.path, col))
    return read


def _read_sav(raw: RawFile, book: Codebook) -> _Read:
    """Map SPSS value labels onto codebook codes (by label text)."""
    df = raw.df
    read = _Read(df, "SPSS")
    for col, spss_labels in raw.value_labels.items():
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
        mapped = values.map(mapping).astype(float)
        # Unlabelled or unmappable values become NaN here but are already reported above,
        # so nothing is dropped silently.
        read.bad_type[col] = np.zeros(len(df), bool)
        read.numeric[col] = mapped.to_numpy(dtype=float)
        read.reported[col] = (values.notna() & mapped.isna()).to_numpy()
    return read


def _norm(text) -> str:
    """A label as compared: spaces and case ignored, and a range's en dash ('29–100', as the
    codebook writes it) the same as a hyphen ('29-100', as survey tools often export it)."""
    return " ".join(str(text).replace("\u2013", "-").split()).casefold()


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
        vals = (
            values[shown] if isinstance(values, _Shown) else np.asarray(values, dtype=object)[shown]
        )
        text += ": " + ", ".join(_fmt(v) for v in vals)
    return text


def _n(mask) -> str:
    k = int(np.asarray(mask).sum())
    return f"{k} row" if k == 1 else f"{k} rows"


def _codes_text(var: Variable) -> str:
    return ", ".join(f"{k} ({v})" for k, v in var.codes.items())


class _AsWritten(str):
    """A value as the file holds it (shown without quotes: "2,5", not 2.5)."""


class _Shown:
    """A text column's values as messages show them, built only for the rows shown.

    Numbers as written ("2,5"); text that is not a number quoted ('x').
    """

    def __init__(self, text: pd.Series | None, bad: np.ndarray, source=None):
        self.text = text
        self.bad = bad
        #: (file, column): a column the reader typed; its text is read again when shown
        self.source = source

    def __getitem__(self, index) -> np.ndarray:
        index = np.asarray(index)
        idx = np.flatnonzero(index) if index.dtype == bool else index
        if self.text is None:
            self.text = text_column(*self.source)
        values = self.text.iloc[idx].astype(object).to_numpy()
        return np.array(
            [
                (v if is_bad else _AsWritten(v.strip())) if isinstance(v, str) else v
                for v, is_bad in zip(values, self.bad[idx])
            ],
            dtype=object,
        )


def _blank(v) -> bool:
    return (
        v is None
        or (isinstance(v, float) and np.isnan(v))
        or v is pd.NA
        or (isinstance(v, str) and not v.strip())
    )


def _text(s: pd.Series, danish: bool) -> tuple[pa.Array, np.ndarray]:
    """A text column trimmed (decimal comma as point in a Danish CSV), blank entries null,
    and its blank mask; computed by Arrow kernels, column by column."""
    if s.dtype == _STRING:
        arr = pa.array(s.array)
    else:  # text in a Parquet or SPSS file: as text, values kept as written
        arr = pa.array(
            [None if _blank(v) else str(v) for v in s.to_numpy(dtype=object)], pa.string()
        )
    trimmed = pc.utf8_trim_whitespace(arr)
    blank_arr = pc.fill_null(pc.equal(pc.binary_length(trimmed), 0), True)
    blank = blank_arr.to_numpy(zero_copy_only=False)
    if danish:
        trimmed = pc.replace_substring(trimmed, ",", ".")
    if blank.any():
        trimmed = pc.if_else(blank_arr, pa.scalar(None, pa.string()), trimmed)
    return trimmed, blank


def _numeric(read: _Read, col: str) -> tuple[np.ndarray, np.ndarray, object]:
    """Column as floats, a mask of entries that are not numbers, and the values to show.

    True/False (a boolean column) are not numbers: see the rule in the module docstring.
    Column-wise: a clean column is converted in one cast; a column with text in it is
    converted once more value by value (only to find which entries are not numbers).
    """
    s = read.df[col]
    if col in read.numeric:
        # (the values to show only when the reader has none: an object copy of a column is slow)
        shown = read.shown[col] if col in read.shown else s.to_numpy(dtype=object)
        return read.numeric[col], read.bad_type[col], shown
    if pd.api.types.is_bool_dtype(s):
        present = s.notna().to_numpy()
        return np.full(len(s), np.nan), present, s.to_numpy(dtype=object)
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        return values, np.zeros(len(s), bool), values
    clean, blank = _text(s, read.danish)
    try:
        values = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False)
        bad = np.zeros(len(s), bool)
    except ArrowInvalid:  # text in the column: find it, value by value
        text = pd.Series(clean.to_numpy(zero_copy_only=False), dtype=object)
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~blank & np.isnan(values) & ~_nan_text(text)
    values = np.where(blank, np.nan, values).astype(float)
    return values, bad, _Shown(s, bad)


def _nan_text(text: pd.Series) -> np.ndarray:
    """Entries written as NaN (read as a missing number, as a reader would)."""
    return text.str.lower().isin(["nan", "+nan", "-nan"]).to_numpy(dtype=bool)


def _id_keys(read: _Read, col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
    """Respondent ids without loss: (ids, not-whole mask, missing, shown).

    Ids are compared as exact integers, never as float64 (which cannot tell 20-digit ids
    apart): int64 when every id fits (one cast), else Python ints (object). Text and numbers
    are both accepted if they are whole numbers.
    """
    s = read.df[col]
    n = len(s)
    if pd.api.types.is_integer_dtype(s) and not s.isna().any():
        return s.to_numpy(dtype=np.int64), np.zeros(n, bool), np.zeros(n, bool), s.to_numpy()
    if pd.api.types.is_bool_dtype(s):
        missing = s.isna().to_numpy()
        return np.zeros(n, np.int64), ~missing, missing, s.to_numpy(dtype=object)
    if pd.api.types.is_numeric_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(v)
        frac = ~missing & ~(np.isfinite(v) & (v == np.round(v)))
        keys = np.where(missing | frac, 0, v).astype(np.int64)
        if np.abs(v[~missing & ~frac]).max(initial=0) >= 2**53:
            keys = _exact(s.to_numpy(dtype=object), missing | frac)
        return keys, frac, missing, v
    clean, missing = _text(s, danish=False)
    whole = pc.fill_null(pc.match_substring_regex(clean, r"^[+-]?\d+$"), False)
    whole = whole.to_numpy(zero_copy_only=False)
    frac = ~missing & ~whole
    try:
        keys = pc.cast(pc.if_else(whole, clean, "0"), pa.int64()).to_numpy(zero_copy_only=False)
    except ArrowInvalid:  # beyond int64: exact Python ints
        keys = _exact(clean.to_numpy(zero_copy_only=False), ~whole)
    return keys, frac, missing, _Shown(s, frac)


def _exact(values: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """Python ints (exact at any length) for ids beyond int64 or float precision."""
    return np.array(
        [0 if bad else int(str(v).strip().split(".")[0]) for v, bad in zip(values, skip)],
        dtype=object,
    )


_INT64 = (-(2**63), 2**63 - 1)


def _id_column(keys: np.ndarray) -> np.ndarray:
    """int64 if every id fits, else the ids as text (exact either way)."""
    if keys.dtype == np.int64:
        return keys
    if all(_INT64[0] <= k <= _INT64[1] for k in keys):
        return np.array(keys, dtype=np.int64)
    return np.array([str(k) for k in keys], dtype=object)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def _plain(name: str) -> str:
    """A column name as it looks: without zero-width characters, fullwidth letters as ASCII
    (NFKC), case folded."""
    return unicodedata.normalize("NFKC", name).translate(_INVISIBLE).strip().casefold()


def _case_hints(book: Codebook, columns: list[str]) -> tuple[list[str], set[str]]:
    """Columns that only look like a codebook name (other case, zero-width or fullwidth
    characters): 'differ only in case' when the codebook's column is absent, and an error
    naming both when a look-alike stands beside the codebook's column."""
    looks: dict[str, list[str]] = {}
    for c in columns:
        if c not in book.variables:
            looks.setdefault(_plain(c), []).append(c)
    pairs, beside = [], []
    for name in book.variables:
        for got in looks.get(_plain(name), []):
            (beside if name in columns else pairs).append((got, name))
    out = []
    if beside:
        out.append(
            "columns that look like a codebook column stand beside it: "
            + ", ".join(f"{got!r} beside {want!r}" for got, want in beside[:8])
            + "; keep one column per variable, named exactly as in the codebook (remove or "
            "rename the look-alike)"
        )
    if pairs:
        shown = ", ".join(f"{got!r} (codebook: {want!r})" for got, want in pairs[:8])
        more = f" and {len(pairs) - 8} more" if len(pairs) > 8 else ""
        out.append(
            f"columns differ only in case from the codebook's names: {shown}{more}; "
            "rename them exactly as in the codebook (lower case)"
            if all(got.casefold() == want.casefold() for got, want in pairs)
            else f"columns look like the codebook's names but are written differently "
            f"(other case, zero-width or fullwidth characters): {shown}{more}; rename them "
            "exactly as in the codebook"
        )
    return out, {want for _, want in pairs}


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
    bad_of: dict[str, np.ndarray] = {}
    for name in book.variables:
        if name not in df.columns:
            continue
        var = book.variable(name)
        if var.type == "id":
            keys, frac, missing, shown[name] = _id_keys(read, name)
            problems += _check_id(name, keys, frac, missing, shown[name])
            if not frac.any() and not missing.any():
                ids = keys
            clean[name] = np.where(frac | missing, np.nan, 0.0)
            bad_of[name] = frac
            continue
        values, bad, shown[name] = _numeric(read, name)
        bad_of[name] = bad
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
        missing = np.isnan(values) & ~bad_of[name] & ~read.reported.get(name, np.zeros(n, bool))
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
        result[c] = infer_column(df[c], read.danish).to_numpy() if read.text else df[c].to_numpy()

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


def _check_id(
    name: str, keys: np.ndarray, frac: np.ndarray, missing: np.ndarray, shown
) -> list[str]:
    out = []
    if missing.any():
        out.append(f"column {name!r}: missing respondent ids in {_n(missing)} ({_rows(missing)})")
    if frac.any():
        out.append(f"column {name!r}: ids must be whole numbers; {_rows(frac, shown)}")
    valid = ~(frac | missing)
    dup = np.zeros(len(keys), bool)
    dup[valid] = pd.Series(keys[valid]).duplicated(keep=False).to_numpy()
    if dup.any():
        first = keys[np.flatnonzero(dup)[0]]
        out.append(
            f"column {name!r}: duplicate ids in {_n(dup)} ({_rows(dup, shown)}); "
            f"id {first} occurs {int(((keys == first) & valid).sum())} times; every respondent "
            "needs a unique id"
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
