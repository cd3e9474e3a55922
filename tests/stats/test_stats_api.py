"""Behaviour of the statistics layer that R cannot check: shapes, ranking, options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lederuddannelse.stats.design import SurveyDesign
from lederuddannelse.stats.disclosure import SuppressionPolicy

FIX = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    d = pd.read_csv(FIX / "stats_data.csv")
    d["weight"] = pd.read_csv(FIX / "r_weights.csv")["weight"]
    return d


def test_unweighted_is_plain_mean(df):
    d = SurveyDesign(df, "weight", weighted=False, policy=SuppressionPolicy.none())
    r = d.mean("x").iloc[0]
    assert r["estimate"] == pytest.approx(df["x"].mean(), abs=1e-12)
    assert r["se"] == pytest.approx(df["x"].std(ddof=1) / np.sqrt(len(df)), rel=1e-10)
    assert r["N"] == len(df)


def test_domain_keeps_full_sample_and_nan_groups_excluded(df):
    d = SurveyDesign(df, "weight", policy=SuppressionPolicy.none())
    t = d.proportion("career", by="sector")
    assert t["n"].sum() == df["career"].notna().sum()
    df2 = df.assign(sector=df["sector"].where(df.index % 10 != 0))
    t2 = SurveyDesign(df2, "weight", policy=SuppressionPolicy.none()).proportion(
        "trained", by="sector"
    )
    assert t2["n"].sum() == df2["sector"].notna().sum()


def test_multi_response_ranked(df):
    d = SurveyDesign(df, "weight")
    t = d.multi_response(["trained", "career"], by="sector", labels={"trained": "Uddannet"})
    for _, g in t.groupby("sector"):
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        assert g["estimate"].is_monotonic_decreasing
    assert "Uddannet" in set(t["label"])


def test_conf_level_everywhere(df):
    wide = SurveyDesign(df, "weight", conf_level=0.99, policy=SuppressionPolicy.none())
    narrow = SurveyDesign(df, "weight", conf_level=0.90, policy=SuppressionPolicy.none())
    for f in (
        lambda d: d.proportion("trained"),
        lambda d: d.mean("x"),
        lambda d: d.difference("trained", "role", "mm", "me"),
        lambda d: d.logistic("trained ~ x").table.iloc[[1]],
        lambda d: d.ordinal("desire ~ x").table.iloc[[0]],
    ):
        a, b = f(wide).iloc[0], f(narrow).iloc[0]
        assert a["ci_high"] - a["ci_low"] > b["ci_high"] - b["ci_low"]


def test_ordinal_predictions_consistent(df):
    d = SurveyDesign(df, "weight")
    fit = d.ordinal("desire ~ sector + role + x")
    prof = pd.DataFrame({"sector": ["public", "private"], "role": ["mm", "me"], "x": [12.0, 6.0]})
    p = fit.predict(prof)
    for i, g in p.groupby("profile"):
        probs = g[g["quantity"] != "mean"]
        assert probs["estimate"].sum() == pytest.approx(1.0, abs=1e-12)
        mean = (probs["quantity"].astype(int) * probs["estimate"]).sum()
        assert g.loc[g["quantity"] == "mean", "estimate"].iloc[0] == pytest.approx(mean, abs=1e-12)
        assert (probs["ci_low"] <= probs["estimate"]).all() and (
            probs["estimate"] <= probs["ci_high"]
        ).all()
    # positive coefficient <=> higher predicted mean
    assert fit.table.set_index("term").loc["x", "estimate"] > 0


def test_logistic_predict_matches_table(df):
    d = SurveyDesign(df, "weight")
    fit = d.logistic("trained ~ sector + x")
    p = fit.predict(pd.DataFrame({"sector": ["private"], "x": [0.0]})).iloc[0]
    b0 = fit.table.set_index("term").loc["Intercept"]
    assert p["estimate"] == pytest.approx(1 / (1 + np.exp(-b0["estimate"])), abs=1e-12)
    assert p["ci_low"] == pytest.approx(1 / (1 + np.exp(-b0["ci_low"])), abs=1e-12)
    assert {"odds_ratio", "or_low", "or_high", "p_value"} <= set(fit.table.columns)


def test_raking_aware_se_smaller_for_raking_variable_correlate(df):
    """Raking removes variance explained by the margins: a share strongly tied to a margin
    (sector) has a smaller SE with the raking-aware design than with fixed weights."""
    m = pd.read_csv(FIX / "stats_margins.csv")
    margins = {v: g.set_index("category")["total"].astype(float) for v, g in m.groupby("variable")}
    df2 = df.assign(pub=(df["sector"] == "public").astype(float))
    raked = SurveyDesign(df2, "weight", rake_margins=margins).proportion("pub").iloc[0]
    fixed = SurveyDesign(df2, "weight").proportion("pub").iloc[0]
    assert raked["se"] < 1e-6 < fixed["se"]


def test_stats_modules_stay_small_and_models_never_import_the_design():
    """Issue 23: no module of stats/ over 700 lines; the fits get a DesignData bundle."""
    import ast
    from pathlib import Path

    import lederuddannelse.stats as pkg

    folder = Path(pkg.__file__).parent
    for path in folder.glob("*.py"):
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 700, f"{path.name} has {lines} lines"
    for name in ("models.py", "ordinal.py", "results.py", "association.py", "bundle.py"):
        tree = ast.parse((folder / name).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert "lederuddannelse.stats.design" not in imported, name


def test_design_sentence_for_the_notice():
    df = pd.DataFrame(
        {"st": ["a"] * 4 + ["b"] * 4, "psu": list("ppqqrrss"), "w": 2.0, "y": [0, 1] * 4}
    )
    text = SurveyDesign(df, "w", strata="st", psu="psu").describe_design()
    assert text.startswith("Usikkerheden er beregnet for stikprøvens design: 2 strata (st)")
    assert "4 klynger (psu)" in text and "2 frihedsgrader" in text
    simple = SurveyDesign(df, "w").describe_design()
    assert "simpel vægtet stikprøve" in simple and "7 frihedsgrader" in simple


def test_design_looking_columns_without_a_design_are_named_on_the_page():
    df = pd.DataFrame({"stratum": ["a"] * 4 + ["b"] * 4, "w": 2.0, "y": [0, 1] * 4})
    text = SurveyDesign(df, "w").describe_design()
    assert "ligner et stikprøvedesign (stratum)" in text and "usikkerhed forkert" in text
    assert "ligner" not in SurveyDesign(df, "w", strata="stratum").describe_design()
