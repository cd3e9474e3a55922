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
   enough, the table's total row is suppressed too.

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

        Idempotent: applying the policy to an already protected table changes nothing more.
        """
        spec = dict(table.attrs.get("disclosure", {}))
        out = table.copy()
        out.attrs = dict(table.attrs)
        if out.empty:
            return self._finish(out, spec)
        size_cols = [c for c in spec.get("size", ["n"]) if c in out.columns]
        count_cols = [c for c in spec.get("counts", []) if c in out.columns]
        mask_cols = [c for c in spec.get("mask", DEFAULT_MASK) if c in out.columns]
        total_col = spec.get("total")
        is_total = (
            out[total_col].to_numpy(dtype=bool)
            if total_col and total_col in out.columns
            else np.zeros(len(out), dtype=bool)
        )

        supp = (
            out["suppressed"].to_numpy(dtype=bool).copy()
            if "suppressed" in out.columns
            else np.zeros(len(out), dtype=bool)
        )
        # 1. primary suppression
        for c in size_cols:
            v = out[c].to_numpy(dtype=float)
            supp |= ~np.isfinite(v) | (v < self.min_n)
        for c in count_cols:
            v = out[c].to_numpy(dtype=float)
            supp |= np.isfinite(v) & (v > 0) & (v < self.min_count)

        # 3. complementary suppression over linked sets, until nothing changes
        sets = spec.get("sets", [])
        changed = True
        rounds = 0
        while changed and sets and rounds < 100:
            changed = False
            rounds += 1
            for s in sets:
                changed |= self._protect_sets(out, s, supp, is_total, count_cols)

        # 2. mask values and small counts
        out["suppressed"] = supp
        for c in mask_cols:
            col = out[c].astype(float)
            col[supp] = np.nan
            out[c] = col
        for c in size_cols:
            v = out[c].to_numpy(dtype=float)
            small = np.isfinite(v) & (v > 0) & (v < self.min_count)
            col = pd.array(np.where(np.isfinite(v), v, 0).round().astype("int64"), dtype="Int64")
            col[~np.isfinite(v) | small] = pd.NA
            out[c] = col
        return self._finish(out, spec)

    def _protect_sets(
        self,
        out: pd.DataFrame,
        s: dict,
        supp: np.ndarray,
        is_total: np.ndarray,
        count_cols: list[str],
    ) -> bool:
        """Make every linked set of one kind safe; return whether anything was suppressed."""
        by = [c for c in s.get("by", []) if c in out.columns]
        size_col = s.get("size", "n")
        threshold = self.min_n if s.get("min", "min_n") == "min_n" else self.min_count
        sizes = out[size_col].to_numpy(dtype=float) if size_col in out.columns else None
        if sizes is None:
            return False
        sizes = np.where(np.isfinite(sizes), sizes, 0.0)
        counts = {c: np.where(np.isfinite(v := out[c].to_numpy(dtype=float)), v, 0.0) for c in count_cols}
        members = np.flatnonzero(~is_total)
        if by:
            keys = out.iloc[members][by].astype(str).agg("\x1f".join, axis=1).to_numpy()
            groups = [members[keys == k] for k in pd.unique(keys)]
        else:
            groups = [members]
        changed = False
        for rows in groups:
            if len(rows) == 0:
                continue
            while True:
                s_rows = rows[supp[rows]]
                if len(s_rows) == 0:
                    break
                union = sizes[s_rows].sum()
                safe = len(s_rows) >= 2 and union >= threshold
                if safe and counts:
                    safe = all(
                        (tot := counts[c][s_rows].sum()) == 0 or tot >= self.min_count
                        for c in counts
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

    @staticmethod
    def _finish(out: pd.DataFrame, spec: dict) -> pd.DataFrame:
        drop = [c for c in out.columns if str(c).startswith("_")]
        out = out.drop(columns=drop)
        out.attrs["disclosure"] = {
            **spec,
            "counts": [],
            "total": None,
            "applied": True,
        }
        return out
