"""The core domain estimator: weighted means of a variable in G domains, with their design-based
SEs, design effects and degrees of freedom (every share and mean of
:class:`~lederuddannelse.stats.design.SurveyDesign` is one).

A mean of ``y`` in domain ``g`` has the influence value ``w (y - mean_g) / W_g`` on the
domain's rows and 0 elsewhere (R's ``svyby``/``subset()`` domains); the design's variance turns
those into variances (:class:`~lederuddannelse.stats.variance.TaylorVariance`,
:class:`~lederuddannelse.stats.replicate.ReplicateVariance`). One domain (no ``by``), and each
of a few (up to :data:`FEW_DOMAINS`), is estimated by masks: zero weights outside the domain
turn every sum over it into a sum over all rows, so no row is selected or copied; more domains
are estimated together by bincounts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["domain_means", "dot", "tall"]

#: up to this many domains, each is estimated by masks (:func:`_one_domain`), else together
FEW_DOMAINS = 4
#: what a one-domain estimate keeps of a variable (``memo``): all but the estimate
_MEMO = ("valid", "n1", "wz", "yz", "W", "pos", "neg")
#: what :func:`domain_means` returns per domain
GROUPED = ("estimate", "se", "n", "N", "deff", "df", "pos", "neg")


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a @ b`` of two vectors by numpy's own loop: BLAS's threads stall on busy cores."""
    return float(np.einsum("i,i->", a, b))


#: from this many rows on, products of tall, thin matrices avoid BLAS (:func:`tall`)
TALL_ROWS = 100_000


def tall(subscripts: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.einsum(subscripts, a, b)`` of a tall matrix (rows first): BLAS (``np.einsum``'s
    ``optimize``) below :data:`TALL_ROWS` rows, where it is several times faster; numpy's
    own loop from there, since BLAS's threads stall on busy cores (ten times slower at
    600,000 rows)."""
    return np.einsum(subscripts, a, b, optimize=len(a) < TALL_ROWS)


def domain_means(
    w: np.ndarray,
    variance,
    y: np.ndarray,
    codes: np.ndarray | None,
    G: int,
    memo: dict | None = None,
) -> dict:
    """Weighted mean of ``y`` in each of G domains (row ``codes``, -1: none; ``None``: every
    row in the one domain; NaN in ``y``: not in the domain) with ``se, n, N, deff, df, pos,
    neg`` per domain (:data:`GROUPED`); one domain also ``wr`` (its influence values times
    ``N``, on every row) and ``valid`` (its rows). ``memo``: a store for what the one domain
    of every row depends on only through ``y`` (its rows, sizes, counts), kept by the caller
    per variable; ``y`` must then be the same (read-only) array each time."""
    if G == 1:
        return _one_domain(w, variance, y, codes, memo=memo)
    if G <= FEW_DOMAINS:  # each domain by masks: a few passes each, no bincounts
        parts = [_one_domain(w, variance, y, codes, g) for g in range(G)]
        return {k: np.concatenate([p[k] for p in parts]) for k in GROUPED}
    valid = codes >= 0
    valid &= ~np.isnan(y)
    everyone = bool(valid.all())  # no copies needed: every row is in a domain
    c = codes if everyone else np.where(valid, codes, -1)
    cv, yv, wv = (c, y, w) if everyone else (c[valid], y[valid], w[valid])

    def total(x: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cv, weights=x, minlength=G).astype(float)

    n_g, W = total(), total(wv)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = total(wv * yv) / W
        rv = yv - est[cv]
        wr = wv * rv
        if variance.replicate:
            reps, _ = variance.domain_means(y, c, G)
            var = variance.var_from_domains(reps, est)
        else:
            var = variance.grouped_var(
                c, wr / W[cv] if everyone else _on_rows(wr / W[cv], valid), G
            )
        s2 = total(wr * rv) / W * n_g / (n_g - 1)
        vsrs = np.where(W > n_g, s2 * (W - n_g) / (W * n_g), s2 / n_g)
        deff = var / vsrs
    return {
        "estimate": est,
        "se": np.sqrt(np.maximum(var, 0)),
        "n": n_g,
        "N": W,
        "deff": deff,
        "df": variance.degf_groups(c, G),
        "pos": total((yv == 1).astype(float)),
        "neg": total((yv == 0).astype(float)),
    }


def _on_rows(vals: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Values of the rows ``valid`` on every row (0 elsewhere)."""
    out = np.zeros(len(valid))
    out[valid] = vals
    return out


def _one_domain(
    w: np.ndarray,
    variance,
    y: np.ndarray,
    codes: np.ndarray | None,
    group: int | None = None,
    memo: dict | None = None,
) -> dict:
    """:func:`domain_means` of one domain, by masks instead of copies of the domain's rows.

    Zero weights outside the domain make every sum over the domain a sum over all rows, and
    the influence values come out zero outside it, as the variance needs them: no row is
    selected, copied or scattered back (a few passes over the arrays, each a vector
    operation). ``group``: the domain is the rows with ``codes == group`` (else ``>= 0``)."""
    n = len(w)
    if memo is not None and "valid" in memo:  # as before for this variable
        valid, n1, wz, yz, W, pos, neg = (memo[k] for k in _MEMO)
    else:
        valid = y == y  # not NaN
        if codes is not None:
            valid &= (codes >= 0) if group is None else (codes == group)
        n1 = np.float64(np.count_nonzero(valid))  # numpy scalars: an empty domain gives NaN
        wz, yz = (w, y) if n1 == n else (np.where(valid, w, 0.0), np.where(valid, y, 0.0))
        W = np.sum(wz, dtype=np.float64)
        ones, zeros = (y == 1), (y == 0)  # NaN is neither
        if codes is not None and n1 < n:
            ones &= valid
            zeros &= valid
        pos, neg = np.float64(np.count_nonzero(ones)), np.float64(np.count_nonzero(zeros))
        if memo is not None:
            for a in (valid, wz, yz):
                if a is not w:  # the design's weights stay as they are
                    a.flags.writeable = False
            memo.update(zip(_MEMO, (valid, n1, wz, yz, W, pos, neg)))
    everyone = n1 == n
    df = memo.get("df") if memo is not None else None
    if df is None:
        df = variance.degf(None if everyone else valid)
        if memo is not None:
            memo["df"] = df
    with np.errstate(invalid="ignore", divide="ignore"):
        est = dot(wz, yz) / W
        r = yz - est
        wr = wz * r  # the influence values times W
        if variance.replicate:
            reps = variance.mean_replicates(yz, None if everyone else valid)
            var = variance.var_from_domains(reps, np.array([est]))[0]
        else:  # a variance is quadratic in the influence values: wr's over W**2
            var = variance.vector_var(wr, valid) / W**2
        s2 = dot(wr, r) / W * n1 / (n1 - 1)
        vsrs = s2 * (W - n1) / (W * n1) if W > n1 else s2 / n1
        deff = var / vsrs
    se = np.sqrt(max(var, 0.0))  # NaN stays NaN
    out = np.array([est, se, n1, W, deff, df, pos, neg], dtype=float)
    return {k: out[j : j + 1] for j, k in enumerate(GROUPED)} | {"wr": wr, "valid": valid}
