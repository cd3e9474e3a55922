"""The sampling design of an export: the mapping file's ``design:`` block.

A survey drawn by strata or in clusters has uncertainty that a simple weighted sample's
formulas get wrong (up to three times too narrow intervals for a cluster sample). So a mapping
file may say how the sample was drawn::

    design:
      strata: stratum            # one column (optional)
      psu: [workplace]           # one or two stages of clusters (optional)
      fpc: [n_workplaces]        # population sizes or sampling fractions, one per stage
      lonely_psu: fail           # R's survey.lonely.psu: fail (default), adjust, average,
                                 # certainty, remove
    # or replicate weights instead of strata/psu/fpc:
    design:
      repweights: repwt          # a column-name prefix, or a list of columns
      rep_type: JK1              # JK1, JKn, bootstrap, BRR or Fay (required)
      scale: 0.95                # optional, as R's svrepdesign
      rscales: [...]             # optional
      mse: false                 # optional
      fay_rho: 0.5               # Fay only

The block's columns are copied into the mapped file under their own names, and the design (as
keyword arguments of :class:`~lederuddannelse.stats.design.SurveyDesign`) goes into the file's
metadata, so that every page analyses the sample by the design it was drawn with and says so.
An export with columns that look like a design (``stratum``, ``psu``, ``fpc``, ``repwt1``, ...)
and no ``design:`` block is not analysed silently: ``data validate`` warns and ``data map
init`` drafts the block.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DesignBlock", "design_columns_like", "design_summary", "parse_design"]

#: column names that look like design columns (strata, clusters, fpc, replicate weights)
_LOOKS = {
    "strata": re.compile(r"^(strat(a|um|um_id|ification)?|stratum_?\w*|lag|strata_?\w*)$", re.I),
    "psu": re.compile(r"^(psu\w*|cluster\w*|klynge\w*|ids?_?psu|ssu\w*|workplace(_id)?)$", re.I),
    "fpc": re.compile(r"^(fpc\w*|popsize\w*|pop_?n\w*|n_?pop\w*|sampling_?fraction\w*)$", re.I),
    "repweights": re.compile(
        r"^(rep_?w(gt|t|eight)?_?\d+|repwt_?\d+|jk\d+|brr\d+|bs_?\d+|boot\w*\d+)$", re.I
    ),
}


@dataclass
class DesignBlock:
    """A parsed ``design:`` block: the design's columns and settings."""

    strata: str | None = None
    psu: list[str] = field(default_factory=list)
    fpc: list[str] = field(default_factory=list)
    nest: bool = False
    lonely_psu: str = "fail"
    repweights: list[str] | str | None = None
    rep_type: str | None = None
    scale: float | None = None
    rscales: list[float] | None = None
    mse: bool = False
    fay_rho: float | None = None
    combined_weights: bool = True

    def columns(self, available: list[str]) -> list[str]:
        """The export's columns the design needs (a prefix expands to its columns)."""
        cols = ([self.strata] if self.strata else []) + self.psu + self.fpc
        if isinstance(self.repweights, str):
            cols += [c for c in available if c.startswith(self.repweights)]
        elif self.repweights:
            cols += list(self.repweights)
        return cols

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``SurveyDesign`` for this design (only those given)."""
        out: dict[str, Any] = {}
        if self.repweights is not None:
            out["repweights"] = self.repweights
            out["rep_type"] = self.rep_type
            for k in ("scale", "rscales", "fay_rho"):
                if getattr(self, k) is not None:
                    out[k] = getattr(self, k)
            if self.mse:
                out["mse"] = True
            if not self.combined_weights:
                out["combined_weights"] = False
            return out
        if self.strata:
            out["strata"] = self.strata
        if self.psu:
            out["psu"] = list(self.psu)
        if self.fpc:
            out["fpc"] = list(self.fpc)
        if self.nest:
            out["nest"] = True
        if self.lonely_psu != "fail":
            out["lonely_psu"] = self.lonely_psu
        return out


def _names(v: str | list[str] | None) -> list[str]:
    return [] if v is None else [v] if isinstance(v, str) else list(v)


def parse_design(raw: Any, at: Callable[..., str]) -> tuple[DesignBlock | None, list[str]]:
    """The block (``None`` when absent) and its problems, each named by file and line.

    ``raw`` has the shape of the mapping file's schema (``mapping.schema.json``: the keys and
    the type of each); here what a schema cannot say: stages and fpc columns that match, and a
    design given either by replicate weights or by strata and clusters."""
    if raw is None:
        return None, []
    b = DesignBlock(
        strata=raw.get("strata"),
        psu=_names(raw.get("psu")),
        fpc=_names(raw.get("fpc")),
        lonely_psu=raw.get("lonely_psu", "fail"),
        repweights=raw.get("repweights"),
        rep_type=raw.get("rep_type"),
        rscales=[float(x) for x in raw["rscales"]] if "rscales" in raw else None,
        **{k: raw[k] for k in ("nest", "mse", "combined_weights") if k in raw},
        **{k: float(raw[k]) for k in ("scale", "fay_rho") if raw.get(k) is not None},
    )
    problems = []
    if b.fpc and len(b.fpc) != max(1, len(b.psu)):
        problems.append(
            f"{at('design', 'fpc')}: design.fpc needs one column per stage ({max(1, len(b.psu))})"
        )
    if b.repweights is not None and (b.strata or b.psu or b.fpc):
        problems.append(
            f"{at('design')}: give either repweights or strata/psu/fpc, not both (replicate "
            "weights carry the strata and clusters)"
        )
    return b, problems


def design_columns_like(columns: list[str]) -> dict[str, list[str]]:
    """Columns whose names look like design columns, by role (empty roles left out)."""
    out: dict[str, list[str]] = {}
    for role, pattern in _LOOKS.items():
        hits = [c for c in columns if pattern.match(str(c))]
        if hits:
            out[role] = hits
    return out


def design_summary(df: pd.DataFrame, block: DesignBlock) -> list[str]:
    """What ``data validate`` reports about the design: strata, PSUs per stratum, lonely
    PSUs and degrees of freedom (R's ``degf()``), or the replicates."""
    if block.repweights is not None:
        cols = block.columns(list(df.columns))
        A = df[cols].to_numpy(dtype=float)
        rank = int(np.linalg.matrix_rank(A, tol=None)) if len(A) else 0
        return [
            f"Design: {len(cols)} replicate weights ({block.rep_type}"
            + (f", scale {block.scale:g}" if block.scale is not None else ", R's default scale")
            + ("; mse" if block.mse else "")
            + f"); degrees of freedom {rank - 1} (rank of the replicate weights minus 1)."
        ]
    n = len(df)
    stratum = df[block.strata].astype(str) if block.strata else pd.Series(["1"] * n)
    psu = df[block.psu[0]].astype(str) if block.psu else pd.Series(np.arange(n).astype(str))
    if block.nest and block.strata:
        psu = stratum + "\x00" + psu
    per = pd.Series(psu.to_numpy()).groupby(stratum.to_numpy()).nunique()
    lonely = sorted(str(s) for s in per.index[per == 1])
    lines = [
        "Design: "
        + (f"{len(per)} strata ({block.strata})" if block.strata else "no strata")
        + "; "
        + (
            f"{int(per.sum())} PSUs ({', '.join(block.psu)}), {int(per.min())} to "
            f"{int(per.max())} per stratum"
            if block.psu
            else "every respondent its own PSU"
        )
        + "; "
        + (f"fpc {', '.join(block.fpc)}" if block.fpc else "no fpc (first stage with replacement)")
        + f"; degrees of freedom {int(per.sum()) - len(per)} (PSUs minus strata)."
    ]
    if lonely:
        lines.append(
            f"Lonely PSUs: {len(lonely)} stratum/strata with one PSU ({', '.join(lonely[:5])}); "
            f"treated as lonely_psu = {block.lonely_psu!r}"
            + (
                " (the analysis will stop: choose another option)"
                if block.lonely_psu == "fail"
                else ""
            )
            + "."
        )
    return lines
