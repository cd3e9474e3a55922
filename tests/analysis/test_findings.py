"""The claims ledger: every finding has a computed status, and the statuses agree with an
independent computation (SurveyDesign and numpy directly, not findings.py) for F1a, F2, F8 and
F14, under the default parameters and the robustness variants."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from conftest import open_test_chapter
from lederuddannelse.analysis import findings
from lederuddannelse.chapters import holder
from lederuddannelse.data.derive import add_derived
from lederuddannelse.data.loader import load_survey
from lederuddannelse.data.targets import report_level
from lederuddannelse.data.weighting import load_margins, weight_survey
from lederuddannelse.stats.design import SurveyDesign

ALPHA = 0.05
STATUSES = set(holder.STATUS_TEXT.values())
IDS = [
    "F1a",
    "F1b",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "F7",
    "F8",
    "F9",
    "F10",
    "F11",
    "F12",
    "F13",
    "F14",
]


@pytest.fixture(scope="module")
def data_file(generated_data):
    return generated_data(2000, 11)


@pytest.fixture(scope="module")
def ch(data_file):
    return open_test_chapter(data_file)


@pytest.fixture(scope="module")
def ledger(ch):
    return holder.ledger(ch)[0].set_index("Fund")


# ---------------------------------------------------------------- independent computation
def _design(path, weighted: bool) -> tuple[SurveyDesign, pd.DataFrame]:
    """Load, derive and weight the file the way the book documents it, then build the design."""
    margins = load_margins()
    df, _ = weight_survey(add_derived(load_survey(path)), margins)
    return SurveyDesign(df, "weight", rake_margins=margins, weighted=weighted), df


def _among_trained(df: pd.DataFrame, var: str, definition: str) -> pd.DataFrame:
    col = np.where(df[f"trained_{definition}"] == 1, df[var], np.nan)
    return df.assign(_x=col)


def _positive(row) -> bool:
    return bool(row["estimate"] > 0 and row["p_value"] < ALPHA)


def expected(path, definition: str, weighted: bool) -> dict[str, bool]:
    design, df = _design(path, weighted)
    out = {}
    r = design.proportion("trained_any").iloc[0]
    out["F1a"] = bool(r["ci_low"] <= report_level("F1a") <= r["ci_high"])
    d2 = SurveyDesign(
        _among_trained(df, "after_2020", definition),
        "weight",
        rake_margins=design.rake_margins,
        weighted=weighted,
    )
    r = d2.proportion("_x").iloc[0]
    covers = bool(r["ci_low"] <= report_level("F2") <= r["ci_high"])
    # "størstedelen": the whole interval above one half; undecided when it contains one half
    majority = True if r["ci_low"] > 0.5 else (False if r["ci_high"] < 0.5 else None)
    out["F2"] = False if not covers or majority is False else majority
    out["F8"] = all(
        _positive(design.difference(v, "manager_type", 2, 1).iloc[0])
        for v in (f"trained_{definition}", "workplace_priority", "workplace_resources")
    )
    d14 = SurveyDesign(
        _among_trained(df, "reason_career", definition),
        "weight",
        rake_margins=design.rake_margins,
        weighted=weighted,
    )
    out["F14"] = _positive(d14.difference("_x", "sector", 2, 1).iloc[0])
    return out


# ---------------------------------------------------------------- tests
def test_every_finding_in_ledger_with_status(ledger):
    assert list(ledger.index) == IDS
    assert set(ledger["Standard"]) <= STATUSES
    for col in ledger.columns.drop(["Rapporten", "Denne udgave", "Kriterium"]):
        assert set(ledger[col]) <= STATUSES | {holder.NOT_APPLICABLE}, col
    assert ledger["Denne udgave"].str.len().gt(0).all()
    assert ledger["Kriterium"].str.startswith("Holder, hvis").all()


def test_ledger_has_robustness_columns(ledger):
    assert {"Smal definition", "Bred definition", "Uvægtet"} <= set(ledger.columns)
    # definition variants only where the finding depends on the definition
    dep = list(findings.DEFINITION_DEPENDENT)
    assert (ledger.loc[dep, "Smal definition"] != holder.NOT_APPLICABLE).all()
    assert (ledger.drop(index=dep)["Smal definition"] == holder.NOT_APPLICABLE).all()
    assert (ledger["Uvægtet"] != holder.NOT_APPLICABLE).all()


@pytest.mark.parametrize(
    "column,definition,weighted",
    [
        ("Standard", "any", True),
        ("Uvægtet", "any", False),
        ("Smal definition", "narrow", True),
        ("Bred definition", "broad", True),
    ],
)
def test_status_matches_independent_computation(ledger, data_file, column, definition, weighted):
    exp = expected(data_file, definition, weighted)
    for fid, holds in exp.items():
        got = ledger.loc[fid, column]
        if got == holder.NOT_APPLICABLE:  # F1a does not depend on the definition
            assert fid not in findings.DEFINITION_DEPENDENT
            continue
        assert got == holder.STATUS_TEXT[holds], (fid, column)


def test_unweighted_default_gets_weighted_variant(data_file):
    ch = open_test_chapter(data_file, weighted=False, definition="narrow")
    table, _ = holder.ledger(ch)
    assert {"Vægtet", "Samlet definition", "Bred definition"} <= set(table.columns)
    exp = expected(data_file, "narrow", False)
    for fid in ("F2", "F8", "F14"):
        assert table.set_index("Fund").loc[fid, "Standard"] == holder.STATUS_TEXT[exp[fid]]


def test_claim_that_fails_is_reported_as_failing(ch):
    """Nobody trained: F1a's CI cannot cover the report's level, so it must not hold."""
    df = ch.data.copy()
    df["training"] = 0
    df = add_derived(
        df.drop(columns=[c for c in ("training_year", "paid_by") if c in df]).assign(
            training_year=np.nan, paid_by=np.nan
        )
    )
    design = SurveyDesign(df, "weight", weighted=True)
    fake = dataclasses.replace(ch, data=df, design=design)
    assert findings.f1a(findings.Evidence(fake)).holds is False


def test_estimate_text_has_ci_and_n(ch):
    res = findings.evaluate(ch, ["F1a", "F2", "F14"])
    assert "KI" in res["F1a"].estimate and "n = " in res["F1a"].estimate
    assert "p " in res["F14"].estimate


def test_counts(ledger):
    c = holder.counts(ledger.reset_index())
    assert c["holds"] + c["fails"] + c["undecided"] == c["total"] == len(IDS)


def test_every_dash_in_the_definition_columns_has_its_reason():
    """A finding is either recomputed under the other definitions or listed with the reason
    its dash gives (issue 22's review: F9 and F13 were missing, the dashes unexplained)."""
    dependent, free = set(findings.DEFINITION_DEPENDENT), set(holder.DEFINITION_FREE)
    assert dependent | free == set(IDS) and not dependent & free
    text = holder.dash_text()
    assert all(fid in text for fid in free)


def test_an_undecided_finding_says_which_reason_applies():
    """»F2 kan ikke afgøres, fordi …«: the reason that applies, not a list of possible ones."""

    def finding(fid, estimate, size):
        part = findings.Component("Størstedelen", size, None)
        return findings.Finding(fid, "", estimate, None, "", components=[part])

    size = "52 pct. (95 %-KI: 50–54 pct., n = 2.552)"
    base = {
        "F2": finding("F2", size, size),
        "F4": finding("F4", holder.SUPPRESSED, holder.SUPPRESSED),
    }
    table = pd.DataFrame({"Fund": ["F2", "F4"], "Standard": [holder.STATUS_TEXT[None]] * 2})
    text = holder.result_text(table, base)
    assert "F2 kan ikke afgøres med disse data, fordi konfidensintervallet omfatter" in text
    assert f"Skønnet er {size} for F2" in text
    assert "F4 kan ikke afgøres med disse data, fordi et tal er undertrykt" in text
    assert "når en model" not in text
