"""From a survey tool's export to a codebook-conforming file: the mapping layer.

A real export never uses the codebook's names and codes: it has its own variable names
(``q1``, ``bagg_koen``), its own codes (1 = Kvinde), "ved ikke" codes, one column per option
of a multiple-choice question, and register variables (a DB07 industry code, a count of
employees). A *mapping file* (YAML, see ``docs/real-data.md``) says, per codebook variable,
where its values come from; this module reads and checks that file (every problem named by
mapping file, line and key), applies it to the export, and writes the result as Parquet with
the hashes of both the export and the mapping in its metadata, so that the build's cache and
every page's provenance line can name both. Nothing is accepted silently: values that no
recode covers are counted and shown, and the mapped file is validated by the loader.

The mapped frame holds only codebook variables: free-text answers and other columns of the
export never reach the mapped file, so they cannot reach the book.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from lederuddannelse.data.codebook import Codebook, load_codebook
from lederuddannelse.data.design_block import (
    DesignBlock,
    design_columns_like,
    design_summary,
    parse_design,
)
from lederuddannelse.data.weighting import weight_ratio_warning
from lederuddannelse.errors import DataValidationError

#: Key of the mapped Parquet file's key-value metadata (and of the synthetic file's).
META_KEY = b"lederuddannelse"
#: An SPSS file label containing this marks an export made from the synthetic survey.
SYNTHETIC_MARK = "lederuddannelse:synthetic"
SHOW_ROWS = 5
_CHECK_MARK = re.compile(r"#\s*check\b", re.IGNORECASE)  # `data map init` marks lines so

DERIVATIONS = ("bins", "db07", "chosen")
_VAR_KEYS = {
    "column",
    "recode",
    "missing",
    "derive",
    "bins",
    "chosen",
    "not_chosen",
    "digits",
}
_TOP_KEYS = {"source", "id", "weight", "complete", "variables", "absent", "design"}

# DB07 (Danmarks Statistiks branchekode 2007) to the standard 10-group grouping, by the first
# two digits of the six-digit code. Prefixes not listed are not DB07 main groups.
DB07_10 = {
    **{p: 1 for p in range(1, 4)},  # A Landbrug, skovbrug og fiskeri
    **{p: 2 for p in range(5, 40)},  # B-E Industri, råstofindvinding og forsyning
    **{p: 3 for p in range(41, 44)},  # F Bygge og anlæg
    **{p: 4 for p in range(45, 57)},  # G-I Handel og transport mv.
    **{p: 5 for p in range(58, 64)},  # J Information og kommunikation
    **{p: 6 for p in range(64, 67)},  # K Finansiering og forsikring
    68: 7,  # L Ejendomshandel og udlejning
    **{p: 8 for p in range(69, 83)},  # M-N Erhvervsservice
    **{p: 9 for p in range(84, 89)},  # O-Q Offentlig administration, undervisning og sundhed
    **{p: 10 for p in range(90, 100)},  # R-U Kultur, fritid og anden service
}


class MappingError(DataValidationError):
    """The mapping file itself is wrong (YAML, keys, codes, columns); lists every problem."""


# --- the source file -------------------------------------------------------------------------
@dataclass
class Source:
    """An export as read: raw columns, SPSS value and variable labels, file label."""

    path: Path
    df: pd.DataFrame
    fmt: str
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    file_label: str = ""

    @property
    def synthetic(self) -> bool:
        return SYNTHETIC_MARK in (self.file_label or "")

    def label_of(self, column: str, value: Any) -> str | None:
        labels = self.value_labels.get(column) or {}
        try:
            return labels.get(float(value))
        except (TypeError, ValueError):
            return None


def read_source(path: str | Path) -> Source:
    """Read an export (SPSS ``.sav``, CSV with ``,`` or ``;``, Parquet) as it is."""
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(
            f"{path}: " + ("is a folder, not a data file" if path.is_dir() else "file not found")
        )
    suffix = path.suffix.lower()
    try:
        if suffix in (".sav", ".zsav"):
            import pyreadstat

            df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
            labels = {
                c: {float(k): str(v) for k, v in (lab or {}).items()}
                for c, lab in (meta.variable_value_labels or {}).items()
            }
            col_labels = {c: lab for c, lab in (meta.column_names_to_labels or {}).items() if lab}
            return Source(path, df, "SPSS", labels, col_labels, meta.file_label or "")
        if suffix == ".parquet":
            return Source(path, pd.read_parquet(path), "Parquet")
        if suffix in (".csv", ".txt"):
            text = path.read_text(encoding="utf-8-sig")
            first = text.split("\n", 1)[0]
            danish = first.count(";") > first.count(",")
            df = pd.read_csv(
                path,
                sep=";" if danish else ",",
                decimal="," if danish else ".",
                encoding="utf-8-sig",
                dtype=object,
                keep_default_na=False,
            )
            df = df.apply(_csv_column)
            return Source(path, df, "Danish CSV" if danish else "CSV")
    except UnicodeDecodeError:
        raise DataValidationError(
            f"{path}: not UTF-8 encoded; save the file as 'CSV UTF-8' and try again"
        ) from None
    except Exception as exc:  # the readers raise many types for broken files
        raise DataValidationError(
            f"{path}: cannot be read ({exc.__class__.__name__}: {exc})"
        ) from None
    raise DataValidationError(
        f"{path}: unknown file type {suffix or '(none)'!r}; expected .sav, .csv or .parquet"
    )


def _csv_column(s: pd.Series) -> pd.Series:
    """Blank -> NaN; a column of numbers (also with decimal comma) -> floats; else text."""
    s = s.map(lambda v: np.nan if isinstance(v, str) and not v.strip() else v)
    num = pd.to_numeric(
        s.map(lambda v: v.replace(",", ".") if isinstance(v, str) else v), errors="coerce"
    )
    if (num.notna() | s.isna()).all():
        return num.astype(float)
    return s


# --- the mapping file ------------------------------------------------------------------------
@dataclass
class VarMap:
    """How one codebook variable is made from the export."""

    name: str
    column: str | list[str]
    recode: dict[Any, int] = field(default_factory=dict)
    missing: list[Any] = field(default_factory=list)
    derive: str | None = None
    bins: dict[int, float] = field(default_factory=dict)
    chosen: list[Any] = field(default_factory=list)
    not_chosen: list[Any] = field(default_factory=list)
    digits: int = 6

    @property
    def how(self) -> str:
        if self.derive == "bins":
            return "bins"
        if self.derive == "db07":
            return "DB07 -> 10 groups"
        if self.derive == "chosen":
            return "option column"
        return "recode" if self.recode else "same codes"


@dataclass
class Mapping:
    path: Path
    sha256: str
    id_column: str
    weight_column: str | None
    complete_column: str | None
    complete_values: list[Any]
    variables: dict[str, VarMap]
    absent: list[str]
    lines: dict[tuple, int]
    design: DesignBlock | None = None

    def line(self, *key) -> str:
        """``mapping.yml:12`` for the deepest known prefix of ``key``."""
        for i in range(len(key), -1, -1):
            if key[:i] in self.lines:
                return f"{self.path.name}:{self.lines[key[:i]]}"
        return self.path.name


def _compose(path: Path) -> tuple[Any, dict[tuple, int], list[str]]:
    """Parse YAML keeping each key's line; duplicated keys are problems, not last-one-wins."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        raise MappingError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    lines: dict[tuple, int] = {}
    problems: list[str] = []

    def walk(n, key: tuple) -> None:
        if isinstance(n, yaml.MappingNode):
            seen: set = set()
            for k, v in n.value:
                if k.tag.endswith(":merge"):
                    continue
                name = _scalar(k)
                if name in seen:
                    dotted = ".".join(map(str, key + (name,)))
                    problems.append(
                        f"{path.name}:{k.start_mark.line + 1}: key {dotted!r} is given twice; "
                        "keep one"
                    )
                seen.add(name)
                lines[key + (name,)] = k.start_mark.line + 1
                walk(v, key + (name,))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                lines[key + (i,)] = v.start_mark.line + 1
                walk(v, key + (i,))

    if node is not None:
        walk(node, ())
    return yaml.safe_load(text), lines, problems


def _scalar(node) -> Any:
    """A YAML key as safe_load would read it (1 -> int, 'Mand' -> str)."""
    kind = node.tag.rsplit(":", 1)[-1]
    try:
        if kind == "int":
            return int(node.value)
        if kind == "float":
            return float(node.value)
        if kind == "bool":
            return node.value.lower() in ("true", "yes", "on")
        if kind == "null":
            return None
    except ValueError:
        pass
    return node.value


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_mapping(path: str | Path, codebook: Codebook | None = None) -> Mapping:
    """Read and check a mapping file against the codebook; raise listing every problem."""
    mapping, problems = parse_mapping(path, codebook)
    if problems:
        raise MappingError(
            f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''} in the mapping "
            "file:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return mapping


def parse_mapping(path: str | Path, codebook: Codebook | None = None) -> tuple[Mapping, list[str]]:
    """The mapping with its problems; wrong entries are left out, so the rest can still be
    applied and every problem of a file reported in one go."""
    path = Path(path)
    if not path.is_file():
        raise MappingError(f"{path}: mapping file not found")
    book = codebook or load_codebook()
    raw, lines, problems = _compose(path)
    sha = sha256_bytes(path.read_bytes())
    unchecked = [
        i
        for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _CHECK_MARK.search(ln)
    ]
    if unchecked:
        shown = ", ".join(map(str, unchecked[:10])) + (", ..." if len(unchecked) > 10 else "")
        problems.append(
            f"{path.name}: {len(unchecked)} line(s) still marked 'check' by `data map init` "
            f"(lines {shown}); check each against the questionnaire and remove the mark"
        )

    def at(*key) -> str:
        for i in range(len(key), -1, -1):
            if key[:i] in lines:
                return f"{path.name}:{lines[key[:i]]}"
        return path.name

    if not isinstance(raw, dict):
        raise MappingError(f"{path.name}: expected a mapping with 'id' and 'variables' at the top")
    for k in raw:
        if k not in _TOP_KEYS:
            problems.append(
                f"{at(k)}: unknown top-level key {k!r}; expected {', '.join(sorted(_TOP_KEYS))}"
            )
    id_column = raw.get("id")
    if not isinstance(id_column, str) or not id_column:
        problems.append(f"{at('id')}: 'id' must name the export's respondent id column")
    design, design_problems = parse_design(raw.get("design"), at)
    problems += design_problems
    weight = raw.get("weight") or {}
    weight_column = None
    if isinstance(weight, dict):
        for k in weight:
            if k not in ("column", "rake"):
                problems.append(f"{at('weight', k)}: weight: unknown key {k!r}; expected column")
        weight_column = weight.get("column")
        if weight.get("rake", True) is not True:
            problems.append(
                f"{at('weight', 'rake')}: weight.rake must be true: the book always rakes to "
                "data/margins.csv, starting from the file's weights (R's rake() starts from the "
                "design weights)"
            )
        if weight_column is not None and not isinstance(weight_column, str):
            problems.append(f"{at('weight', 'column')}: weight.column must be a column name")
    else:
        problems.append(f"{at('weight')}: 'weight' must be a mapping like {{column: vaegt}}")
    complete = raw.get("complete") or {}
    if not isinstance(complete, dict) or (complete and not {"column", "values"} <= set(complete)):
        problems.append(
            f"{at('complete')}: 'complete' needs 'column' and 'values' (the codes of a completed "
            "response)"
        )
        complete = {}
    absent = raw.get("absent") or []
    if not isinstance(absent, list):
        problems.append(f"{at('absent')}: 'absent' must be a list of codebook variables")
        absent = []
    for i, name in enumerate(absent):
        if name not in book:
            problems.append(f"{at('absent', i)}: absent: {name!r} is not a codebook variable")
        elif book.variable(name).type in ("id", "weight"):
            problems.append(f"{at('absent', i)}: absent: {name!r} cannot be absent")
        elif book.variable(name).weighting:
            problems.append(
                f"{at('absent', i)}: absent: {name!r} is a weighting variable (data/margins.csv); "
                "the raking needs it"
            )

    variables: dict[str, VarMap] = {}
    spec = raw.get("variables") or {}
    if not isinstance(spec, dict):
        problems.append(f"{at('variables')}: 'variables' must map codebook names to entries")
        spec = {}
    for name, entry in spec.items():
        where = f"{at('variables', name)}: variables.{name}"
        if name not in book or book.variable(name).type in ("id", "weight"):
            hint = get_close_matches(str(name), book.variables, n=1)
            problems.append(
                f"{where}: not a codebook variable"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
                + (" (the id and weight are set by the top-level 'id' and 'weight')")
            )
            continue
        if name in absent:
            problems.append(f"{where}: is mapped and also listed as absent; choose one")
        if not isinstance(entry, dict):
            entry = {"column": entry} if isinstance(entry, str) else {}
        for k in entry:
            if k not in _VAR_KEYS:
                problems.append(
                    f"{at('variables', name, k)}: variables.{name}: unknown key {k!r}; expected "
                    f"{', '.join(sorted(_VAR_KEYS - {'check'}))}"
                )
        var = book.variable(name)
        codes = set(var.codes)
        column = entry.get("column")
        if not column or not isinstance(column, (str, list)):
            problems.append(f"{where}: needs 'column' (the export's column)")
            continue
        derive = entry.get("derive")
        if derive is not None and derive not in DERIVATIONS:
            problems.append(
                f"{at('variables', name, 'derive')}: variables.{name}.derive: unknown derivation "
                f"{derive!r}; expected one of {', '.join(DERIVATIONS)}"
            )
            continue
        vm = VarMap(name, column, derive=derive, digits=int(entry.get("digits", 6)))
        recode = entry.get("recode") or {}
        if not isinstance(recode, dict):
            problems.append(
                f"{at('variables', name, 'recode')}: variables.{name}.recode: "
                "expected 'source value or label: codebook code' lines"
            )
            recode = {}
        bad_codes = [src for src, code in recode.items() if code not in codes]
        for src, code in recode.items():
            if code not in codes:
                problems.append(
                    f"{at('variables', name, 'recode', src)}: variables.{name}.recode: "
                    f"{src!r} -> {code!r}, but {code!r} is not a code of {name!r}; expected "
                    + ", ".join(f"{k} ({v})" for k, v in var.codes.items())
                )
        vm.recode = {_key(k): v for k, v in recode.items()}
        vm.missing = [_key(v) for v in (entry.get("missing") or [])]
        if derive == "bins":
            bins = entry.get("bins")
            if not isinstance(bins, dict) or set(bins) != codes:
                problems.append(
                    f"{at('variables', name, 'bins')}: variables.{name}.bins: give the lowest "
                    f"source value of every code {sorted(codes)}, e.g. {{1: 0, 2: 40}}"
                )
            else:
                lows = [bins[c] for c in sorted(codes)]
                if any(not isinstance(x, (int, float)) for x in lows) or lows != sorted(lows):
                    problems.append(
                        f"{at('variables', name, 'bins')}: variables.{name}.bins: the lower "
                        "bounds must be numbers that increase with the code"
                    )
                vm.bins = {int(c): float(bins[c]) for c in sorted(codes)}
        if derive == "db07" and codes != set(range(1, 11)):
            problems.append(f"{where}: derive db07 gives the 10 DB07 groups; {name!r} is not that")
        if derive == "chosen":
            if var.type != "binary":
                problems.append(f"{where}: derive chosen is for one-column-per-option items")
            vm.chosen = [_key(v) for v in (entry.get("chosen") or [])]
            vm.not_chosen = [_key(v) for v in (entry.get("not_chosen", [None]) or [])]
            if not vm.chosen:
                problems.append(
                    f"{at('variables', name)}: variables.{name}: 'chosen' lists the value(s) or "
                    "label(s) meaning the option was ticked"
                )
        if not bad_codes:
            variables[name] = vm

    for name in book.variables:
        var = book.variable(name)
        if var.type in ("id", "weight") or name in spec or name in absent:
            continue
        problems.append(
            f"{at('variables')}: codebook variable {name!r} ({var.label}) is neither mapped nor "
            "listed under 'absent'"
        )
    return Mapping(
        path=path,
        sha256=sha,
        id_column=id_column,
        weight_column=weight_column,
        complete_column=complete.get("column"),
        complete_values=[_key(v) for v in complete.get("values", [])],
        variables=variables,
        absent=list(absent),
        lines=lines,
        design=design,
    ), problems


def _key(v: Any) -> Any:
    """Recode keys: numbers as floats (SPSS stores doubles), text case- and space-folded."""
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    if v is None:
        return None
    return " ".join(str(v).split()).casefold()


# --- applying the mapping --------------------------------------------------------------------
@dataclass
class Uncovered:
    variable: str
    column: str
    counts: dict[str, int]
    rows: list[int]


@dataclass
class MapResult:
    """The mapped frame plus everything the validation report says about it."""

    df: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    uncovered: list[Uncovered] = field(default_factory=list)
    dropped_incomplete: int = 0
    unused_columns: list[str] = field(default_factory=list)
    weight_note: str = ""
    source_rows: np.ndarray | None = None


def _is_blank(v: Any) -> bool:
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and not v.strip())
    )


def _match(source: Source, column: str, values: pd.Series, table: dict[Any, Any]):
    """Per row: the entry of ``table`` for the raw value, else for its value label (or None)."""
    labels = source.value_labels.get(column) or {}
    out = []
    for v in values:
        if _is_blank(v):
            out.append(table.get(None, _NO) if None in table else _NO)
            continue
        k = _key(v)
        if k in table:
            out.append(table[k])
            continue
        try:
            lab = labels.get(float(v))
        except (TypeError, ValueError):
            lab = None
        if lab is not None and _key(lab) in table:
            out.append(table[_key(lab)])
        else:
            out.append(_NO)
    return out


_NO = object()  # "no entry" marker
_MISSING = object()


def _show(source: Source, column: str, v: Any) -> str:
    if _is_blank(v):
        return "(empty)"
    text = f"{int(v)}" if isinstance(v, float) and float(v).is_integer() else repr(v)
    lab = source.label_of(column, v)
    return f"{text} ({lab!r})" if lab else text


def apply_mapping(source: Source, mapping: Mapping, codebook: Codebook | None = None) -> MapResult:
    """Make the codebook-conforming frame; collect uncovered values and column problems."""
    book = codebook or load_codebook()
    df = source.df
    columns = [str(c) for c in df.columns]
    df.columns = columns
    problems: list[str] = []
    result = MapResult(pd.DataFrame())

    def need(column: str, *key) -> bool:
        if column in df.columns:
            return True
        folded = {c.casefold(): c for c in columns}
        hint = folded.get(column.casefold()) or next(
            iter(get_close_matches(column, columns, n=1)), None
        )
        problems.append(
            f"{mapping.line(*key)}: {'.'.join(map(str, key))}: column {column!r} is not in "
            f"{source.path.name}" + (f"; did you mean {hint!r}?" if hint else "")
        )
        return False

    used: set[str] = set()
    keep = np.ones(len(df), bool)
    if mapping.complete_column:
        if need(mapping.complete_column, "complete", "column"):
            used.add(mapping.complete_column)
            hit = _match(
                source,
                mapping.complete_column,
                df[mapping.complete_column],
                {k: True for k in mapping.complete_values},
            )
            keep = np.array([h is True for h in hit])
            result.dropped_incomplete = int((~keep).sum())
            if not keep.any():
                problems.append(
                    f"{mapping.line('complete', 'values')}: complete: no row of "
                    f"{mapping.complete_column!r} has one of the values {mapping.complete_values}; "
                    "give the value or label of a completed response"
                )
    sub = df[keep].reset_index(drop=True)
    result.source_rows = np.flatnonzero(keep) + 1
    out: dict[str, np.ndarray] = {}

    if mapping.id_column and need(mapping.id_column, "id"):
        used.add(mapping.id_column)
        ids = sub[mapping.id_column]
        out[book.id_variable] = pd.to_numeric(ids, errors="coerce").to_numpy(dtype=float)
        bad = ids.notna() & pd.to_numeric(ids, errors="coerce").isna()
        if bad.any():
            problems.append(
                f"id column {mapping.id_column!r}: ids must be whole numbers; text in "
                f"{int(bad.sum())} rows ({_rows(bad, result.source_rows)})"
            )
    if mapping.weight_column and need(mapping.weight_column, "weight", "column"):
        used.add(mapping.weight_column)
        w = pd.to_numeric(sub[mapping.weight_column], errors="coerce").to_numpy(dtype=float)
        out[book.weight_variable] = w
        ok = np.isfinite(w) & (w > 0)
        if ok.all() and (ratio := weight_ratio_warning(w, f"weights in {mapping.weight_column!r}")):
            result.warnings.append(ratio.removeprefix("WARNING: "))
        if ok.all():
            total = float(w.sum())
            if abs(total - len(w)) <= 0.01 * len(w):
                result.warnings.append(
                    f"weight column {mapping.weight_column!r} sums to {total:,.1f}, the number of "
                    "respondents: the weights look normalised to the sample. That is fine: they "
                    "are used as base weights and raked to data/margins.csv, which scales them to "
                    "the population total"
                )
        result.weight_note = (
            f"the file's weights (column {mapping.weight_column!r}) are the base weights, raked to "
            "data/margins.csv (as R's rake() starts from the design weights)"
        )
    else:
        result.weight_note = "no weight column: equal base weights, raked to data/margins.csv"

    # Routing needs the mapped routing variables first: map plain variables before options.
    order = sorted(mapping.variables.values(), key=lambda vm: vm.derive == "chosen")
    for vm in order:
        var = book.variable(vm.name)
        cols = [vm.column] if isinstance(vm.column, str) else list(vm.column)
        if not all(need(c, "variables", vm.name, "column") for c in cols):
            continue
        used.update(cols)
        col = cols[0]
        raw = sub[col]
        values = np.full(len(sub), np.nan)
        uncovered = np.zeros(len(sub), bool)
        missing_hit = _match(source, col, raw, {k: _MISSING for k in vm.missing})
        is_missing = np.array([h is _MISSING for h in missing_hit])
        blank = raw.map(_is_blank).to_numpy()
        if vm.derive == "chosen":
            cond = var.applies_to
            asked = (
                np.ones(len(sub), bool)
                if cond is None
                else np.isin(out.get(cond.variable, np.full(len(sub), np.nan)), cond.values)
            )
            table = {k: 1.0 for k in vm.chosen}
            table.update({k: 0.0 for k in vm.not_chosen if k not in table})
            hit = _match(source, col, raw, table)
            for i, h in enumerate(hit):
                if is_missing[i]:
                    continue
                if blank[i] and not asked[i]:
                    continue  # not asked: stays empty
                if h is _NO:
                    uncovered[i] = True
                else:
                    values[i] = h
        elif vm.derive == "bins":
            num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
            codes = list(vm.bins)
            lows = np.array([vm.bins[c] for c in codes])
            for i, x in enumerate(num):
                if is_missing[i] or blank[i]:
                    continue
                if not np.isfinite(x) or x < lows[0]:
                    uncovered[i] = True
                    continue
                values[i] = codes[int(np.searchsorted(lows, x, side="right")) - 1]
        elif vm.derive == "db07":
            for i, x in enumerate(raw):
                if is_missing[i] or blank[i]:
                    continue
                group = _db07_group(x, vm.digits)
                if group is None:
                    uncovered[i] = True
                else:
                    values[i] = group
        else:
            table = dict(vm.recode)
            if not table:  # same codes as the codebook, also as value labels
                table = {float(k): k for k in var.codes}
                table.update({_key(lab): k for k, lab in var.codes.items()})
            hit = _match(source, col, raw, table)
            for i, h in enumerate(hit):
                if is_missing[i] or blank[i]:
                    continue
                if h is _NO:
                    uncovered[i] = True
                else:
                    values[i] = h
        if uncovered.any():
            shown = raw[uncovered]
            counts: dict[str, int] = {}
            for v in shown:
                counts[_show(source, col, v)] = counts.get(_show(source, col, v), 0) + 1
            result.uncovered.append(
                Uncovered(
                    vm.name,
                    col,
                    counts,
                    list(result.source_rows[np.flatnonzero(uncovered)][:SHOW_ROWS]),
                )
            )
        out[vm.name] = values

    # Codebook order; id first. Absent variables are simply not there. Then the design's
    # columns, under their own names (the design in the metadata names them).
    ordered = {n: out[n] for n in book.variables if n in out}
    if mapping.design is not None:
        for c in mapping.design.columns(columns):
            if c in ordered:
                problems.append(
                    f"{mapping.line('design')}: design column {c!r} has a codebook variable's "
                    "name; rename it in the export"
                )
            elif need(c, "design"):
                used.add(c)
                ordered[c] = sub[c].to_numpy()
    else:
        looks = design_columns_like([c for c in columns if c not in used])
        if looks:
            shown = "; ".join(f"{role}: {', '.join(c[:4])}" for role, c in looks.items())
            result.warnings.append(
                f"columns that look like a sampling design ({shown}) but no 'design:' block: the "
                "book would analyse the sample as a simple weighted one, with wrong uncertainty "
                "if it was drawn by strata or clusters. Declare the design (docs/real-data.md; "
                "`data map init` drafts it) or say so by listing no design"
            )
    result.df = pd.DataFrame(ordered)
    result.problems = problems
    result.unused_columns = [c for c in columns if c not in used]
    return result


def _db07_group(x: Any, digits: int) -> int | None:
    if _is_blank(x):
        return None
    text = str(x).strip()
    if isinstance(x, float):
        if not float(x).is_integer():
            return None
        text = str(int(x))
    text = text.replace(".", "")
    if not text.isdigit() or len(text) > digits:
        return None
    return DB07_10.get(int(text.zfill(digits)[:2]))


def _rows(mask, source_rows: np.ndarray | None = None) -> str:
    idx = np.flatnonzero(np.asarray(mask))
    rows = (source_rows[idx] if source_rows is not None else idx + 1)[:SHOW_ROWS]
    text = "rows " + ", ".join(str(int(r)) for r in rows)
    return text + (", ..." if idx.size > SHOW_ROWS else "")


# --- writing and validating ------------------------------------------------------------------
def mapped_metadata(source: Source, mapping: Mapping, result: MapResult) -> dict:
    """What the mapped file says about itself: hashes (never paths), absent variables."""
    return {
        "synthetic": source.synthetic,
        "mapped": True,
        "source_file": source.path.name,
        "source_sha256": sha256_bytes(source.path.read_bytes()),
        "mapping_file": mapping.path.name,
        "mapping_sha256": mapping.sha256,
        "absent": mapping.absent,
        "base_weights": bool(mapping.weight_column),
        "dropped_incomplete": result.dropped_incomplete,
        **({"design": mapping.design.kwargs()} if mapping.design is not None else {}),
    }


def write_mapped(df: pd.DataFrame, out: Path, metadata: dict) -> Path:
    """Parquet with the metadata; written to a temporary name and renamed (parallel-safe)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    kv = dict(table.schema.metadata or {})
    kv[META_KEY] = json.dumps(metadata, sort_keys=True, ensure_ascii=False).encode("utf-8")
    if metadata.get("synthetic"):
        kv[b"synthetic"] = b"true"
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    pq.write_table(table.replace_schema_metadata(kv), tmp)
    os.replace(tmp, out)
    return out


@dataclass
class Validation:
    """The outcome of ``validate``: the report text, whether it passed, the mapped file."""

    report: str
    ok: bool
    out: Path | None
    result: MapResult | None = None


def mapped_path(data: Path, mapping: Path, root: Path) -> Path:
    """Where the build keeps the mapped file of (export, mapping): named by both hashes."""
    a = sha256_bytes(data.read_bytes())[:16]
    b = sha256_bytes(mapping.read_bytes())[:16]
    return root / "build" / "mapped" / f"{data.stem}-{a}-{b}.parquet"


def validate(
    data: str | Path,
    mapping_file: str | Path,
    out: str | Path | None = None,
    *,
    root: Path | None = None,
    reference: pd.DataFrame | None = None,
) -> Validation:
    """Map ``data`` with ``mapping_file``, check everything, write the mapped Parquet if OK.

    ``reference`` is the frame whose distributions are shown beside the mapped file's
    (default: the embedded synthetic survey).
    """
    from lederuddannelse.data.loader import load_survey
    from lederuddannelse.paths import project_root

    data, mapping_file = Path(data), Path(mapping_file)
    root = root or project_root()
    book = load_codebook()
    lines = []
    source = read_source(data)
    mapping, mapping_problems = parse_mapping(mapping_file, book)
    res = apply_mapping(source, mapping, book)
    res.problems[:0] = mapping_problems
    df = res.df
    lines.append(
        f"Validation of {data.name} ({source.fmt}, {len(source.df):,} rows, "
        f"{source.df.shape[1]} columns, SHA-256 {sha256_bytes(data.read_bytes())[:12]}…) "
        f"with mapping {mapping_file.name} (SHA-256 {mapping.sha256[:12]}…)"
    )
    if source.synthetic:
        lines.append("The file says it was made from the SYNTHETIC survey (SPSS file label).")
    lines.append("")
    lines.append(
        f"Rows: {len(source.df):,} read"
        + (
            f"; {res.dropped_incomplete:,} dropped as not completed "
            f"({mapping.complete_column} not in {mapping.complete_values})"
            if mapping.complete_column
            else "; no completion column given (every row counts as a response)"
        )
        + f"; {len(df):,} respondents."
    )
    lines.append(f"Weights: {res.weight_note}.")
    if mapping.design is not None and not res.problems:
        lines += design_summary(df, mapping.design)
    elif mapping.design is None:
        lines.append("Design: none declared; the sample is analysed as a simple weighted one.")
    mapped = [v for v in mapping.variables.values() if v.derive is None]
    derived = [v for v in mapping.variables.values() if v.derive is not None]
    lines.append("")
    lines.append(f"Variables mapped ({len(mapped)}):")
    lines += _wrap([f"{v.name} <- {v.column} ({v.how})" for v in mapped])
    lines.append(f"Variables derived ({len(derived)}):")
    lines += _wrap([f"{v.name} <- {v.column} ({v.how})" for v in derived])
    lines.append(f"Variables absent ({len(mapping.absent)}):")
    lines += _wrap(
        [f"{a} ({book.label(a)}): pages that need it say so" for a in mapping.absent] or ["none"]
    )
    lines.append(
        f"Columns of the export not used ({len(res.unused_columns)}; never copied into the "
        "mapped file or the book):"
    )
    lines += _wrap(res.unused_columns or ["none"])

    problems = list(res.problems)
    for u in res.uncovered:
        vals = ", ".join(f"{k}: {n:,} rows" for k, n in list(u.counts.items())[:8])
        problems.append(
            f"{mapping.line('variables', u.variable)}: variables.{u.variable} <- {u.column}: "
            f"values no recode covers: {vals} (first rows {', '.join(map(str, u.rows))}); add "
            "them to 'recode' or 'missing'"
        )
    out_path: Path | None = None
    loaded = None
    if not res.problems:
        tmp_meta = mapped_metadata(source, mapping, res)
        target = Path(out) if out else mapped_path(data, mapping_file, root)
        staging = target.with_name(target.stem + ".check.parquet")
        write_mapped(df, staging, tmp_meta)
        try:
            if not res.uncovered:
                loaded = load_survey(staging, book)
                _check_weighting(loaded, book, problems)
        except DataValidationError as exc:
            msg = str(exc).split("\n", 1)
            problems += (
                [
                    ln.strip()[2:] + " (loader; rows are rows of the mapped file)"
                    for ln in msg[1].splitlines()
                    if ln.strip().startswith("- ")
                ]
                if len(msg) > 1
                else [str(exc)]
            )
        if problems:
            staging.unlink(missing_ok=True)
        else:
            os.replace(staging, target)
            out_path = target

    lines.append("")
    lines.append(f"Problems ({len(problems)}):")
    lines += [f"  - {p}" for p in problems] or ["  none"]
    lines.append(f"Warnings ({len(res.warnings)}):")
    lines += [f"  - {w}" for w in res.warnings] or ["  none"]
    lines.append("")
    lines += distribution_table(df, book, reference)
    lines.append("")
    if out_path is not None:
        lines.append(
            f"Result: OK. Wrote {_rel(out_path, root)} (export SHA-256 "
            f"{sha256_bytes(data.read_bytes())[:12]}…, mapping SHA-256 {mapping.sha256[:12]}…)."
        )
    else:
        lines.append(
            f"Result: FAILED ({len(problems)} problem{'s' if len(problems) != 1 else ''})."
        )
    return Validation("\n".join(lines), out_path is not None, out_path, res)


def _check_weighting(df: pd.DataFrame, book: Codebook, problems: list[str]) -> None:
    """What the raking needs: every margin category present (else the build fails later)."""
    from lederuddannelse.data.weighting import load_margins

    for var, target in load_margins().items():
        have = set(df[var].dropna().astype(int))
        empty = [int(c) for c in target.index if target[c] > 0 and int(c) not in have]
        for c in empty:
            problems.append(
                f"weighting: {var} = {c} ({book.value_labels(var).get(c, c)}) has a population "
                "total in data/margins.csv but no respondents, so raking cannot reach the margin; "
                "merge the category in margins.csv or check the recode"
            )


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _wrap(items: list[str], width: int = 96) -> list[str]:
    out, line = [], "  "
    for i, item in enumerate(items):
        piece = item + ("; " if i < len(items) - 1 else "")
        if len(line) + len(piece) > width and line.strip():
            out.append(line.rstrip())
            line = "  "
        line += piece
    if line.strip():
        out.append(line.rstrip())
    return out


#: A share in the mapped file this many percentage points from the synthetic file's is flagged.
FLAG_PP = 15.0


def distribution_table(
    df: pd.DataFrame, book: Codebook, reference: pd.DataFrame | None = None
) -> list[str]:
    """Unweighted shares per code, this file beside the synthetic survey; '!' marks big gaps.

    A wrong recode (gender reversed, a scale turned round) shows as a large difference.
    """
    if reference is None:
        reference = _synthetic_reference()
    lines = [
        "Distributions (unweighted % of those with a value; this file | synthetic survey; "
        f"'!' = more than {FLAG_PP:.0f} points apart: check the recode):"
    ]
    flagged = []
    for name in book.variables:
        var = book.variable(name)
        if not var.coded or name not in df.columns:
            continue
        here = pd.Series(df[name]).dropna()
        ref = pd.Series(reference[name]).dropna() if name in reference.columns else pd.Series([])
        rows = []
        for code, label in var.codes.items():
            a = 100 * float((here == code).mean()) if len(here) else float("nan")
            b = 100 * float((ref == code).mean()) if len(ref) else float("nan")
            flag = "!" if abs(a - b) > FLAG_PP else ""
            if flag:
                flagged.append(name)
            rows.append(f"    {code:>2} {label[:38]:<38} {a:5.1f} | {b:5.1f} {flag}".rstrip())
        lines.append(f"  {name} ({len(here):,} with a value):")
        lines += rows
    if flagged:
        lines.insert(1, f"  Flagged: {', '.join(dict.fromkeys(flagged))}")
    return lines


def _synthetic_reference() -> pd.DataFrame:
    from lederuddannelse.data.synthetic import ensure_embedded_data
    from lederuddannelse.paths import embedded_data_path

    ensure_embedded_data()
    return pd.read_parquet(embedded_data_path())


def ensure_mapped(data: Path, mapping_file: Path, root: Path) -> Path:
    """The mapped Parquet of (export, mapping), made if missing; raise with the report if bad.

    Named by both hashes under ``build/mapped/``, so an edited mapping or export gives a new
    file and the build's cache sees the change; concurrent makers write the same bytes and
    rename, so parallel chapters cannot see half a file.
    """
    target = mapped_path(data, mapping_file, root)
    if target.is_file():
        return target
    v = validate(data, mapping_file, target, root=root)
    if not v.ok:
        raise DataValidationError(
            f"{data.name} with mapping {mapping_file.name} does not validate; run\n"
            f"  python -m lederuddannelse data validate {data} --mapping {mapping_file}\n"
            "for the full report. Problems:\n"
            + "\n".join(ln for ln in v.report.splitlines() if ln.startswith("  - "))
        )
    return target


@dataclass(frozen=True)
class ResolvedData:
    """What a run reads (``load_path``) and what its provenance names (file and mapping)."""

    source: Path
    source_sha256: str
    load_path: Path
    mapping: Path | None = None
    mapping_sha256: str | None = None

    @property
    def identity(self) -> str:
        """One string naming the data for cache keys: the export's hash, plus the mapping's."""
        return self.source_sha256 + (f"+{self.mapping_sha256}" if self.mapping_sha256 else "")


def resolve_mapped(source: Path, mapping: Path | None, root: Path) -> ResolvedData:
    """An export (and its mapping, if any) -> the file to load plus both hashes.

    Without a mapping the data file is loaded as it is. With one, the mapped Parquet under
    ``build/mapped/`` is made if missing (see :func:`ensure_mapped`); the build calls this once
    before any chapter runs, so a bad export or mapping stops the build once.
    """
    source_sha = sha256_bytes(source.read_bytes())
    if mapping is None:
        return ResolvedData(source, source_sha, source)
    return ResolvedData(
        source,
        source_sha,
        ensure_mapped(source, mapping, root),
        mapping,
        sha256_bytes(mapping.read_bytes()),
    )
