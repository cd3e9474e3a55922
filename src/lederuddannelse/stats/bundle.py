"""What the fits and tests need from a survey design, as one typed bundle.

:class:`~lederuddannelse.stats.design.SurveyDesign` hands a :class:`DesignData` to the
regression models (:mod:`lederuddannelse.stats.models`, :mod:`lederuddannelse.stats.ordinal`)
and to the test of association (:mod:`lederuddannelse.stats.association`), so that those
modules never import the design: they see the data, the weights, the variance of the design
(Taylor or replicate weights, with one interface) and the publication settings, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.stats.columns import check_column
from lederuddannelse.stats.disclosure import SuppressionPolicy
from lederuddannelse.stats.replicate import ReplicateVariance, replicate_columns
from lederuddannelse.stats.structure import DesignStructure
from lederuddannelse.stats.variance import TaylorVariance

__all__ = ["DesignData", "Variance", "design_variance", "given_arguments"]

#: The variance of a design: both offer ``cov(Z, theta, refit)``, ``degf(mask)`` and
#: ``degf_groups(codes, G)``, and say with ``replicate`` which one they are.
Variance = TaylorVariance | ReplicateVariance


@dataclass(frozen=True)
class DesignData:
    """A design's data and settings for a fit.

    ``hidden(var)``: the categories of ``var`` hidden book-wide (the domain plan);
    ``reveals(mask)``: whether a set of rows lies within hidden categories (an indicator
    derived from a hidden group); ``memo``: the design's store of what depends only on its
    data (a formula's model matrix), kept across fits, or ``None``.
    """

    df: pd.DataFrame
    w: np.ndarray
    variance: Variance
    policy: SuppressionPolicy
    conf_level: float
    absent: tuple[str, ...]
    hidden: Callable[[str], frozenset]
    reveals: Callable[[np.ndarray], bool]
    memo: dict | None = None

    @property
    def n(self) -> int:
        return len(self.w)


#: the defaults of SurveyDesign's design arguments (R's defaults)
DESIGN_DEFAULTS = {"nest": False, "lonely_psu": "fail", "mse": False, "combined_weights": True}


def given_arguments(args: dict) -> dict:
    """The design arguments that differ from their defaults (to rebuild the same design)."""
    return {k: v for k, v in args.items() if v is not None and DESIGN_DEFAULTS.get(k, None) != v}


def design_variance(
    df: pd.DataFrame,
    w: np.ndarray,
    w_file: np.ndarray,
    *,
    strata: str | None,
    psu: str | Sequence[str] | None,
    fpc: str | Sequence[str] | None,
    nest: bool,
    lonely_psu: str,
    repweights: str | Sequence[str] | None,
    rep_type: str | None,
    scale: float | None,
    rscales: Sequence[float] | float | None,
    mse: bool,
    fay_rho: float | None,
    combined_weights: bool,
    rake_margins: dict[str, pd.Series] | None,
    weighted: bool,
    absent: tuple[str, ...],
) -> tuple[DesignStructure | None, Variance, list[str]]:
    """The variance of a design from ``SurveyDesign``'s arguments (see its docstring).

    ``w``: the weights estimates use (all 1 for the unweighted variant); ``w_file``: the
    file's weights, which non-combined replicate weights multiply. Returns the strata/PSU
    structure (``None`` for replicate weights), the variance and the replicate columns.
    """
    if repweights is None:
        if rep_type is not None or scale is not None or rscales is not None or mse:
            raise ParameterError(
                "rep_type, scale, rscales and mse belong to replicate weights: give "
                "repweights too (or leave them out)."
            )
        structure = DesignStructure(
            df, strata=strata, psu=psu, fpc=fpc, nest=nest, lonely_psu=lonely_psu, absent=absent
        )
        return structure, TaylorVariance(df, w, structure, rake_margins), []
    if strata is not None or psu is not None or fpc is not None:
        raise ParameterError(
            "Give either replicate weights or strata/psu/fpc: a replicate design carries its "
            "strata and clusters in its replicate weights."
        )
    if rep_type is None:
        raise ParameterError(
            "Replicate weights need rep_type ('JK1', 'JKn', 'bootstrap', 'BRR' or 'Fay'): "
            "their variance formulas differ (R's svrepdesign would assume BRR)."
        )
    cols = replicate_columns(df, repweights)
    dtypes = dict(zip(df.columns, df.dtypes))  # one lookup per column, not a Series each
    for c in cols:
        check_column(df, c, absent)
        if not pd.api.types.is_numeric_dtype(dtypes[c]):
            raise EstimationError(f"Replicate-weight column {c!r} is not numeric.")
    first = df.columns.get_loc(cols[0])
    adjacent = isinstance(first, int) and df.columns[first : first + len(cols)].tolist() == cols
    if adjacent and all(dtypes[c] == np.float64 for c in cols):
        # a slice of the frame's columns: a view where one block holds them (no copy), and no
        # new frame and index built as for a list of columns
        repw = np.asfortranarray(df.iloc[:, first : first + len(cols)].to_numpy(dtype=float))
    else:
        repw = np.empty((len(df), len(cols)), order="F")  # column by column
        for r, c in enumerate(cols):
            repw[:, r] = df[c].to_numpy(dtype=float, na_value=np.nan)
    if not combined_weights:
        repw = repw * w_file[:, None]
    if not weighted:
        repw = repw / w_file[:, None]
    if rake_margins:
        repw = _rake_replicates(df, repw, rake_margins)
    variance = ReplicateVariance(
        repw, rep_type, scale=scale, rscales=rscales, mse=mse, fay_rho=fay_rho
    )
    return None, variance, cols


def _rake_replicates(
    df: pd.DataFrame, repw: np.ndarray, margins: dict[str, pd.Series]
) -> np.ndarray:
    """Each replicate raked to the margins from its own weights (R's ``rake()`` on a replicate
    design); rows a replicate leaves out (weight 0) stay out."""
    from lederuddannelse.data.weighting import rake
    from lederuddannelse.errors import WeightingError

    out = np.zeros_like(repw)
    for r in range(repw.shape[1]):
        inside = repw[:, r] > 0
        try:
            raked = rake(df[inside], margins, base_weights=repw[inside, r], epsilon=1e-12)
        except WeightingError as exc:  # a replicate without a margin category
            raise EstimationError(
                f"Replicate weight {r + 1} cannot be raked to the margins: {exc}"
            ) from exc
        out[inside, r] = raked.weights.to_numpy(dtype=float)
    return out
