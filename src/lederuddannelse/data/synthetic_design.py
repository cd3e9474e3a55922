"""A second synthetic survey, drawn by strata and clusters: for tests and the docs, not published.

The book's embedded survey is a simple weighted sample (:mod:`lederuddannelse.data.synthetic`).
A real survey of managers may well have been drawn from a register of workplaces by sector and
size, with all managers of each sampled workplace answering. This module draws such a sample
from the same synthetic population, so that the statistics can be checked against R on a
design with strata, clusters and a finite population correction:

1. **Strata**: sector x organisation size (``stratum``, e.g. ``"offentlig-2"``).
2. **Workplaces** (the PSUs): within a stratum, managers are ordered by industry and by their
   workplace's strategy for the psychosocial work environment and cut into workplaces of
   ``managers_per_psu``; so managers of one workplace resemble each other, as in real
   workplaces (intra-cluster correlation).
3. **Sample**: ``psu_per_stratum`` workplaces per stratum by simple random sampling without
   replacement; every manager of a sampled workplace answers. ``fpc`` is the stratum's number
   of workplaces, ``weight`` its workplaces over the sampled ones (``N_h / n_h``).

The design is ``svydesign(ids = ~workplace, strata = ~stratum, fpc = ~fpc, weights =
~weight)``. Same seed, same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lederuddannelse.data.synthetic import DEFAULT_SEED, generate_population

__all__ = ["DESIGN", "add_workplace_design", "generate_clustered_survey"]

#: the design columns of the clustered example, as a mapping file's ``design:`` block has them
DESIGN = {"strata": "stratum", "psu": "workplace", "fpc": "fpc"}

SECTOR = {1: "offentlig", 2: "privat"}


def generate_clustered_survey(
    seed: int = DEFAULT_SEED,
    psu_per_stratum: int = 12,
    managers_per_psu: int = 8,
    population_size: int = 20_000,
) -> pd.DataFrame:
    """The clustered sample (module docstring): one row per manager with the design columns
    ``stratum, workplace, fpc, weight`` and a few analysis columns (``sector, size, trained,
    desire, strategy, interest``)."""
    pop = generate_population(seed, size=population_size)
    rng = np.random.default_rng([seed, 23])
    sector = pop["sector"].to_numpy(dtype=np.int64)
    size = pop["org_size"].to_numpy(dtype=np.int64)
    out = pd.DataFrame(
        {
            "sector": [SECTOR[s] for s in sector],
            "size": [f"s{v}" for v in size],
            "trained": (pop["training"].to_numpy(dtype=np.int64) == 1).astype(float),
            "desire": pop["desire"].to_numpy(dtype=float, na_value=np.nan),
            "strategy": pop["workplace_strategy"].to_numpy(dtype=float, na_value=np.nan),
            "interest": pop["interest_pwe"].to_numpy(dtype=float, na_value=np.nan),
            "industry": pop["industry"].to_numpy(dtype=np.int64),
        }
    )
    out["stratum"] = out["sector"] + "-" + out["size"].str[1:]
    parts = []
    for stratum, g in out.groupby("stratum", sort=True):
        g = g.assign(_u=rng.random(len(g))).sort_values(["industry", "strategy", "_u"])
        n_psu = len(g) // managers_per_psu
        if n_psu < psu_per_stratum:
            continue
        g = g.iloc[: n_psu * managers_per_psu].copy()
        g["workplace"] = [f"{stratum}-{k:04d}" for k in np.arange(len(g)) // managers_per_psu]
        chosen = rng.choice(n_psu, size=psu_per_stratum, replace=False)
        keep = np.isin(np.arange(len(g)) // managers_per_psu, chosen)
        s = g[keep].copy()
        s["fpc"] = float(n_psu)
        s["weight"] = n_psu / psu_per_stratum
        parts.append(s)
    df = pd.concat(parts, ignore_index=True).drop(columns=["_u", "industry"])
    return df.sort_values(["stratum", "workplace"], kind="stable").reset_index(drop=True)


def add_workplace_design(
    df: pd.DataFrame, managers_per_psu: int = 8, sampled_share: float = 0.1
) -> pd.DataFrame:
    """A copy of a sample with a stratified cluster design's columns, for benchmarks.

    Strata are sector x organisation size; within a stratum the respondents, ordered by
    industry, form workplaces of ``managers_per_psu`` (fewer in a stratum too small for two);
    ``fpc`` says the sampled workplaces are ``sampled_share`` of the stratum's. The weights are
    left as they are: the design is a structure to compute variances with, not a new sample.
    """
    out = df.copy()
    stratum = out["sector"].astype(str) + "-" + out["org_size"].astype(str)
    order = np.lexsort((out["industry"].to_numpy(), stratum.to_numpy()))
    rank = np.empty(len(out), dtype=np.int64)
    rank[order] = np.arange(len(out))
    by = pd.Series(rank).groupby(stratum.to_numpy())
    first = by.transform("min").to_numpy()
    # at least two workplaces per stratum (a small sample's strata are small)
    size = np.maximum(1, np.minimum(managers_per_psu, by.transform("size").to_numpy() // 2))
    out["stratum"] = stratum.to_numpy()
    out["workplace"] = stratum.to_numpy() + "-" + ((rank - first) // size).astype(str)
    n_psu = out.groupby("stratum")["workplace"].transform("nunique").to_numpy(dtype=float)
    out["fpc"] = np.ceil(n_psu / sampled_share)
    return out
