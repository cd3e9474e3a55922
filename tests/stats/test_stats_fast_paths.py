"""The statistics layer's fast paths compute what the plain paths compute.

Speed-ups for the benchmark against ``svy`` (:mod:`lederuddannelse.dev.bench_svy`) take other
routes to the same numbers; each test here runs both routes on the same data and compares them,
so that a fast path that drifts fails here, not only in the (looser) comparison with R.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lederuddannelse.data.synthetic_design import generate_clustered_survey
from lederuddannelse.stats import models
from lederuddannelse.stats.design import SurveyDesign
from lederuddannelse.stats.disclosure import SuppressionPolicy


@pytest.fixture(scope="module")
def clustered():
    df = generate_clustered_survey(1200, 3)
    rng = np.random.default_rng(5)
    codes = np.unique(df["workplace"].to_numpy(), return_inverse=True)[1]
    factor = rng.poisson(1.0, size=(codes.max() + 1, 12)).astype(float)
    for r in range(12):
        df[f"bw{r + 1}"] = df["weight"].to_numpy() * factor[codes, r]
    return df


@pytest.mark.parametrize("formula", ["trained ~ strategy + sector", "desire ~ strategy + size"])
def test_stacked_replicate_refits_equal_one_by_one(clustered, formula, monkeypatch):
    """Batches of replicate fits stacked into one GLM (block-diagonal design matrix) give
    each replicate's own coefficients, hence the same SEs as one fit per replicate."""
    des = SurveyDesign(
        clustered, "weight", repweights="bw", rep_type="bootstrap",
        policy=SuppressionPolicy.none(),
    )  # fmt: skip
    fit = des.logistic if formula.startswith("trained") else des.linear
    stacked = fit(formula)
    monkeypatch.setattr(models, "STACK_FLOPS", 0.0)  # B = 1: one statsmodels fit per replicate
    single = fit(formula)
    assert stacked.table["se"].notna().all()
    np.testing.assert_allclose(stacked.vcov, single.vcov, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(stacked.coef, single.coef, rtol=0, atol=0)


def _designs(df):
    pol = SuppressionPolicy.none()
    lonely = df.assign(st=np.where(df["workplace"] == df["workplace"].iloc[0], "x", df["stratum"]))
    return {
        "simple": SurveyDesign(df, "weight", policy=pol),
        "clustered": SurveyDesign(
            df, "weight", strata="stratum", psu="workplace", fpc="fpc", policy=pol
        ),
        "lonely average": SurveyDesign(
            lonely, "weight", strata="st", psu="workplace", lonely_psu="average", policy=pol
        ),
        "bootstrap": SurveyDesign(df, "weight", repweights="bw", rep_type="bootstrap", policy=pol),
    }


@pytest.mark.parametrize("name", ["simple", "clustered", "lonely average", "bootstrap"])
@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("by", ["sector", "stratum"])
def test_one_domain_as_a_group_of_a_breakdown(clustered, name, binary, by):
    """An estimate on one domain (a variable NaN outside it: the one-domain path, by masks)
    equals the same domain's row of a breakdown: of a few groups (each by masks too) and of
    many (together, by bincounts; replicates by bincounts per replicate)."""
    from lederuddannelse.stats.domain import FEW_DOMAINS

    des = _designs(clustered)[name]
    levels = sorted(des.df[by].unique())
    assert (len(levels) <= FEW_DOMAINS) == (by == "sector")  # both paths are run
    var = "trained" if binary else "desire"
    in_a = (des.df[by] == levels[1]).to_numpy()
    y = des.df[var].to_numpy(dtype=float)
    one = des.with_columns({"y_a": np.where(in_a, y, np.nan)})
    est = one.proportion if binary else one.mean
    grouped = (des.proportion if binary else des.mean)(var, by=by)
    row = grouped[grouped[by] == levels[1]].iloc[0]
    alone = est("y_a").iloc[0]
    for col in ("estimate", "se", "df", "deff", "N", "ci_low", "ci_high"):
        assert alone[col] == pytest.approx(row[col], rel=1e-11, abs=1e-14), col
    assert alone["n"] == row["n"]


@pytest.mark.parametrize("name", ["simple", "clustered", "bootstrap"])
def test_what_a_variable_fixes_is_kept_not_changed(clustered, name):
    """The second estimate of a variable reuses what its values fix (rows, sizes, counts,
    replicate sizes, degf) and gives the first's numbers; a derived design's new column and
    a share of the same column do not pick up another variable's kept values."""
    des = _designs(clustered)[name]
    first = des.mean("desire")
    again = des.mean("desire")
    pd.testing.assert_frame_equal(first, again)
    share = des.proportion("trained")
    y = des.df["desire"].to_numpy(dtype=float)
    other = des.with_columns({"desire2": np.where(y > 2, y, np.nan)}).mean("desire2")
    assert other["n"].iloc[0] == int(np.sum(y > 2)) != first["n"].iloc[0]
    assert share["estimate"].iloc[0] != first["estimate"].iloc[0]
    assert des.mean("desire")["se"].iloc[0] == first["se"].iloc[0]


def test_tables_made_directly_equal_pandas_own_inference():
    """:func:`frame` (labels given afterwards) and :func:`text_column` (a column of strings
    made directly) give the frame ``pd.DataFrame`` makes of the same columns."""
    from lederuddannelse.stats.disclosure import frame, text_column

    cols = {
        "sector": np.array(["a", "b"], dtype=object),
        "variable": text_column(["desire"] * 2),
        "estimate": np.array([0.5, 0.25]),
        "n": pd.array([3, None], dtype="Int64"),
        "suppressed": np.array([False, True]),
    }
    plain = pd.DataFrame({**cols, "variable": np.full(2, "desire", dtype=object)})
    made = frame(dict(cols))
    pd.testing.assert_frame_equal(made, plain)
    assert list(made.dtypes) == list(plain.dtypes)
    made.columns.name = "x"  # a frame's labels are its own
    assert frame(dict(cols)).columns.name is None
    assert text_column([7, 7]).tolist() == [7, 7]
    terms = ["Intercept", "sector[T.b]"]
    pd.testing.assert_frame_equal(
        frame({"term": text_column(terms)}), pd.DataFrame({"term": np.array(terms, dtype=object)})
    )


@pytest.mark.parametrize("rows", [0, 1, 3])
def test_frame_by_blocks_as_pandas_makes_it(rows):
    """:func:`frame`'s blocks (floats, bools, ints; strings; extension arrays) make the
    frame ``pd.DataFrame`` makes; objects that are not strings are left to pandas; a frame
    made with ``copy=True`` does not share its arrays."""
    from lederuddannelse.stats.disclosure import frame

    rng = np.random.default_rng(rows)
    cols = {
        "g": np.array([f"x{i}" for i in range(rows)], dtype=object),
        "a": rng.random(rows),
        "k": np.arange(rows, dtype=np.int64),
        "b": rng.random(rows),
        "n": pd.array(list(range(rows)), dtype="Int64"),
        "s": np.zeros(rows, dtype=bool),
    }
    pd.testing.assert_frame_equal(frame(dict(cols)), pd.DataFrame(cols))
    mixed = dict(cols, g=np.array([i if i % 2 else str(i) for i in range(rows)], dtype=object))
    pd.testing.assert_frame_equal(frame(dict(mixed)), pd.DataFrame(mixed))
    own = frame(dict(cols), copy=True)
    if rows:
        cols["a"][0] = -1.0
        assert own["a"].iloc[0] != -1.0
    made = frame(dict(cols))
    made["a"] = 0.0  # a frame made by blocks behaves as any other
    assert (made["a"] == 0.0).all() and made.shape == (rows, 6)


@pytest.mark.parametrize("stages", [1, 2])
@pytest.mark.parametrize("nest", [False, True])
@pytest.mark.parametrize("psu_labels", ["text", "integers"])
def test_design_columns_coded_together_as_one_by_one(monkeypatch, stages, nest, psu_labels):
    """Strata and PSU columns long enough to be coded by two threads (the first PSU column in
    two parts, joined) get the codes that coding one column after the other gives (pandas'
    factorize: order of appearance), with PSUs first seen in either part, the same sizes and
    variance weights, and the same refusal of PSUs not nested in strata."""
    from lederuddannelse.errors import EstimationError
    from lederuddannelse.stats import structure

    n = structure.PARALLEL_ROWS + 1000
    rng = np.random.default_rng(11)
    unit = rng.integers(0, 4000, n)
    unit[:5], unit[-5:] = 4000 + np.arange(5), 4005 + np.arange(5)  # PSUs of one part only
    labels = np.array([f"s{h}" for h in range(7)])
    df = pd.DataFrame({"st": pd.Series(labels[unit % 7], dtype="str")})
    # nest=True: PSUs numbered within their stratum (labels shared across strata)
    psu_of_row = unit // 7 if nest else unit
    df["psu"] = (
        pd.Series([f"p{u}" for u in psu_of_row], dtype="str")
        if psu_labels == "text"
        else pd.Series(psu_of_row * 3 + 1)
    )
    df["ssu"], df["fpc1"], df["fpc2"] = np.arange(n) % 3, 900.0, 5.0
    psu = ["psu", "ssu"][:stages]
    fpc = ["fpc1", "fpc2"][:stages]

    def build():
        # a PSU of one row has one second-stage unit: centred at zero (R's "adjust")
        return structure.DesignStructure(
            df, strata="st", psu=psu, fpc=fpc, nest=nest, lonely_psu="adjust"
        )

    together = build()
    monkeypatch.setattr(structure, "PARALLEL_ROWS", n + 1)  # one column after the other
    alone = build()
    np.testing.assert_array_equal(together.stratum, pd.factorize(df["st"])[0])
    if not nest:
        np.testing.assert_array_equal(together.psu, pd.factorize(df["psu"])[0])
    assert together.n_psu == alone.n_psu > 3900  # the 4,010 PSUs, nested or numbered within
    for a, b in zip(
        [together.stratum, *together.stage_ids, *together.stage_strata, *together.n_h],
        [alone.stratum, *alone.stage_ids, *alone.stage_strata, *alone.n_h],
    ):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(together.stages, alone.stages):
        np.testing.assert_array_equal(a.weight, b.weight)
        np.testing.assert_array_equal(a.unit_stratum, b.unit_stratum)
        np.testing.assert_array_equal(a.centre, b.centre)
    if not nest:  # a PSU moved to another stratum is refused on both routes
        df.loc[5, "st"] = "s9"
        monkeypatch.setattr(structure, "PARALLEL_ROWS", 2)
        with pytest.raises(EstimationError, match="not nested in strata"):
            build()


def test_replicate_columns_read_alike_whatever_their_place(clustered):
    """Replicate weights are read as one slice of the frame when adjacent float columns (a
    view where one block holds them), else column by column: the same estimates either way,
    in the given order of the columns, whatever their place, order or type."""
    pol = SuppressionPolicy.none()
    cols = [f"bw{r + 1}" for r in range(12)]
    reps = clustered[cols]
    base = clustered.drop(columns=cols)
    frames = {
        "one block": pd.concat([base, pd.DataFrame(reps.to_numpy(), columns=cols)], axis=1),
        "a block each": clustered,
        "apart": pd.concat([reps.iloc[:, :6], base, reps.iloc[:, 6:]], axis=1),
        "reversed": pd.concat([base, reps[cols[::-1]]], axis=1),
        "whole numbers": pd.concat([base, reps.round()], axis=1),
        "integers": pd.concat([base, reps.round().astype(np.int64)], axis=1),
    }
    tables = {
        name: SurveyDesign(df, "weight", repweights=cols, rep_type="bootstrap", policy=pol).mean(
            "desire", by="sector"
        )
        for name, df in frames.items()
    }
    for name in ("a block each", "apart", "reversed"):
        pd.testing.assert_frame_equal(tables[name], tables["one block"], check_exact=True)
    pd.testing.assert_frame_equal(tables["integers"], tables["whole numbers"], check_exact=True)
    # (and rounding the weights changes the SEs: the routes read the replicate values)
    assert not np.allclose(tables["whole numbers"]["se"], tables["one block"]["se"])


@pytest.mark.parametrize("case", ["few values", "sorted", "a value first seen late", "many"])
def test_text_design_columns_coded_as_factorize(case):
    """A text design column gets pandas' factorize codes (order of appearance) whichever route
    it takes: looked up among the few values of its first rows, or coded (many values; a
    sorted column; a value that the first rows and the rows spread over it lack)."""
    from lederuddannelse.stats import structure

    n = 8 * structure.HEAD_ROWS + 123
    rng = np.random.default_rng(2)
    values = {
        "few values": rng.integers(0, 9, n),
        "sorted": np.sort(rng.integers(0, 9, n)),
        "a value first seen late": np.where(np.arange(n) == n - 7, 99, rng.integers(0, 9, n)),
        "many": rng.integers(0, 5000, n),
    }[case]
    col = pd.Series([f"v{v}" for v in values], dtype="str")
    np.testing.assert_array_equal(structure._codes(col), pd.factorize(col)[0])


@pytest.mark.parametrize("estimate", ["proportion", "mean"])
def test_replicate_breakdowns_alike_by_sparse_product_and_by_two_threads(
    clustered, monkeypatch, estimate
):
    """A breakdown of more than a few domains under replicate weights: one sparse product
    (small samples) or per-replicate bincounts split over two threads (large ones, an odd
    number of replicates here), the same estimates and SEs."""
    from lederuddannelse.stats import replicate

    cols = [f"bw{r + 1}" for r in range(11)]

    def table():
        des = SurveyDesign(
            clustered, "weight", repweights=cols, rep_type="bootstrap",
            policy=SuppressionPolicy.none(),
        )  # fmt: skip
        return getattr(des, estimate)("trained" if estimate == "proportion" else "desire",
                                      by="stratum")  # fmt: skip

    sparse = table()
    monkeypatch.setattr(replicate, "SPARSE_ROWS", 0)
    threads = table()
    assert len(sparse) == 8
    for c in ("estimate", "se", "n"):
        np.testing.assert_allclose(threads[c], sparse[c], rtol=1e-12, err_msg=c)


def test_beside_runs_a_job_in_a_second_thread_and_raises_either_error():
    import threading

    from lederuddannelse.stats.parallel import beside

    here = threading.get_ident()
    there, mine = beside(threading.get_ident, lambda: threading.get_ident())
    assert mine == here != there
    assert beside(lambda: "a", lambda: "b") == ("a", "b")
    with pytest.raises(ZeroDivisionError):
        beside(lambda: 1 / 0, lambda: "b")
    with pytest.raises(KeyError):
        beside(lambda: "a", lambda: {}["x"])
