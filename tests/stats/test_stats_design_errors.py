"""Bad design input gets one clear message naming the column or parameter (R's rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.stats.design import SurveyDesign
from lederuddannelse.stats.replicate import ReplicateVariance


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 40
    out = pd.DataFrame(
        {
            "st": np.repeat(["a", "b"], n // 2),
            "psu": np.repeat(np.arange(8), n // 8),
            "w": rng.uniform(1, 3, n),
            "y": rng.integers(0, 2, n).astype(float),
            "fpc": 100.0,
        }
    )
    for r in range(4):
        out[f"rw{r}"] = np.where(out["psu"] % 4 == r, 0.0, out["w"] * 4 / 3)
    return out


def test_psus_must_be_nested_in_strata_unless_nest(df):
    bad = df.assign(st=np.tile(["a", "b"], len(df) // 2))
    with pytest.raises(EstimationError, match="PSUs are not nested in strata.*nest=True"):
        SurveyDesign(bad, "w", strata="st", psu="psu")
    d = SurveyDesign(bad, "w", strata="st", psu="psu", nest=True)
    assert d.degf() == 16 - 2  # PSU labels are local to their stratum: 2 x 8 PSUs


def test_fpc_rules_as_r(df):
    with pytest.raises(EstimationError, match="mix population sizes"):
        SurveyDesign(df.assign(fpc=np.where(df.index < 5, 0.5, 100.0)), "w", psu="psu", fpc="fpc")
    with pytest.raises(EstimationError, match="more than 100 % sampled"):
        SurveyDesign(df.assign(fpc=3.0), "w", psu="psu", fpc="fpc")
    with pytest.raises(EstimationError, match="varies within a stratum"):
        SurveyDesign(df.assign(fpc=100.0 + df.index), "w", psu="psu", fpc="fpc")
    with pytest.raises(ParameterError, match="one column per stage"):
        SurveyDesign(df, "w", psu=["st", "psu"], fpc="fpc")
    # fractions and sizes mean the same: 8 of 100 PSUs
    a = SurveyDesign(df, "w", psu="psu", fpc="fpc").mean("y")["se"].iloc[0]
    b = SurveyDesign(df.assign(fpc=0.08), "w", psu="psu", fpc="fpc").mean("y")["se"].iloc[0]
    assert a == pytest.approx(b, rel=1e-12)


def test_missing_design_values_and_unknown_options(df):
    with pytest.raises(EstimationError, match="Design column 'psu' has a missing value"):
        SurveyDesign(df.assign(psu=df["psu"].where(df.index != 3)), "w", psu="psu")
    with pytest.raises(ParameterError, match="lonely_psu must be one of"):
        SurveyDesign(df, "w", psu="psu", lonely_psu="drop")
    with pytest.raises(EstimationError, match="only one primary sampling unit"):
        SurveyDesign(df.assign(psu=1), "w", psu="psu")


def test_replicate_types_and_defaults_as_r(df):
    with pytest.raises(ParameterError, match="need rep_type"):
        SurveyDesign(df, "w", repweights="rw")
    with pytest.raises(ParameterError, match="either replicate weights or strata"):
        SurveyDesign(df, "w", repweights="rw", rep_type="JK1", strata="st")
    with pytest.raises(ParameterError, match="belong to replicate weights"):
        SurveyDesign(df, "w", rep_type="JK1")
    R = np.ones((5, 4))
    assert ReplicateVariance(R, "JK1").scale == pytest.approx(3 / 4)
    assert ReplicateVariance(R, "bootstrap").scale == pytest.approx(1 / 3)
    assert ReplicateVariance(R, "BRR").scale == pytest.approx(1 / 4)
    assert ReplicateVariance(R, "Fay", fay_rho=0.5).scale == pytest.approx(1 / (4 * 0.25))
    with pytest.raises(ParameterError, match="fixes scale"):
        ReplicateVariance(R, "BRR", scale=0.5)
    with pytest.raises(ParameterError, match="needs fay_rho"):
        ReplicateVariance(R, "Fay")
    with pytest.raises(ParameterError, match="needs rscales"):
        ReplicateVariance(R, "JKn")
    with pytest.raises(EstimationError, match="No replicate-weight columns"):
        SurveyDesign(df, "w", repweights="zz", rep_type="JK1")
    d = SurveyDesign(df, "w", repweights="rw", rep_type="JK1")
    assert d.degf() == 3 and d.variance.scale == pytest.approx(3 / 4)
