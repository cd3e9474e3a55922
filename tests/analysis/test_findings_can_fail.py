"""Every check of the claims ledger can fail: for each finding, a modified data set on which it
does not hold (a claim that cannot fail is not a check).

The base is the book's default synthetic survey (n = 6.000, seed 2024), on which every finding
holds by construction; each case changes the data in the one way the report's claim rules out
and asserts that the check now says "does not hold". The changes touch no weighting variable,
so the raked weights stay valid.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from conftest import open_test_chapter
from lederuddannelse.analysis import findings
from lederuddannelse.data.derive import add_derived
from lederuddannelse.data.synthetic import DEFAULT_N, DEFAULT_SEED
from lederuddannelse.stats.design import SurveyDesign


@pytest.fixture(scope="module")
def ch(generated_data):
    return open_test_chapter(generated_data(DEFAULT_N, DEFAULT_SEED))


def _modified(ch, change):
    df = add_derived(change(ch.data.copy(), np.random.default_rng(5)))
    d = ch.design
    design = SurveyDesign(
        df, "weight", rake_margins=d.rake_margins, weighted=True, conf_level=d.conf_level
    )
    return dataclasses.replace(ch, data=df, design=design)


def _untrain(df: pd.DataFrame, mask) -> pd.DataFrame:
    """Make the respondents in ``mask`` untrained, with the routing that goes with it."""
    m = np.asarray(mask, dtype=bool)
    df.loc[m, "training"] = 0
    df.loc[m, ["training_year", "paid_by"]] = np.nan
    return df


def _some(df, cond, share, rng):
    return np.asarray(cond, dtype=bool) & (rng.random(len(df)) < share)


def _invert(var):
    def change(df, rng):
        df[var] = 6 - df[var]  # a five-point scale turned round
        return df

    return change


def _swap_manager_type(df, rng):
    df["manager_type"] = 3 - df["manager_type"]
    return df


def _set(var, value, cond):
    def change(df, rng):
        df.loc[np.asarray(cond(df), dtype=bool) & df[var].notna(), var] = value
        return df

    return change


CASES = {
    # a level the CI must cover: move 40 % of the trained to untrained
    "F1a": lambda df, rng: _untrain(df, _some(df, df["training"] > 0, 0.4, rng)),
    # narrow becomes broad: the narrow share is zero
    "F1b": _set("training", 2, lambda df: df["training"] == 1),
    # everybody trained before 2020
    "F2": _set("training_year", 1, lambda df: df["training"] > 0),
    # the two top reasons are rarely chosen
    "F3-ranking": lambda df, rng: _set(
        "reason_develop", 0, lambda d: _some(d, d["training"] > 0, 0.8, rng)
    )(df, rng),
    # the workplace's resources turned round: the resources term turns negative
    "F3-resources": _invert("workplace_resources"),
    # 30 % of those paid by the workplace paid themselves: still a majority, not a clear one
    "F4": lambda df, rng: _set("paid_by", 2, lambda d: _some(d, d["paid_by"] == 1, 0.3, rng))(
        df, rng
    ),
    "F5": _invert("self_efficacy"),
    "F6": _invert("conflicts"),
    "F7": _invert("workplace_strategy"),
    "F8": _swap_manager_type,
    "F9": _swap_manager_type,
    "F10": _swap_manager_type,
    # public administration etc.: far fewer trained (broad)
    "F11-low": lambda df, rng: _untrain(
        df, _some(df, (df["industry"] == 9) & (df["training"] == 2), 0.5, rng)
    ),
    # ... or far more than "just over half"
    "F11-high": lambda df, rng: _set(
        "training", 2, lambda d: _some(d, (d["industry"] == 9) & (d["training"] == 0), 0.7, rng)
    )(df, rng),
    "F12": _invert("desire"),
    # private-sector untrained never say "not relevant"
    "F13": _set("barrier_not_relevant", 0, lambda df: df["sector"] == 2),
    # private-sector trained never give career as a reason
    "F14": _set("reason_career", 0, lambda df: df["sector"] == 2),
}


@pytest.fixture(scope="module")
def base(ch):
    return findings.evaluate(ch)


@pytest.mark.parametrize("case", list(CASES))
def test_check_fails_on_modified_data(ch, base, case):
    fid = case.split("-")[0]
    assert base[fid].holds is True, f"{fid} should hold on the default synthetic data"
    after = findings.evaluate(_modified(ch, CASES[case]), [fid])[fid]
    assert after.holds is False, f"{case}: still holds after the change: {after.estimate}"
    assert any(c.holds is False for c in after.components), "the failing part is named"


def test_every_finding_has_a_failing_case():
    assert {c.split("-")[0] for c in CASES} == set(findings.FINDINGS)


def test_f4_needs_a_clear_majority_not_just_a_majority(ch):
    changed = _modified(ch, CASES["F4"])
    f = findings.evaluate(changed, ["F4"])["F4"]
    paid = f.components[0]
    assert paid.holds is False and f.components[1].holds is True
    est = findings.Evidence(changed).design.proportion("paid_by_workplace_tr")
    assert est["ci_low"].iloc[0] > 0.5  # a majority, yet not "langt størstedelen"
