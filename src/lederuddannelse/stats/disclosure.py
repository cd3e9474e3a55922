"""Small-cell protection: one suppression policy that every table, chart and CSV applies.

Why one place: if each chapter decided for itself what to hide, a cell hidden in one table could
be shown in another, or recovered by subtracting the visible cells of the same table from a
total. The estimators in :mod:`lederuddannelse.stats.design` therefore call
:meth:`SuppressionPolicy.apply` on every frame they return, with a typed
:class:`DisclosureSpec` that says how the frame adds up, and the methods chapter prints
:meth:`SuppressionPolicy.describe` so that the rule the reader sees is the rule the code ran.

The rule has two levels.

**Domains (book-wide).** A category of a grouping variable (an industry, an age group) with
fewer than ``min_n`` respondents in the whole file is *hidden everywhere*: in every table,
chart, CSV, difference and test of every page. Because the book publishes the total number of
respondents, one hidden category would be recoverable as the total minus the shown ones; so the
smallest other categories are hidden with it until at least two are hidden and together they
hold at least ``min_n`` respondents (:meth:`SuppressionPolicy.hidden_categories`). The choice
depends only on the file and the policy, never on the table, so every page hides the same
categories (:class:`DomainPlan`).

**Cells (per table).**

1. *Primary suppression.* An estimate whose unweighted number of respondents ``n`` is below
   ``min_n`` is suppressed. For a share (0/1 variable) the estimate is also suppressed when
   fewer than ``min_count`` (but more than zero) respondents are on either side, because the
   share and ``n`` together reveal that count.
2. *No small counts.* No count of respondents between 1 and ``min_count - 1`` is shown. The
   ``n`` of a cell is hidden with its estimate when the cell is suppressed *for its size*
   (``n`` below ``min_n``, hidden by the domain plan, or a complement protecting such a cell's
   ``n`` in a linked set): that ``n`` is what must not be recovered by subtraction. A cell
   suppressed only by the count rule (or as a complement of one) keeps its ``n``: the group
   is large, its ``n`` reveals nothing about the few on one side, and the same group's ``n``
   is shown on every page that breaks down by it (e.g. under another definition of
   training), so hiding it on one page only would make the pages disagree. Other counts of a
   suppressed cell (a category's respondents, a part of the estimate) are always hidden.
3. *Complementary suppression.* Cells that add up to something the reader can see (groups of
   one breakdown, which add up to the total; categories of one distribution, which add up to
   100 %) form a *linked set* (:class:`LinkedSet`). In a linked set with suppressed cells, at
   least two cells are suppressed, and together they cover at least ``min_n`` respondents (and
   at least ``min_count`` on each side of a share), so that subtraction can at most reveal a
   combination that would itself have been publishable. Cells are added smallest first; if
   that is not enough, the table's total row is suppressed too. The rule holds whether or not
   the total is in the same table, because the book shows totals elsewhere.

Suppressed cells keep their row (``suppressed=True``) with the estimate, its uncertainty, the
weighted size and the counts set to missing, so that charts can show them as "too few answers".
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from lederuddannelse.stats.limits import (
    DEFAULT_MIN_COUNT,
    DEFAULT_MIN_N,
    below_defaults,
    check_limits,
)

#: Columns set to missing in suppressed rows of an estimates table (df = n - 1 reveals n).
DEFAULT_MASK: tuple[str, ...] = ("estimate", "se", "ci_low", "ci_high", "N", "deff", "df")


@dataclass(frozen=True)
class LinkedSet:
    """Rows that add up to a total the reader can see.

    ``by``: rows sharing the values of these columns form one set (``()``: all non-total rows);
    ``size``: the column of respondents behind each cell; ``threshold``: which of the policy's
    minimums the suppressed cells of a set must cover together.
    """

    by: tuple[str, ...] = ()
    size: str = "n"
    threshold: Literal["min_n", "min_count"] = "min_n"


@dataclass(frozen=True)
class DisclosureSpec:
    """How one table is built, for :meth:`SuppressionPolicy.apply`.

    - ``size``: columns of unweighted respondents behind each estimate (primary rule, ``min_n``);
    - ``shown_counts``: other count columns published (e.g. respondents in a category): hidden
      when small or when the row is suppressed;
    - ``sides``: internal columns with respondents on each side of a share; used for the
      count rule and then dropped;
    - ``mask``: columns set to missing in suppressed rows;
    - ``sets``: the linked sets of the table;
    - ``total``: a boolean column marking total rows (dropped after use);
    - ``hidden``: a boolean column of rows the domain plan hides (dropped after use);
    - ``derived``: a boolean column of rows suppressed because another page's suppressed cell
      could be derived from them (:func:`protect_across`); treated like the count rule (the
      estimate is hidden, the group's n kept), dropped after use.
    """

    size: tuple[str, ...] = ("n",)
    shown_counts: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    mask: tuple[str, ...] = DEFAULT_MASK
    sets: tuple[LinkedSet, ...] = ()
    total: str | None = None
    hidden: str | None = None
    derived: str | None = None

    @classmethod
    def none(cls) -> "DisclosureSpec":
        """A table with nothing to protect (e.g. model fit statistics)."""
        return cls(size=(), mask=())


@functools.lru_cache(maxsize=256)
def table_spec(counted: bool, by: tuple[str, ...]) -> DisclosureSpec:
    """The spec of an estimates table by ``by`` (no, one or two grouping columns): its groups
    add up to the total (for two: within each value of the other); ``counted``: it has the
    respondents on each side of a share (``_pos``, ``_neg``)."""
    sets = (LinkedSet(),) if len(by) == 1 else tuple(LinkedSet((b,)) for b in by)
    sides = ("_pos", "_neg") if counted else ()
    return DisclosureSpec(sides=sides, sets=sets, total="_total", hidden="_hidden")


@dataclass(frozen=True)
class SuppressionPolicy:
    """Minimum unweighted respondents behind an estimate (``min_n``) and behind any count shown
    (``min_count``). Defaults follow common practice for Danish survey publications: 30 and 5.

    Lower values are refused unless ``allow_small_cells`` is set: a page built with them says
    so in its notice (:meth:`lowered`), so that no reader mistakes such a page for a protected
    publication.
    """

    min_n: int = DEFAULT_MIN_N
    min_count: int = DEFAULT_MIN_COUNT
    allow_small_cells: bool = False

    def __post_init__(self) -> None:
        check_limits(self.min_n, self.min_count, self.allow_small_cells)

    @classmethod
    def none(cls) -> "SuppressionPolicy":
        """No suppression at all: for tests against reference software, never for publication."""
        return cls(min_n=0, min_count=0, allow_small_cells=True)

    def lowered(self) -> bool:
        """Are the minimums below the defaults?"""
        return below_defaults(self.min_n, self.min_count)

    # ------------------------------------------------------------------ description
    def describe(self) -> str:
        """The rule in Danish, for the methods chapter."""
        if self.min_n == 0 and self.min_count == 0:
            return "Der er ikke anvendt diskretionering (undertrykkelse af små celler)."
        return (
            f"Et skøn vises kun, når det bygger på mindst {self.min_n} besvarelser (uvægtet). "
            f"Antal under {self.min_count} vises aldrig, og en andel undertrykkes også, hvis "
            f"færre end {self.min_count} respondenter har svaret henholdsvis ja eller nej. "
            f"En gruppe (fx en branche) med under {self.min_n} besvarelser i hele datasættet "
            "skjules i alle tabeller, figurer og datafiler i bogen, sammen med den eller de "
            f"mindste andre grupper, så de skjulte grupper tilsammen har mindst {self.min_n} "
            "besvarelser. Hvor celler i samme tabel summerer til en total (grupper i en "
            "opdeling, kategorier i en fordeling), undertrykkes mindst to celler, og de "
            f"undertrykte celler dækker tilsammen mindst {self.min_n} besvarelser. Antal svar "
            "skjules sammen med skønnet, når gruppen er for lille (eller skjules for at beskytte "
            "en for lille gruppe); er et skøn kun undertrykt, fordi for få har svaret ja eller "
            "nej, vises gruppens antal svar, som også står på de andre sider. Så kan en "
            "undertrykt værdi ikke genskabes ved at trække de viste celler fra totalen. "
            "Undertrykte skøn er markeret i tabeller og figurer."
        )

    def notice(self) -> str | None:
        """A sentence for the page notice when the minimums are lowered (else None)."""
        if not self.lowered():
            return None
        return (
            f"Grænserne for små celler er sænket i denne kørsel (min_n = {self.min_n}, "
            f"min_count = {self.min_count}; standard er {DEFAULT_MIN_N} og {DEFAULT_MIN_COUNT}), "
            "så siden kan vise tal, der bygger på meget få besvarelser. Den må ikke "
            "offentliggøres som en beskyttet opgørelse."
        )

    # ------------------------------------------------------------------ domains
    def hidden_categories(self, counts: Mapping[object, float]) -> frozenset:
        """Categories of one grouping variable to hide in every table of the book.

        ``counts``: respondents per category in the whole file. A category with 1 to
        ``min_n - 1`` respondents is hidden; then the smallest other categories until at
        least two are hidden and together hold at least ``min_n`` respondents.
        """
        items = sorted(((float(v), str(k), k) for k, v in counts.items() if v > 0))
        hidden = [k for v, _, k in items if v < self.min_n]
        if not hidden:
            return frozenset()
        total = sum(float(counts[k]) for k in hidden)
        for v, _, k in items:
            if len(hidden) >= 2 and total >= self.min_n:
                break
            if k not in hidden:
                hidden.append(k)
                total += v
        return frozenset(hidden)

    # ------------------------------------------------------------------ application
    def apply(self, table: pd.DataFrame, spec: DisclosureSpec) -> pd.DataFrame:
        """Return a copy of ``table`` with small cells suppressed (see the module docstring).

        Works on the columns as arrays and builds the result once: the policy runs on every
        table of every chapter, so it must cost microseconds, not pandas operations per cell.
        """
        res = self.apply_columns({c: col.to_numpy() for c, col in table.items()}, spec, copy=True)
        res.index = table.index
        res.attrs = dict(table.attrs)
        return res

    def apply_columns(
        self, arr: dict[str, np.ndarray], spec: DisclosureSpec, copy: bool = False
    ) -> pd.DataFrame:
        """:meth:`apply` on a table given as its columns (name -> array, in order): the
        estimators build their tables this way, so that a table is one frame, made once.
        The frame takes over the arrays unless ``copy`` (they must not be used elsewhere)."""
        m = len(next(iter(arr.values()))) if arr else 0
        size_cols = [c for c in spec.size if c in arr]
        shown_cols = [c for c in spec.shown_counts if c in arr]
        side_cols = [c for c in spec.sides if c in arr]
        mask_cols = [c for c in spec.mask if c in arr]

        def flag(c: str | None) -> np.ndarray:
            if c and c in arr:
                if arr[c].dtype == bool:
                    return arr[c].copy()
                return np.asarray(pd.Series(arr[c]).fillna(False), dtype=bool)
            return np.zeros(m, dtype=bool)

        is_total = flag(spec.total)
        # Two levels of suppression. `small` rows hide their size (n) with their estimate: the
        # group itself is too small, hidden book-wide, or a complement that keeps such a
        # group's n from being recovered by subtraction. `supp` rows (a superset) hide their
        # estimate; a row suppressed only by the count rule (or as its complement) keeps its
        # n, which reveals nothing and is shown for the same group on other pages.
        small = flag("suppressed") | flag(spec.hidden)
        for c in size_cols:
            v = _num(arr[c])
            small |= ~np.isfinite(v) | (v < self.min_n)
        # 1. primary suppression of estimates: the small rows and the count rule
        counted = small.copy()
        sides = {}
        for c in side_cols:
            v = _num(arr[c])
            counted |= np.isfinite(v) & (v > 0) & (v < self.min_count)
            sides[c] = np.where(np.isfinite(v), v, 0.0)
        counted |= flag(spec.derived)
        if counted.any():  # complements only where something is suppressed
            members = [_set_members(arr, s, is_total) for s in spec.sets]
            sizes = {s.size: np.nan_to_num(_num(arr[s.size]), nan=0.0)
                     for s in spec.sets if s.size in arr}  # fmt: skip
            size_sets = [(s, g) for s, g in zip(spec.sets, members)
                         if s.threshold == "min_n" and s.size in sizes]  # fmt: skip
            self._complete(size_sets, sizes, small, is_total, {})
            supp = counted | small
            # 3. complementary suppression over linked sets, until nothing changes
            all_sets = [(s, g) for s, g in zip(spec.sets, members) if s.size in sizes]
            self._complete(all_sets, sizes, supp, is_total, sides)
        else:
            supp = counted

        # 2. mask values; hide small counts, the size of small rows and every other count of
        # a suppressed row (a category's count is a part of the estimate)
        drop = {spec.total, spec.hidden, spec.derived, *spec.sides}
        out: dict[str, object] = {}
        masking = bool(supp.any())
        for c in arr:
            if c in drop:
                continue
            v = arr[c]
            if c in mask_cols:  # a float array with nothing to mask is taken over as it is
                if masking or not (isinstance(v, np.ndarray) and v.dtype == float):
                    v = _num(v)
                    v[supp] = np.nan
            elif c in size_cols or c in shown_cols:
                f = _num(v)
                hide = ~np.isfinite(f) | ((f > 0) & (f < self.min_count))
                hide |= small if c in size_cols else supp
                ints = np.where(hide, 0.0, f).round().astype("int64")
                v = pd.arrays.IntegerArray(ints, hide)  # Int64, missing where hidden
            out[c] = v
        out["suppressed"] = supp
        return frame(out, copy)

    def _complete(self, sets, sizes, supp, is_total, sides) -> None:
        """Complementary suppression over ``sets`` ((LinkedSet, row groups) pairs), in place
        on ``supp``, until every set is safe."""
        for _ in range(100):
            changed = False
            for s, groups in sets:
                thr = self.min_n if s.threshold == "min_n" else self.min_count
                changed |= self._protect(groups, sizes[s.size], thr, supp, is_total, sides)
            if not changed:
                break

    def _protect(self, groups, sizes, threshold, supp, is_total, sides) -> bool:
        """Make every linked set of one kind safe; return whether anything was suppressed."""
        changed = False
        for rows in groups:
            if len(rows) == 0:
                continue
            while True:
                s_rows = rows[supp[rows]]
                if len(s_rows) == 0:
                    break
                safe = len(s_rows) >= 2 and sizes[s_rows].sum() >= threshold
                if safe and sides:
                    safe = all(
                        (tot := v[s_rows].sum()) == 0 or tot >= self.min_count
                        for v in sides.values()
                    )
                if safe:
                    break
                # an empty cell hides nothing: complements are cells with respondents
                free = rows[~supp[rows] & (sizes[rows] > 0)]
                if len(free) == 0:
                    # Nothing left to hide in the set: the total would reveal the set.
                    if is_total.any() and not supp[is_total].all():
                        supp[is_total] = True
                        changed = True
                    break
                supp[free[np.argmin(sizes[free])]] = True
                changed = True
        return changed


#: column labels of the tables made so far, by their names (a few layouts recur)
_LABELS: dict[tuple, pd.Index] = {}


def frame(columns: dict[str, object], copy: bool = False) -> pd.DataFrame:
    """``pd.DataFrame(columns, copy=copy)``, the same frame in a fraction of the time.

    Why: the estimators return small tables, where making the frame is most of an estimate's
    cost: pandas sanitises each column on its own, infers the type of each column of strings
    and of the labels. Here the columns of one numpy type (float, bool, int) become one
    block, made with pandas' public ``api.internals.create_dataframe_from_blocks``; strings
    become pandas' string arrays (:func:`text_column`); the labels are an ``Index`` made once
    per layout (each frame gets its own view of it). Anything else (another type, objects
    that are not strings, no such API in this pandas) is left to ``pd.DataFrame``."""
    key = tuple(columns)
    labels = _LABELS.get(key)
    if labels is None:
        if len(_LABELS) >= 256:
            _LABELS.clear()
        labels = _LABELS[key] = pd.DataFrame({k: [] for k in key}).columns
    blocks = _blocks(list(columns.values()), copy)
    if blocks is None:
        out = pd.DataFrame(dict(enumerate(columns.values())), copy=copy)
        out.columns = labels.view()
        return out
    from pandas.api.internals import create_dataframe_from_blocks

    m = len(next(iter(columns.values()))) if columns else 0
    return create_dataframe_from_blocks(blocks, pd.RangeIndex(m), labels.view())


#: numpy column types made into one block each by :func:`frame`
_BLOCK_TYPES = (np.dtype(float), np.dtype(bool), np.dtype(np.int64))


def _blocks(values: list, copy: bool) -> list | None:
    """The blocks of a frame of ``values`` (1-D, of one length), or ``None``."""
    try:
        from pandas.api.internals import create_dataframe_from_blocks  # noqa: F401
    except ImportError:  # pandas before 3
        return None
    if not values:
        return None
    m = len(values[0])
    by_type: dict[np.dtype, list[int]] = {}
    blocks = []
    for j, v in enumerate(values):
        if isinstance(v, np.ndarray) and v.dtype == object:
            v = text_column(list(v))
            if isinstance(v, np.ndarray):  # not all strings: pandas infers
                return None
        if getattr(v, "ndim", 0) != 1 or len(v) != m:
            return None
        if isinstance(v, np.ndarray):
            if v.dtype not in _BLOCK_TYPES:
                return None
            by_type.setdefault(v.dtype, []).append(j)
        elif isinstance(v, pd.api.extensions.ExtensionArray):
            blocks.append((v.copy() if copy else v, np.array([j], dtype=np.intp)))
        else:
            return None
    for dtype, cols in by_type.items():
        arr = np.empty((len(cols), m), dtype=dtype)
        for i, j in enumerate(cols):
            arr[i] = values[j]
        blocks.append((arr, np.array(cols, dtype=np.intp)))
    return blocks


@functools.lru_cache(maxsize=1)
def _text_dtype():
    """The dtype pandas gives a column of strings (``str`` from pandas 3, else object)."""
    return pd.Series(["x"]).dtype


def text_column(values: list):
    """A column of ``values``, as pandas would store ``np.array(values, dtype=object)`` in a
    frame, made directly: pandas' own inference of a column of strings costs a quarter of a
    small table's frame. Strings under the pyarrow-backed ``str`` dtype of pandas 3 only;
    otherwise the object array, for pandas to infer."""
    dt = _text_dtype()
    if (
        isinstance(dt, pd.StringDtype)
        and dt.storage == "pyarrow"
        and len(values) > 0  # pandas keeps an empty column of objects as objects
        and all(isinstance(v, str) for v in values)
    ):
        import pyarrow as pa

        return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=dt)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _num(values) -> np.ndarray:
    """A column as a float array (NaN for missing), always a fresh copy."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
        return np.array(values, dtype=float, copy=True)  # the common case: no pandas
    v = pd.to_numeric(pd.Series(values), errors="coerce")
    return np.array(v.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)


def _set_members(arr: dict, s: LinkedSet, is_total: np.ndarray) -> list[np.ndarray]:
    """Row indices of each linked set: non-total rows sharing the values of ``s.by``."""
    members = np.flatnonzero(~is_total)
    by = [c for c in s.by if c in arr]
    if not by or len(members) == 0:
        return [members]
    key = np.zeros(len(members), dtype=np.int64)
    for c in by:
        codes, uniq = pd.factorize(pd.Series(arr[c][members]).astype(str))
        key = key * (len(uniq) + 1) + codes
    return [members[key == k] for k in np.unique(key)]


#: A variable with more distinct values than this is a measurement, not a grouping
MAX_CATEGORIES = 60


def _whole(s: pd.Series) -> bool:
    v = s.dropna().to_numpy(dtype=float)
    return bool(np.all(v == np.round(v)))


@dataclass
class DomainPlan:
    """The categories hidden book-wide, per grouping variable, for one data file and policy.

    Computed from the whole file's unweighted counts (never from a table), so every page that
    breaks down by the same variable hides the same categories.
    """

    policy: SuppressionPolicy
    data: pd.DataFrame
    _cache: dict[str, frozenset] = field(default_factory=dict, repr=False)
    _rows_cache: list[tuple[np.ndarray, int]] | None = field(default=None, repr=False)

    def hidden(self, var: str) -> frozenset:
        """Values of ``var`` hidden in every table (empty when every category is large)."""
        if var not in self._cache:
            s = self.data[var].dropna()
            counts = s.value_counts(sort=False) if len(s) else pd.Series(dtype=float)
            self._cache[var] = self.policy.hidden_categories(counts.to_dict())
        return self._cache[var]

    def reveals(self, mask: np.ndarray) -> bool:
        """Does the row set ``mask`` single out a hidden group, whatever variable made it?

        True when it (or every row outside it) is exactly the respondents of a hidden category
        of some variable, or lies within a hidden category with fewer than ``min_n``
        respondents: e.g. a 0/1 indicator of a hidden region, or a question asked only (or
        asked everywhere but) there. An estimate on those rows, or its n, would publish the
        hidden group. A union of hidden categories (the combination the plan allows) does not.
        """
        m = np.asarray(mask, dtype=bool)
        cats = self._categories()
        if not cats:
            return False
        k = int(m.sum())
        for rows, size in cats:
            if len(rows) != len(m):
                continue
            small = size < self.policy.min_n
            for side, count in ((m, k), (~m, len(m) - k)):
                # only a category as large (exactly), or a small one at least as large, can
                # hold the side: most are ruled out by their counts alone
                if count == 0 or not (count == size or (small and count < size)):
                    continue
                if not (side & ~rows).any():
                    return True
        return False

    def about_hidden(self, y: np.ndarray, binary: bool) -> bool:
        """Is ``y`` about a group the domain plan hides (whatever the variable's role)?

        Its respondents (rows with a value), or for a 0/1 variable those with 1 or with 0, lie
        within the hidden categories of some variable without being all of them: then the
        estimate (and its n) would publish the hidden group (a 0/1 indicator of a hidden
        region, a question asked only there), so it is hidden like the group.
        """
        if not self._categories():  # nothing hidden: nothing to single out
            return False
        present = ~np.isnan(y)
        masks = [present] if not present.all() else []
        if binary:
            masks += [y == 1, y == 0]
        return any(self.reveals(m) for m in masks)

    def _categories(self) -> list[tuple[np.ndarray, int]]:
        """Rows (and their number) of each hidden category of every variable that has any
        (computed once)."""
        if self._rows_cache is None:
            out = []
            for col in self.data.columns:
                s = self.data[col]
                if s.dtype.kind == "f" and not _whole(s):
                    continue  # a measurement, not categories
                if s.nunique(dropna=True) > MAX_CATEGORIES:
                    continue
                for h in self.hidden(col):
                    rows = (s == h).to_numpy(dtype=bool, na_value=False)
                    out.append((rows, int(rows.sum())))
            self._rows_cache = out
        return self._rows_cache

    def rows_hidden(self, frame: pd.DataFrame, by: list[str]) -> np.ndarray:
        """Rows of ``frame`` whose value of any ``by`` column is a hidden category."""
        out = np.zeros(len(frame), dtype=bool)
        for b in by:
            h = self.hidden(b)
            if h and b in frame.columns:
                out |= frame[b].isin(list(h)).to_numpy(dtype=bool)
        return out


def determined(constraints: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Which unknowns a reader can solve for from linear constraints with known right sides.

    ``constraints``: one row per published sum (e.g. "these cells add up to the total"), one
    column per cell; ``unknown``: which cells are hidden. Known cells move to the right-hand
    side, so hidden cell ``j`` is determined exactly when its unit vector lies in the row space
    of the constraints restricted to the hidden cells.
    """
    A = np.asarray(constraints, dtype=float)[:, np.asarray(unknown, dtype=bool)]
    k = A.shape[1]
    if k == 0 or A.shape[0] == 0:
        return np.zeros(k, dtype=bool)
    rank = np.linalg.matrix_rank(A)
    out = np.zeros(k, dtype=bool)
    for j in range(k):
        e = np.zeros((1, k))
        e[0, j] = 1.0
        out[j] = np.linalg.matrix_rank(np.vstack([A, e])) == rank
    return out


#: Column of the rows :func:`protect_across` suppresses (see ``DisclosureSpec.derived``).
DERIVED = "_derived"


def protect_across(
    tables: Mapping[str, tuple[pd.DataFrame, DisclosureSpec]],
    by: str,
    policy: SuppressionPolicy,
) -> dict[str, pd.DataFrame]:
    """Protect one breakdown (groups in column ``by``) published for several variables that are
    exactly related, each on its own page: the shares trained under the any, narrow and broad
    definitions (training codes are disjoint, so any = narrow + broad in every group, and one
    of them is the difference of the other two). ``tables`` holds each variable's table before
    the policy (``raw``). A group suppressed for one variable, for itself or as a complement, is
    suppressed for every variable, with the complements that needs, until nothing changes:
    then every page hides the same groups and no relation recovers a hidden cell."""
    hidden: set = set()
    for _ in range(100):
        out = {}
        for name, (table, spec) in tables.items():
            marked = table.assign(**{DERIVED: table[by].isin(hidden).to_numpy(dtype=bool)})
            out[name] = policy.apply(marked, replace(spec, derived=DERIVED))
        now = set().union(*(set(t.loc[t["suppressed"].astype(bool), by]) for t in out.values()))
        if now <= hidden:
            return out
        hidden |= now
    raise AssertionError("protect_across did not settle")  # each round only adds groups
