"""Replicate-weight variance: R's ``svrepdesign`` and ``svrVar``.

A replicate design carries, besides the full-sample weights, R columns of replicate weights
(jackknife, bootstrap, balanced repeated replication). Every estimate is computed again with
each column, and its variance is ``scale * sum_r rscales_r (theta_r - centre)**2``, the centre
being the mean of the replicates (``mse=False``, R's default) or the full-sample estimate
(``mse=True``).

The defaults are R's (survey 4.1): ``"JK1"`` ``scale = (R-1)/R``; ``"bootstrap"`` ``scale =
1/(R-1)``; ``"BRR"`` ``scale = 1/R`` (a given scale is refused, as R ignores it); ``"Fay"``
``scale = 1/(R (1-rho)**2)`` and needs ``fay_rho``; ``"JKn"`` needs ``rscales`` (R refuses
combined JKn weights without them); ``rscales`` 1 otherwise. Unlike R, the type has no default
(R's is ``"BRR"``): the scale of a jackknife and of a BRR differ by a factor R - 1, so a
forgotten type must not pass silently. Replicate weights are *combined* weights (they include
the sampling weight, R's ``combined.weights = TRUE``) unless ``combined_weights=False``, in
which case they are factors multiplied by the sampling weights.

Degrees of freedom are R's ``degf()`` of a replicate design: the rank of the replicate weights
(of a domain's rows) minus one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.report.fmt import number
from lederuddannelse.stats.columns import check_column
from lederuddannelse.stats.parallel import beside

__all__ = ["REP_TYPES", "ReplicateVariance", "replicate_columns"]

REP_TYPES = ("JK1", "JKn", "bootstrap", "BRR", "Fay")
#: up to this many rows, replicate domain sums are one sparse product (else bincounts)
SPARSE_ROWS = 50_000


def replicate_columns(df: pd.DataFrame, repweights: str | Sequence[str]) -> list[str]:
    """The replicate-weight columns: a list of names, or every column starting with a prefix."""
    if isinstance(repweights, str):
        cols = [c for c in df.columns if isinstance(c, str) and c.startswith(repweights)]
        if not cols:
            raise EstimationError(
                f"No replicate-weight columns: no column name starts with {repweights!r}."
            )
        return cols
    cols = list(repweights)
    for c in cols:
        check_column(df, c)
    if len(cols) < 2:
        raise EstimationError("A replicate design needs at least two replicate-weight columns.")
    return cols


class ReplicateVariance:
    """Variances from replicate estimates (module docstring).

    ``repw`` is the n x R matrix of analysis weights (combined with the sampling weights).
    """

    replicate = True

    def __init__(
        self,
        repw: np.ndarray,
        rep_type: str,
        *,
        scale: float | None = None,
        rscales: Sequence[float] | float | None = None,
        mse: bool = False,
        fay_rho: float | None = None,
    ) -> None:
        if rep_type not in REP_TYPES:
            raise ParameterError(
                f"rep_type must be one of {', '.join(REP_TYPES)} (R's svrepdesign type), got "
                f"{rep_type!r}."
            )
        repw = np.asarray(repw, dtype=float)
        n, R = repw.shape
        # no n x R temporaries: a replicate's total is finite only if every weight is (weights
        # are far from overflowing), and the smallest weight says whether any is negative;
        # column by column, so that the second pass finds the column in the cache
        if n * R <= 1_000_000:  # small: two calls, not two per column
            colsum, lo = repw.sum(axis=0), repw.min()
        else:
            colsum, lo = np.empty(R), np.inf
            for r in range(R):
                col = repw[:, r]
                colsum[r], lo = col.sum(), np.minimum(lo, col.min())
        if not np.isfinite(colsum).all() or lo < 0:
            raise EstimationError(
                "Replicate weights must be finite and not negative (missing values are not "
                "allowed, as in R's svrepdesign)."
            )
        if rep_type == "BRR":
            if scale is not None:
                raise ParameterError("rep_type='BRR' fixes scale = 1/R; do not give scale.")
            scale = 1 / R
        elif rep_type == "Fay":
            if fay_rho is None or not (0 <= float(fay_rho) < 1):
                raise ParameterError("rep_type='Fay' needs fay_rho, between 0 and 1.")
            scale = 1 / (R * (1 - float(fay_rho)) ** 2)
        elif rep_type == "bootstrap" and scale is None:
            scale = 1 / (R - 1)
        elif rep_type == "JK1" and scale is None:
            scale = (R - 1) / R
        elif rep_type == "JKn" and rscales is None:
            raise ParameterError(
                "rep_type='JKn' needs rscales ((n_h - 1)/n_h for each replicate), as R."
            )
        rs = np.ones(R) if rscales is None else np.broadcast_to(np.asarray(rscales, float), (R,))
        self.repw = repw
        #: each replicate's total weight (R,)
        self._colsum = colsum
        self.R = R
        self.n = n
        self.rep_type = rep_type
        self.scale = float(1.0 if scale is None else scale)
        self.rscales = np.array(rs, dtype=float)
        self.mse = bool(mse)
        self._degf_memo: dict = {}

    @cached_property
    def _degf_all(self) -> float:
        """``degf()`` of the whole sample (computed once, when first needed)."""
        return self._rank_degf(self.repw)

    def _kept(self, key: tuple, compute: Callable[[], object]):
        """``compute()``, kept under ``key``: what depends only on a domain's rows (its
        replicate sizes, its degf) is computed once, as the same domains recur in table after
        table (a bounded store, keyed by a digest of the rows)."""
        if key not in self._degf_memo:
            if len(self._degf_memo) >= 128:
                self._degf_memo.clear()
            value = compute()
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            self._degf_memo[key] = value
        return self._degf_memo[key]

    @cached_property
    def _repw_rows(self) -> np.ndarray:
        """The replicate weights in row order (C-contiguous), for sparse products."""
        return np.ascontiguousarray(self.repw)

    # ------------------------------------------------------------------ variance
    def from_replicates(self, thetas: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """R's ``svrVar``: covariance of k estimates from their R replicates (R x k)."""
        thetas = np.asarray(thetas, dtype=float).reshape(self.R, -1)
        if self.mse:
            centre = np.asarray(theta, dtype=float).reshape(-1)
        else:
            centre = thetas[self.rscales > 0].mean(axis=0)
        D = (thetas - centre) * np.sqrt(self.rscales)[:, None]
        return D.T @ D * self.scale

    def cov(
        self,
        Z: np.ndarray | None,
        theta: np.ndarray,
        refit: Callable[[np.ndarray], np.ndarray],
        refit_all: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> np.ndarray:
        """Covariance of estimators ``theta``, re-estimated by ``refit(weights)`` per replicate,
        or by ``refit_all(repw)`` for all replicates at once (n x R weights -> R x k).

        ``Z`` (influence values, which Taylor designs use) is not needed.
        """
        if refit_all is not None:
            thetas = np.asarray(refit_all(self.repw), dtype=float)
        else:
            thetas = np.array(
                [np.asarray(refit(self.repw[:, r]), dtype=float) for r in range(self.R)]
            )
        return self.from_replicates(thetas, theta)

    def mean_replicates(self, yz: np.ndarray, valid: np.ndarray | None) -> np.ndarray:
        """Replicate estimates (R x 1) of a weighted mean of ``yz`` over the rows ``valid``
        (``None``: every row; ``yz`` is 0 outside them): two vector-matrix products, one when
        every row counts or the rows recur (their replicate sizes are kept). The product is
        BLAS's (both cores: twice numpy's own loop on an idle machine, though slower when its
        threads wait on busy cores)."""
        den = (
            self._colsum
            if valid is None
            else self._kept(
                ("sizes", _digest(valid)), lambda: np.einsum("i,ir->r", valid, self.repw)
            )
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            return ((yz @ self.repw) / den)[:, None]

    def domain_means(
        self, y: np.ndarray, codes: np.ndarray, G: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Replicate estimates (R x G) of the weighted means of ``y`` in G domains.

        ``codes``: each row's domain (-1: none; rows with NaN in ``y`` must have -1). Returns the
        replicates and the replicate weighted domain sizes, both R x G. Up to
        :data:`SPARSE_ROWS` rows: one product of a sparse (2G x rows) matrix of domain
        indicators and of ``y`` in the domains with the weights; more: per replicate, two
        bincounts over its column of weights (a pass each, whatever the number of domains;
        the sparse product's row-by-row loop is slower there), half the replicates in a second
        thread (:func:`~lederuddannelse.stats.parallel.beside`).
        """
        inside = codes >= 0
        yv = np.where(inside, y, 0.0)
        if self.n <= SPARSE_ROWS:
            from scipy import sparse

            rows = np.flatnonzero(inside)
            c = codes[rows]
            S = sparse.csr_matrix(
                (
                    np.concatenate([np.ones(len(rows)), yv[rows]]),
                    (np.concatenate([c, c + G]), np.concatenate([rows, rows])),
                ),
                shape=(2 * G, self.n),
            )
            both = np.asarray(S @ self._repw_rows).T  # R x 2G
            den, num = both[:, :G], both[:, G:]
        else:
            key = np.where(inside, codes, G)  # rows in no domain: one more bin, dropped

            def sums(weights: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
                def of(reps: range) -> list[np.ndarray]:
                    return [np.bincount(key, weights=weights(self.repw[:, r]), minlength=G + 1)[:G]
                            for r in reps]  # fmt: skip

                half = self.R // 2  # the replicates in two threads, half each
                first, rest = beside(lambda: of(range(half)), lambda: of(range(half, self.R)))
                return np.array(first + rest)

            den = self._kept(("sizes", G, _digest(codes, G)), lambda: sums(lambda col: col))
            num = sums(lambda col: col * yv)
        with np.errstate(invalid="ignore", divide="ignore"):
            return num / den, den

    def var_from_domains(self, thetas: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Variances of G separate estimates from their replicates (R x G)."""
        if self.mse:
            centre = theta[None, :]
        else:
            centre = thetas[self.rscales > 0].mean(axis=0)[None, :]
        return ((thetas - centre) ** 2 * self.rscales[:, None]).sum(axis=0) * self.scale

    # ------------------------------------------------------------------ degrees of freedom
    def degf(self, mask: np.ndarray | None = None) -> float:
        """R's ``degf()``: the rank of the replicate weights (of the rows in ``mask``) minus 1.

        Kept per set of rows (a domain recurs in table after table), keyed by a digest of the
        mask."""
        if mask is None:
            return self._degf_all
        m = np.asarray(mask, dtype=bool)
        return self._kept(("degf", _digest(m)), lambda: self._rank_degf(self.repw[m]))

    @staticmethod
    def _rank_degf(A: np.ndarray) -> float:
        """The rank of the columns of ``A`` minus one."""
        if len(A) == 0:
            return 0.0
        G = A.T @ A
        d = np.sqrt(np.maximum(np.diag(G), 0))
        d[d == 0] = 1.0
        ev = np.linalg.eigvalsh(G / np.outer(d, d))
        sv = np.sqrt(np.maximum(ev, 0))
        return float(np.sum(sv > sv.max() * 1e-5) - 1) if sv.size and sv.max() > 0 else 0.0

    def degf_groups(self, codes: np.ndarray, G: int) -> np.ndarray:
        """``degf()`` of each of G domains given as row codes (-1: in no domain)."""
        if G == 1 and (codes >= 0).all():  # the whole sample
            return np.array([self._degf_all])
        # a domain's degf depends only on its rows: kept per set of domains (the same
        # breakdown recurs in table after table), keyed by a digest of the codes
        key = ("degf", G, _digest(codes, G))
        return self._kept(key, lambda: np.array([self.degf(codes == g) for g in range(G)])).copy()

    def describe(self) -> str:
        """One Danish sentence saying which design the estimates rest on."""
        names = {
            "JK1": "jackknife (JK1)",
            "JKn": "stratificeret jackknife (JKn)",
            "bootstrap": "bootstrap",
            "BRR": "balanceret gentagen halvering (BRR)",
            "Fay": "Fays BRR",
        }
        return (
            f"Usikkerheden er beregnet med {number(self.R)} replikatvægte af typen "
            f"{names[self.rep_type]}; {number(self._degf_all)} frihedsgrader."
        )


def _digest(codes: np.ndarray, G: int = 1) -> bytes:
    """A digest of a mask or of domain codes (0..G-1, -1), made of their smallest integers."""
    a = (
        np.packbits(codes)
        if codes.dtype == bool
        else codes.astype(np.int16 if G < 2**15 else np.int64)
    )
    return hashlib.blake2b(a.data, digest_size=16).digest() + len(codes).to_bytes(8, "little")
