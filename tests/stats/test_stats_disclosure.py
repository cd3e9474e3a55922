"""Small-cell protection: a category of 3 and one of 20 respondents never show, directly or by
subtraction, in any table the statistics layer builds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lederuddannelse.errors import ParameterError
from lederuddannelse.stats.design import SurveyDesign
from lederuddannelse.stats.disclosure import (
    DisclosureSpec,
    LinkedSet,
    SuppressionPolicy,
    determined,
)

SMALL = ["c_three", "d_twenty"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    grp = np.array(["a_big"] * 500 + ["b_big"] * 400 + ["c_three"] * 3 + ["d_twenty"] * 20)
    n = len(grp)
    df = pd.DataFrame(
        {
            "grp": grp,
            "sex": rng.choice(["f", "m"], n),
            "x": rng.normal(size=n),
            "weight": np.exp(rng.normal(0, 0.3, n)),
        }
    )
    df["y"] = (rng.random(n) < 0.4).astype(float)
    df.loc[df.grp == "c_three", "y"] = [1.0, 0.0, 1.0]  # mixed, so models can be fitted
    df["z"] = np.where(rng.random(n) < 0.5, 1.0, 0.0)
    df["scale"] = rng.integers(1, 6, n)
    df.loc[df.grp == "c_three", "scale"] = [1, 3, 5]
    return df


@pytest.fixture(scope="module")
def design(data) -> SurveyDesign:
    return SurveyDesign(data, "weight", policy=SuppressionPolicy(min_n=30, min_count=5))


def _assert_hidden(t: pd.DataFrame, cols: list[str], key: str = "grp") -> None:
    rows = t[t[key].isin(SMALL)]
    assert len(rows), "small groups must still be listed (as suppressed)"
    assert rows["suppressed"].all()
    for c in cols:
        if c in t.columns:
            assert rows[c].isna().all(), f"{c} shown for a small group"
    if "n" in t.columns:
        assert rows.loc[rows[key] == "c_three", "n"].isna().all(), "a count of 3 is shown"


def _assert_no_subtraction(
    t: pd.DataFrame, raw: pd.DataFrame, set_cols: list[str], min_n: int = 30
):
    """In every linked set: no suppression, or >= 2 suppressed cells covering >= min_n."""
    groups = [t] if not set_cols else [g for _, g in t.groupby(set_cols)]
    for g in groups:
        sup = g[g["suppressed"]]
        if sup.empty or len(sup) == len(g):
            continue  # nothing suppressed, or nothing visible to subtract
        assert len(sup) >= 2, f"a single suppressed cell is recoverable:\n{g}"
        n_union = raw.loc[sup.index, "n"].sum()
        assert n_union >= min_n, f"suppressed cells cover only {n_union}:\n{g}"


def test_proportion_by_with_total(design, data):
    t = design.proportion("y", by="grp", total=True)
    raw = SurveyDesign(data, "weight", policy=SuppressionPolicy.none()).proportion(
        "y", by="grp", total=True
    )
    _assert_hidden(t, ["estimate", "se", "ci_low", "ci_high", "N", "deff"])
    body = t[t["grp"] != "I alt"]
    _assert_no_subtraction(body, raw, [])
    # the attack: total minus the visible groups gives the union of the hidden ones, never one
    tot = t[t["grp"] == "I alt"].iloc[0]
    vis = body[~body["suppressed"]]
    assert vis.empty or len(body[body["suppressed"]]) >= 2
    assert np.isfinite(tot["estimate"])


def test_mean_and_two_way(design, data):
    raw_design = SurveyDesign(data, "weight", policy=SuppressionPolicy.none())
    _assert_hidden(design.mean("x", by="grp"), ["estimate", "se", "N"])
    t = design.proportion("y", by=["grp", "sex"])
    raw = raw_design.proportion("y", by=["grp", "sex"])
    _assert_hidden(t, ["estimate", "se", "N"])
    _assert_no_subtraction(t, raw, ["grp"])
    _assert_no_subtraction(t, raw, ["sex"])


def test_distribution(design, data):
    # the distribution of grp itself: category c_three has a count of 3
    t = design.distribution("grp")
    small = t[t["category"].isin(SMALL)]
    assert small["suppressed"].all() and small["estimate"].isna().all()
    assert small.loc[small["category"] == "c_three", "n_category"].isna().all()
    # the distribution of a scale within groups
    t = design.distribution("scale", by="grp")
    _assert_hidden(t, ["estimate", "se", "N"])
    raw = SurveyDesign(data, "weight", policy=SuppressionPolicy.none()).distribution(
        "scale", by="grp"
    )
    _assert_no_subtraction(t, raw, ["category"])


def test_multi_response(design, data):
    t = design.multi_response(["y", "z"], by="grp")
    _assert_hidden(t, ["estimate", "se", "N"])
    raw = SurveyDesign(data, "weight", policy=SuppressionPolicy.none()).multi_response(
        ["y", "z"], by="grp"
    )
    raw = raw.set_index(["grp", "item"]).loc[list(zip(t["grp"], t["item"]))].reset_index()
    raw.index = t.index
    _assert_no_subtraction(t, raw, ["item"])


def test_difference(design):
    for g in SMALL:
        t = design.difference("y", "grp", g, "a_big")
        assert t["suppressed"].all()
        for c in ("estimate", "estimate_a", "se", "ci_low", "ci_high", "p_value", "N_a"):
            assert t[c].isna().all()
    t = design.difference("y", "grp", "c_three", "a_big")
    assert t["n_a"].isna().all()  # a count of 3 is never shown
    # b_big is the complement the by-table hides (3 + 20 < 30): the difference hides it too,
    # with its n, so that the total row cannot give back the other hidden cell; a_big's n is
    # shown as the table shows it
    t = design.difference("y", "grp", "a_big", "b_big")
    assert t["suppressed"].all() and t[["n_b", "N_a", "N_b"]].isna().all().all()
    table = design.proportion("y", by="grp").set_index("grp")
    assert t["n_a"].iloc[0] == table.loc["a_big", "n"]


def test_models(design):
    # each model with its continuous covariate: a term on every respondent, never hidden
    for fit, covariate in (
        (design.logistic("y ~ grp + x"), "x"),
        (design.linear("x ~ grp + z"), "z"),
        (design.ordinal("scale ~ grp + x"), "x"),
    ):
        tab = fit.table
        small = tab[tab["term"].str.contains("c_three|d_twenty")]
        assert len(small) == 2 and small["suppressed"].all()
        assert small[["estimate", "se", "ci_low", "ci_high", "p_value"]].isna().all().all()
        shown = tab[tab["term"] == covariate]
        assert len(shown) == 1, f"no term {covariate!r} in {list(tab['term'])}"
        assert not shown["suppressed"].any()
        assert shown[["estimate", "se", "ci_low", "ci_high", "p_value"]].notna().all().all()
        prof = pd.DataFrame(
            {"grp": ["a_big", "c_three", "d_twenty"], "x": [0.0] * 3, "z": [1.0] * 3}
        )
        pred = fit.predict(prof)
        hidden = pred[pred["grp"].isin(SMALL)]
        assert hidden["suppressed"].all() and hidden["estimate"].isna().all()
        assert not pred[pred["grp"] == "a_big"]["suppressed"].any()


def test_small_count_binary(data):
    """A share with 3 respondents on one side is hidden even in a large group."""
    df = data.copy()
    df["rare"] = 0.0
    df.loc[df.index[:3], "rare"] = 1.0
    d = SurveyDesign(df, "weight")
    t = d.proportion("rare")
    assert t["suppressed"].all() and t["estimate"].isna().all()
    assert not SurveyDesign(df, "weight").proportion("y")["suppressed"].any()


def test_describe_is_danish_and_states_rule():
    text = SuppressionPolicy(min_n=30, min_count=5).describe()
    assert "30" in text and "5" in text and "besvarelser" in text
    assert "ikke" in SuppressionPolicy.none().describe()


HIDDEN = {"c_three", "d_twenty", "b_big"}  # 3 + 20 < 30, so the smallest other group too


def test_plan_hides_small_groups_and_complements():
    p = SuppressionPolicy()
    assert p.hidden_categories({"a": 500, "b": 400, "c": 3, "d": 20}) == {"b", "c", "d"}
    assert p.hidden_categories({"a": 500, "b": 400, "c": 3, "d": 40}) == {"c", "d"}
    assert p.hidden_categories({"a": 500, "b": 400}) == frozenset()
    assert p.hidden_categories({"a": 3}) == {"a"}


def test_same_groups_hidden_in_every_table(design):
    """A group hidden in one table is hidden, with its n, in every table by that variable."""
    tables = {
        "proportion": design.proportion("y", by="grp", total=True),
        "mean": design.mean("x", by="grp"),
        "distribution": design.distribution("scale", by="grp"),
        "multi_response": design.multi_response(["y", "z"], by="grp"),
        "two-way": design.proportion("y", by=["grp", "sex"]),
    }
    for name, t in tables.items():
        body = t[t["grp"] != "I alt"]
        hidden = set(body.loc[body["suppressed"], "grp"])
        assert hidden == HIDDEN, name
        assert body.loc[body["suppressed"], "n"].isna().all(), f"{name}: n of a hidden cell"
        assert body.loc[~body["suppressed"], "n"].notna().all(), name
    for g in ("a_big", "b_big", "c_three", "d_twenty"):
        d = design.difference("y", "grp", g, "a_big" if g != "a_big" else "b_big")
        assert bool(d["suppressed"].iloc[0]) == bool({g, "a_big", "b_big"} & HIDDEN)


def test_subtraction_from_n_is_impossible(design):
    """The issue's attack: total n minus the shown n's gives only the union of >= 2 groups."""
    t = design.proportion("y", by="grp", total=True)
    total = t.loc[t["grp"] == "I alt", "n"].iloc[0]
    shown = t.loc[(t["grp"] != "I alt") & t["n"].notna(), "n"].sum()
    assert total - shown == 3 + 20 + 400
    assert t["n"].isna().sum() == 3


def test_chisq_follows_the_policy(design, data):
    t = design.chisq("y", "grp")
    assert t["suppressed"].all() and t[["chisq", "F", "p_value", "N"]].isna().all().all()
    assert not design.chisq("y", "sex")["suppressed"].any()
    raw = SurveyDesign(data, "weight", policy=SuppressionPolicy.none()).chisq("y", "grp")
    assert np.isfinite(raw["p_value"]).all()


def test_lowering_limits_needs_explicit_permission():
    with pytest.raises(ParameterError, match="allow_small_cells"):
        SuppressionPolicy(min_n=1, min_count=1)
    p = SuppressionPolicy(min_n=1, min_count=1, allow_small_cells=True)
    assert "min_n = 1" in p.notice() and "sænket" in p.notice()
    assert SuppressionPolicy().notice() is None


def test_determined_finds_differencing():
    # one breakdown of 3 cells adding up to a known total
    A = np.array([[1.0, 1.0, 1.0]])
    assert determined(A, np.array([False, False, True])).tolist() == [True]
    assert determined(A, np.array([False, True, True])).tolist() == [False, False]
    # a 2 x 2 table with row and column totals: two hidden cells in one row are recovered
    # through the columns
    A = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]], dtype=float)
    assert determined(A, np.array([True, True, False, False])).all()
    assert not determined(A, np.array([True, True, True, True])).any()


def test_parameters_refuse_lowered_limits_without_permission(tmp_path, project_root):
    """`min_n: 1, min_count: 1` (the issue's case) stops before any chapter runs, naming the
    file and the parameter; with `allow_small_cells: true` it is accepted."""
    import yaml

    from lederuddannelse.params import load_parameters

    params = yaml.safe_load((project_root / "parameters.yml").read_text(encoding="utf-8"))
    params["global"].update(min_n=1, min_count=1)
    path = tmp_path / "parameters.yml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"parameters.yml \(global\).*allow_small_cells"):
        load_parameters(path)
    params["global"]["allow_small_cells"] = True
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    assert load_parameters(path).globals["min_n"] == 1


def test_chapter_states_lowered_limits(generated_data):
    from conftest import open_test_chapter

    path = generated_data(300, 3)
    with pytest.raises(ParameterError, match="allow_small_cells"):
        open_test_chapter(path, min_n=10)
    ch = open_test_chapter(path, min_n=10, allow_small_cells=True)
    assert "min_n = 10" in ch.design.policy.notice()


def test_count_rule_keeps_the_n_of_a_large_group():
    """A share hidden only because few answered yes (the count rule) keeps its group's n, and
    so does its complement: the n is the same as in every other table by that group (another
    definition of training) and reveals nothing. A group hidden for its size hides its n, and
    no hidden n can be recovered from the total."""
    rng = np.random.default_rng(3)
    grp = np.repeat(["g1", "g2", "g3", "g4", "g5"], [300, 200, 120, 60, 20])
    df = pd.DataFrame({"grp": grp, "weight": np.exp(rng.normal(0, 0.2, len(grp)))})
    df["common"] = (rng.random(len(df)) < 0.5).astype(float)
    df["rare"] = (rng.random(len(df)) < 0.15).astype(float)
    df.loc[df.grp == "g4", "rare"] = 0.0
    df.loc[df.index[df.grp == "g4"][:2], "rare"] = 1.0  # 2 of 60: the count rule
    d = SurveyDesign(df, "weight", policy=SuppressionPolicy(min_n=30, min_count=5))
    # g5 (20 respondents) is hidden book-wide with the next smallest group (g4)
    common = d.proportion("common", by="grp", total=True).set_index("grp")
    rare = d.proportion("rare", by="grp", total=True).set_index("grp")
    for t in (common, rare):
        assert t.loc[["g4", "g5"], "n"].isna().all() and t.loc[["g4", "g5"], "suppressed"].all()
    # without the plan's hidden groups the count rule decides: g4's share is suppressed
    df2 = df[df.grp != "g5"]
    d2 = SurveyDesign(df2, "weight", policy=SuppressionPolicy(min_n=30, min_count=5))
    common = d2.proportion("common", by="grp", total=True).set_index("grp")
    rare = d2.proportion("rare", by="grp", total=True).set_index("grp")
    assert not common["suppressed"].any()
    hidden = rare.index[rare["suppressed"]]
    assert "g4" in hidden and len(hidden) >= 2, "the count rule and its complement"
    assert rare.loc[hidden, "estimate"].isna().all()
    # the n's are shown, and equal to the n's of the other table (the old rule hid them)
    assert rare["n"].notna().all()
    assert (rare["n"] == common["n"]).all()


def test_hidden_n_is_not_recoverable_when_count_rule_keeps_n():
    """A small group (n < min_n) and a count-rule row in one table: the small group's n and
    its complement's stay hidden, the count-rule row's n is shown, and the hidden n's cannot
    be solved from the total and the shown n's."""
    table = pd.DataFrame(
        {
            "grp": ["a", "b", "c", "d", "I alt"],
            "estimate": [0.4, 0.015, 0.3, 0.5, 0.3],
            "n": [400, 200, 100, 12, 712],
            "_pos": [160, 3, 30, 6, 199],
            "_neg": [240, 197, 70, 6, 513],
            "_total": [False, False, False, False, True],
        }
    )
    spec = DisclosureSpec(sides=("_pos", "_neg"), sets=(LinkedSet(),), total="_total")
    out = SuppressionPolicy(min_n=30, min_count=5).apply(table, spec).set_index("grp")
    hid = ["b", "c", "d"]  # b by the count rule, d for its size, c as d's complement
    assert out.loc[hid, "suppressed"].all() and out.loc[hid, "estimate"].isna().all()
    assert pd.isna(out.loc["d", "n"]), "a group of 12 shows its n"
    assert out.loc["b", "n"] == 200, "the count rule hides the share, not the group's n"
    n = out["n"].drop("I alt")
    hidden = n.isna().to_numpy()
    assert hidden.sum() >= 2, "a single hidden n is the total minus the shown ones"
    A = np.ones((1, len(n)))
    assert not determined(A, hidden).any()
    assert n.loc[~hidden].notna().all() and out.loc["I alt", "n"] == 712
