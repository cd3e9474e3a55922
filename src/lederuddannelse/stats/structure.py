"""The sampling design of a survey: strata, clusters (PSUs) in one or two stages, and fpc.

:class:`DesignStructure` reads the design columns of a data frame with the meaning of R's
``svydesign(ids = ~psu1 + psu2, strata = ~stratum, fpc = ~fpc1 + fpc2, nest = FALSE)``:

- **Stages.** No ``psu``: every respondent is its own PSU (one stage). ``psu=["dnum",
  "snum"]``: two stages; as in R, the second stage's units are nested in the first stage's
  (``interaction(dnum, snum)``) and its strata are the first stage's PSUs within their stratum.
- **Strata.** One column for the first stage (``None``: one stratum). A PSU found in two strata
  is an error unless ``nest=True``, which makes PSU labels local to their stratum (R's
  ``check.strata``/``nest``).
- **fpc.** One column per stage (or none). Values all above 1 are population sizes (PSUs in the
  stratum); all at most 1 are sampling fractions; mixed is an error, as in R's ``as.fpc``.
  Without fpc the first stage counts as drawn with replacement and only the first stage
  contributes to the variance (R's ultimate-cluster variance); with fpc the second stage adds
  its variance within each sampled PSU, weighted by the first stage's sampling fraction.
- **Lonely PSUs** (a stratum with one PSU, not fully sampled) follow R's
  ``options(survey.lonely.psu)``: ``"fail"`` (R's default, and ours: the design is refused with
  the stratum named), ``"adjust"`` (the lonely PSU is centred at zero instead of its stratum
  mean), ``"average"`` (the stratum gets the average variance of the others), ``"certainty"``
  and ``"remove"`` (it contributes no variance).
- **Degrees of freedom** as R's ``degf()``: PSUs minus strata among the rows of a domain.

Each stage is kept as arrays (a unit per row, a stratum per unit, a variance weight per unit)
so that :class:`~lederuddannelse.stats.variance.TaylorVariance` computes every variance with
a few ``bincount`` calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.report.fmt import number
from lederuddannelse.stats.columns import check_column
from lederuddannelse.stats.parallel import beside

__all__ = ["LONELY_PSU", "DesignStructure", "Stage"]

#: R's options(survey.lonely.psu); the first is R's default and ours
LONELY_PSU = ("fail", "adjust", "average", "certainty", "remove")


@dataclass(frozen=True)
class Stage:
    """One sampling stage as arrays.

    ``unit``: the stage's sampling unit of each row (0..U-1); ``unit_stratum``: the stratum of
    each unit; ``n_h``: units per stratum; ``weight``: each unit's factor in the variance
    (``f_h n_h / (n_h - 1)`` times the stage's multiplier; 0 where the stratum adds nothing);
    ``centre``: whether a unit is centred at its stratum mean (not for an adjusted lonely PSU);
    ``identity``: every row is its own unit (no summing needed); ``row_stratum``: each row's
    stratum at this stage.
    """

    unit: np.ndarray
    unit_stratum: np.ndarray
    n_h: np.ndarray
    weight: np.ndarray
    centre: np.ndarray
    identity: bool
    #: lonely_psu="average": (group of each stratum, lonely strata). Within each group (the
    #: whole first stage; each PSU at stage 2) the variance of the strata present in the
    #: domain is scaled by strata present / strata present and not lonely, as R's onestage()
    average: tuple[np.ndarray, np.ndarray] | None = None
    row_stratum: np.ndarray | None = None


def _as_list(v: str | Sequence[str] | None, what: str) -> list[str]:
    if v is None:
        return []
    out = [v] if isinstance(v, str) else list(v)
    if not all(isinstance(c, str) for c in out):
        raise ParameterError(f"{what} takes column names, got {v!r}.")
    return out


#: a text column whose first HEAD_ROWS rows hold at most FEW_VALUES values is looked up (_codes)
HEAD_ROWS, FEW_VALUES = 2048, 64


def _text(values: pd.Series | np.ndarray):
    """A column of strings backed by pyarrow (pandas 3's ``str``) without missing values as one
    pyarrow array; None for any other column."""
    dt = getattr(values, "dtype", None)
    if not (isinstance(dt, pd.StringDtype) and dt.storage == "pyarrow"):
        return None
    import pyarrow as pa

    arr = pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr if arr.null_count == 0 else None


def _codes(values: pd.Series | np.ndarray) -> np.ndarray:
    """Codes of the distinct values, in order of appearance (no missing values here).

    Strings backed by pyarrow are coded by pyarrow directly (:func:`_encoded`)."""
    arr = _text(values)
    if arr is not None:
        import pyarrow.compute as pc

        # a column of few values (strata): looking each row up among the values of the
        # first rows, in their order, is 2-3 times faster than coding it, and gives the
        # same codes when every row is found (else the column is coded after all); rows
        # spread over the column are looked up first (a sorted column: coded at once)
        n = len(arr)
        head = pc.unique(arr[:HEAD_ROWS]) if n > 4 * HEAD_ROWS else None
        if head is not None and len(head) <= FEW_VALUES:
            spread = arr.take(np.linspace(0, n - 1, HEAD_ROWS).astype(np.int64))
            if pc.index_in(spread, value_set=head).null_count == 0:
                found = pc.index_in(arr, value_set=head)
                if found.null_count == 0:
                    return found.to_numpy(zero_copy_only=False).astype(np.int64)
    return _encoded(values if arr is None else arr)[0]


def _encoded(values) -> tuple[np.ndarray, object]:
    """Codes of the distinct values in order of appearance, and the values (no missing ones).

    A pyarrow array is coded by pyarrow's dictionary encoding: ``pd.factorize`` does the same
    and then makes its uniques (often thousands of PSU labels) into pandas objects."""
    import pyarrow as pa

    if isinstance(values, pa.Array):
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(values)
        return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary
    codes, uniques = pd.factorize(values, sort=False)  # a Series or an array, not copied
    return codes.astype(np.int64), uniques


def _joined(first: tuple[np.ndarray, object], second: tuple[np.ndarray, object]) -> np.ndarray:
    """The codes of a column whose two parts were coded apart (:func:`_encoded`): the first
    part's values are looked up among the second's (the smaller set to hash, as the second
    part is the smaller), and the second's values not found are numbered after the first's in
    their order, so the codes are those of the whole column (order of appearance)."""
    import pyarrow as pa

    (codes, values), (later_codes, later_values) = first, second
    if isinstance(values, pa.Array):
        import pyarrow.compute as pc

        found = pc.fill_null(pc.index_in(values, value_set=later_values), -1)
        found = found.to_numpy(zero_copy_only=False)
    else:
        found = pd.Index(later_values).get_indexer(values)
    at = np.full(len(later_values), -1, dtype=np.int64)
    seen = found >= 0
    at[found[seen]] = np.flatnonzero(seen)
    new = at < 0
    at[new] = len(values) + np.arange(np.count_nonzero(new))
    return np.concatenate([codes, at.take(later_codes)])


#: from this many rows, the first PSU column is coded by two threads, a part each
#: (:func:`~lederuddannelse.stats.parallel.beside`): a second thread codes the first part while
#: this one codes the strata, reads the fpc columns and codes the rest, and the parts are
#: joined (:func:`_joined`). Where a second core is free the set-up takes about half the time
#: of the PSU labels; where none is, the join's few milliseconds more.
PARALLEL_ROWS = 50_000
#: the second thread's part of the PSU labels when this one codes strata first (coding strata
#: by lookup, :func:`_codes`, costs about a third of coding as many PSU labels)
THREAD_PART = 0.65


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Codes of the combinations of two code arrays (R's interaction())."""
    return _codes(a * (int(b.max()) + 1) + b)


def _of_units(unit: np.ndarray, values: np.ndarray, size: int | None = None) -> np.ndarray:
    """A value per unit (codes 0..size-1) from a value per row (the same for a unit's rows)."""
    out = np.zeros(int(unit.max()) + 1 if size is None else size, dtype=values.dtype)
    out[unit] = values
    return out


def _of_units_varies(unit: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, bool]:
    """:func:`_of_units`, and whether the value varies among a unit's rows."""
    per_unit = _of_units(unit, values, size)
    return per_unit, bool((per_unit.take(unit) != values).any())


def _floats(values: pd.Series) -> np.ndarray:
    """A column as floats, read-only use: numbers as they are (no copy), text coerced (NaN where
    it is not a number)."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def _present(codes: np.ndarray, size: int) -> int:
    """How many of the codes 0..size-1 occur."""
    return int(np.count_nonzero(np.bincount(codes, minlength=size)))


class DesignStructure:
    """Strata, PSUs in one or two stages and fpc of a sample, with R's meaning (module doc).

    ``simple`` is True for the design without strata, clusters or fpc (R's ``ids = ~1``).
    """

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        strata: str | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        nest: bool = False,
        lonely_psu: str = "fail",
        absent: Sequence[str] = (),
    ) -> None:
        if lonely_psu not in LONELY_PSU:
            raise ParameterError(
                f"lonely_psu must be one of {', '.join(LONELY_PSU)} (R's survey.lonely.psu), "
                f"got {lonely_psu!r}."
            )
        if strata is not None and not isinstance(strata, str):
            raise ParameterError(f"strata takes one column name, got {strata!r}.")
        n = len(df)
        self.n = n
        self.lonely_psu = lonely_psu
        self.strata_col = strata
        self.psu_cols = _as_list(psu, "psu")
        self.fpc_cols = _as_list(fpc, "fpc")
        if len(self.psu_cols) > 2:
            raise ParameterError("psu takes one or two columns (one or two sampling stages).")
        n_stages = max(1, len(self.psu_cols))
        if self.fpc_cols and len(self.fpc_cols) != n_stages:
            raise ParameterError(
                f"fpc needs one column per stage: {n_stages} stage(s) ({self.psu_cols or 'rows'})"
                f" but fpc = {self.fpc_cols}."
            )
        col = {}  # each design column read from the frame once
        for c in [strata, *self.psu_cols, *self.fpc_cols]:
            if c is None:
                continue
            check_column(df, c, absent)
            col[c] = df[c]
            if col[c].isna().any():
                row = int(np.flatnonzero(col[c].isna().to_numpy())[0])
                raise EstimationError(
                    f"Design column {c!r} has a missing value (row {row + 1}); every "
                    "respondent needs a stratum, PSU and fpc."
                )
        self._df = df  # for the labels of error messages only
        self.simple = strata is None and not self.psu_cols and not self.fpc_cols
        # every label column coded once; the first PSU column by two threads (PARALLEL_ROWS)
        labels = [col[c] for c in self.psu_cols]
        if labels and n >= PARALLEL_ROWS:
            first = _text(labels[0])  # sliced by position: pyarrow's array or pandas'
            first = labels[0].array if first is None else first
            cut = int(n * (THREAD_PART if strata is not None else 0.5))

            def here() -> tuple:
                return *self._strata_fpc(col, strata, n), _encoded(first[cut:])

            head, (stratum, fpc_first, tail) = beside(lambda: _encoded(first[:cut]), here)
            coded = [_joined(head, tail), *(_codes(c) for c in labels[1:])]
        else:
            stratum, fpc_first = self._strata_fpc(col, strata, n)
            coded = [_codes(c) for c in labels]
        self.stratum = stratum
        ids = coded or [np.arange(n, dtype=np.int64)]
        if nest and strata is not None:
            ids[0] = _pair(stratum, ids[0])
        self.n_psu = int(ids[0].max()) + 1
        if self.n_psu == 1 and not (nest and strata is not None):
            raise EstimationError("The design has only one primary sampling unit (psu).")
        # the stratum of each PSU: read once, for the nesting check, n_h and the variance
        psu_stratum = _of_units(ids[0], stratum, self.n_psu)
        if strata is not None and self.psu_cols and not nest:  # (rows as PSUs: nested)
            mixed = psu_stratum.take(ids[0]) != stratum
            if mixed.any():
                row = int(np.flatnonzero(mixed)[0])
                raise EstimationError(
                    f"PSUs are not nested in strata: PSU {df[self.psu_cols[0]].iloc[row]!r}"
                    f" appears in more than one stratum of {strata!r}. Give PSU labels unique "
                    "across strata, or nest=True if they are numbered within each stratum."
                )
        unit_strata = [psu_stratum]
        if len(ids) == 2:
            # the second stage's strata are the PSUs (R's interaction(stratum, psu1)): the
            # PSU codes themselves, as PSUs are nested in strata (checked, or made so by nest)
            ids[1] = _pair(ids[0], ids[1])
            unit_strata.append(_of_units(ids[1], ids[0]))
        strata_by_stage = [stratum] + ([ids[0]] if len(ids) == 2 else [])
        self.psu = ids[0]
        self.stage_ids = ids
        self.stage_strata = strata_by_stage
        self._unit_strata = unit_strata
        # sample and population sizes per stage and stratum, R's as.fpc()
        self.n_h = [np.bincount(us).astype(float) for us in unit_strata]
        self.n_strata = int(stratum.max()) + 1
        self.pop_h: list[np.ndarray] | None = None
        if fpc_first is not None:
            self.pop_h = self._popsizes(*fpc_first)
        self.stages = self._stages()

    # ------------------------------------------------------------------ fpc
    def _strata_fpc(
        self, col: dict[str, pd.Series], strata: str | None, n: int
    ) -> tuple[np.ndarray, tuple | None]:
        """The strata's codes; the fpc columns' values, and the first stage's value per stratum
        and whether it varies within one (None without fpc): what needs no PSU codes."""
        stratum = np.zeros(n, dtype=np.int64) if strata is None else _codes(col[strata])
        if not self.fpc_cols:
            return stratum, None
        vals = [_floats(col[c]) for c in self.fpc_cols]
        return stratum, (vals, *_of_units_varies(stratum, vals[0], int(stratum.max()) + 1))

    def _popsizes(self, vals: list, first: np.ndarray, first_varies: bool) -> list[np.ndarray]:
        """Population sizes per stage and stratum (R's as.fpc()), each fpc column checked;
        the first stage's per stratum from :meth:`_strata_fpc`."""
        # the smallest and largest value say all the checks need (NaN and inf: not finite)
        lo = min(float(v.min()) for v in vals)
        hi = max(float(v.max()) for v in vals)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo > 0):
            raise EstimationError(
                f"fpc columns {self.fpc_cols} must be positive numbers (population sizes or "
                "sampling fractions)."
            )
        as_size = hi > 1
        if as_size and lo < 1:
            raise EstimationError(
                f"fpc columns {self.fpc_cols} mix population sizes (> 1) and sampling fractions "
                "(< 1); give all as sizes or all as fractions."
            )
        out = []
        for k, (v, s, c) in enumerate(zip(vals, self.stage_strata, self.fpc_cols)):
            if k == 0:
                per_stratum, varies = first, first_varies
            else:
                per_stratum, varies = _of_units_varies(s, v, len(self.n_h[k]))
            if varies:
                raise EstimationError(
                    f"fpc column {c!r} varies within a stratum at stage {k + 1}; it must be the "
                    "stratum's population size (or sampling fraction), the same for all its rows."
                )
            pop = per_stratum if as_size else self.n_h[k] / per_stratum
            if np.any(pop < self.n_h[k] - 1e-9):
                h = int(np.flatnonzero(pop < self.n_h[k] - 1e-9)[0])
                raise EstimationError(
                    f"fpc column {c!r} implies more than 100 % sampled at stage {k + 1} "
                    f"(population {pop[h]:g} < {self.n_h[k][h]:g} sampled units in a stratum)."
                )
            out.append(pop)
        return out

    # ------------------------------------------------------------------ stages
    def _stages(self) -> list[Stage]:
        stages = []
        n_used = 1 if self.pop_h is None else len(self.stage_ids)
        for k in range(n_used):
            u, s = self.stage_ids[k], self.stage_strata[k]
            unit_stratum = self._unit_strata[k]
            n_h = self.n_h[k]
            if self.pop_h is None:
                f = np.ones(len(n_h))
            else:
                pop = self.pop_h[k]
                f = np.where(np.isinf(pop), 1.0, (pop - n_h) / pop)
            f = np.where(f < 1e-7, 0.0, f)
            lonely = (n_h == 1) & (f > 0)
            if lonely.any() and self.lonely_psu == "fail":
                h = int(np.flatnonzero(lonely)[0])
                label = self._stratum_label(k, h)
                raise EstimationError(
                    f"Stratum {label} has only one PSU at stage {k + 1}: its variance cannot be "
                    "estimated. Choose how to treat it with lonely_psu = 'adjust', 'average', "
                    "'certainty' or 'remove' (R's survey.lonely.psu; the default 'fail' stops "
                    "here), or merge the stratum with a neighbour."
                )
            scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
            centre = np.ones(len(n_h), dtype=bool)
            if self.lonely_psu in ("certainty", "remove"):
                scale = np.where(lonely, 0.0, scale)
            elif self.lonely_psu == "adjust":
                centre = ~lonely
            # groups within which R's onestage() runs: the whole stage 1, each PSU at stage 2
            group = (
                np.zeros(len(n_h), dtype=np.int64)
                if k == 0
                else self._parent_of_strata(k, len(n_h))
            )
            average = self.lonely_psu == "average" and bool(lonely.any())
            if average:  # the lonely strata get no variance; the others are scaled up
                scale = np.where(lonely, 0.0, scale)
            if k > 0:  # stage 2 is weighted by the first stage's sampling fraction
                pop1, n1 = self.pop_h[0], self.n_h[0]
                parent_stratum = self._parent_stratum(k, len(n_h))
                scale = scale * (n1 / pop1)[parent_stratum]
            stages.append(
                Stage(
                    unit=u,
                    unit_stratum=unit_stratum,
                    n_h=n_h,
                    weight=scale[unit_stratum],
                    centre=centre[unit_stratum],
                    identity=not self.psu_cols and k == 0,
                    average=(group, lonely) if average else None,
                    row_stratum=s,
                )
            )
        return stages

    def _parent_of_strata(self, k: int, H: int) -> np.ndarray:
        out = np.zeros(H, dtype=np.int64)
        out[self.stage_strata[k]] = self.stage_ids[k - 1]
        return out

    def _parent_stratum(self, k: int, H: int) -> np.ndarray:
        out = np.zeros(H, dtype=np.int64)
        out[self.stage_strata[k]] = self.stage_strata[k - 1]
        return out

    def _stratum_label(self, k: int, h: int) -> str:
        row = int(np.flatnonzero(self.stage_strata[k] == h)[0])
        if k == 0:
            if not self.strata_col:
                return "(the only one)"
            return f"{self.strata_col} = {self._df[self.strata_col].iloc[row]!r}"
        return f"within PSU {self.psu_cols[0]} = {self._df[self.psu_cols[0]].iloc[row]!r}"

    # ------------------------------------------------------------------ degrees of freedom
    def degf(self, mask: np.ndarray | None = None) -> float:
        """R's ``degf()``: PSUs minus strata among the rows in ``mask`` (default all)."""
        if mask is None:
            return float(self.n_psu - self.n_strata)
        m = np.asarray(mask, dtype=bool)
        if self.simple:  # every row its own PSU, one stratum
            return float(max(int(np.count_nonzero(m)) - 1, 0))
        if not m.any():
            return 0.0
        return float(_present(self.psu[m], self.n_psu) - _present(self.stratum[m], self.n_strata))

    def degf_groups(self, codes: np.ndarray, G: int) -> np.ndarray:
        """``degf()`` of each of G domains (rows with ``codes == g``; -1: no domain)."""
        ok = codes >= 0
        if G == 1 and ok.all():  # the whole sample
            return np.array([self.degf()])
        if self.simple:
            return np.bincount(codes[ok], minlength=G).astype(float) - (
                np.bincount(codes[ok], minlength=G) > 0
            )
        c = codes[ok]

        def per_group(unit: np.ndarray, size: int) -> np.ndarray:
            if G * size <= 50_000_000:  # a presence table: O(n), no sorting
                hit = np.bincount(c * size + unit[ok], minlength=G * size).reshape(G, size)
                return np.count_nonzero(hit, axis=1)
            pairs = np.unique(c * size + unit[ok])
            return np.bincount(pairs // size, minlength=G)

        return (per_group(self.psu, self.n_psu) - per_group(self.stratum, self.n_strata)).astype(
            float
        )

    # ------------------------------------------------------------------ description
    def summary(self) -> dict:
        """The design in numbers: strata, PSUs per stratum, lonely strata, stages, fpc, df."""
        n_h = self.n_h[0]
        return {
            "strata": self.strata_col,
            "psu": list(self.psu_cols),
            "fpc": list(self.fpc_cols),
            "n_strata": int(len(n_h)),
            "n_psu": int(n_h.sum()),
            "psu_per_stratum": (int(n_h.min()), int(n_h.max())),
            "lonely_strata": int(np.sum(n_h == 1)),
            "lonely_psu": self.lonely_psu,
            "stages": len(self.stage_ids) if self.psu_cols else 1,
            "degf": self.degf(),
        }

    def describe(self) -> str:
        """One Danish sentence saying which design the estimates rest on."""
        s = self.summary()
        if self.simple:
            return (
                "Usikkerheden er beregnet, som om lederne var udtrukket enkeltvis (en simpel "
                f"vægtet stikprøve med {number(s['degf'])} frihedsgrader)."
            )
        parts = []
        if self.strata_col:
            parts.append(f"{s['n_strata']} strata ({self.strata_col})")
        if self.psu_cols:
            stage = "i to trin" if len(self.psu_cols) == 2 else "i ét trin"
            parts.append(
                f"{number(s['n_psu'])} klynger ({', '.join(self.psu_cols)}) udvalgt {stage}"
            )
        fpc = "med endelighedskorrektion" if self.fpc_cols else "uden endelighedskorrektion"
        return (
            "Usikkerheden er beregnet for stikprøvens design: "
            + " og ".join(parts)
            + f", {fpc}; {number(s['degf'])} frihedsgrader."
        )
