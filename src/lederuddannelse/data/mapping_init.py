"""A draft mapping file from an export's columns and SPSS labels (`data map init`).

The draft proposes, per codebook variable, the export column whose name, variable label or
value labels match best, a recode by value label where the labels match the codebook's, and
lists every value of the column with its count, so the person checking it sees what the file
holds. Every proposed line says "check": nothing in the draft is accepted silently, and a
variable with no plausible column is left for a decision (map it or list it as absent).
"""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher

import pandas as pd

from lederuddannelse.data.codebook import Codebook, load_codebook
from lederuddannelse.data.design_block import design_columns_like
from lederuddannelse.data.mapping import Source, _is_blank, _key, read_source

MAX_VALUES = 15
DONT_KNOW = ("ved ikke", "vil ikke svare", "don't know", "uoplyst")
_HINTS = {  # register variables whose column names are predictable
    "industry": ("db07", "branche", "industry", "nace"),
    "org_size": ("ansatte", "employees", "størrelse", "size"),
    "age_group": ("alder", "age"),
    "experience": ("erfaring", "experience", "år som leder", "aar"),
    "gender": ("køn", "koen", "gender", "sex"),
    "sector": ("sektor", "sector"),
}


def _q(value) -> str:
    """A YAML scalar for a flow mapping: labels are quoted (they may hold ',' or ':')."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, _key(a) or "", _key(b) or "").ratio()


def _score(book: Codebook, name: str, source: Source, col: str) -> float:
    var = book.variable(name)
    score = 0.0
    if col.casefold() == name.casefold():
        score += 3
    label = source.column_labels.get(col, "")
    if label:
        score += 2 * max(_similar(label, var.question), _similar(label, var.label))
    for hint in _HINTS.get(name, ()):
        if hint in col.casefold() or hint in label.casefold():
            score += 1.5
    labs = list((source.value_labels.get(col) or {}).values())
    if labs and var.type != "binary":
        hits = sum(_label_code(var.codes, lab) is not None for lab in labs)
        score += 2 * hits / len(var.codes)
    return score


def best_column(
    book: Codebook, name: str, source: Source, exclude: set[str] | frozenset = frozenset()
) -> str | None:
    """The export's column most like codebook variable ``name`` (by name, SPSS variable label,
    value labels), or None if nothing is alike enough. `data map init` proposes it and
    `data validate` suggests it for a column that is not in the export."""
    ranked = sorted(
        (
            (c, _score(book, name, source, c))
            for c in map(str, source.df.columns)
            if c not in exclude
        ),
        key=lambda t: -t[1],
    )
    return ranked[0][0] if ranked and ranked[0][1] >= 1.0 else None


def _label_code(codes: dict[int, str], label: str) -> int | None:
    """The codebook code whose label matches ``label`` (exactly or nearly), else None."""
    best, code = 0.0, None
    for k, v in codes.items():
        r = 1.0 if _key(v) == _key(label) else _similar(v, label)
        if r > best:
            best, code = r, k
    return code if best >= 0.8 else None


def _lower_bound(label: str, code: int, first: bool) -> float | None:
    text = label.casefold()
    nums = [int(x) for x in re.findall(r"\d+", text)]
    if first and text.startswith("under"):
        return 0
    if not nums:
        return None
    if text.startswith(("mere end", "over")):
        return nums[0] + 1
    return nums[0] if not first or nums[0] <= 1 else 0


def draft_mapping(path, codebook: Codebook | None = None) -> str:
    """The draft mapping YAML for an export (every line to be checked by a person)."""
    book = codebook or load_codebook()
    source = read_source(path)
    df = source.df
    df.columns = [str(c) for c in df.columns]
    cols = list(df.columns)
    out = [
        f"# Draft mapping of {source.path.name} onto data/codebook.yml, written by",
        "# `python -m lederuddannelse data map init`. EVERY line marked 'check' is a guess:",
        "# compare it with the questionnaire, fix it, then remove the 'check' mark.",
        "# `python -m lederuddannelse data validate FILE --mapping THIS_FILE` reports what is",
        "# still wrong. docs/real-data.md explains every key.",
        f"source: {source.path.name}",
        "",
    ]
    id_col = next(
        (
            c
            for c in cols
            if re.search(r"(^|_)(id|respondent|resp)", c.casefold())
            and df[c].notna().all()
            and df[c].is_unique
        ),
        None,
    )
    out.append(f"id: {id_col or 'CHECK_NO_ID_COLUMN_FOUND'}  # check: unique respondent id")
    status = next((c for c in cols if re.search(r"status|complete|gennemf", c.casefold())), None)
    if status:
        out.append(
            f"complete: {{column: {status}, values: [CHECK]}}  # check: a completed response's code"
        )
        out += _value_lines(source, status)
    else:
        out.append("# complete: {column: status, values: [1]}  # check: no completion column found")
    looks = design_columns_like(cols)
    design_cols = {c for hits in looks.values() for c in hits}
    weight = next(
        (c for c in cols if re.search(r"weight|v(ae|æ)gt", c.casefold()) and c not in design_cols),
        None,
    )
    out.append(
        f"weight: {{column: {weight}}}  # check: base weights, raked to data/margins.csv"
        if weight
        else "weight: {}  # check: no weight column found: equal base weights, raked"
    )
    out += _design_lines(looks)
    out.append("absent: []  # check: codebook variables the export does not have")
    out.append("")
    out.append("variables:")
    taken: set[str] = {c for c in (id_col, status, weight) if c} | design_cols
    for name in book.variables:
        var = book.variable(name)
        if var.type in ("id", "weight"):
            continue
        best = best_column(book, name, source, exclude=taken)
        if best is None:
            out.append(f"  {name}:  # check: no matching column found; map it or list it as absent")
            out.append("    column: CHECK")
            continue
        taken.add(best)
        out.append(f"  {name}:  # check: {var.label}")
        out.append(f"    column: {best}  # check")
        out += _proposal(book, name, source, best)
        out += _value_lines(source, best)
    return "\n".join(out) + "\n"


def _design_lines(looks: dict[str, list[str]]) -> list[str]:
    """A drafted ``design:`` block from columns that look like design columns (or a comment)."""
    if not looks:
        return ["# design: {strata: ..., psu: [...], fpc: [...]}  # no design columns found: a "
                "simple weighted sample"]  # fmt: skip
    out = ["design:  # check: how the sample was drawn (docs/real-data.md)"]
    if "repweights" in looks:
        out.append(f"  repweights: {_q(looks['repweights'])}  # check: the replicate weights")
        out.append("  rep_type: CHECK  # check: JK1, JKn, bootstrap, BRR or Fay")
        return out
    if "strata" in looks:
        out.append(f"  strata: {looks['strata'][0]}  # check")
    if "psu" in looks:
        out.append(f"  psu: {_q(looks['psu'][:2])}  # check: first (and second) stage")
    if "fpc" in looks:
        out.append(f"  fpc: {_q(looks['fpc'][:2])}  # check: one per stage, sizes or fractions")
    out.append("  lonely_psu: fail  # check: R's default; adjust, average, certainty, remove")
    return out


def _proposal(book: Codebook, name: str, source: Source, col: str) -> list[str]:
    var = book.variable(name)
    s = source.df[col]
    labels = source.value_labels.get(col) or {}
    numeric = pd.api.types.is_numeric_dtype(s)
    if name == "industry" and numeric and s.nunique() > 10:
        return ["    derive: db07  # check: six-digit DB07 codes -> the 10 groups"]
    if var.type == "binary":
        ticked = [v for v in labels.values() if _key(v) in ("valgt", "ja", "selected", "checked")]
        chosen = ticked[0] if ticked else 1
        lines = [
            "    derive: chosen  # check: one column per option",
            f"    chosen: [{_q(chosen)}]  # check: value or label of a ticked option",
        ]
        unticked = [v for v in labels.values() if _key(v) in ("ikke valgt", "nej", "not selected")]
        if unticked:  # else: an empty cell among those asked means not ticked
            lines.append(f"    not_chosen: [{_q(unticked[0])}]  # check")
        return lines
    if var.type == "ordinal" and numeric and not labels and s.nunique() > len(var.codes) + 3:
        bounds = []
        for i, (code, lab) in enumerate(var.codes.items()):
            b = _lower_bound(lab, code, i == 0)
            bounds.append(f"{code}: {b if b is not None else 'CHECK'}")
        return [
            "    derive: bins  # check: a number (years, employees) -> groups",
            f"    bins: {{{', '.join(bounds)}}}  # check: lowest value of each group",
        ]
    recode, missing = [], []
    for value, lab in labels.items():
        code = _label_code(var.codes, lab)
        if code is not None:
            recode.append(f"{_q(lab)}: {code}")
        elif any(d in lab.casefold() for d in DONT_KNOW):
            missing.append(lab)
        else:
            recode.append(f"{_q(lab)}: CHECK")
    lines = []
    if recode:
        lines.append(f"    recode: {{{', '.join(recode)}}}  # check: by value label")
    if missing:
        lines.append(f"    missing: [{', '.join(map(_q, missing))}]  # check: no answer")
    return lines


def _value_lines(source: Source, col: str) -> list[str]:
    """Every value of the column (up to MAX_VALUES) with its label and count, as comments."""
    s = source.df[col]
    counts = s.map(lambda v: "(empty)" if _is_blank(v) else v).value_counts(sort=False)
    try:
        counts = counts.sort_index()
    except TypeError:
        pass
    lines = [f"    #   values in {col}: {len(counts)} distinct"]
    if s.dtype == object and len(counts) > MAX_VALUES:
        return lines + ["    #     (free text: not listed)"]
    for value, n in list(counts.items())[:MAX_VALUES]:
        lab = source.label_of(col, value) if value != "(empty)" else None
        shown = f"{int(value)}" if isinstance(value, float) and value.is_integer() else str(value)
        lines.append(f"    #     {shown[:30]}{f' = {lab}' if lab else ''}: {n:,}")
    if len(counts) > MAX_VALUES:
        lines.append(f"    #     ... {len(counts) - MAX_VALUES} more")
    return lines
