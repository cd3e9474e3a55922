"""A group hidden in every breakdown, published in another role (issue 23, point 5; site/
audit_roles): as a 0/1 indicator in a model (with or without its label in the term), as a
category of a distribution, or as the respondents of a variable missing outside the group.
Each route is planted on a page, found, and then published as the statistics layer publishes
it (hidden), found no more."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from site_pages import csv_link, write

from lederuddannelse.site.audit import audit

HIDDEN = "Ejendomshandel og udlejning"  # industry code 7 in the codebook


def breakdown() -> pd.DataFrame:
    """The share trained by industry with the small industry and its complement hidden, n
    included (the domain plan's tiny group)."""
    return pd.DataFrame(
        {
            "tekst": ["Bygge og anlæg", "Erhvervsservice", HIDDEN],
            "estimat": [0.4, np.nan, np.nan],
            "antal_svar": [500, np.nan, np.nan],
            "undertrykt": [False, True, True],
        }
    )


def role_findings(site) -> list:
    return [f for f in audit(site).findings if f.kind == "hidden group shown in another role"]


@pytest.mark.parametrize(
    "term",
    [
        f"industry[T.{HIDDEN}]",
        "industry[T.7]",
        "C(industry)[T.7]",
        "industry_7",
        "industry == 7",
    ],
)
def test_a_hidden_group_as_an_indicator_in_a_model(tmp_path, term):
    """The group's 0/1 indicator as a regressor: its coefficient (and with the intercept, the
    group's estimate) is the group's; the term names it by label or only by its code."""
    model = pd.DataFrame(
        {
            "term": ["Intercept", "industry[T.3]", term],  # 3: Bygge og anlæg, shown
            "estimate": [1.2, -0.1, 0.3],
            "undertrykt": [False, False, False],
        }
    )
    write(tmp_path, "hvem-alle", csv_link("b.csv", breakdown()), csv_link("m.csv", model))
    found = role_findings(tmp_path)
    assert [f.where.rsplit(" ", 1)[-1] for f in found] == ["m.csv"], found
    assert HIDDEN in found[0].detail
    safe = model.assign(estimate=[1.2, -0.1, None], undertrykt=[False, False, True])
    write(tmp_path, "hvem-alle", csv_link("b.csv", breakdown()), csv_link("m.csv", safe))
    assert not role_findings(tmp_path)


def test_a_hidden_group_as_a_category_of_a_distribution(tmp_path):
    """``distribution("industry")``: the hidden industry's share and count as a category."""
    dist = pd.DataFrame(
        {
            "kategori": ["Bygge og anlæg", "Erhvervsservice", HIDDEN],
            "estimat": [0.9, np.nan, 0.004],
            "antal_i_kategori": [500, np.nan, 3],
        }
    )
    write(tmp_path, "om-alle", csv_link("b.csv", breakdown()), csv_link("d.csv", dist))
    found = role_findings(tmp_path)
    assert found and all(f.where.endswith("d.csv") and HIDDEN in f.detail for f in found)
    safe = dist.assign(estimat=[0.9, None, None], antal_i_kategori=[500, None, None])
    write(tmp_path, "om-alle", csv_link("b.csv", breakdown()), csv_link("d.csv", safe))
    assert not role_findings(tmp_path)


def test_a_variable_missing_outside_a_hidden_group(tmp_path):
    """A variable asked only in one industry: its estimate is on exactly that industry's
    respondents, whose share the breakdown hides (n kept, as proportion_across keeps it)."""
    kept = pd.DataFrame(
        {
            "tekst": ["Bygge og anlæg", "Finansiering og forsikring", "Handel og transport mv."],
            "estimat": [np.nan, np.nan, 0.40],
            "antal_svar": [57, 63, 280],
            "undertrykt": [True, True, False],
        }
    )
    only = pd.DataFrame({"tekst": ["Tilfredshed med uddannelsen"], "estimat": [0.07]})
    for n, found in ((57, True), (58, False)):
        table = only.assign(antal_svar=[n])
        write(tmp_path, "lyst-alle", csv_link("b.csv", kept), csv_link("v.csv", table))
        hits = role_findings(tmp_path)
        assert bool(hits) is found, hits
        if found:
            assert "Bygge og anlæg" in hits[0].detail and hits[0].where.endswith("v.csv")
