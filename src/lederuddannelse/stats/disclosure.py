"""Small-cell protection: one suppression policy that every table and chart builder applies.

Why one place: if each chapter decided for itself what to hide, a cell hidden in one table could
be shown in another, or recovered by subtracting the visible cells of the same table from a
total. The estimators in :mod:`lederuddannelse.survey` therefore call
:meth:`SuppressionPolicy.apply` on every frame they return, and the methods chapter prints
:meth:`SuppressionPolicy.describe` so that the rule the reader sees is the rule the code ran.

The rule, for a table of estimates:

1. **Primary suppression.** An estimate whose unweighted number of respondents ``n`` is below
   ``min_n`` is suppressed. For a share (0/1 variable) the estimate is also suppressed when
   fewer than ``min_count`` (but more than zero) respondents are on either side, because the
   share and ``n`` together reveal that count.
2. **No small counts.** No count of respondents between 1 and ``min_count - 1`` is shown.
3. **Complementary suppression.** Cells that add up to something the reader can see (groups of
   one breakdown, which add up to the total; categories of one distribution, which add up to
   100 %) form a *linked set*. In a linked set with suppressed cells, at least two cells are
   suppressed, and together they cover at least ``min_n`` respondents (and at least
   ``min_count`` on each side of a share), so that subtraction can at most reveal a combination
   that would itself have been publishable. Cells are added smallest first; if that is not
   enough, the table's total row is suppressed too. The rule is applied whether or not the
   total is in the same table, because the book shows the totals elsewhere (the overall share
   in one table, the one-way breakdown next to the two-way one), and a reader can subtract
   across tables.

Suppressed cells keep their row (``suppressed=True``) with the estimate, its uncertainty and
the weighted size set to missing, so that charts can show them as "too few answers".

Tables describe their own structure in ``table.attrs["disclosure"]`` (set by the builders):

- ``size``: columns of unweighted respondent counts behind each estimate (e.g. ``["n"]`` or
  ``["n_a", "n_b"]``);
- ``counts``: internal columns (names starting with ``_``) with respondents on each side of a
  share; used for the rule and then dropped;
- ``mask``: columns set to missing in suppressed rows;
- ``sets``: linked sets, each ``{"by": [columns], "size": column, "min": "min_n" | "min_count"}``
  meaning "rows sharing the values of these columns add up" (``by=[]``: all non-total rows);
- ``total``: name of a boolean column marking total rows (dropped after use).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lederuddannelse.errors import ParameterError

DEFAULT_MASK = ["estimate", "se", "ci_low", "ci_high", "N", "deff", "df"]  # df = n - 1


@dataclass(frozen=True)
class SuppressionPolicy:
    """Minimum unweighted respondents behind an estimate (``min_n``) and behind any count shown
    (``min_count``). Defaults follow common practice for Danish survey publications: 30 and 5."""

    min_n: int = 30
    min_count: int = 5

    def __post_init__(self) -> None:
        for name in ("min_n", "min_count"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 0:
                raise ParameterError(
                    f"Suppression parameter {name} must be a whole number >= 0, got {value!r}."
                )

    @classmethod
    def none(cls) -> "SuppressionPolicy":
        """No suppression at all: for tests against reference software, never for publication."""
        return cls(min_n=0, min_count=0)

    # ------------------------------------------------------------------ description
    def describe(self) -> str:
        """The rule in Danish, for the methods chapter."""
        if self.min_n == 0 and self.min_count == 0:
            return "Der er ikke anvendt diskretionering (undertrykkelse af små celler)."
        return (
            f"Et skøn vises kun, når det bygger på mindst {self.min_n} besvarelser (uvægtet). "
            f"Antal under {self.min_count} vises aldrig, og en andel undertrykkes også, hvis "
            f"færre end {self.min_count} respondenter har svaret henholdsvis ja eller nej. "
            "Hvor celler i samme tabel summerer til en total (grupper i en opdeling, kategorier "
            "i en fordeling), undertrykkes mindst to celler, og de undertrykte celler dækker "
            f"tilsammen mindst {self.min_n} besvarelser, så en undertrykt værdi ikke kan "
            "genskabes ved at trække de viste celler fra totalen. Undertrykte skøn er markeret "
            "i tabeller og figurer."
        )

    # ------------------------------------------------------------------ application
    def apply(self, table: pd.DataFrame) -> pd.DataFrame:
        """Return a copy of ``table`` with small cells suppressed (see the module docstring).

        Works on the columns as arrays and builds the result once: the policy runs on every
        table of every chapter, so it must cost microseconds, not pandas operations per cell.
        """
        spec = dict(table.attrs.get("disclosure", {}))
        m = len(table)
        arr = {c: table[c].to_numpy() for c in table.columns}
        size_cols = [c for c in spec.get("size", ["n"]) if c in arr]
        count_cols = [c for c in spec.get("counts", []) if c in arr]
        mask_cols = [c for c in spec.get("mask", DEFAULT_MASK) if c in arr]
        total_col = spec.get("total")
        is_total = (
            np.asarray(arr[total_col], dtype=bool)
            if total_col and total_col in arr
            else np.zeros(m, dtype=bool)
        )

        def num(c: str) -> np.ndarray:
            v = pd.to_numeric(pd.Series(arr[c]), errors="coerce")
            return np.array(v.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)

        supp = (
            np.asarray(arr["suppressed"], dtype=bool).copy()
            if "suppressed" in arr
            else np.zeros(m, dtype=bool)
        )
        # 1. primary suppression
        for c in size_cols:
            v = num(c)
            supp |= ~np.isfinite(v) | (v < self.min_n)
        counts = {}
        for c in count_cols:
            v = num(c)
            supp |= np.isfinite(v) & (v > 0) & (v < self.min_count)
            counts[c] = np.where(np.isfinite(v), v, 0.0)

        # 3. complementary suppression over linked sets, until nothing changes
        sets = [self._set_members(arr, s, is_total) for s in spec.get("sets", [])]
        sizes = {}
        for s in spec.get("sets", []):
            c = s.get("size", "n")
            if c in arr and c not in sizes:
                sizes[c] = np.nan_to_num(num(c), nan=0.0)
        for _ in range(100):
            changed = False
            for s, groups in zip(spec.get("sets", []), sets):
                c = s.get("size", "n")
                if c not in sizes:
                    continue
                thr = self.min_n if s.get("min", "min_n") == "min_n" else self.min_count
                changed |= self._protect(groups, sizes[c], thr, supp, is_total, counts)
            if not changed:
                break

        # 2. mask values and small counts
        out: dict[str, object] = {}
        for c in table.columns:
            if str(c).startswith("_"):
                continue
            v = arr[c]
            if c in mask_cols:
                v = num(c)
                v[supp] = np.nan
            elif c in size_cols:
                f = num(c)
                hide = ~np.isfinite(f) | ((f > 0) & (f < self.min_count))
                v = pd.array(
                    np.where(hide, 0, np.nan_to_num(f)).round().astype("int64"), dtype="Int64"
                )
                v[hide] = pd.NA
            out[c] = v
        out["suppressed"] = supp
        res = pd.DataFrame(out)
        res.attrs = {k: v for k, v in table.attrs.items() if k != "disclosure"}
        res.attrs["disclosure"] = {**spec, "counts": [], "total": None, "applied": True}
        return res

    @staticmethod
    def _set_members(arr: dict, s: dict, is_total: np.ndarray) -> list[np.ndarray]:
        """Row indices of each linked set: non-total rows sharing the values of ``s['by']``."""
        members = np.flatnonzero(~is_total)
        by = [c for c in s.get("by", []) if c in arr]
        if not by or len(members) == 0:
            return [members]
        key = np.zeros(len(members), dtype=np.int64)
        for c in by:
            codes, uniq = pd.factorize(pd.Series(arr[c][members]).astype(str))
            key = key * (len(uniq) + 1) + codes
        return [members[key == k] for k in np.unique(key)]

    def _protect(self, groups, sizes, threshold, supp, is_total, counts) -> bool:
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
                if safe and counts:
                    safe = all(
                        (tot := v[s_rows].sum()) == 0 or tot >= self.min_count
                        for v in counts.values()
                    )
                if safe:
                    break
                free = rows[~supp[rows]]
                if len(free) == 0:
                    # Nothing left to hide in the set: the total would reveal the set.
                    if is_total.any() and not supp[is_total].all():
                        supp[is_total] = True
                        changed = True
                    break
                supp[free[np.argmin(sizes[free])]] = True
                changed = True
        return changed
