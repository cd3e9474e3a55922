"""Disclosure whatever a variable's role: a group the domain plan hides stays hidden when it is
the analysed variable, a category of a distribution, a 0/1 indicator (as an outcome or a
regressor) or the domain of a question asked only there.

The data: groups a (500), b (400), c (3) and d (20). The plan hides c and d (fewer than 30
respondents) and b as their complement (c + d = 23 < 30), so that the reader, who knows the
total of 923 and sees a = 500, learns only that b, c and d hold 423 together. Each test writes
out the arithmetic by which the route *would* recover a hidden count, and checks that the route
is closed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lederuddannelse.stats.design import SurveyDesign
from lederuddannelse.stats.disclosure import SuppressionPolicy

N_TOTAL, N_A, N_B, N_C, N_D = 923, 500, 400, 3, 20


@pytest.fixture(scope="module")
def design() -> SurveyDesign:
    rng = np.random.default_rng(11)
    grp = np.array(["a"] * N_A + ["b"] * N_B + ["c"] * N_C + ["d"] * N_D)
    df = pd.DataFrame(
        {
            "grp": grp,
            "sex": rng.choice(["f", "m"], len(grp)),
            "x": rng.normal(size=len(grp)),
            "weight": np.exp(rng.normal(0, 0.3, len(grp))),
        }
    )
    df["y"] = (rng.random(len(grp)) < 0.4).astype(float)
    df["is_b"] = (df["grp"] == "b").astype(float)
    df["is_d"] = (df["grp"] == "d").astype(float)
    df["x_in_b"] = np.where(df["grp"] == "b", df["x"], np.nan)  # asked only in b
    df["x_not_d"] = np.where(df["grp"] == "d", np.nan, df["x"])  # asked everywhere but d
    return SurveyDesign(df, "weight", policy=SuppressionPolicy(min_n=30, min_count=5))


def test_the_plan_hides_b_c_and_d(design):
    assert design.plan.hidden("grp") == {"b", "c", "d"}


def test_distribution_of_the_grouping_variable(design):
    # Route: distribution("grp") showed each category's respondents: n_category(d) = 20 is
    # the hidden group's size, and 923 - 500 - 400 - 20 = 3 gives c.
    t = design.distribution("grp")
    hidden = t[t["category"].isin(["b", "c", "d"])]
    assert hidden["suppressed"].all()
    assert hidden["n_category"].isna().all() and hidden["estimate"].isna().all()
    shown = t[t["category"] == "a"]
    # what is left to subtract: 923 - 500 = 423 = b + c + d, the combination the plan allows
    assert int(t["n"].iloc[0]) - int(shown["n_category"].iloc[0]) == N_B + N_C + N_D


def test_distribution_of_the_grouping_variable_by_another(design):
    # Route: distribution("grp", by="sex") gave the hidden groups' counts per sex: summing
    # n_category(d | f) + n_category(d | m) = 20.
    t = design.distribution("grp", by="sex")
    hidden = t[t["category"].isin(["b", "c", "d"])]
    assert hidden["suppressed"].all() and hidden["n_category"].isna().all()


def test_indicator_as_an_outcome(design):
    # Route: proportion("is_d") = 20/923 (weighted) with n = 923 and, by the count rule's own
    # numbers, 20 respondents with 1; proportion("is_b") gives b = 400 the same way, and then
    # 923 - 500 - 400 = 23 = c + d, a combination under 30.
    for var in ("is_b", "is_d"):
        t = design.proportion(var)
        assert t["suppressed"].all() and t["estimate"].isna().all(), var
        assert t["n"].isna().all(), var


def test_indicator_as_a_regressor(design):
    # Route: linear("x ~ is_b") has a coefficient for is_b whose n is the respondents with
    # is_b = 1: 400 = b, so c + d = 923 - 500 - 400 = 23; and intercept + coefficient is b's
    # mean of x, an estimate for a hidden group.
    for fit in (design.linear("x ~ is_b + sex"), design.logistic("y ~ is_b + sex")):
        row = fit.table[fit.table["term"] == "is_b"].iloc[0]
        assert row["suppressed"] and np.isnan(row["estimate"])
        assert pd.isna(row["n"])
        other = fit.table[fit.table["term"] == "sex[T.m]"].iloc[0]
        assert not other["suppressed"]  # the rest of the model is published


def test_indicator_as_the_outcome_of_a_model(design):
    # Route: logistic("is_b ~ sex"): expit(intercept) is b's share among women, and with the
    # model's n the hidden group's size follows.
    fit = design.logistic("is_b ~ sex")
    assert fit.table["suppressed"].all()


def test_question_asked_only_in_a_hidden_group(design):
    # Route: mean("x_in_b") has n = 400 = b (the question's domain is the group), so again
    # 923 - 500 - 400 = 23 = c + d; mean("x_not_d") has n = 903, so d = 923 - 903 = 20.
    for var in ("x_in_b", "x_not_d"):
        t = design.mean(var)
        assert t["suppressed"].all() and t["n"].isna().all(), var
        d = design.distribution("sex", by=None)
        assert not d["suppressed"].any()  # unrelated tables stay published


def test_test_of_association_with_an_indicator(design):
    # Route: chisq("is_b", "sex") reports n = 923 and a test on a table whose margins are
    # b's counts by sex.
    assert design.chisq("is_b", "sex")["suppressed"].all()
    assert not design.chisq("y", "sex")["suppressed"].any()


def test_a_union_of_the_hidden_groups_stays_publishable(design):
    # b + c + d together (423) is what the plan lets readers learn: an indicator of it is fine.
    d = design.with_columns({"is_bcd": design.df["grp"].isin(["b", "c", "d"]).astype(float)})
    t = d.proportion("is_bcd")
    assert not t["suppressed"].any() and int(t["n"].iloc[0]) == N_TOTAL
