"""The core domain estimator: weighted means of a variable in G domains, with their design-based
SEs, design effects and degrees of freedom (every share and mean of
:class:`~lederuddannelse.stats.design.SurveyDesign` is one).

A mean of ``y`` in domain ``g`` has the influence value ``w (y - mean_g) / W_g`` on the
domain's rows and 0 elsewhere (R's ``svyby``/``subset()`` domains); the design's variance turns
those into variances (:class:`~lederuddannelse.stats.variance.TaylorVariance`,
:class:`~lederuddannelse.stats.replicate.ReplicateVariance`). One domain (no ``by``) needs no
grouping: sums and dot products instead of bincounts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["domain_means", "dot"]


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a @ b`` of two vectors by numpy's own loop: BLAS's threads stall on busy cores."""
    return float(np.einsum("i,i->", a, b))


def domain_means(w: np.ndarray, variance, y: np.ndarray, codes: np.ndarray, G: int) -> dict:
    """Weighted mean of ``y`` in each of G domains (row ``codes``, -1: none; NaN in ``y``: not
    in the domain) with ``se, n, N, deff, df, pos, neg`` per domain, and the influence ``vals``
    (all rows) and ``codes`` (-1 where the row is in no domain)."""
    n = len(w)
    valid = codes >= 0
    valid &= ~np.isnan(y)
    everyone = bool(valid.all())  # no copies needed: every row is in a domain
    c = codes if everyone else np.where(valid, codes, -1)
    cv, yv, wv = (c, y, w) if everyone else (c[valid], y[valid], w[valid])
    one = G == 1

    def total(x: np.ndarray | None = None) -> np.ndarray:
        if one:
            return np.array([float(len(cv)) if x is None else float(np.sum(x))])
        return np.bincount(cv, weights=x, minlength=G).astype(float)

    n_g = total()
    W = np.array([float(np.sum(wv))]) if one else total(wv)
    WY = np.array([dot(wv, yv)]) if one else total(wv * yv)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = WY / W
        rv = yv - (est[0] if one else est[cv])
        wr = wv * rv
        vals = wr / (W[0] if one else W[cv])
        if not everyone:  # influence values on all rows: zero outside the domains
            vals, inside = np.zeros(n), vals
            vals[valid] = inside
        if variance.replicate:
            reps, _ = variance.domain_means(y, c, G)
            var = variance.var_from_domains(reps, est)
        else:
            var = variance.grouped_var(c, vals, G)
        se = np.sqrt(np.maximum(var, 0))
        s2 = (np.array([dot(wr, rv)]) if one else total(wr * rv)) / W * n_g / (n_g - 1)
        vsrs = np.where(W > n_g, s2 * (W - n_g) / (W * n_g), s2 / n_g)
        deff = var / vsrs
    if one:
        pos = np.array([float(np.count_nonzero(yv == 1))])
        neg = np.array([float(np.count_nonzero(yv == 0))])
    else:
        pos, neg = total((yv == 1).astype(float)), total((yv == 0).astype(float))
    return {
        "estimate": est,
        "se": se,
        "n": n_g,
        "N": W,
        "deff": deff,
        "df": variance.degf_groups(c, G),
        "pos": pos,
        "neg": neg,
        "vals": vals,
        "codes": c,
    }
