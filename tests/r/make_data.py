"""Write the seeded data set and margins that tests/r/reference.R and the Python tests share.

Run once (``python tests/r/make_data.py``); the outputs are committed as fixtures so that the
comparison with R needs neither R nor this script. Plain ASCII category names keep R's factor
order (alphabetical) and patsy's (sorted) identical.
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FIX = HERE.parent / "fixtures"


def make(n: int = 1500, seed: int = 20261126) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m"], n, p=[0.58, 0.42])
    agegrp = rng.choice(["a1", "a2", "a3"], n, p=[0.25, 0.45, 0.30])
    sector = rng.choice(["private", "public"], n, p=[0.45, 0.55])
    region = rng.choice(["r1", "r2", "r3", "r4"], n, p=[0.4, 0.3, 0.2, 0.1])
    role = rng.choice(["me", "mm"], n, p=[0.7, 0.3])
    x = np.round(rng.normal(10, 4, n), 3)
    lin = (
        -0.8
        + 0.5 * (sector == "public")
        + 0.7 * (role == "mm")
        + 0.06 * (x - 10)
        + 0.2 * (sex == "f")
    )
    trained = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    career = np.where(
        trained == 1,
        (rng.random(n) < np.where(sector == "private", 0.3, 0.18)).astype(float),
        np.nan,
    )
    latent = (
        0.4 * (sector == "public") - 0.3 * (role == "mm") + 0.08 * (x - 10) + rng.logistic(size=n)
    )
    desire = np.digitize(latent, [-1.5, -0.4, 0.6, 1.7]) + 1
    score = np.round(
        20
        + 2 * (sector == "public")
        + 1.5 * (region == "r2")
        - 0.8 * (region == "r4")
        + 0.5 * x
        + rng.normal(0, 3 + (x > 12), n),
        3,
    )
    base = np.round(
        np.exp(rng.normal(0, 0.35, n))
        * np.where(sex == "m", 1.4, 1.0)
        * np.where(sector == "public", 0.8, 1.2),
        6,
    )
    df = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "sex": sex,
            "agegrp": agegrp,
            "sector": sector,
            "region": region,
            "role": role,
            "x": x,
            "trained": trained,
            "career": career,
            "desire": desire,
            "score": score,
            "base_weight": base,
        }
    )
    margins = pd.DataFrame(
        {
            "variable": ["sex"] * 2 + ["agegrp"] * 3 + ["sector"] * 2,
            "category": ["f", "m", "a1", "a2", "a3", "private", "public"],
            "total": [52000, 48000, 30000, 40000, 30000, 60000, 40000],
        }
    )
    return df, margins


if __name__ == "__main__":
    df, margins = make()
    df.to_csv(FIX / "stats_data.csv", index=False, na_rep="NA")
    margins.to_csv(FIX / "stats_margins.csv", index=False)
    print(f"wrote {len(df)} rows to {FIX / 'stats_data.csv'}")
