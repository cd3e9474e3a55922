"""Package functions behind the chapters udbredelse (F4, F11), motiver, ledertype and sektor.

Fast: no book build. Each test checks a chapter's numbers against an independent computation
with the statistics layer (or plain pandas), and that the page-building helpers cope with
suppressed cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import open_test_chapter
from lederuddannelse.analysis import compare as cmp
from lederuddannelse.analysis import specs
from lederuddannelse.chapters import hvem
from lederuddannelse.chapters import ledertype as managertype
from lederuddannelse.chapters import motiver as motives
from lederuddannelse.chapters import sektor as sector
from lederuddannelse.chapters import udbredelse as prevalence
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.report.fmt import SUPPRESSED, pct


@pytest.fixture(scope="module")
def data_file(generated_data):
    return generated_data(1500, 7)


@pytest.fixture(scope="module")
def ch(data_file):
    return open_test_chapter(data_file)


class GlueSpy:
    """Collects what a chapter function glues instead of displaying it."""

    def __init__(self, ch):
        self.ch, self.glued = ch, {}

    def __getattr__(self, name):
        return getattr(self.ch, name)

    def glue(self, name, obj):
        assert name not in self.glued, f"glued twice: {name}"
        self.glued[name] = obj


# ----------------------------------------------------------------------- compare helpers


def test_sector_code_follows_codebook_labels():
    labels = load_codebook().value_labels("sector")
    for word in ("offentlig", "privat"):
        code = sector.sector_code(word)
        assert labels[code].lower().startswith(word)
    with pytest.raises(ParameterError):
        sector.sector_code("kommunal")


def test_agreement_uses_the_two_top_codes_and_keeps_missing(ch):
    values = cmp.agreement(ch.data, "workplace_priority")
    raw = ch.data["workplace_priority"]
    expected = np.where(raw.isna(), np.nan, raw.isin([4, 5]).astype(float))
    np.testing.assert_array_equal(values, expected)


def test_restricted_sets_outside_domain_to_missing(ch):
    cols = cmp.restricted_columns(ch.data, ["reason_career"], cmp.trained_mask(ch), "trained")
    assert list(cols) == ["reason_career__trained"]
    values = pd.Series(cols["reason_career__trained"], index=ch.data.index)
    outside = ch.data[ch.trained] != 1
    assert values[outside].isna().all()
    inside = ~outside
    pd.testing.assert_series_equal(
        values[inside], ch.data.loc[inside, "reason_career"].astype(float), check_names=False
    )


def test_derived_design_shares_weights_and_leaves_the_original(ch):
    cols = cmp.restricted_columns(ch.data, ["reason_career"], cmp.trained_mask(ch), "trained")
    derived = ch.design.with_columns(cols)
    assert "reason_career__trained" not in ch.data.columns
    assert derived.w is ch.design.w and derived.variance is ch.design.variance
    # the share among the trained equals the one of the question's own routing restricted
    t = derived.proportion("reason_career__trained").iloc[0]
    assert t["n"] == int(
        (ch.data[ch.trained] == 1).sum()
        - ch.data.loc[ch.data[ch.trained] == 1, "reason_career"].isna().sum()
    )
    with pytest.raises(EstimationError, match="already exist"):
        ch.design.with_columns({"reason_career": cols["reason_career__trained"]})


def test_compare_matches_difference_and_proportion(ch):
    shares, tests = cmp.compare(ch.design, {"barrier_not_relevant": "x"}, "sector", 2, 1)
    d = ch.design.difference("barrier_not_relevant", "sector", 2, 1).iloc[0]
    assert tests.iloc[0]["estimate"] == pytest.approx(d["estimate"])
    assert tests.iloc[0]["p_value"] == pytest.approx(d["p_value"])
    p = ch.design.proportion("barrier_not_relevant", by="sector").set_index("sector")
    assert shares.iloc[0]["estimate"] == pytest.approx(p.loc[2, "estimate"])
    assert shares.iloc[1]["estimate"] == pytest.approx(p.loc[1, "estimate"])
    assert list(shares["group"]) == [load_codebook().value_labels("sector")[c] for c in (2, 1)]


def _tests(*rows, by="manager_type"):
    """A frame like compare()'s tests: (item, a, b, p) per row; group names from the codebook."""
    a, b = cmp.comparison_order(by)
    return pd.DataFrame(
        [
            {
                "item": item,
                "label": cmp.item_label(item),
                "estimate_a": ea,
                "estimate_b": eb,
                "estimate": ea - eb,
                "p_value": p,
                "suppressed": False,
                "group_a": cmp.group_label(by, a),
                "group_b": cmp.group_label(by, b),
            }
            for item, ea, eb, p in rows
        ]
    )


def test_describe_says_the_direction_only_where_the_test_supports_it():
    t = _tests(
        ("barrier_time", 0.35, 0.48, 0.001),
        ("barrier_competent", 0.28, 0.20, 0.001),
        ("barrier_no_difference", 0.20, 0.18, 0.4),
    )
    text = cmp.describe(t, "manager_type", 0.95)
    # the largest difference first, with its group and both shares
    assert text.startswith(
        "Ledere af medarbejdere svarer oftere end ledere af ledere, at de mangler"
    )
    assert "(48 pct. mod 35 pct., en forskel på 13 procentpoint)" in text
    assert "Omvendt svarer ledere af ledere oftere, at de allerede har kompetencerne" in text
    # not significant: no direction, both shares in the groups' order
    assert (
        "ingen statistisk signifikant forskel på, hvor ofte ledere af ledere og ledere af " in text
    )
    assert "(henholdsvis 20 pct. og 18 pct.)" in text
    assert "oftere, at uddannelsen ikke vil" not in text
    # one sentence per finding, no template: no colon, no item label as a heading
    assert ":" not in text and "Mangler tid" not in text
    # the same numbers under a looser level: all three differ
    assert "Alle tre forskelle er statistisk signifikante." in cmp.describe(t, "manager_type", 0.5)


def test_describe_puts_a_comma_before_a_second_at_clause():
    t = _tests(
        ("barrier_no_difference", 0.26, 0.16, 0.001),
        ("barrier_competent", 0.28, 0.20, 0.001),
    )
    text = cmp.describe(t, "manager_type", 0.95)
    assert "procentpoint), og at de allerede har kompetencerne" in text, text
    assert ") og at " not in text


def test_describe_without_significant_differences_and_with_hidden_items():
    t = _tests(("reason_career", 0.19, 0.08, 0.2), ("barrier_cost", 0.12, 0.12, 0.9), by="sector")
    text = cmp.describe(t, "sector", 0.95, among="Blandt lederne")
    assert text.startswith(
        "Der er ingen statistisk signifikant forskel på, hvor ofte ledere i den "
    )
    assert "oftere" not in text
    t.loc[1, "suppressed"] = True
    assert "for få svar" in cmp.describe(t, "sector", 0.95)
    assert cmp.describe_rest(t.iloc[:1], "grunde", 0.95) == (
        "For »karrieremuligheder« er forskellen ikke statistisk signifikant."
    )
    three = _tests(
        *[(i, 0.5, 0.5, 0.9) for i in ("reason_career", "reason_tools", "reason_develop")]
    )
    three.loc[2, "suppressed"] = True
    assert cmp.describe_rest(three, "grunde", 0.95, rest=False) == (
        "For »karrieremuligheder« og »konkrete værktøjer« i tabellen er forskellene ikke "
        "statistisk signifikante. For »udvikle mig som leder« er der for få svar til at "
        "sammenligne."
    )
    # no negation under »alle« (»For alle seks grunde … ikke«): »For ingen af de …«
    assert cmp.describe_rest(three.iloc[:2], "grunde", 0.95, rest=False) == (
        "For ingen af de to grunde er forskellen statistisk signifikant."
    )
    both = _tests(("reason_career", 0.19, 0.08, 0.001), ("reason_tools", 0.6, 0.6, 0.9))
    assert cmp.describe_rest(both, "grunde", 0.95, rest=False) == (
        "I tabellen er forskellen statistisk signifikant for »karrieremuligheder«, men ikke for "
        "»konkrete værktøjer«."
    )


# ----------------------------------------------------------------------- chapters


def test_prevalence_payment_and_industry(ch):
    res = prevalence.compute(ch)
    trained = ch.data[ch.trained] == 1
    w = ch.data["weight"]
    paid = ch.data["paid_by_workplace"]
    expected = (w * paid)[trained].sum() / w[trained].sum()
    assert res.paid_workplace.iloc[0]["estimate"] == pytest.approx(expected)
    shares = res.paid_by["estimate"]  # the plan's hidden categories (few book-wide) are NaN
    assert shares.sum() == pytest.approx(1.0) if shares.notna().all() else shares.sum() < 1
    unwilling = res.willing.set_index("key").loc["unwilling", "estimate"]
    assert unwilling == pytest.approx(ch.design.proportion("unwilling_to_pay").iloc[0]["estimate"])
    ind = res.by_industry
    assert len(ind) == len(load_codebook().value_labels("industry"))
    shown = ind[~ind["suppressed"]]
    assert list(shown["estimate"]) == sorted(shown["estimate"], reverse=True)
    spy = GlueSpy(ch)
    prevalence.glue_all(spy, res)
    assert spy.glued["udbredelse_industry_top"][0].islower()
    for name in ("udbredelse_paid_workplace", "udbredelse_unwilling", "udbredelse_willing"):
        assert "n = " in spy.glued[f"{name}_ci"]


def test_chapters_leave_the_data_as_loaded(data_file):
    """Derived domain columns live in derived designs, not in the chapter's data frame."""
    fresh = open_test_chapter(data_file)
    before = list(fresh.data.columns)
    snapshot = fresh.data.copy()
    prevalence.compute(fresh)
    motives.compute(fresh)
    managertype.compute(fresh)
    sector.compute(fresh, "privat")
    hvem.compute(fresh)
    assert list(fresh.data.columns) == before
    pd.testing.assert_frame_equal(fresh.data, snapshot)
    assert fresh.design.df is fresh.data


def test_motives_rank_and_sector_difference(ch):
    res = motives.compute(ch)
    assert list(res.reasons["rank"]) == list(range(1, len(specs.reason_items()) + 1))
    # shown reasons by share, a reason hidden (here or under another definition) last
    shown = res.reasons["estimate"].notna().to_numpy()
    assert res.reasons["estimate"].dropna().is_monotonic_decreasing
    assert list(shown) == sorted(shown, reverse=True)
    assert set(res.barriers["item"]) == set(specs.barrier_items())
    _, tests = res.comparisons["sector_reasons"]
    row = tests.set_index("item").loc[res.columns["reason_career"]]
    d = ch.design.difference("reason_career", "sector", 2, 1).iloc[0]  # any: domain = routing
    assert row["estimate"] == pytest.approx(d["estimate"])
    spy = GlueSpy(ch)
    motives.glue_all(spy, res)
    text = spy.glued["motiver_sector_reasons_text"]
    assert "karrieremuligheder som grund" in text and "statistisk signifikant" in text
    assert spy.glued["motiver_type_reasons_rest"].startswith(("For ingen af de seks", "I tabellen"))


def test_motives_reasons_follow_the_definition(data_file):
    narrow = open_test_chapter(data_file, definition="narrow")
    res = motives.compute(narrow)
    n_narrow = int((narrow.data["trained_narrow"] == 1).sum())
    assert res.reasons["n"].max() == n_narrow
    # the barriers were asked only of managers with neither training: the same under every
    # definition, and the page says so (the broad-trained are in neither group here)
    wide = motives.compute(open_test_chapter(data_file, definition="any"))
    assert res.barriers["n"].max() == wide.barriers["n"].max()
    assert res.barriers["n"].max() < len(narrow.data) - n_narrow
    spy = GlueSpy(narrow)
    motives.glue_all(spy, res)
    note = spy.glued["motiver_barrier_domain"]
    assert "ikke har taget nogen af uddannelserne" in note and "den brede definition" in note


def test_managertype_difference_is_managers_of_managers_minus_employees(ch):
    res = managertype.compute(ch)
    shares, tests = res.overview
    codes = list(load_codebook().value_labels("manager_type"))
    d = ch.design.difference(ch.trained, "manager_type", codes[1], codes[0]).iloc[0]
    row = tests.set_index("item").loc[ch.trained]
    assert row["estimate"] == pytest.approx(d["estimate"])
    spy = GlueSpy(ch)
    managertype.glue_all(spy, res)
    for part in managertype.PARTS:
        assert spy.glued[f"ledertype_{part}_text"].endswith(".")
    # the share trained is named in the text with both groups' shares
    a, b = (pct(tests.set_index("item").loc[ch.trained, e]) for e in ("estimate_a", "estimate_b"))
    assert f"taget uddannelsen ({a} mod {b}" in spy.glued["ledertype_workplace_text"]


@pytest.mark.parametrize("word", ["offentlig", "privat"])
def test_sector_page_numbers(ch, word):
    res = sector.compute(ch, word)
    code = sector.sector_code(word)
    t = ch.design.proportion("trained_any", by="sector").set_index("sector")
    assert res.trained.set_index("key").loc["any", "estimate"] == pytest.approx(
        t.loc[code, "estimate"]
    )
    _, tests = res.comparison
    # the site's one order on both pages: private minus public, whichever sector the page is about
    private, public = cmp.comparison_order("sector")
    assert (tests["a"] == private).all() and (tests["b"] == public).all()
    labels = load_codebook().value_labels("sector")
    assert labels[private].lower().startswith("privat")
    spy = GlueSpy(ch)
    sector.glue_all(spy, res)
    assert spy.glued["sektor_this"] == sector.definite(labels[code])
    assert spy.glued["sektor_this"].startswith("den ") and spy.glued["sektor_this"].endswith(
        "e sektor"
    )
    assert spy.glued["sektor_order"] == "privat sektor minus offentlig sektor"


def test_one_order_for_differences_on_every_page(ch):
    """A difference has the same sign wherever it is shown: the motives chapter and the
    manager-type chapter compare the manager types in the same order, and both tables name it."""
    motives_tests = motives.compute(ch).comparisons["type_barriers"][1].set_index("item")
    type_tests = managertype.compute(ch).barriers[1].set_index("item")
    both = motives_tests.index.intersection(type_tests.index)
    assert len(both) > 0
    for item in both:
        assert motives_tests.loc[item, "estimate"] == pytest.approx(
            type_tests.loc[item, "estimate"]
        )
    assert cmp.order_text("manager_type") == "ledere af ledere minus ledere af medarbejdere"


def test_chapters_survive_heavy_suppression(data_file):
    """With a threshold above most group sizes, every chapter still computes and glues."""
    strict = open_test_chapter(data_file, min_n=700)
    for mod in (prevalence, motives, managertype):
        spy = GlueSpy(strict)
        mod.glue_all(spy, mod.compute(strict))
        assert spy.glued
    spy = GlueSpy(strict)
    res = sector.compute(strict, "offentlig")
    sector.glue_all(spy, res)
    assert sector.comparison_chart(spy, *res.comparison) is not None
    assert SUPPRESSED in spy.glued.values()


def test_the_parameters_in_words_name_the_sector_beside_the_definition():
    """»… intet antal under 5 og offentlig sektor« read as if the sector were a limit."""
    from lederuddannelse.params import parameter_words

    text = parameter_words({"definition": "any", "min_count": 5, "sector": "offentlig"})
    assert text == "samlet definition og offentlig sektor; antal under 5 vises ikke", text
