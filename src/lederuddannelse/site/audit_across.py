"""Disclosure audit across pages and forms: every hidden cell against every exact relation.

:mod:`lederuddannelse.site.audit` checks each published table, and tables of one domain by
their counts; this module puts every number a reader can get -- CSV downloads (the reader's
and the analysts'), HTML tables, the data sets of the charts (Vega-Lite ``datasets``) and the
glued prose -- of every page into one set of linear equations, and asks of each hidden cell
whether the equations and the shown cells determine it
(:func:`~lederuddannelse.stats.disclosure.determined`). A finding names the pages and gives
the arithmetic.

The exact relations, as the chapters publish them (issue 25):

1. **One table, several forms** (R1). On one page the same table is an HTML table, a chart's
   data set and two CSV files, with the same rows: a cell hidden in one form is the cell
   shown in another (x = y); likewise one table shown alike on several pages (every
   definition's page shows the shares under all three definitions).
2. **Definitions, same respondents** (R2). Training codes are disjoint, so for the share
   trained in a group (udbredelse by industry, hvem by each background variable, all published
   under the any, narrow and broad definitions): p_any = p_narrow + p_broad, on the same n;
   counts of the trained in a group likewise; the group's n and N are the same on each page.
3. **Definitions, nested domains** (R3). Estimates among the trained (udbredelse's payers,
   motiver's reasons): the any-trained are the narrow- and the broad-trained together, so
   n_any = n_narrow + n_broad, N_any = N_narrow + N_broad and, with the weighted sizes N,
   N_any p_any = N_narrow p_narrow + N_broad p_broad (weighted totals add up). A hidden row's
   N is the domain's, which the table's other rows show (one n and one N on every row).
4. **A share's complement** (R4). The shares of the categories of a distribution within a
   group add up to 1 (a yes/no item: p_no = 1 - p_yes), their counts to the group's n.
5. **Groups and their total** (R5). A breakdown with a total row: the groups' n add up to the
   total's n, their weighted sizes to its N, and N_total p_total = sum of N_g p_g; the groups'
   n add up to the page's respondents (the differencing check of ``audit`` covers that one).

A relation is used only where the shown cells obey it (to rounding): two tables with the same
rows that are not the same quantity, or a table that every definition's page shows alike (the
shares under all three definitions), are not related by it. Tables of one row key set that
the shown values do not tie together are left alone: the audit never invents a relation.
Not modelled because not exact from what is published: the untrained's answers across
definitions (the untrained under one definition are not a union of published domains); the
two groups' shares of a comparison (``difference``: no weighted sizes, so only their n relate);
model coefficients and test statistics (not additive across definitions).

What is a finding: a recoverable hidden share or category count; a recoverable hidden n only
below ``min_n`` (a larger n hidden with its estimate discloses nothing, and a small one is the
point); a weighted size N never on its own (a population estimate; the relations use it).

Glue text (R6): a hidden row's label followed by a share on the same page ("Bygge og anlæg
(17 pct.") is the hidden cell published in prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lederuddannelse.site.audit_read import AuditReport, Finding
from lederuddannelse.stats.disclosure import determined

#: The definitions of training whose pages are exactly related (R2, R3): any = narrow + broad.
RELATED_DEFINITIONS = ("any", "narrow", "broad")
#: Columns with a share (the estimate of a proportion or a category's share).
SHARE_COLUMNS = {"estimate", "estimat", "andel", "share"}
#: Columns with the respondents of a category (a part of the group's n).
PART_COLUMNS = {"n_category", "antal_i_kategori"}
#: Shares shown in prose are rounded to 0.1 pct., in files to 3 decimals: two forms of one
#: share agree to this; a relation between three shares holds to 3 x this.
SHARE_TOLERANCE = 0.0011

#: Texts of values, not labels (an interval "63,9–72,9 pct.", a blank of a hidden cell): an
#: HTML table's cells are all text, and its rows are named by its labels only.
VALUE_TEXT = re.compile(r"^[\d\s.,–\-−%()]*(?:pct\.)?[\d\s.,–\-−%()]*$")

#: A variable's name as chart data carry it (``trained_any``): the overall estimate's row and a
#: breakdown's rows name the same variable.
VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")

QUANTITY_WORDS = {"p": "share", "n": "n", "N": "weighted size", "c": "category count"}


@dataclass
class _Cells:
    """The cells of the audit's equations: one per (table, row, quantity)."""

    names: list[tuple[int, int, str]] = field(default_factory=list)  # (table, row, quantity)
    values: list[float] = field(default_factory=list)
    index: dict[tuple[int, int, str], int] = field(default_factory=dict)

    def of(self, key: tuple[int, int, str], value: float) -> int:
        if key not in self.index:
            self.index[key] = len(self.names)
            self.names.append(key)
            self.values.append(value)
        return self.index[key]


@dataclass
class _Equation:
    """sum(coef * cell) = constant, with the relation's name and where it comes from."""

    terms: list[tuple[int, float]]
    constant: float
    relation: str


@dataclass
class _View:
    """One published table reduced to what the relations read: a row key per row and, per
    quantity (p, n, N, c), its column of numbers (NaN: hidden)."""

    page: str
    where: str
    keys: list[frozenset]
    columns: dict[str, np.ndarray]
    sets: list[np.ndarray]  # row sets whose category shares and counts add up (R4)
    match: list[frozenset] = field(default_factory=list)  # every label of each row

    def row_name(self, i: int) -> str:
        return " / ".join(sorted(self.keys[i])) or f"row {i + 1}"


def _view(t) -> _View | None:
    """The ``_View`` of an audit table (``audit._Table``), or None when its rows have no
    unique labels or it carries no share or count."""
    df = t.frame.data
    keys = [frozenset(k for k in key if not VALUE_TEXT.match(k)) for key in t.keys]
    if not keys or any(not k for k in keys) or len(set(keys)) != len(keys):
        return None
    cols: dict[str, np.ndarray] = {}
    for c, dtype in df.dtypes.items():  # the dtypes first: a column is taken out once
        low = str(c).lower()
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            continue
        q = None
        if low in SHARE_COLUMNS:
            q = "p"
        elif t.counts.get(c) == "n":
            q = "n"
        elif str(c) == "N" or low == "vaegtet_antal":
            q = "N"
        elif low in PART_COLUMNS:
            q = "c"
        if q and q not in cols:
            cols[q] = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
    if "p" not in cols and "n" not in cols:
        return None
    part = next((c for c, r in t.counts.items() if r == "category"), None)
    sets = list(t.sets.get(part, [])) if part is not None and "c" in cols else []
    return _View(t.frame.page, t.frame.where, keys, cols, sets, list(t.match_keys))


def _agree(a: np.ndarray, b: np.ndarray, q: str) -> tuple[bool, int]:
    """(do the cells shown in both agree, how many are shown in both)."""
    both = np.isfinite(a) & np.isfinite(b)
    tol = SHARE_TOLERANCE if q == "p" else 0.51 if q == "N" else 0.0
    return bool(np.all(np.abs(a[both] - b[both]) <= tol)), int(both.sum())


def _aligned(a: _View, b: _View) -> list[int] | None:
    """Row i of ``a`` is row out[i] of ``b`` (same row keys), else None."""
    pos = {k: j for j, k in enumerate(b.keys)}
    if set(pos) != set(a.keys):
        return None
    return [pos[k] for k in a.keys]


def _same_table(a: _View, b: _View, order: list[int], strict: bool = False) -> bool:
    """Two forms of one table (R1): every quantity shown in both agrees, on two cells at least
    (or on every row the two show); ``strict`` (tables of two pages): shares, where both have
    them, agree on one shown in both at least (one group's n on two pages is not one share)."""
    shown = 0
    for q in set(a.columns) & set(b.columns):
        ok, k = _agree(a.columns[q], b.columns[q][order], q)
        if not ok:
            return False
        shown += k
        if q == "p" and k == 0 and strict:
            return False
    return shown >= min(2, len(a.keys))


def _definition_of_pages(pages: set[str]) -> dict[str, tuple[str, str]]:
    """page -> (chapter, definition) for the pages (and downloaded files) of chapters published
    under every one of
    :data:`RELATED_DEFINITIONS` (from parameters.yml; empty when there is no project)."""
    from lederuddannelse.errors import LederuddannelseError
    from lederuddannelse.variants import definition_pages

    out: dict[str, tuple[str, str]] = {}
    for slug in {p.split("-", 1)[0] for p in pages if "-" in p}:
        try:
            found = dict(definition_pages(slug))
        except (LederuddannelseError, OSError):
            continue
        if set(RELATED_DEFINITIONS) <= set(found.values()):
            for page in pages:  # the page, and its downloads (named ``{page}-...``)
                for name, d in found.items():
                    if page == name or page.startswith(f"{name}-"):
                        out[page] = (slug, d)
    return out


def _domain_size(N: np.ndarray, n: np.ndarray) -> np.ndarray:
    """A table's weighted sizes, a hidden one filled in where every row is of one domain (the
    items of a multiple-response table, the categories of a distribution: every shown n and
    every shown N the same), as a reader fills it in from the other rows."""
    shown_N, shown_n = N[np.isfinite(N)], n[np.isfinite(n)]
    one = (
        len(shown_N) >= 1
        and max(len(shown_N), len(shown_n)) >= 2
        and np.ptp(shown_N) <= 0.51
        and (len(shown_n) == 0 or np.ptp(shown_n) == 0)
    )
    return np.where(np.isfinite(N), N, shown_N[0]) if one else N


class _System:
    """The equations of the site (R1 to R5) over the cells of its views."""

    def __init__(self, views: list[_View]):
        self.views = views
        self.cells = _Cells()
        self.equations: list[_Equation] = []

    def cell(self, v: int, i: int, q: str) -> int:
        return self.cells.of((v, i, q), float(self.views[v].columns[q][i]))

    def add(self, terms: list[tuple[int, int, str, float]], constant: float, relation: str):
        cells = [(self.cell(v, i, q), coef) for v, i, q, coef in terms]
        if any(not np.isfinite(self.cells.values[c]) for c, _ in cells):
            self.equations.append(_Equation(cells, constant, relation))

    # ------------------------------------------------------------------ R1: forms
    def forms(self) -> dict[int, int]:
        """Link the forms of one table on a page; returns view -> its table's first view."""
        first: dict[int, int] = {}
        by_page: dict[tuple[str, frozenset], list[int]] = {}
        for k, v in enumerate(self.views):
            by_page.setdefault((v.page, frozenset(v.keys)), []).append(k)
        for group in by_page.values():
            heads: list[int] = []
            for k in group:
                for h in heads:
                    order = _aligned(self.views[h], self.views[k])
                    if order is not None and _same_table(self.views[k], self.views[h], order):
                        first[k] = h
                        self._equal(k, h, order)
                        break
                else:
                    heads.append(k)
                    first[k] = k
        self._across_pages(first)
        return first

    def _across_pages(self, first: dict[int, int]) -> None:
        """R1 across pages: one table published alike on several pages (a definition's page
        shows every definition's share; a table shown on two chapters' pages)."""
        by_keys: dict[frozenset, list[int]] = {}
        for k, h in first.items():
            if k == h:
                by_keys.setdefault(frozenset(self.views[k].keys), []).append(k)
        for group in by_keys.values():
            linked: list[int] = []
            for k in group:
                for h in linked:
                    if self.views[h].page == self.views[k].page:
                        continue
                    order = _aligned(self.views[h], self.views[k])
                    if order is not None and _same_table(
                        self.views[k], self.views[h], order, strict=True
                    ):
                        self._equal(k, h, order)
                        break
                linked.append(k)

    def _equal(self, k: int, h: int, order: list[int]) -> None:
        a, b = self.views[k], self.views[h]
        for q in set(a.columns) & set(b.columns):
            for i, j in enumerate(order):
                self.add([(k, i, q, 1.0), (h, j, q, -1.0)], 0.0, "R1 same table, two forms")

    # ------------------------------------------------------------------ R2, R3: definitions
    def definitions(self, first: dict[int, int]) -> None:
        pages = _definition_of_pages({v.page for v in self.views})
        tables: dict[tuple[str, frozenset], dict[str, list[int]]] = {}
        for k, v in enumerate(self.views):
            if first.get(k) == k and v.page in pages:
                slug, d = pages[v.page]
                tables.setdefault((slug, frozenset(v.keys)), {}).setdefault(d, []).append(k)
        for by_def in tables.values():
            if set(by_def) != set(RELATED_DEFINITIONS):
                continue
            for a in by_def["any"]:
                for n in by_def["narrow"]:
                    for b in by_def["broad"]:
                        self._related(a, n, b)

    def _related(self, a: int, n: int, b: int) -> None:
        va = self.views[a]
        on = _aligned(va, self.views[n])
        ob = _aligned(va, self.views[b])
        if on is None or ob is None:
            return
        rows = range(len(va.keys))

        def col(v: int, order, q: str) -> np.ndarray | None:
            c = self.views[v].columns.get(q)
            return None if c is None else (c if order is None else c[order])

        qs = set(va.columns) & set(self.views[n].columns) & set(self.views[b].columns)
        get = {q: (col(a, None, q), col(n, on, q), col(b, ob, q)) for q in qs}
        if "n" not in get:
            return
        na, nn, nb = get["n"]
        same = [(x, y) for x, y in ((na, nn), (na, nb), (nn, nb))]
        shown_same = [_agree(x, y, "n") for x, y in same]
        nested_rows = np.isfinite(na) & np.isfinite(nn) & np.isfinite(nb)
        if all(ok for ok, _ in shown_same) and sum(k for _, k in shown_same) > 0:
            kind = "same"  # R2: one group's respondents on every page
        elif nested_rows.any() and np.all(na[nested_rows] == (nn + nb)[nested_rows]):
            kind = "nested"  # R3: the any-trained are the narrow- and broad-trained
        else:
            return
        idx = {"a": (a, None), "n": (n, on), "b": (b, ob)}

        def term(which: str, i: int, q: str, coef: float):
            v, order = idx[which]
            return (v, i if order is None else order[i], q, coef)

        if kind == "same":
            additive = [q for q in ("p", "c") if q in get]
        else:
            additive = [q for q in ("n", "N", "c") if q in get]
        for q in additive:
            x, y, z = get[q]
            full = np.isfinite(x) & np.isfinite(y) & np.isfinite(z)
            tol = 3 * SHARE_TOLERANCE if q == "p" else 1.5 if q == "N" else 0.0
            if not np.all(np.abs(x - y - z)[full] <= tol):
                continue  # not this relation: shown alike on every page, or another quantity
            rel = f"R{2 if kind == 'same' else 3} any = narrow + broad"
            for i in rows:
                terms = [term("a", i, q, 1.0), term("n", i, q, -1.0), term("b", i, q, -1.0)]
                self.add(terms, 0.0, rel)
        if kind == "same":  # one group: its n and weighted size are the same on every page
            for q in [q for q in ("n", "N") if q in get]:
                x, y, z = get[q]
                if _agree(x, y, q)[0] and _agree(x, z, q)[0]:
                    for i in rows:
                        for other in ("n", "b"):
                            terms = [term("a", i, q, 1.0), term(other, i, q, -1.0)]
                            self.add(terms, 0.0, "R2 one group on every page")
        if kind == "nested" and "p" in get and "N" in get:
            self._weighted_totals(get, rows, term)

    def _weighted_totals(self, get, rows, term) -> None:
        """R3 for the shares: N_any p_any = N_narrow p_narrow + N_broad p_broad, where the
        three weighted sizes are shown or follow from the two others."""
        (pa, pn, pb) = get["p"]
        Na, Nn, Nb = (_domain_size(N, n) for N, n in zip(get["N"], get["n"]))
        Na, Nn, Nb = (
            np.where(np.isfinite(Na), Na, Nn + Nb),
            np.where(np.isfinite(Nn), Nn, Na - Nb),
            np.where(np.isfinite(Nb), Nb, Na - Nn),
        )
        full = np.isfinite(pa) & np.isfinite(pn) & np.isfinite(pb) & np.isfinite(Na + Nn + Nb)
        resid = np.abs(Na * pa - Nn * pn - Nb * pb)
        if not np.all(resid[full] <= 0.003 * Na[full] + 1.5):
            return
        for i in rows:
            if np.isfinite(Na[i] + Nn[i] + Nb[i]):
                terms = [term("a", i, "p", Na[i]), term("n", i, "p", -Nn[i])]
                terms.append(term("b", i, "p", -Nb[i]))
                self.add(terms, 0.0, "R3 weighted totals add up (N·p)")

    # ------------------------------------------------------------------ R4, R5: within
    def within(self, first: dict[int, int]) -> None:
        for k, v in enumerate(self.views):
            if first.get(k) != k:
                continue
            for rows in v.sets:  # R4: the categories of one group
                rows = list(rows)
                p = v.columns.get("p")
                if p is not None and self._sums_to(p[rows], 1.0):
                    terms = [(k, int(i), "p", 1.0) for i in rows]
                    self.add(terms, 1.0, "R4 the categories' shares add up to 1")
                n, c = v.columns.get("n"), v.columns.get("c")
                if n is not None and c is not None:
                    ns = n[rows][np.isfinite(n[rows])]
                    if len(ns) and np.all(ns == ns[0]) and self._sums_to(c[rows], ns[0], 0.0):
                        terms = [(k, int(i), "c", 1.0) for i in rows]
                        terms.append((k, int(rows[0]), "n", -1.0))
                        self.add(terms, 0.0, "R4 the categories' counts add up to the n")
            self._total_row(k, v)

    @staticmethod
    def _sums_to(x: np.ndarray, total: float, tol: float = 3 * SHARE_TOLERANCE) -> bool:
        """Shown cells that do not exceed the total (and equal it when all are shown)."""
        shown = x[np.isfinite(x)]
        if len(shown) == len(x):
            return bool(abs(shown.sum() - total) <= tol * max(1, len(x)))
        return bool(shown.sum() <= total + tol * len(x))

    def _total_row(self, k: int, v: _View) -> None:
        """R5: a breakdown with a total row ('I alt', 'Alle', 'Total')."""
        total = [i for i, key in enumerate(v.keys) if key & TOTAL_LABELS]
        if len(total) != 1 or len(v.keys) < 3:
            return
        (t,) = total
        groups = [i for i in range(len(v.keys)) if i != t]
        for q in ("n", "N"):
            x = v.columns.get(q)
            if x is None or not self._sums_to(x[groups], x[t], 0.51):
                continue
            terms = [(k, i, q, 1.0) for i in groups] + [(k, t, q, -1.0)]
            self.add(terms, 0.0, f"R5 the groups' {q} add up to the total's")
        p, N = v.columns.get("p"), v.columns.get("N")
        if p is not None and N is not None and np.isfinite(N).all():
            if np.isfinite(p).all() and abs(N[groups] @ p[groups] - N[t] * p[t]) > 0.003 * N[t]:
                return
            terms = [(k, i, "p", float(N[i])) for i in groups] + [(k, t, "p", -float(N[t]))]
            self.add(terms, 0.0, "R5 the groups' weighted totals add up to the total's")

    def overall(self, first: dict[int, int]) -> None:
        """R5 across tables: a breakdown of one variable's share by groups (every group's N
        shown) and the variable's overall share on the same page (a row naming the variable,
        whose N is the groups' N together): N p = sum of N_g p_g."""
        heads = [k for k, h in first.items() if k == h]
        for k in heads:
            v = self.views[k]
            p, N = v.columns.get("p"), v.columns.get("N")
            if p is None or N is None or len(v.keys) < 2 or not np.isfinite(N).all():
                continue
            common = frozenset.intersection(*v.match) if v.match else frozenset()
            names = {x for x in common if VARIABLE_NAME.match(x)}
            if not names:
                continue
            for o in heads:
                w = self.views[o]
                if o == k or w.page != v.page or "p" not in w.columns or "N" not in w.columns:
                    continue
                for r, labels in enumerate(w.match):
                    Nr, pr = w.columns["N"][r], w.columns["p"][r]
                    if not (names & labels) or not abs(N.sum() - Nr) <= 1.0:
                        continue  # not the overall of these groups
                    if (
                        np.isfinite(p).all()
                        and np.isfinite(pr)
                        and abs(N @ p - Nr * pr) > 0.003 * Nr
                    ):
                        continue
                    terms = [(k, i, "p", float(N[i])) for i in range(len(v.keys))]
                    terms.append((o, r, "p", -float(Nr)))
                    self.add(terms, 0.0, "R5 the groups' weighted totals add up to the overall")

    # ------------------------------------------------------------------ solving
    def solve(self, report: AuditReport) -> None:
        """Every hidden cell that the equations determine is a finding."""
        values = np.array(self.cells.values)
        hidden = ~np.isfinite(values)
        eqs = self.equations
        for e in eqs:
            name = e.relation.split(" ", 1)[0]
            report.relations[name] = report.relations.get(name, 0) + 1
        report.relations["hidden cells"] = len({c for e in eqs for c, _ in e.terms if hidden[c]})
        # connected components of the hidden cells through the equations
        parent = list(range(len(values)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for e in eqs:
            hs = [c for c, _ in e.terms if hidden[c]]
            for c in hs[1:]:
                parent[find(c)] = find(hs[0])
        comps: dict[int, list[int]] = {}
        for e_i, e in enumerate(eqs):
            hs = [c for c, _ in e.terms if hidden[c]]
            if hs:
                comps.setdefault(find(hs[0]), []).append(e_i)
        for eq_ids in comps.values():
            cells = sorted({c for i in eq_ids for c, _ in eqs[i].terms if hidden[c]})
            pos = {c: j for j, c in enumerate(cells)}
            A = np.zeros((len(eq_ids), len(cells)))
            for r, i in enumerate(eq_ids):
                for c, coef in eqs[i].terms:
                    if hidden[c]:
                        A[r, pos[c]] += coef
            b = np.array([eqs[i].constant for i in eq_ids], dtype=float)
            for r, i in enumerate(eq_ids):
                b[r] -= sum(k * values[c] for c, k in eqs[i].terms if not hidden[c])
            solution = np.linalg.lstsq(A, b, rcond=None)[0]
            for j in np.flatnonzero(determined(A, np.ones(len(cells), dtype=bool))):
                if self._disclosive(cells[j], solution[j], report):
                    eqs_j = [eqs[i] for i in eq_ids]
                    self._finding(cells[j], solution[j], eqs_j, values, report)

    def _disclosive(self, c: int, value: float, report: AuditReport) -> bool:
        """A recovered share or category count always is; a group's n only when it is below
        min_n (a larger n hidden with its estimate tells nothing; a small one is the point);
        a weighted size never on its own (it is a population estimate; the relations use it)."""
        q = self.cells.names[c][2]
        if q in ("p", "c"):
            return True
        return q == "n" and value < report.min_n - 0.5

    def _name(self, c: int) -> str:
        v, i, q = self.cells.names[c]
        view = self.views[v]
        return f"{QUANTITY_WORDS[q]} of {view.row_name(i)} in {view.where}"

    def _finding(
        self, c: int, value: float, eqs: list[_Equation], values, report: AuditReport
    ) -> None:
        v, i, q = self.cells.names[c]
        view = self.views[v]
        direct = [e for e in eqs if [t for t, _ in e.terms if not np.isfinite(values[t])] == [c]]
        if direct:
            e = direct[0]
            coef = dict(e.terms)[c]
            parts = [
                f"{-k / coef:+.6g} × {values[t]:.6g} ({self._name(t)})"
                for t, k in e.terms
                if t != c
            ]
            const = f"{e.constant / coef:.6g} " if e.constant else ""
            how = f"{e.relation}: {const}{' '.join(parts)} = {value:.6g}"
        else:
            relations = sorted({e.relation for e in eqs})
            cells = {t for e in eqs for t, _ in e.terms}
            pages = sorted({self.views[self.cells.names[t][0]].page for t in cells})
            how = f"{value:.6g}, solved from {'; '.join(relations)} across {', '.join(pages)}"
        report.findings.append(
            Finding(
                view.where,
                "recoverable across pages",
                f"hidden {QUANTITY_WORDS[q]} of {view.row_name(i)}: {how}",
            )
        )


#: Row labels of a total row (R5).
TOTAL_LABELS = frozenset({"I alt", "Alle", "Total", "I alt (alle)"})


def check_across(tables: list, texts: dict[str, str], report: AuditReport) -> None:
    """Relations R1 to R6 of the module docstring over ``tables`` (``audit._Table``: every
    published table of the site, in every form) and ``texts`` (page file -> reader's text)
    into ``report``."""
    views = [v for v in map(_view, tables) if v is not None]
    system = _System(views)
    first = system.forms()
    system.definitions(first)
    system.within(first)
    system.overall(first)
    system.solve(report)
    _texts([v for v in views if "p" in v.columns], texts, report)


def _texts(views: list[_View], texts: dict[str, str], report: AuditReport) -> None:
    """R6: a row hidden in every table of its page that names it must not be given a share in
    the page's prose ("Bygge og anlæg (17 pct.")."""
    for where, text in texts.items():
        page = where.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        shown: set[str] = set()
        hidden: set[str] = set()
        for v in views:
            if v.page != page:
                continue
            p = v.columns["p"]
            for i, key in enumerate(v.keys):
                (shown if np.isfinite(p[i]) else hidden).update(key)
        flat = re.sub(r"\s+", " ", text)
        for label in sorted(k for k in hidden - shown if len(k) > 3):
            m = re.search(re.escape(label) + r"\s*\(\s*(\d+(?:,\d+)?)\s*pct\.", flat, re.I)
            if m:
                report.findings.append(
                    Finding(
                        where,
                        "hidden cell in the text",
                        f"{label!r} is hidden in every table of the page, but the text gives "
                        f"its share: »{m.group(0)}«",
                    )
                )
