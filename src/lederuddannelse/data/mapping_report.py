"""`data validate --mapping`: map an export, check everything, report what matters first.

Problems first (numbered), then warnings, then what was mapped, then the distributions of the
variables with data beside the synthetic survey's, and one result line at the end.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lederuddannelse.data.codebook import Codebook, load_codebook
from lederuddannelse.data.design_block import (
    design_summary,
)
from lederuddannelse.data.mapping import (
    mapped_path,
    parse_mapping,
    read_source,
    sha256_bytes,
)
from lederuddannelse.data.mapping_apply import (
    MapResult,
    apply_mapping,
    mapped_metadata,
    write_mapped,
)
from lederuddannelse.errors import DataValidationError
from lederuddannelse.hashing import sha256_file


@dataclass
class Validation:
    """The outcome of ``validate``: the report text, whether it passed, the mapped file."""

    report: str
    ok: bool
    out: Path | None
    result: MapResult | None = None


def validate(
    data: str | Path,
    mapping_file: str | Path,
    out: str | Path | None = None,
    *,
    root: Path | None = None,
    reference: pd.DataFrame | None = None,
    all_distributions: bool = False,
) -> Validation:
    """Map ``data`` with ``mapping_file``, check everything, write the mapped Parquet if OK.

    The report says what matters first: the problems (counted), then the warnings, then what
    was mapped, then the distributions (only of variables with data, unless
    ``all_distributions``), and one result line at the end. ``reference`` is the frame whose
    distributions are shown beside the mapped file's (default: the embedded synthetic survey).
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
    lines += [f"  {i}. {p}" for i, p in enumerate(problems, 1)] or ["  none"]
    lines.append(f"Warnings ({len(res.warnings)}):")
    lines += [f"  - {w}" for w in res.warnings] or ["  none"]
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

    lines.append("")
    lines += distribution_table(df, book, reference, with_data_only=not all_distributions)
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
    df: pd.DataFrame,
    book: Codebook,
    reference: pd.DataFrame | None = None,
    with_data_only: bool = False,
) -> list[str]:
    """Unweighted shares per code, this file beside the synthetic survey; '!' marks big gaps.

    A wrong recode (gender reversed, a scale turned round) shows as a large difference.
    ``with_data_only``: variables without a value in this file are counted, not listed.
    """
    if reference is None:
        reference = _synthetic_reference()
    lines = [
        "Distributions (unweighted % of those with a value; this file | synthetic survey; "
        f"'!' = more than {FLAG_PP:.0f} points apart: check the recode):"
    ]
    flagged, empty = [], []
    for name in book.variables:
        var = book.variable(name)
        if not var.coded or name not in df.columns:
            continue
        here = pd.Series(df[name]).dropna()
        if with_data_only and not len(here):
            empty.append(name)
            continue
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
    if empty:
        lines.append(
            f"  Not shown: {len(empty)} variable{'s' if len(empty) != 1 else ''} without a "
            f"value in this file ({', '.join(empty[:10])}{', ...' if len(empty) > 10 else ''}); "
            "--all-distributions shows them"
        )
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
            + "\n".join(ln for ln in v.report.splitlines() if re.match(r"  \d+\. ", ln))
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
    source_sha = sha256_file(source)  # in blocks: a data file may be large
    if mapping is None:
        return ResolvedData(source, source_sha, source)
    return ResolvedData(
        source,
        source_sha,
        ensure_mapped(source, mapping, root),
        mapping,
        sha256_file(mapping),
    )
