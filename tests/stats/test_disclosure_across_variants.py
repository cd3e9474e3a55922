"""Disclosure across the pages of one chapter's variants (issue 25, point 1).

The udbredelse pages publish the share trained by industry under the any, narrow and broad
definitions. Training codes are disjoint, so in every industry any = narrow + broad exactly:
a share hidden on one page is the difference of the other two pages' shares. On the project's
adversarial file the narrow page hid two industries whose any and broad shares were shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import open_test_chapter
from lederuddannelse.chapters.udbredelse import compute_industry
from lederuddannelse.params import DEFINITION_WORDS
from lederuddannelse.stats.disclosure import DisclosureSpec, SuppressionPolicy, protect_across


@pytest.fixture(scope="module")
def industry_tables(tmp_path_factory):
    from lederuddannelse.dev.adversarial import make_adversarial

    data = make_adversarial(tmp_path_factory.mktemp("adv") / "adversarial.parquet")
    return {
        d: compute_industry(open_test_chapter(data, definition=d)).set_index("industry")
        for d in DEFINITION_WORDS
    }


def test_no_industry_share_recoverable_from_the_other_definitions(industry_tables):
    shown = pd.DataFrame(
        {
            d: t["estimate"].notna() & ~t["suppressed"].astype(bool)
            for d, t in industry_tables.items()
        }
    )
    hidden_somewhere = ~shown.all(axis=1)
    assert hidden_somewhere.any(), "the adversarial file must hide an industry share"
    # any = narrow + broad: a hidden share is recoverable when the two others are shown
    recoverable = shown.sum(axis=1) == 2
    assert not recoverable.any(), shown[recoverable]
    # the same industries are hidden on every page, with the same n shown (count rule: the
    # n of a large industry stays; only the domain plan's tiny industries hide theirs)
    ns = [t["n"].reindex(shown.index) for t in industry_tables.values()]
    for t, n in zip(industry_tables.values(), ns):
        assert set(t.index[t["suppressed"].astype(bool)]) == set(shown.index[hidden_somewhere])
        pd.testing.assert_series_equal(n, ns[0])
    assert (ns[0].notna() & hidden_somewhere).any()


def test_protect_across_suppresses_with_complements():
    table = pd.DataFrame(
        {
            "g": ["a", "b", "c", "d"],
            "estimate": [0.1, 0.2, 0.3, 0.4],
            "n": [100, 100, 100, 100],
            "_pos": [10, 20, 30, 40],
            "_neg": [90, 80, 70, 60],
        }
    )
    small = table.assign(_pos=[2, 20, 30, 40], _neg=[98, 80, 70, 60])
    spec = DisclosureSpec(sides=("_pos", "_neg"))
    out = protect_across({"x": (small, spec), "y": (table, spec)}, "g", SuppressionPolicy())
    assert list(out["x"]["suppressed"]) == list(out["y"]["suppressed"]) == [1, 0, 0, 0]
    assert np.isnan(out["y"]["estimate"].iloc[0]) and out["y"]["n"].iloc[0] == 100
