"""Applying a mapping file to an export: the codebook-conforming frame, and its writing.

Part of the mapping (:mod:`lederuddannelse.data.mapping` reads the export and the mapping file;
:mod:`lederuddannelse.data.mapping_report` checks the result and writes `data validate`'s
report).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lederuddannelse.data.codebook import Codebook, load_codebook
from lederuddannelse.data.design_block import (
    design_columns_like,
)
from lederuddannelse.data.mapping import (
    DB07_10,
    META_KEY,
    SHOW_ROWS,
    Mapping,
    Source,
    _is_blank,
    _key,
    sha256_bytes,
)
from lederuddannelse.data.mapping_init import best_column
from lederuddannelse.data.weighting import weight_ratio_warning


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
        hint = folded.get(column.casefold())
        if not hint and key[0] == "variables" and key[1] in book.variables:
            # as `data map init` does: by the SPSS variable label and value labels too
            hint = best_column(book, key[1], source, exclude=claimed - {column})
        hint = hint or next(iter(get_close_matches(column, columns, n=1)), None)
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

    # One column, one variable: a column mapped twice is (nearly always) a wrong column.
    by_column: dict[str, list[str]] = {}
    for vm in mapping.variables.values():
        for c in [vm.column] if isinstance(vm.column, str) else list(vm.column):
            by_column.setdefault(c, []).append(vm.name)
    for c, names in by_column.items():
        if len(names) > 1:
            problems.append(
                f"{mapping.line('variables', names[1])}: column {c!r} is mapped to "
                f"{len(names)} variables ({', '.join(names)}); each column answers one question: "
                "check which variable it belongs to"
            )
    claimed = set(by_column)

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
            given = ~(np.asarray(is_missing, dtype=bool) | np.asarray(blank, dtype=bool))
            if vm.recode and given.any() and not (given & ~uncovered).any():
                seen = list(dict.fromkeys(_show(source, col, v) for v in raw[given]))
                problems.append(
                    f"{mapping.line('variables', vm.name)}: variables.{vm.name} <- {col}: the "
                    f"column's values ({', '.join(seen[:6])}{', ...' if len(seen) > 6 else ''}) "
                    f"do not look like the recode's ({', '.join(map(repr, list(vm.recode)[:6]))})"
                    f" at all: is {col!r} the column of '{vm.name}' ({var.label})?"
                )
                uncovered[:] = False  # one message, not a list of every value
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
