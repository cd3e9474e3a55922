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
from lederuddannelse.chapters.udbredelse import compute
from lederuddannelse.params import DEFINITION_WORDS
from lederuddannelse.stats.disclosure import DisclosureSpec, SuppressionPolicy, protect_across


@pytest.fixture(scope="module")
def industry_tables(tmp_path_factory):
    from lederuddannelse.dev.adversarial import make_adversarial

    data = make_adversarial(tmp_path_factory.mktemp("adv") / "adversarial.parquet")
    return {
        d: compute(open_test_chapter(data, definition=d)).by_industry.set_index("industry")
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


def _site(folder, narrow_hidden_also_on_any: bool):
    """Three analysts' CSVs of the share trained by industry, on the udbredelse pages of the
    any, narrow and broad definitions: the narrow page hides one industry (the issue's route)."""
    rows = {
        "alle": [("Industri", 0.165823, 57), ("Handel", 0.30, 200), ("Transport", 0.25, 150)],
        "smal": [("Industri", None, 57), ("Handel", 0.10, 200), ("Transport", 0.12, 150)],
        "bred": [("Industri", 0.091285, 57), ("Handel", 0.20, 200), ("Transport", 0.13, 150)],
    }
    if narrow_hidden_also_on_any:
        rows["alle"][0] = ("Industri", None, 57)
    for group, table in rows.items():
        text = "branche,estimat,antal_svar\n" + "".join(
            f"{label},{'' if v is None else v},{n}\n" for label, v, n in table
        )
        downloads = folder / "downloads"
        downloads.mkdir(exist_ok=True)
        (downloads / f"udbredelse-{group}-tabel-1-uafrundet.csv").write_text(text, "utf-8")
    return folder


def test_the_audit_relates_the_definitions_pages(tmp_path):
    from lederuddannelse.site.audit import audit

    (tmp_path / "open").mkdir()
    (tmp_path / "safe").mkdir()
    report = audit(_site(tmp_path / "open", False))
    found = [f for f in report.findings if f.kind == "recoverable across pages"]
    assert len(found) == 1 and "Industri" in str(found[0]) and "udbredelse-smal" in str(found[0])
    assert "0.165823" in found[0].detail and "0.091285" in found[0].detail
    assert not audit(_site(tmp_path / "safe", True)).findings


@pytest.fixture(scope="module")
def among_trained_tables(tmp_path_factory):
    """The adversarial file's estimates among the trained, per definition: the payers
    (udbredelse) and the reasons (motiver), as the chapters compute them."""
    from lederuddannelse.chapters import motiver
    from lederuddannelse.dev.adversarial import make_adversarial

    data = make_adversarial(tmp_path_factory.mktemp("adv") / "adversarial.parquet")
    out = {}
    for d in DEFINITION_WORDS:
        ch = open_test_chapter(data, definition=d)
        out[d] = {
            "paid_by": compute(ch).paid_by.set_index("category"),
            "reasons": motiver.compute(ch).reasons.set_index("item"),
        }
    return out


@pytest.mark.parametrize("table", ["paid_by", "reasons"])
def test_estimates_among_the_trained_hide_the_same_rows_under_every_definition(
    among_trained_tables, table
):
    """The any-trained are the narrow- and broad-trained together: N_any p_any = N_narrow
    p_narrow + N_broad p_broad for every payer and reason, and each page shows N. On the
    adversarial file the narrow page hid a payer share and a reason share that followed from
    the two other pages (the site audit's R3); now a row hidden for one definition is hidden
    for all, so none follows."""
    tables = {d: t[table] for d, t in among_trained_tables.items()}
    hidden = {d: set(t.index[t["suppressed"].astype(bool)]) for d, t in tables.items()}
    assert hidden["narrow"], "the adversarial file must hide a row among the narrow-trained"
    assert hidden["any"] == hidden["narrow"] == hidden["broad"]
    shown = pd.DataFrame({d: t["estimate"].notna() for d, t in tables.items()})
    assert not (shown.sum(axis=1) == 2).any(), shown
    # the relation holds where all three are shown: the rows are exactly related
    full = shown.all(axis=1)
    a, n, b = (tables[d].loc[full[full].index] for d in ("any", "narrow", "broad"))
    np.testing.assert_allclose(
        a["N"] * a["estimate"], n["N"] * n["estimate"] + b["N"] * b["estimate"], rtol=1e-9
    )
