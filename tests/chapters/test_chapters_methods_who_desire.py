"""Package functions behind the chapters om_undersoegelsen, hvem and lyst (no book build)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import open_test_chapter
from lederuddannelse.analysis import modelterms
from lederuddannelse.chapters import hvem as who
from lederuddannelse.chapters import lyst as desire
from lederuddannelse.chapters import om_undersoegelsen as methods


@pytest.fixture(scope="module")
def small(generated_data):
    return generated_data(1500, 7)


@pytest.fixture(scope="module")
def ch(small):
    return open_test_chapter(small)


# --- modelterms --------------------------------------------------------------------------------
def test_labels_come_from_the_codebook(ch):
    from lederuddannelse.data.codebook import load_codebook

    cb = load_codebook()
    m = ch.design.logistic("trained_any ~ C(gender) + C(sector) + interest_pwe")
    o = modelterms.odds_ratios(m).set_index("term")
    assert o.loc["gender[T.2]", "label"] == cb.value_labels("gender")[2]
    assert o.loc["gender[T.2]", "reference"] == cb.value_labels("gender")[1]
    assert o.loc["interest_pwe", "group"] == cb.label("interest_pwe")
    assert "Intercept" not in o.index


def test_profile_contrast_equals_single_coefficient(ch):
    """Two profiles differing in one dummy: the contrast is that coefficient's odds ratio."""
    m = ch.design.logistic("trained_any ~ C(gender) + C(sector)")
    c = modelterms.profile_contrast(m, {"gender": 2, "sector": 1}, {"gender": 1, "sector": 1})
    row = m.table.set_index("term").loc["gender[T.2]"]
    assert c["odds_ratio"] == pytest.approx(row["odds_ratio"])
    assert c["or_low"] == pytest.approx(row["or_low"])
    assert c["p_value"] == pytest.approx(row["p_value"])


def test_ordinal_at_least_matches_level_probabilities(ch):
    """P(Y >= 4) equals the sum of the predicted probabilities of levels 4 and 5."""
    m = ch.design.ordinal("desire ~ C(gender) + self_efficacy")
    prof = pd.DataFrame([{"gender": 2, "self_efficacy": 2}, {"gender": 1, "self_efficacy": 5}])
    hi = modelterms.ordinal_at_least(m, prof, 4)
    pred = m.predict(prof)
    for i in range(2):
        p = pred[(pred["profile"] == i) & pred["quantity"].isin(["4", "5"])]["estimate"].sum()
        assert hi["estimate"].iloc[i] == pytest.approx(p)
        assert hi["ci_low"].iloc[i] < p < hi["ci_high"].iloc[i]


# --- methods -------------------------------------------------------------------------------------
def test_methods_tables(ch):
    res = methods.compute(ch)
    assert len(res.questions) > 30 and "training" in set(res.questions["Variabel"])
    assert "weight" not in set(res.questions["Variabel"])
    bins = res.weight_bins
    shown = bins.loc[~bins["suppressed"], "share"].sum()
    assert shown <= 1 and shown > 1 - bins["suppressed"].sum() * 5 / len(ch.data)
    assert set(res.se_compare["key"]) == {"raking", "fixed", "unweighted"}
    # weighting reproduces the margins
    assert res.weighting.margins["weighted_diff_pp"].abs().max() < 1e-6
    assert res.calibration is not None and len(res.calibration) > 0
    # every level the data are calibrated to is listed, each assumed one marked so
    from lederuddannelse.data.targets import (
        KIND_LABELS,
        assumed_levels,
        load_targets,
        published_levels,
    )

    levels = assumed_levels()
    expected = len(load_targets()) + sum(len(levels[g]) for g in ("reasons", "barriers", "desire"))
    assert len(res.calibration) == expected
    kinds = res.calibration["Niveauets kilde"]
    assert (kinds == KIND_LABELS["assumed"].capitalize()).sum() == expected - len(
        published_levels()
    )
    assert (res.calibration["Opnået i den syntetiske population"] != "–").all()


def test_weight_histogram_suppresses_small_bins():
    """A bin with one respondent is hidden with a complement (all bins add up to n), and no
    bin edge is one respondent's weight (the edges are means of the 30 smallest/largest)."""
    from lederuddannelse.stats.disclosure import SuppressionPolicy

    w = np.r_[np.full(100, 1.0), np.full(100, 2.0), 50.0]  # one respondent far out
    h = methods.weight_histogram(w, SuppressionPolicy(), bins=5)
    assert h["suppressed"].iloc[-1] and np.isnan(h["share"].iloc[-1])
    assert h["respondents"].iloc[-1] is pd.NA
    assert h["suppressed"].sum() == 2, "one hidden bin would be n minus the shown bins"
    assert h.loc[~h["suppressed"], "respondents"].sum() in (100, 200)
    assert h["bin_end"].max() < 50 and h["bin_start"].min() == 1.0
    assert (h.loc[h["respondents"].notna(), "respondents"] != 1).all()


# --- who -----------------------------------------------------------------------------------------
def test_who_compute(ch):
    res = who.compute(ch)
    assert set(res.by_var) == set(who.BACKGROUND + who.WORKPLACE)
    assert res.odds is not None and {"interest_pwe", "has_time"} <= set(res.odds["term"])
    p = res.profiles.set_index("key")
    assert p.loc["archetype", "estimate"] > p.loc["contrast", "estimate"]
    assert len(res.traits) == 6


def test_who_names_a_variable_once_when_several_of_its_levels_are_strongest():
    """hvem-smal's three strongest odds ratios were three experience bands, written as if
    they were three factors; the F3 items, said before, are not among »de øvrige«."""
    rows = [
        ("experience", "Ledererfaring", "Mere end 25 år", "0–8 år", 2.9),
        ("experience", "Ledererfaring", "17–25 år", "0–8 år", 2.22),
        ("interest_pwe", "Interesse", "pr. trin", None, 9.0),
        ("experience", "Ledererfaring", "9–16 år", "0–8 år", 2.0),
        ("gender", "Køn", "Kvinde", "Mand", 1.2),
    ]
    odds = pd.DataFrame(
        [
            {
                "variable": v,
                "group": g,
                "label": lb,
                "reference": ref,
                "odds_ratio": o,
                "display": f"{g} {lb} frem for {ref}",
                "or_low": o - 0.1,
                "or_high": o + 0.1,
                "p_value": 0.001,
                "n": 100,
                "suppressed": False,
            }
            for v, g, lb, ref, o in rows
        ]
    )
    text = who.strongest_factors(odds, 0.95)
    assert text == (
        "ledererfaring (odds ratio 2,90, 2,22 og 2,00 for mere end 25 år, 17–25 år og 9–16 år "
        "frem for 0–8 år, alle statistisk signifikante)"
    ), text
    assert who.strongest_factors(odds.assign(p_value=0.5), 0.95) == ""


def test_who_share_matches_direct_weighted_mean(ch):
    res = who.compute(ch)
    t = res.by_var["sector"].set_index("sector")
    d = ch.data
    for code in t.index:
        sel = d["sector"] == code
        direct = np.average(d.loc[sel, "trained_any"], weights=d.loc[sel, "weight"])
        assert t.loc[code, "estimate"] == pytest.approx(direct)


def test_who_survives_heavy_suppression(small):
    c = open_test_chapter(small, min_n=400, definition="narrow")
    res = who.compute(c)
    assert res.profiles["suppressed"].any() or res.odds["suppressed"].any()


def test_who_page_says_why_when_the_model_cannot_be_fitted(ch, monkeypatch):
    """Under a definition where the model separates (e.g. narrow on a small file), the page
    still glues every key its prose and figures use, and says in Danish why the model is
    missing, without the analyst's English message or the separated group's name."""
    import jupytext

    from lederuddannelse.book.notebooks import prose_glue_refs
    from lederuddannelse.errors import EstimationError
    from lederuddannelse.paths import project_root
    from lederuddannelse.stats.design import SurveyDesign

    def separated(self, formula, *args, **kwargs):
        raise EstimationError(
            f"Separation in {formula!r}: every respondent in age_group = 4 has outcome 0.",
            reason="separation",
            variable="age_group",
            level=4,
            outcome=0,
        )

    monkeypatch.setattr(SurveyDesign, "logistic", separated)
    res = who.compute(ch)
    assert res.odds is None and isinstance(res.model, EstimationError)
    glued: dict[str, object] = {}

    class Spy:
        def __getattr__(self, name):
            return getattr(ch, name)

        def glue(self, name, obj):
            glued[name] = obj

        def download(self, *args, **kwargs):
            raise AssertionError("no model, no download of its numbers")

    spy = Spy()
    who.glue_all(spy, res)
    # the model's figures say why they are missing, in the figures' place
    notes = (who.odds_chart(spy, res.model), who.profile_chart(spy, res.profiles, res.model))
    for note in notes:
        assert "Modellen kan ikke estimeres" in note.data and "adskillelse" in note.data
    who.download_odds(spy, res.model)
    who.download_profiles(spy, res.model, res.profiles)
    assert who.odds_table(spy, res.model) is None
    page = jupytext.read(project_root() / "chapters" / "03_hvem.md")
    refs = set(prose_glue_refs(page))  # what the build checks before it renders
    assert refs <= set(glued), f"not glued: {refs - set(glued)}"
    basis = glued["hvem_model_basis"]
    assert "kan modellen dog ikke estimeres" in basis and "adskillelse" in basis
    for value in [*glued.values(), *notes]:
        shown = str(getattr(value, "data", value))
        assert "Separation" not in shown and "age_group" not in shown


def test_model_failure_reasons_are_danish():
    from lederuddannelse.errors import EstimationError

    texts = {
        r: modelterms.failure_text(EstimationError("x", reason=r))
        for r in ("separation", "no_convergence", "collinear", "empty", None)
    }
    assert len(set(texts.values())) == 5
    assert "adskillelse" in texts["separation"]
    assert all(t and t[0].islower() and not t.endswith(".") for t in texts.values())


# --- desire --------------------------------------------------------------------------------------
def test_desire_compute(ch):
    res = desire.compute(ch)
    assert res.distribution["estimate"].sum() == pytest.approx(1.0)
    assert res.attitude_or is not None and res.background_or is not None
    most, least = res.profiles["estimate"]
    assert most > least
    assert res.profiles["mean"].iloc[0] > res.profiles["mean"].iloc[1]


def test_desire_prose_uses_the_ledgers_deciding_models(ch):
    """F5-F7 are decided by each statement alone: the page's prose and its table show those
    odds ratios (the ledger's), the joint model beside them as the robustness check; the F12
    traits named only for the least-desire profile are shown against both references."""
    from lederuddannelse.analysis.findings import evaluate
    from lederuddannelse.report.fmt import odds_ratio

    res = desire.compute(ch)
    terms = [t for f in desire.SIMPLE for t in desire.ITEM_GROUPS[f]]
    alone = res.simple_or.loc[terms, "odds_ratio"].to_numpy()
    joint = res.attitude_or.set_index("term").loc[terms, "odds_ratio"].to_numpy()
    assert not np.allclose(alone, joint)
    f5 = evaluate(ch, ["F5"])["F5"]
    assert odds_ratio(res.simple_or.loc["self_efficacy", "odds_ratio"]) in f5.components[0].size
    frame = desire.simple_frame(ch, desire.simple_models(ch.design), res.attitude_model)
    assert len(frame) == len(terms) and {desire.ALONE, desire.JOINT} <= set(frame.columns)
    assert (
        frame[desire.ALONE]
        .iloc[0]
        .startswith(odds_ratio(res.simple_or.loc[terms[0], "odds_ratio"]))
    )
    text = desire.least_only_text(ch, res)
    assert "gennemsnittet af de øvrige uddannelsesgrupper" in text
    assert "Sammenlignet med grundskole eller gymnasial uddannelse alene" in text, text


def test_desire_items_in_words_follow_the_test(ch):
    """Items with more desire, with less, and without a significant association, each said as
    the test supports it, without a colon after the item (no template bullet)."""
    o = pd.DataFrame(
        {
            "odds_ratio": [0.8, 1.3, 1.1],
            "p_value": [0.001, 0.001, 0.5],
            "suppressed": [False, False, False],
        },
        index=["self_efficacy", "expect_wellbeing", "expect_sickness"],
    )
    text = desire.group_text(ch, list(o.index), o)
    # the statement the managers agreed with, not its label (»enige i »tro på egne evner««)
    assert text.startswith(
        "Jo mere enige lederne er i, at uddannelsen vil forbedre medarbejdernes trivsel (odds"
    ), text
    assert (
        "Omvendt har de mindre lyst, jo mere enige de er i, at de kan løse deres opgaver som "
        "leder (odds ratio" in text
    )
    assert "Enighed i, at uddannelsen vil mindske sygefraværet (odds ratio 1,10), hænger " in text
    assert "»" not in text
    assert ":" not in text
    assert "kan ikke estimeres" in desire.group_text(ch, list(o.index), None)


def test_profiles_in_words_not_colon_chains():
    from lederuddannelse.analysis.modelterms import profile_words

    text = profile_words(
        {
            "gender": "Kvinde",
            "age_group": "Under 40 år",
            "sector": "Offentlig sektor",
            "manager_type": "Ledere af ledere",
            "span_of_control": "29-100 medarbejdere",
        }
    )
    assert text == (
        "en kvinde under 40 år ansat i den offentlige sektor, leder af ledere og med et "
        "ledelsesspænd på 29-100 medarbejdere"
    )


def test_who_industry_note_says_the_assumed_levels_are_the_broad_definitions(small):
    """hvem-alle/-smal marked their industry shares as assumed, though only the broad
    definition's were (review item 31)."""
    for definition, extra in (("any", True), ("narrow", True), ("broad", False)):
        c = open_test_chapter(small, definition=definition)
        assert c.synthetic, "the note is about the synthetic data's assumed levels"
        note = who.industry_note(c)
        assert ("ikke selv antaget" in note) == (extra and c.synthetic), (definition, note)
