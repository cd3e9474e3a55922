"""An adversarial survey file for the disclosure tests: tiny groups where the book breaks down.

Why: the embedded synthetic survey has no group small enough to test small-cell protection
end to end. This file has 3 respondents in one industry (a raking margin, so they also carry
very large weights), 12 in one education group (below ``min_n``, above ``min_count``) and 2
in one age group (below ``min_count``). The test suite builds the whole book on it and runs
the disclosure audit (``tests/book/test_disclosure_audit.py``). By hand:
``python -m lederuddannelse.dev.adversarial data/adversarial.parquet``, then point
``data_file`` at it and build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: (variable, code, respondents kept, code the others move to)
TINY_GROUPS = (
    ("industry", 7, 3, 8),  # Ejendomshandel og udlejning -> Erhvervsservice
    ("education", 1, 12, 2),
    ("age_group", 4, 2, 3),
)


def make_adversarial(out: Path | str, n: int = 1500, seed: int = 7) -> Path:
    """Write the adversarial file (CSV or Parquet by extension) from a generated survey."""
    from lederuddannelse.data.synthetic import generate_to_file

    out = Path(out)
    base = generate_to_file(n=n, seed=seed, out=out.with_name(f"{out.stem}-base.parquet"))
    df = pd.read_parquet(base)
    base.unlink()
    rng = np.random.default_rng(seed)
    for var, code, keep, other in TINY_GROUPS:
        rows = np.flatnonzero((df[var] == code).to_numpy())
        if len(rows) < keep:
            raise ValueError(
                f"the base survey has only {len(rows)} respondents with {var} = {code}"
            )
        move = rng.choice(rows, size=len(rows) - keep, replace=False)
        df.loc[df.index[move], var] = other
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        df.to_csv(out, index=False)
    else:
        df.to_parquet(out, index=False)
    return out


if __name__ == "__main__":  # pragma: no cover - a convenience for people
    print(make_adversarial(sys.argv[1] if len(sys.argv) > 1 else "data/adversarial.parquet"))
