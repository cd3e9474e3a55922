"""Design-based (Taylor linearisation) variance: the formulas R's ``survey`` uses.

Every estimator of :class:`~lederuddannelse.stats.design.SurveyDesign` (and every model of
:mod:`lederuddannelse.stats.models`) is written as a sum of per-respondent influence values
``z``; :class:`TaylorVariance` turns those into variances for the design's strata, PSUs and
fpc (:class:`~lederuddannelse.stats.structure.DesignStructure`), as R's ``svyrecvar``:

- **Raking-aware.** When the weights came from raking, the influence values are first projected
  on the raking margins (10 sweeps of "subtract ``w`` times the within-category mean of
  ``z/w``"), exactly as R does for a ``rake()`` design. Without margins the weights count as
  fixed.
- **Strata and clusters.** The (projected) values are summed within each PSU, centred within
  their stratum and added up as ``sum_h f_h n_h/(n_h - 1) sum_i (t_hi - mean_h)**2``
  (``f_h = 1`` without fpc: with replacement); a second stage adds its variance within the
  sampled PSUs, weighted by the first stage's sampling fraction. The simple design (R's
  ``ids = ~1``) is the case of one stratum with one respondent per PSU:
  ``n/(n-1) * sum((z - mean(z))**2)``.

Replicate-weight designs have their own module (:mod:`lederuddannelse.stats.replicate`); both
classes offer ``cov(Z, theta, refit)`` and ``degf(mask)``, so the estimators need not know
which design they run on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError
from lederuddannelse.stats.columns import check_column, factorize
from lederuddannelse.stats.domain import tall
from lederuddannelse.stats.structure import DesignStructure, Stage

__all__ = ["TaylorVariance"]

RAKE_SWEEPS = 10  # what R's svyrecvar does for a raked design


class TaylorVariance:
    """Variances of estimators from their influence values (module docstring).

    Parameters
    ----------
    df:
        One row per respondent (only the margins' columns are read).
    w:
        The design's weights, one per row of ``df``.
    structure:
        Strata, PSUs and fpc of the sample.
    rake_margins:
        ``{column: Series of population totals by category}`` that ``w`` was raked to, or
        ``None`` (weights treated as fixed).
    """

    replicate = False

    def __init__(
        self,
        df: pd.DataFrame,
        w: np.ndarray,
        structure: DesignStructure,
        rake_margins: dict[str, pd.Series] | None = None,
    ) -> None:
        self.w = w
        self.n = len(w)
        self.structure = structure
        self._margins = _prepare_margins(df, w, rake_margins) if rake_margins else {}

    # ------------------------------------------------------------------ raking projection
    def _cell_shift(self, S: np.ndarray) -> np.ndarray:
        """Per-cell shift C (J x k): projected z = z - w * C[cell], from cell sums of z/w."""
        mg = self._margins
        E, N, cnt = mg["E"], mg["N"], mg["cnt"]
        s = [e @ S for e in E]
        c = [np.zeros((e.shape[0], S.shape[1])) for e in E]
        for _ in range(RAKE_SWEEPS):
            for a in range(len(E)):
                tot = s[a] - sum(N[a][b] @ c[b] for b in range(len(E)))
                c[a] += tot / cnt[a][:, None]
        return sum(ca[cc] for ca, cc in zip(c, mg["cellcat"]))

    def _cell_sums(
        self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int
    ) -> np.ndarray:
        J = self._margins["J"]
        idx = _take(self._margins["jcell"], rows) * k + cols
        return np.bincount(idx, weights=vals, minlength=J * k).reshape(J, k)

    def project(self, Z: np.ndarray) -> np.ndarray:
        """Remove from influence values what the raking margins explain (R's svyrecvar)."""
        if not self._margins:
            return Z
        n, k = Z.shape
        rows = np.repeat(np.arange(n), k)
        cols = np.tile(np.arange(k), n)
        S = self._cell_sums(rows, cols, (Z / self.w[:, None]).ravel(), k)
        C = self._cell_shift(S)
        return Z - self.w[:, None] * C[self._margins["jcell"]]

    # ------------------------------------------------------------------ variance
    @staticmethod
    def _stage_cov(
        stage: Stage, U: np.ndarray, full: bool, present: np.ndarray | None = None
    ) -> np.ndarray:
        """One stage's (co)variance from the unit totals U (units x k).

        ``present``: strata x k, which strata have rows in each column's domain (only for
        ``lonely_psu="average"``, whose scaling counts the strata of the domain, as R).
        """
        H = len(stage.n_h)
        sums = [np.bincount(stage.unit_stratum, weights=u, minlength=H) for u in U.T]
        means = np.column_stack(sums) / np.maximum(stage.n_h, 1)[:, None]
        C = U - np.where(stage.centre[:, None], means[stage.unit_stratum], 0.0)
        wt = stage.weight[:, None] * np.ones((1, U.shape[1]))
        if stage.average is not None:
            group, lonely = stage.average
            pres = np.ones((H, U.shape[1]), dtype=bool) if present is None else present
            if full:
                pres = np.repeat(pres.any(axis=1, keepdims=True), U.shape[1], axis=1)
            G = int(group.max()) + 1
            fac = np.ones((G, U.shape[1]))
            for j in range(U.shape[1]):
                nstrat = np.bincount(group, weights=pres[:, j].astype(float), minlength=G)
                nok = np.bincount(group, weights=(pres[:, j] & ~lonely).astype(float), minlength=G)
                with np.errstate(divide="ignore", invalid="ignore"):
                    fac[:, j] = np.where(nok > 0, nstrat / nok, 0.0)
            wt = wt * fac[group][stage.unit_stratum]
        if not full:
            return (C * C * wt).sum(axis=0)
        return tall("ij,ik->jk", C * wt, C)

    @staticmethod
    def _unit_totals(stage: Stage, Z: np.ndarray) -> np.ndarray:
        if stage.identity:
            return Z
        nu = len(stage.unit_stratum)
        return np.column_stack(
            [np.bincount(stage.unit, weights=Z[:, j], minlength=nu) for j in range(Z.shape[1])]
        )

    def vcov(self, Z: np.ndarray, full: bool = True) -> np.ndarray:
        """Design-based covariance of estimators with influence values ``Z`` (n x k).

        ``full=False`` returns only the variances (the diagonal).
        """
        Z = np.asarray(Z, dtype=float)
        if Z.ndim == 1:
            Z = Z[:, None]
        Zp = self.project(Z)
        if self.structure.simple:
            n = self.n
            Zp = Zp - Zp.mean(axis=0)
            if not full:
                return (Zp * Zp).sum(axis=0) * n / (n - 1)
            return tall("ij,ik->jk", Zp, Zp) * n / (n - 1)
        return sum(
            self._stage_cov(st, self._unit_totals(st, Zp), full, self._present(st, Z))
            for st in self.structure.stages
        )

    def _present(self, stage: Stage, Z: np.ndarray) -> np.ndarray | None:
        """Strata with rows in each column's domain (rows with a nonzero value), for
        ``lonely_psu="average"``; a raked design keeps every row in every domain, as R."""
        if stage.average is None or self._margins:
            return None
        H = len(stage.n_h)
        nz = (Z != 0).astype(float)
        return np.column_stack(
            [np.bincount(stage.row_stratum, weights=c, minlength=H) > 0 for c in nz.T]
        )

    def cov(
        self,
        Z: np.ndarray,
        theta: np.ndarray | None = None,
        refit: Callable[[np.ndarray], np.ndarray] | None = None,
        refit_all: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> np.ndarray:
        """Covariance of estimators: from their influence values ``Z`` (``theta``, ``refit``
        and ``refit_all``, which replicate designs use, are not needed here)."""
        return self.vcov(Z)

    def degf(self, mask: np.ndarray | None = None) -> float:
        """R's ``degf()`` of the rows in ``mask`` (a domain; default the whole sample)."""
        return self.structure.degf(mask)

    def degf_groups(self, codes: np.ndarray, G: int) -> np.ndarray:
        """``degf()`` of each of G domains given as row codes (-1: in no domain)."""
        return self.structure.degf_groups(codes, G)

    def sparse_var(
        self, rows: np.ndarray | None, cols: np.ndarray, vals: np.ndarray, G: int
    ) -> np.ndarray:
        """Variances of G estimators whose influence matrix is sparse: entries (rows, cols, vals);
        ``rows=None``: one entry on every row, in order.

        Domain estimators have one nonzero per row and group, so the simple design needs no
        n x G matrix: both the fixed-weight and the raking-aware variance are sums over the
        entries and, for the raking projection, over the raking cells. Other designs sum the
        entries within PSUs first (units x G).
        """
        n = self.n
        if not self.structure.simple:
            return self._clustered_sparse_var(rows, cols, vals, G)
        if G == 1 and rows is None:  # one domain of every row: sums, no grouping
            colsum, ss = np.array([np.sum(vals)]), np.array([np.einsum("i,i->", vals, vals)])
        else:
            colsum = np.bincount(cols, weights=vals, minlength=G)
            ss = np.bincount(cols, weights=vals**2, minlength=G)
        if self._margins:
            w = _take(self.w, rows)
            S = self._cell_sums(rows, cols, vals / w, G)
            B = self._cell_sums(rows, cols, vals * w, G)
            C = self._cell_shift(S)
            ss = ss - 2 * (B * C).sum(axis=0) + (self._margins["sw2"][:, None] * C**2).sum(axis=0)
            colsum = colsum - self._margins["sw"] @ C
        return np.maximum(ss - colsum**2 / n, 0.0) * n / (n - 1)

    def _clustered_sparse_var(
        self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, G: int
    ) -> np.ndarray:
        C = None
        if self._margins:
            C = self._cell_shift(self._cell_sums(rows, cols, vals / _take(self.w, rows), G))
        out = np.zeros(G)
        for st in self.structure.stages:
            nu = len(st.unit_stratum)
            if st.identity:
                U = np.zeros((self.n, G))
                U[np.arange(self.n) if rows is None else rows, cols] = vals
                if C is not None:
                    U -= self.w[:, None] * C[self._margins["jcell"]]
            else:
                unit = _take(st.unit, rows)
                key = unit if G == 1 else unit * G + cols  # one group: cols are all 0
                U = np.bincount(key, weights=vals, minlength=nu * G).reshape(nu, G)
                if C is not None:
                    J = self._margins["J"]
                    M = np.bincount(
                        st.unit * J + self._margins["jcell"], weights=self.w, minlength=nu * J
                    ).reshape(nu, J)
                    U -= M @ C
            present = None
            if st.average is not None and not self._margins:
                H = len(st.n_h)
                hit = np.bincount(_take(st.row_stratum, rows) * G + cols, minlength=H * G)
                present = hit.reshape(H, G) > 0
            out += self._stage_cov(st, U, full=False, present=present)
        return np.maximum(out, 0.0)

    @cached_property
    def _zeros(self) -> np.ndarray:
        """A code 0 for every row (one domain of all rows), read-only."""
        z = np.zeros(self.n, dtype=np.int64)
        z.flags.writeable = False
        return z

    def vector_var(self, vals: np.ndarray, valid: np.ndarray) -> float:
        """Variance of one estimator with influence ``vals`` on every row, zero outside the
        rows ``valid`` (its domain): a row outside adds nothing, so the sums run over every
        row (no copies of the domain's rows), except where the domain's strata matter
        (``lonely_psu="average"``)."""
        if self.structure.simple and not self._margins:  # the sums, as sparse_var's
            n, total = self.n, float(np.sum(vals))
            return max(float(np.einsum("i,i->", vals, vals)) - total * total / n, 0.0) * n / (n - 1)
        averaged = not self._margins and any(st.average is not None for st in self.structure.stages)
        if averaged:
            rows = np.flatnonzero(valid)
            return float(self.sparse_var(rows, self._zeros[: len(rows)], vals[rows], 1)[0])
        return float(self.sparse_var(None, self._zeros, vals, 1)[0])

    def grouped_var(self, codes: np.ndarray, vals: np.ndarray, G: int) -> np.ndarray:
        """Variances of G domain estimators: influence ``vals`` on the rows of group ``codes``."""
        inside = codes >= 0
        if inside.all():  # every row (rows=None): no copies
            return self.sparse_var(None, codes, vals, G)
        rows = np.flatnonzero(inside)
        return self.sparse_var(rows, codes[rows], vals[rows], G)


def _take(a: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """``a[rows]``, or ``a`` itself for every row (``rows=None``)."""
    return a if rows is None else a[rows]


def _prepare_margins(
    df: pd.DataFrame, w: np.ndarray, rake_margins: dict[str, pd.Series]
) -> dict[str, object]:
    """Raking cells (joint categories of all margins) and their sizes, for the projection.

    R's projection (10 sweeps of "subtract w times the within-category mean of z/w" per
    margin) changes z only by ``w * c[cell]`` where ``c`` lives on the cells: each sweep
    needs only the category sums of z/w, which follow from cell sums. So it is run on
    the (few) cells instead of the n rows: the same arithmetic as R, in O(n) per column.
    """
    n = len(w)
    codes_list, sizes = [], []
    for var, target in rake_margins.items():
        check_column(df, var)
        codes, levels = factorize(df[var])
        if (codes < 0).any():
            raise EstimationError(
                f"Raking margin '{var}' has missing values; every respondent needs a "
                "category on each weighting variable."
            )
        # Raking-aware SEs are only right for weights that were raked to these margins.
        target = pd.Series(target, dtype=float)
        got = pd.Series(np.bincount(codes, weights=w, minlength=len(levels)), index=levels)
        want = target.reindex(levels)
        scale = max(float(target.sum()), 1.0)
        if want.isna().any() or np.max(np.abs(got.to_numpy() - want.to_numpy())) > 1e-6 * scale:
            raise EstimationError(
                f"The weights do not reproduce the raking margin '{var}' (weighted totals "
                f"{got.round(1).to_dict()} vs population {target.round(1).to_dict()}). Pass the "
                "weights raked to these margins, weights=None to rake here, or "
                "rake_margins=None to treat the weights as fixed."
            )
        codes_list.append(codes)
        sizes.append(len(levels))
    joint = np.zeros(n, dtype=np.int64)
    for codes, K in zip(codes_list, sizes):
        joint = joint * K + codes
    cells, jcell = np.unique(joint, return_inverse=True)
    J = len(cells)
    cellcat = []
    rem = cells.copy()
    for K in reversed(sizes):
        cellcat.append(rem % K)
        rem //= K
    cellcat.reverse()
    cnt_cell = np.bincount(jcell, minlength=J).astype(float)
    E = [np.zeros((K, J)) for K in sizes]
    for e, cc in zip(E, cellcat):
        e[cc, np.arange(J)] = 1.0
    cnt = [e @ cnt_cell for e in E]
    Ncross = [[(E[a] * cnt_cell) @ E[b].T for b in range(len(E))] for a in range(len(E))]
    return {
        "jcell": jcell,
        "J": J,
        "E": E,
        "cellcat": cellcat,
        "cnt": cnt,
        "N": Ncross,
        "sw": np.bincount(jcell, weights=w, minlength=J),
        "sw2": np.bincount(jcell, weights=w**2, minlength=J),
    }
