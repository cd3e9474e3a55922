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
import math
import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import pandas as pd

from lederuddannelse.data.codebook import Codebook, load_codebook
from lederuddannelse.data.design_block import (
    DesignBlock,
    parse_design,
)
from lederuddannelse.data.reader import infer_column, read_table
from lederuddannelse.errors import DataValidationError
from lederuddannelse.yamlfile import (
    YamlDoc,
    YamlFileError,
    dotted,
    load_schema,
    load_yaml,
    schema_problems,
)

#: Key of the mapped Parquet file's key-value metadata (and of the synthetic file's).
META_KEY = b"lederuddannelse"
#: An SPSS file label containing this marks an export made from the synthetic survey.
SYNTHETIC_MARK = "lederuddannelse:synthetic"
SHOW_ROWS = 5
_CHECK_MARK = re.compile(r"#\s*check\b", re.IGNORECASE)  # `data map init` marks lines so

#: The shape of a mapping file (package data, JSON schema); the codebook's checks are below
SCHEMA_FILE = "mapping.schema.json"
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
    """Read an export (SPSS ``.sav``, CSV with ``,`` or ``;``, Parquet) as it is.

    The same reader as the loader's (:func:`lederuddannelse.data.reader.read_table`): the same
    checks of encoding, header, separators and duplicate names. CSV columns are typed as the
    mapping needs them: blank -> missing, a column of numbers (also with decimal comma) ->
    floats, else text.
    """
    raw = read_table(path)
    df = raw.df
    if raw.text:
        df = pd.DataFrame({c: _csv_column(df[c], raw.danish) for c in df.columns})
    fmt = "Danish CSV" if raw.danish else raw.fmt
    return Source(raw.path, df, fmt, raw.value_labels, raw.column_labels, raw.file_label)


def _csv_column(s: pd.Series, danish: bool) -> pd.Series:
    """Blank -> NaN; a column of numbers (also with decimal comma) -> floats; else text."""
    out = infer_column(s, danish)
    return out.astype(float) if pd.api.types.is_numeric_dtype(out) else out


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
    doc: YamlDoc
    design: DesignBlock | None = None

    def line(self, *key) -> str:
        """``mapping.yml:12`` for the deepest known prefix of ``key``."""
        return _at(self.doc, *key)


def _at(doc: YamlDoc, *key) -> str:
    line = doc.line(*key)
    return f"{doc.path.name}:{line}" if line else doc.path.name


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
    try:
        doc = load_yaml(path)
    except YamlFileError as exc:
        where = f"{path.name}:{exc.line}" if exc.line else path.name
        raise MappingError(f"{where}: not valid YAML ({exc.problem})") from None
    raw = doc.data
    problems = [
        f"{path.name}:{d.line}: key {dotted(d.key)!r} is given twice; keep one"
        for d in doc.duplicates
    ]
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
        return _at(doc, *key)

    if not isinstance(raw, dict):
        raise MappingError(f"{path.name}: expected a mapping with 'id' and 'variables' at the top")
    # the file's shape: the schema (every breach with its line); the entries it breaks are
    # left out below, so that the codebook's checks run on the rest
    shape = schema_problems(doc, load_schema(__package__, SCHEMA_FILE))
    problems += [f"{at(*key)}: {text}" for _, key, text in shape]
    broken = [key for _, key, _ in shape]

    def sound(*key) -> Any:
        """The value at ``key`` if the schema found nothing wrong in or above it, else None."""
        if any(b[: len(key)] == key or key[: len(b)] == b for b in broken):
            return None
        value = raw
        for k in key:
            value = value.get(k) if isinstance(value, dict) else None
        return value

    id_column = sound("id")
    design, design_problems = parse_design(sound("design"), at)
    problems += design_problems
    weight_column = (sound("weight") or {}).get("column")
    complete = sound("complete") or {}
    absent = sound("absent") or []
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
    spec = raw.get("variables") if isinstance(raw.get("variables"), dict) else {}
    for name in spec:
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
        entry = sound("variables", name)
        if entry is None:  # the schema's problem, reported above
            continue
        if isinstance(entry, str):
            entry = {"column": entry}
        var = book.variable(name)
        codes = set(var.codes)
        column, derive = entry["column"], entry.get("derive")
        vm = VarMap(name, column, derive=derive, digits=int(entry.get("digits", 6)))
        recode = entry.get("recode") or {}
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
            bins = entry.get("bins") or {}
            if set(bins) != codes:
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
        doc=doc,
        design=design,
    ), problems


def _is_blank(v: Any) -> bool:
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and not v.strip())
    )


def _key(v: Any) -> Any:
    """Recode keys: numbers as floats (SPSS stores doubles), text case- and space-folded."""
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    if v is None:
        return None
    return " ".join(str(v).split()).casefold()


def mapped_path(data: Path, mapping: Path, root: Path) -> Path:
    """Where the build keeps the mapped file of (export, mapping): named by both hashes."""
    a = sha256_bytes(data.read_bytes())[:16]
    b = sha256_bytes(mapping.read_bytes())[:16]
    return root / "build" / "mapped" / f"{data.stem}-{a}-{b}.parquet"
