"""Disclosure audit of a built site: read what readers can read, and try to recover small cells.

Why a separate check after the statistics layer has already protected every table: the policy
(:mod:`lederuddannelse.stats.disclosure`) is applied table by table, but a reader sees the
whole book at once, in four forms (HTML tables, chart data sets, CSV downloads -- the reader's
rounded file and the analysts' unrounded one -- and downloadable notebooks). This audit takes
the reader's position: it knows nothing of the data file, only what is published, and checks
that

1. **no count is small**: no count of respondents from 1 to ``min_count - 1``, and no visible
   estimate whose ``n`` is below ``min_n`` (also in the prose: "n = 12");
2. **no hidden count is recoverable by differencing**: cells that add up to a total (the groups
   of a breakdown, the categories of a distribution, the bins of a histogram) are assumed to
   have a known total, as they do in the book (the notice gives the number of respondents,
   overall tables give each item's n), and a hidden cell is recoverable when it is a linear
   combination of the known totals and the visible cells (:func:`~lederuddannelse.stats.
   disclosure.determined`), within a table and across tables of the same domain (two tables
   are of the same domain when their visible counts of the same rows agree);
3. **no hidden count is published in another form**: a cell hidden in one table and shown in
   another of the same domain, or recoverable from an unweighted share (share × respondents);
4. **no single respondent's value**: e.g. the largest weight ("Største vægt").

Where it sits: in ``book`` because it reads the built site (HTML, notebooks, data URIs) and
runs in the build before publishing; the linear algebra lives in ``stats.disclosure``.
Command: ``python -m lederuddannelse audit FILE_OR_SITE``.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lederuddannelse.report.fmt import N_HEADING
from lederuddannelse.report.tables import ANALYSIS_SUFFIX, DOWNLOAD_COLUMNS
from lederuddannelse.site.audit_across import check_across
from lederuddannelse.site.audit_read import (  # noqa: F401  (the audit's names)
    SINGLE_RESPONDENT_LABELS,
    SKIPPED_PAGES,
    AuditReport,
    Finding,
    Memo,
    RawFrame,
    collect_raw,
    gate,
    load_cache,
    raw_frames_of_html,
    run_audit,
    save_cache,
    sorted_vocabulary,
)
from lederuddannelse.site.audit_roles import check_roles
from lederuddannelse.stats.disclosure import determined
from lederuddannelse.stats.limits import DEFAULT_MIN_COUNT, DEFAULT_MIN_N

#: Column names (lower case) of respondent counts behind an estimate or a group.
COUNT_COLUMNS = {
    "n",
    "antal_svar",
    "antal svar (n)",
    "respondents",
    "n_a",
    "n_b",
    "antal_svar_a",
    "antal_svar_b",
    "antal besvarelser",
    N_HEADING.lower(),
    *(DOWNLOAD_COLUMNS[c] for c in ("n", "n_a", "n_b") if c in DOWNLOAD_COLUMNS),
}
#: Weighted sizes (population estimates, not respondents): "N" is not "n".
WEIGHTED_COLUMNS = {"N", "N_a", "N_b", "vaegtet_antal"}
#: Column names of respondents in one category of a distribution (a part of ``n``).
CATEGORY_COUNT_COLUMNS = {"n_category", "antal_i_kategori"}
#: Columns naming a category or a bin: partitions of the respondents.
CATEGORY_COLUMNS = {"category", "kategori", "bin_start", "vaegt_fra"}
BIN_COLUMNS = {"bin_start", "vaegt_fra"}
#: Columns with an unweighted share (share x respondents = a count).
UNWEIGHTED_SHARE_COLUMNS = {"andel_uvaegtet", "stikprøven (uvægtet)", "unweighted_share"}
UNWEIGHTED_DIFF_COLUMNS = {"afvigelse_uvaegtet_pp", "unweighted_diff_pp"}
#: Columns with an estimate: a visible one next to a small n is a finding.
ESTIMATE_COLUMNS = {
    "estimate",
    "estimat",
    "andel",
    "share",
    "odds_ratio",
    "odds ratio",
    "estimate_a",
    "estimate_b",
    "estimat_a",
    "estimat_b",
}
SUPPRESSED_TEXTS = ("undertrykt", "for få svar")


@dataclass
class Frame:
    """One published table in any form, with the page it is on."""

    page: str
    where: str
    data: pd.DataFrame


TABLES_CACHE = "tables.pickle"  # in the audit's cache folder: what each table is


# ---------------------------------------------------------------------------- reading
def _danish_number(text: str) -> float:
    """'1.234' -> 1234, '43,2 pct.' -> 0.432, '12,5 %' -> 0.125, else NaN."""
    t = str(text).strip().replace("\u00a0", " ").replace("\u2212", "-")
    if not t or any(s in t.lower() for s in SUPPRESSED_TEXTS) or t in ("–", "-", "—"):
        return np.nan
    pct = t.endswith("pct.") or t.endswith("%")
    t = t.replace("pct.", "").replace("%", "").strip().replace(".", "").replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return np.nan
    return v / 100 if pct else v


def typed_frame(raw: RawFrame) -> Frame:
    """The :class:`Frame` of a raw table: counts and shares as numbers."""
    if raw.kind == "csv":  # where ends with the file's name
        data = _read_csv(io.StringIO(raw.payload), raw.where.rsplit(" ", 1)[-1])
    elif raw.kind == "csvbytes":
        data = _read_csv(io.BytesIO(raw.payload), raw.where)
    elif raw.kind == "records":
        data = pd.DataFrame(raw.payload)
    else:
        header, rows = raw.payload
        data = _typed_html(pd.DataFrame(rows, columns=header))
    return Frame(raw.page, raw.where, data)


def _typed_html(df: pd.DataFrame) -> pd.DataFrame:
    """Counts and shares of an HTML table as numbers; 'n_a / n_b' split in two columns."""
    df = df.copy()
    for c in list(df.columns):
        low = c.lower()
        if low in COUNT_COLUMNS:
            pairs = df[c].astype(str).str.split(" / ")
            if pairs.map(len).max() == 2:
                df["n_a"] = [_danish_number(p[0]) if len(p) == 2 else np.nan for p in pairs]
                df["n_b"] = [_danish_number(p[1]) if len(p) == 2 else np.nan for p in pairs]
                df = df.drop(columns=c)
            else:
                df[c] = df[c].map(_danish_number)
        else:
            # a column of numbers (shares, intervals aside) is a value, not a label
            values = df[c].map(_danish_number)
            texts = df[c].astype(str).str.strip()
            blank = texts.eq("") | texts.str.lower().str.contains("undertrykt")
            if values[~blank].notna().all() and (~blank).any():
                df[c] = values
    return df


def _read_csv(source, name: str = "") -> pd.DataFrame:
    """A published CSV in either of its two forms: the reader's (';', decimal comma) or the
    analysts' (',', decimal point; its name ends with ``ANALYSIS_SUFFIX``). The form is read
    from the header line, so a file named otherwise cannot slip through as one column; a
    header with neither separator (one column) falls back on the name."""
    text = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    text = (text.decode("utf-8-sig") if isinstance(text, bytes) else text).lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    commas, semicolons = header.count(","), header.count(";")
    analysis = commas > semicolons or (
        commas == semicolons == 0 and Path(name or str(source)).stem.endswith(ANALYSIS_SUFFIX)
    )
    sep, decimal = (",", ".") if analysis else (";", ",")
    return pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal, keep_default_na=True)


def frames_of_html(html: str, page: str, where: str) -> list[Frame]:
    return [typed_frame(r) for r in raw_frames_of_html(html, page, where)]


def collect(target: Path) -> tuple[list[Frame], dict[str, str], int]:
    """Frames and page texts of a site folder, a page, a notebook or a CSV file."""
    raws, texts, nfiles = collect_raw(target)
    return _dedupe([typed_frame(r) for r in raws]), texts, nfiles


#: Two-group comparisons: (group column or None, count, estimate) of each side
_SIDES = (
    ("gruppe_a", "antal_svar_a", "estimat_a"),
    ("gruppe_b", "antal_svar_b", "estimat_b"),
    ("a", "n_a", "estimate_a"),
    ("b", "n_b", "estimate_b"),
)


def _halves(f: Frame) -> list[tuple[str, pd.DataFrame]]:
    """``f``'s table as audited: itself, or, for a comparison of two groups (``n_a``/``n_b``
    side by side), its two sides as two tables (suffixes " (a)", " (b)"), so that each side
    matches the breakdown table of the same domain: a difference must not show a group's n
    that the breakdown hides."""
    df = f.data
    sides = [(g, n, e) for g, n, e in _SIDES if n in df.columns]
    if len(sides) != 2:
        return [("", df)]
    paired = {c for side in sides for c in side} | {"n_a", "n_b"}
    rest = [
        c
        for c in df.columns
        if c not in paired and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c]))
    ]
    out = []
    for k, (g, n, e) in enumerate(sides):
        if g in df.columns:
            group = df[g]
        elif len(df.columns) > 2 and g in ("a", "b"):
            group = pd.Series([str(df.columns[1 + k])] * len(df), index=df.index)
        else:
            group = pd.Series([f"gruppe {g}"] * len(df), index=df.index)
        half = df[rest].copy()
        half["gruppe"] = group.astype(str).to_numpy()
        half["antal_svar"] = df[n].to_numpy()
        if e in df.columns:
            half["estimat"] = df[e].to_numpy()
        out.append((f" ({'ab'[k]})", half))
    return out


def _dedupe(frames: list[Frame]) -> list[Frame]:
    """The same table published twice (page and notebook) is audited once."""
    out, seen = [], set()
    for f in frames:
        key = (f.page, f.data.to_csv(index=False))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


# ---------------------------------------------------------------------------- structure
@dataclass
class _Table:
    frame: Frame
    counts: dict[str, str]  # column -> "n" | "category"
    keys: list[frozenset]  # one row key per row: the labels that vary
    match_keys: list[frozenset]  # every label of the row (codes as their labels): for matching
    partitions: list[str]
    labels: list[str]
    sets: dict[str, list] = field(default_factory=dict)  # count column -> _sets(...)


def _grouping_vocabulary() -> tuple[set[str], list[set[str]], dict[str, dict]]:
    """Names/labels of the codebook's grouping variables, each one's value labels, and the
    code -> label map per variable name (chart data carry codes, tables carry labels)."""
    from lederuddannelse.data.codebook import load_codebook

    cb = load_codebook()
    names: set[str] = set()
    values: list[set[str]] = []
    codes: dict[str, dict] = {}
    for name in cb.variables:
        var = cb.variable(name)
        if var.type in ("categorical", "ordinal") and var.codes:
            names |= {name.lower(), var.label.lower()}
            values.append({str(v) for v in var.codes.values()})
            codes[name.lower()] = dict(var.codes)
    return names, values, codes


def _structure(
    frame: Frame, names: set[str], values: list[set[str]], codes: dict[str, dict]
) -> _Table:
    df = frame.data
    counts = {}
    for c in df.columns:
        low = str(c).lower()
        if str(c) in WEIGHTED_COLUMNS:
            continue
        if low in COUNT_COLUMNS and pd.api.types.is_numeric_dtype(df[c]):
            counts[c] = "n"
        elif low in CATEGORY_COUNT_COLUMNS and pd.api.types.is_numeric_dtype(df[c]):
            counts[c] = "category"
    if any(str(c).lower() in BIN_COLUMNS | UNWEIGHTED_SHARE_COLUMNS for c in df.columns):
        # histogram bins and weighting margins: counts of a category, parts of all respondents
        counts = {c: "category" for c in counts}
    labels = [
        c
        for c in df.columns
        if (df[c].dtype == object or pd.api.types.is_string_dtype(df[c]))
        and not str(c).endswith("_text")
        and not str(c).startswith("_")
        and df[c].dropna().map(lambda v: isinstance(v, str)).all()
    ]
    partitions = []
    for c in df.columns:
        low = str(c).lower()
        vals = set(df[c].dropna().astype(str))
        by_name = low in names or low in CATEGORY_COLUMNS
        by_values = c in labels and len(vals) >= 2 and any(vals <= v for v in values)
        if by_name or by_values:
            if not any(_one_to_one(df, c, p) for p in partitions):
                partitions.append(c)
    varying = [c for c in labels if df[c].nunique(dropna=True) > 1]
    keys = [
        frozenset(str(df[c].iloc[i]).strip() for c in varying if pd.notna(df[c].iloc[i]))
        for i in range(len(df))
    ]
    coded = {c: codes[str(c).lower()] for c in df.columns if str(c).lower() in codes}
    match_keys = [
        keys[i]
        | frozenset(str(df[c].iloc[i]).strip() for c in labels if pd.notna(df[c].iloc[i]))
        | frozenset(
            m[df[c].iloc[i]]
            for c, m in coded.items()
            if pd.notna(df[c].iloc[i]) and df[c].iloc[i] in m
        )
        for i in range(len(df))
    ]
    return _Table(frame, counts, keys, match_keys, partitions, labels)


def _one_to_one(df: pd.DataFrame, a: str, b: str) -> bool:
    sub = df[[a, b]].dropna().astype(object).astype(str)
    if sub.empty:
        return False
    return bool(
        (sub.groupby(a)[b].nunique() <= 1).all() and (sub.groupby(b)[a].nunique() <= 1).all()
    )


def _sets(t: _Table, col: str) -> list[np.ndarray]:
    """Row sets of ``t`` whose ``col`` adds up to a total the reader is assumed to know."""
    df = t.frame.data
    role = t.counts[col]
    parts = list(t.partitions)
    if role == "n" and "category" in t.counts.values():
        parts = [p for p in parts if not _category_like(df, p, t)]
    out = []
    if role == "category":
        cats = [p for p in parts if _category_like(df, p, t)]
        by = [
            c
            for c in dict.fromkeys(t.labels + parts)
            if c not in cats
            and df[c].nunique(dropna=True) > 1
            and not any(_one_to_one(df, c, k) for k in cats)
        ]
        groups = [np.arange(len(df))] if not by else _group_rows(df, by)
        return [g for g in groups if len(g) >= 2]
    for p in parts:
        others = [
            c
            for c in t.labels + [q for q in parts if q != p]
            if c != p and not _one_to_one(df, c, p)
        ]
        others = [c for c in dict.fromkeys(others) if df[c].nunique(dropna=True) > 1]
        for g in [np.arange(len(df))] if not others else _group_rows(df, others):
            if len(g) >= 2:
                out.append(g)
    return out


def _category_like(df: pd.DataFrame, col: str, t: _Table) -> bool:
    """In a distribution, the column naming the category: ``n`` (the group's respondents) is
    constant along it, while the category counts vary."""
    if str(col).lower() in CATEGORY_COLUMNS:
        return True
    n = [c for c, r in t.counts.items() if r == "n"]
    if not n or "category" not in t.counts.values():
        return False
    others = [p for p in t.partitions if p != col and str(p).lower() not in CATEGORY_COLUMNS]
    groups = [np.arange(len(df))] if not others else _group_rows(df, others)
    vals = pd.to_numeric(df[n[0]], errors="coerce").to_numpy(dtype=float)
    return all(pd.Series(vals[g]).dropna().nunique() <= 1 for g in groups)


def _group_rows(df: pd.DataFrame, cols: list[str]) -> list[np.ndarray]:
    key = np.array(["\x1f".join(map(str, row)) for row in df[cols].itertuples(index=False)])
    return [np.flatnonzero(key == k) for k in dict.fromkeys(key)]


# ---------------------------------------------------------------------------- checks
def _visible_estimate(df: pd.DataFrame, i: int) -> bool:
    flag = next((c for c in df.columns if str(c).lower() in ("suppressed", "undertrykt")), None)
    if flag is not None and str(df[flag].iloc[i]).lower() in ("true", "1", "1.0"):
        return False
    for c in df.columns:
        if str(c).lower() in ESTIMATE_COLUMNS:
            v = df[c].iloc[i]
            if isinstance(v, (int, float, np.number)) and np.isfinite(v):
                return True
    return False


def _row_name(t: _Table, i: int) -> str:
    return " / ".join(sorted(t.keys[i])) or f"row {i + 1}"


def _table(frame: Frame, vocabulary: tuple) -> _Table:
    """One table's structure and, per count column, the row sets that add up."""
    t = _structure(frame, *vocabulary)
    t.sets.update({col: _sets(t, col) for col in t.counts})
    return t


def _audit_tables(
    tables: list[_Table],
    totals: dict[str, int],
    page_total: int | None,
    report: AuditReport,
    vocabulary: tuple,
) -> None:
    """The checks of the published tables (1 to 3 of the module docstring) into ``report``."""
    min_n, min_count = report.min_n, report.min_count
    known = _cross_frame(tables, report)
    for t in tables:
        df = t.frame.data
        where = t.frame.where
        for col, role in t.counts.items():
            v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
            hidden = ~np.isfinite(v)
            report.cells += len(v)
            report.hidden += int(hidden.sum())
            for i in np.flatnonzero((v > 0) & (v < min_count)):
                report.findings.append(
                    Finding(where, "small count", f"{col} = {v[i]:g} for {_row_name(t, i)}")
                )
            if role == "n":
                for i in np.flatnonzero((v >= min_count) & (v < min_n)):
                    if _visible_estimate(df, i):
                        report.findings.append(
                            Finding(
                                where,
                                "estimate on few respondents",
                                f"{col} = {v[i]:g} < {min_n} for {_row_name(t, i)}",
                            )
                        )
            sets = t.sets[col]
            report.sets += len(sets)
            if not hidden.any() or not sets:
                continue
            solved = hidden & known.get((id(t), col), np.zeros(len(v), dtype=bool))
            A = np.zeros((len(sets), len(v)))
            for k, rows in enumerate(sets):
                A[k, rows] = 1.0
            unknown = hidden & ~solved
            det = determined(A, unknown)
            for j, i in enumerate(np.flatnonzero(unknown)):
                if det[j] and any(i in rows for rows in sets):
                    report.findings.append(
                        Finding(
                            where,
                            "recoverable by differencing",
                            f"hidden {col} of {_row_name(t, i)} = total minus the shown cells",
                        )
                    )
        _shares(t, totals.get(t.frame.page, page_total), report)
    _, values, codes = vocabulary
    check_roles(tables, values, codes, _visible_estimate, report)


def _shares(t: _Table, total: int | None, report: AuditReport) -> None:
    """A hidden count must not be recoverable from an unweighted share (or its deviation)."""
    df = t.frame.data
    share_cols = [
        c
        for c in df.columns
        if str(c).lower() in UNWEIGHTED_SHARE_COLUMNS | UNWEIGHTED_DIFF_COLUMNS
    ]
    if not share_cols:
        return
    count_cols = list(t.counts)
    for i in range(len(df)):
        shown = [c for c in share_cols if pd.notna(pd.to_numeric(df[c].iloc[i], errors="coerce"))]
        if not shown:
            continue
        hidden = [c for c in count_cols if pd.isna(pd.to_numeric(df[c].iloc[i], errors="coerce"))]
        if hidden:
            report.findings.append(
                Finding(
                    t.frame.where,
                    "recoverable from a share",
                    f"{_row_name(t, i)}: {hidden[0]} is hidden but the unweighted share "
                    f"({shown[0]}) is shown",
                )
            )
        share = [c for c in shown if str(c).lower() in UNWEIGHTED_SHARE_COLUMNS]
        if total and share:
            implied = float(pd.to_numeric(df[share[0]].iloc[i])) * total
            if 0.5 <= implied < report.min_count - 0.5:
                report.findings.append(
                    Finding(
                        t.frame.where,
                        "small count",
                        f"{_row_name(t, i)}: unweighted share × {total} respondents ≈ "
                        f"{implied:.1f}",
                    )
                )


def _cross_frame(tables: list[_Table], report: AuditReport) -> dict:
    """Cells hidden in one table and shown in another table of the same domain.

    Two count columns are of the same domain when at least two rows match (same labels) and
    every row visible in both has the same count. Returns the hidden cells a reader can read
    elsewhere, per (table, column), as known values for the differencing check.
    """
    known: dict = {}
    cols = [(t, c) for t in tables for c in t.counts if any(t.match_keys)]
    index: dict[str, list] = {}
    for t, c in cols:
        for k in set().union(*t.match_keys):
            index.setdefault(k, []).append((t, c))
    for t, c in cols:
        v = pd.to_numeric(t.frame.data[c], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(v).all():
            continue
        candidates = {
            (id(u), d): (u, d)
            for k in set().union(*t.match_keys)
            for u, d in index.get(k, [])
            if u is not t and u.counts[d] == t.counts[c]
        }
        for u, d in candidates.values():
            w = pd.to_numeric(u.frame.data[d], errors="coerce").to_numpy(dtype=float)
            match = _match_rows(t.match_keys, u.match_keys)
            both = [(i, j) for i, j in match if np.isfinite(v[i]) and np.isfinite(w[j])]
            if any(v[i] != w[j] for i, j in both):
                continue
            # same domain: two rows agree, or one side of a comparison names the same group
            # and item as a row of the breakdown (a full label match)
            paired = any(x.frame.where.endswith((" (a)", " (b)")) for x in (t, u))
            if not (len(match) >= 2 and len(both) >= 2) and not (paired and match):
                continue
            for i, j in match:
                if not np.isfinite(v[i]) and np.isfinite(w[j]):
                    known.setdefault((id(t), c), np.zeros(len(v), dtype=bool))[i] = True
                    report.findings.append(
                        Finding(
                            t.frame.where,
                            "hidden here, shown elsewhere",
                            f"{c} of {_row_name(t, i)} is shown in {u.frame.where}",
                        )
                    )
    return known


def _match_rows(a: list[frozenset], b: list[frozenset]) -> list[tuple[int, int]]:
    out = []
    for i, ka in enumerate(a):
        if not ka:
            continue
        hits = [j for j, kb in enumerate(b) if kb and (ka <= kb or kb <= ka)]
        if len(hits) == 1:
            out.append((i, hits[0]))
    return out


def check_raw_tables(
    raws: list[RawFrame],
    totals: dict[str, int],
    page_total: int | None,
    report: AuditReport,
    cache: Path | None = None,
) -> None:
    """Checks 1 to 3 of the module docstring on the published tables, into ``report``.

    A table published twice on a page (in the page and in its notebook) has the same raw
    content: it is typed and audited once. ``cache``: a folder in which ``tables.pickle``
    keeps what each table is on its own (:class:`~lederuddannelse.site.audit_read.Memo`);
    the findings are the same."""
    seen: set[tuple[str, str]] = set()
    unique = [
        r for r in raws if (r.page, r.digest) not in seen and not seen.add((r.page, r.digest))
    ]
    vocabulary = _grouping_vocabulary()
    version = hashlib.sha256(
        Path(__file__).read_bytes()
        + pd.__version__.encode()
        + repr((sorted_vocabulary(vocabulary), sorted(COUNT_COLUMNS), ANALYSIS_SUFFIX)).encode()
    ).digest()
    memo = Memo(load_cache(cache / TABLES_CACHE if cache else None), version)

    def analyse(r: RawFrame) -> tuple[str, list]:
        """What one table is on its own: typed, split into its sides, each side's structure."""
        data = typed_frame(r).data
        csv = hashlib.sha256(data.to_csv(index=False).encode()).hexdigest()
        return csv, [
            (suffix, _table(Frame(r.page, r.where + suffix, half), vocabulary))
            for suffix, half in _halves(Frame(r.page, r.where, data))
        ]

    tables: list[_Table] = []
    seen_csv: set[tuple[str, str]] = set()  # as _dedupe: the same table on a page once
    for r in unique:
        csv, sides = memo.get(f"table\0{r.digest}\0{r.where}", lambda r=r: analyse(r))
        if (r.page, csv) in seen_csv:
            continue
        seen_csv.add((r.page, csv))
        report.frames += 1
        for suffix, t in sides:
            frame = Frame(r.page, r.where + suffix, t.frame.data)
            tables.append(
                _Table(frame, t.counts, t.keys, t.match_keys, t.partitions, t.labels, t.sets)
            )
    _audit_tables(tables, totals, page_total, report, vocabulary)
    check_across(tables, report.texts, report)
    if cache is not None:
        save_cache(cache / TABLES_CACHE, memo.used)


def audit(
    target: Path | str,
    min_n: int = DEFAULT_MIN_N,
    min_count: int = DEFAULT_MIN_COUNT,
    page_total: int | None = None,
    cache: Path | None = None,
) -> AuditReport:
    """Audit a built site folder (or one page, notebook or CSV); see the module docstring.
    ``cache``: a file keeping what each file holds (:func:`~lederuddannelse.site.audit_read.
    collect_raw`); the audit finds the same with it as without it."""
    return run_audit(target, check_raw_tables, min_n, min_count, page_total, cache)


def check_site(
    site: Path, min_n: int, min_count: int, quiet: bool = False, cache: Path | None = None
) -> AuditReport:
    """The build's gate (:func:`~lederuddannelse.site.audit_read.gate`)."""
    return gate(site, check_raw_tables, min_n, min_count, quiet, cache)


def limits_of(root: Path) -> tuple[int, int]:
    """The smallest min_n and min_count any run of ``root/parameters.yml`` uses (else the
    defaults): the audit checks the site against the limits its pages were built with."""
    from lederuddannelse.errors import LederuddannelseError
    from lederuddannelse.params import load_parameters

    try:
        runs = load_parameters(Path(root) / "parameters.yml").runs(Path(root))
    except (LederuddannelseError, OSError):
        return DEFAULT_MIN_N, DEFAULT_MIN_COUNT
    if not runs:
        return DEFAULT_MIN_N, DEFAULT_MIN_COUNT
    return min(r.params["min_n"] for r in runs), min(r.params["min_count"] for r in runs)
