"""Each user error of the statistics layer gives one message that says what and what to do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.stats.design import SurveyDesign


@pytest.fixture(scope="module")
def design() -> SurveyDesign:
    rng = np.random.default_rng(3)
    n = 400
    df = pd.DataFrame(
        {
            "sector": rng.choice(["public", "private"], n),
            "size": rng.choice(["s", "m", "l"], n),
            "x": rng.normal(size=n),
            "weight": np.exp(rng.normal(0, 0.3, n)),
        }
    )
    df["trained"] = (rng.random(n) < 0.4).astype(float)
    df["desire"] = rng.integers(1, 6, n)
    df["asked_none"] = np.nan
    df["reason"] = np.where(df["trained"] == 1, (rng.random(n) < 0.5).astype(float), np.nan)
    df["sep"] = (df["x"] > 0).astype(float)  # perfectly separated by x
    df["quasi"] = np.where(df["size"] == "l", 1.0, df["trained"])  # everyone in 'l' has 1
    return SurveyDesign(df, "weight")


def test_unknown_variable(design):
    with pytest.raises(
        EstimationError, match=r"Unknown variable 'trainde'.*Did you mean 'trained'"
    ):
        design.proportion("trainde")
    with pytest.raises(EstimationError, match=r"Unknown variable 'sektor'"):
        design.proportion("trained", by="sektor")
    with pytest.raises(EstimationError, match=r"Unknown variable 'xx'"):
        design.logistic("trained ~ xx + sector")
    with pytest.raises(EstimationError, match=r"Unknown variable 'nope'"):
        SurveyDesign(design.df, "nope")


def test_not_binary(design):
    with pytest.raises(EstimationError, match=r"'desire' is not binary.*0/1.*mean\(\)"):
        design.proportion("desire")
    with pytest.raises(EstimationError, match=r"'sector' is not numeric"):
        design.mean("sector")
    with pytest.raises(EstimationError, match=r"not binary \(0/1\)"):
        design.logistic("desire ~ x")


def test_empty_domain(design):
    with pytest.raises(
        EstimationError, match=r"Empty domain: no respondent has a value of 'asked_none'"
    ):
        design.proportion("asked_none")
    with pytest.raises(EstimationError, match=r"Empty domain: no respondent has sector == 'state'"):
        design.difference("trained", "sector", "state", "public")
    df = design.df.assign(
        reason2=np.where(design.df["sector"] == "public", np.nan, design.df["trained"])
    )
    d = SurveyDesign(df, "weight")
    with pytest.raises(
        EstimationError,
        match=r"Empty domain: no respondent with sector == 'public' has a value of 'reason2'",
    ):
        d.difference("reason2", "sector", "public", "private")
    with pytest.raises(EstimationError, match=r"Empty domain"):
        design.logistic("trained ~ asked_none")


def test_separation_and_convergence(design):
    with pytest.raises(EstimationError, match=r"separation"):
        design.logistic("sep ~ x")
    with pytest.raises(
        EstimationError,
        match=r"Separation in .*every respondent in size = 'l' has outcome 1.*Merge",
    ):
        design.logistic("quasi ~ size + x")
    with pytest.raises(EstimationError, match=r"separation"):
        design.ordinal("desire ~ x + I(desire * 10.0)")


def test_model_misuse(design):
    with pytest.raises(EstimationError, match=r"needs at least 3 levels"):
        design.ordinal("trained ~ x")
    with pytest.raises(EstimationError, match=r"collinear"):
        design.linear("x ~ trained + I(2 * trained)")
    with pytest.raises(EstimationError, match=r"formula like"):
        design.linear("x + trained")
    with pytest.raises(EstimationError, match=r"at least two categories"):
        design.chisq("sector", "asked_none")


def test_bad_parameters(design):
    with pytest.raises(ParameterError, match=r"conf_level must be between 0 and 1"):
        SurveyDesign(design.df, "weight", conf_level=95)
    with pytest.raises(ParameterError, match=r"ci_method must be 'logit' or 'beta'"):
        SurveyDesign(design.df, "weight", ci_method="wilson")
    with pytest.raises(EstimationError, match=r"Weights must be positive"):
        SurveyDesign(design.df.assign(weight=0.0), "weight")
    margins = {"sector": pd.Series({"public": 500.0, "private": 500.0})}
    with pytest.raises(EstimationError, match=r"do not reproduce the raking margin 'sector'"):
        SurveyDesign(design.df, "weight", rake_margins=margins)
    raked = SurveyDesign(design.df, None, rake_margins=margins)  # rakes equal weights here
    assert abs(raked.proportion("trained")["N"].iloc[0] - 1000.0) < 1e-6
