"""The synthetic survey: determinism, calibration to the published figures, structure.

Calibration is checked in the population (targets within 0.5 percentage points) and in the
sample (weighted estimates' 95 % CIs cover the targets; unweighted estimates are visibly
biased). The directions of the other findings hold in the population by construction and are
recovered from the sample by plain weighted models (a smoke test; the statistics layer does
the real estimation).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from lederuddannelse.data.codebook import Condition, load_codebook
from lederuddannelse.data.derive import add_derived
from lederuddannelse.data.files import is_synthetic, read_metadata
from lederuddannelse.data.synthetic import (
    DEFAULT_N,
    DEFAULT_SEED,
    POPULATION_SIZE,
    draw_sample,
    generate_population,
    generate_to_file,
    population_size_for,
)
from lederuddannelse.data.targets import load_targets
from lederuddannelse.data.weighting import load_margins, weight_survey

TARGETS = load_targets()


@pytest.fixture(scope="module")
def population():
    return add_derived(generate_population(DEFAULT_SEED))


@pytest.fixture(scope="module")
def sample(population):
    raw = draw_sample(population[load_codebook().variables[:-1]], DEFAULT_N, DEFAULT_SEED)
    weighted, _ = weight_survey(raw)
    return add_derived(weighted)


def domain(df: pd.DataFrame, text: str) -> np.ndarray:
    return np.ones(len(df), bool) if text == "all" else Condition.parse(text).mask(df).to_numpy()


def share(df, indicator, dom, weights=None):
    y = df[indicator].to_numpy(dtype=float)
    keep = dom & ~np.isnan(y)
    w = np.ones(len(df)) if weights is None else np.asarray(weights, dtype=float)
    return float(np.sum(w[keep] * y[keep]) / np.sum(w[keep]))


def linearised_ci(df, indicator, dom, weights, z=1.959964):
    """Weighted share and its 95 % CI, Taylor linearisation with fixed weights (svymean's
    recipe, see survey-statistics.md; conservative here: it ignores raking and the FPC)."""
    y = np.nan_to_num(df[indicator].to_numpy(dtype=float))
    d = (dom & df[indicator].notna().to_numpy()).astype(float)
    w = np.asarray(weights, dtype=float) * d
    p = np.sum(w * y) / np.sum(w)
    zi = w * (y - p) / np.sum(w)
    n = len(df)
    se = np.sqrt(n / (n - 1) * np.sum((zi - zi.mean()) ** 2))
    return p, p - z * se, p + z * se


# --- determinism ---------------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["parquet", "csv"])
def test_same_seed_same_bytes_other_seed_differs(tmp_path, ext):
    a = generate_to_file(400, 5, tmp_path / f"a.{ext}")
    b = generate_to_file(400, 5, tmp_path / f"b.{ext}")
    c = generate_to_file(400, 6, tmp_path / f"c.{ext}")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    if ext == "csv":
        assert (tmp_path / "a.csv.meta.json").read_bytes() == (
            tmp_path / "b.csv.meta.json"
        ).read_bytes()


def test_files_say_they_are_synthetic_and_carry_the_margins(tmp_path):
    for ext in ("parquet", "csv"):
        path = generate_to_file(300, 3, tmp_path / f"s.{ext}")
        assert is_synthetic(path)
        meta = read_metadata(path)
        assert meta["synthetic"] is True and "Syntetiske data" in meta["notice"]
        assert meta["seed"] == 3 and meta["n"] == 300
        for var, target in load_margins().items():
            assert {int(k): v for k, v in meta["margins"][var].items()} == target.astype(
                int
            ).to_dict()
    import pyarrow.parquet as pq

    assert pq.read_schema(tmp_path / "s.parquet").metadata[b"synthetic"] == b"true"
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,2\n")
    assert not is_synthetic(plain)


def test_cli_generate_and_validate(tmp_path):
    out = tmp_path / "cli.parquet"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "lederuddannelse",
            "data",
            "generate",
            "--n",
            "300",
            "--seed",
            "9",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == generate_to_file(300, 9, tmp_path / "api.parquet").read_bytes()
    ok = subprocess.run(
        [sys.executable, "-m", "lederuddannelse", "data", "validate", str(out)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and ok.stdout.startswith("OK: ") and "300 respondents" in ok.stdout


def test_bad_output_extension_is_a_user_error(tmp_path):
    from lederuddannelse.errors import ParameterError

    with pytest.raises(ParameterError, match=r"\.csv or \.parquet"):
        generate_to_file(100, 1, tmp_path / "x.xlsx")


def test_ensure_embedded_data_regenerates_only_when_stale(tmp_path, monkeypatch):
    import shutil

    from lederuddannelse import paths
    from lederuddannelse.data import synthetic

    root = tmp_path / "proj"
    (root / "chapters").mkdir(parents=True)
    (root / "_config.yml").write_text("title: t\n")
    shutil.copytree(paths.data_dir(), root / "data", ignore=shutil.ignore_patterns("generated"))
    monkeypatch.setenv("LEDERUDDANNELSE_ROOT", str(root))
    monkeypatch.setattr(synthetic, "DEFAULT_N", 300)
    first = synthetic.ensure_embedded_data()
    assert first.startswith("generated") and "missing" in first
    path = root / paths.EMBEDDED_DATA_PATH
    assert path.is_file() and is_synthetic(path)
    assert "up to date" in synthetic.ensure_embedded_data()
    with open(root / "data" / "targets.yml", "a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    assert "inputs changed" in synthetic.ensure_embedded_data()


# --- the population --------------------------------------------------------------------------
def test_population_margins_are_exact(population):
    assert len(population) == POPULATION_SIZE
    for var, target in load_margins().items():
        counts = population[var].value_counts().sort_index()
        assert counts.astype(float).to_dict() == target.to_dict(), var


@pytest.mark.parametrize("tid", list(TARGETS))
def test_population_hits_calibration_targets(population, tid):
    t = TARGETS[tid]
    got = share(population, t.indicator, domain(population, t.domain))
    assert abs(got - t.share) < 0.005, f"{tid}: population {got:.4f}, target {t['share']}"


def test_routing_in_population(population):
    trained = population["training"].isin([1, 2])
    assert population.loc[~trained, "reason_career"].isna().all()
    assert population.loc[trained, "reason_career"].notna().all()
    assert population.loc[trained, "barrier_time"].isna().all()
    assert population.loc[~trained, "barrier_time"].notna().all()


def test_large_n_enlarges_the_population():
    assert population_size_for(DEFAULT_N) == POPULATION_SIZE
    assert population_size_for(600_000) == 2_400_000
    pop = generate_population(1, size=20_000)
    assert len(pop) == 20_000
    shares = pop["gender"].value_counts(normalize=True)
    assert abs(shares[2] - 0.288) < 1e-4


# --- the sample ------------------------------------------------------------------------------
@pytest.mark.parametrize("tid", list(TARGETS))
def test_weighted_sample_ci_covers_target(sample, tid):
    t = TARGETS[tid]
    p, lo, hi = linearised_ci(sample, t.indicator, domain(sample, t.domain), sample["weight"])
    assert lo <= t.share <= hi, f"{tid}: weighted {p:.4f} [{lo:.4f}, {hi:.4f}], target {t['share']}"


def test_unweighted_estimates_are_visibly_biased(sample):
    """Differential response (women, public sector, large organisations) inflates training."""
    for tid in ("F1a", "F1b_narrow", "F1b_broad"):
        t = TARGETS[tid]
        dom = domain(sample, t.domain)
        raw = share(sample, t.indicator, dom)
        p, lo, hi = linearised_ci(sample, t.indicator, dom, sample["weight"])
        assert raw > hi, f"{tid}: unweighted {raw:.4f} inside the weighted CI [{lo:.4f}, {hi:.4f}]"
    assert share(sample, "trained_any", domain(sample, "all")) - TARGETS["F1a"].share > 0.04
    assert (sample["sector"] == 1).mean() > 0.25  # 18.5 % in the population


# --- directions of the other findings ----------------------------------------------------------
def wmean(df, col, mask, w):
    y = df[col].to_numpy(dtype=float)
    keep = np.asarray(mask) & ~np.isnan(y)
    return float(np.average(y[keep], weights=np.asarray(w)[keep]))


def directions(df: pd.DataFrame, w) -> dict[str, bool]:
    """Each finding's direction as a yes/no, computed with weights ``w``."""
    trained = df["training"].isin([1, 2]).to_numpy()
    untrained = ~trained
    mom = (df["manager_type"] == 2).to_numpy()
    moe = ~mom
    public = (df["sector"] == 1).to_numpy()
    private = ~public
    reasons = load_codebook().item_set("reasons")
    ranked = sorted(reasons, key=lambda r: -wmean(df, r, trained, w))
    t = lambda col, m: wmean(df, col, m, w)  # noqa: E731
    return {
        "F3 develop and tools are the top reasons": set(ranked[:2])
        == {"reason_develop", "reason_tools"},
        "F8 managers of managers trained more": t("trained_any", mom) > t("trained_any", moe),
        "F8 ... say the workplace prioritises the PWE": t("workplace_priority", mom)
        > t("workplace_priority", moe),
        "F8 ... and sets money and time aside": t("workplace_resources", mom)
        > t("workplace_resources", moe),
        "F9 time is the main barrier of managers of employees": t("barrier_time", untrained & moe)
        > max(t("barrier_competent", untrained & moe), t("barrier_no_difference", untrained & moe)),
        "F9 managers of employees find it more relevant": t("relevance", moe) > t("relevance", mom),
        "F9 ... and more useful for well-being": t("expect_wellbeing", moe)
        > t("expect_wellbeing", mom),
        "F10 trained more often women": t("gender", trained) > t("gender", untrained),
        "F10 trained more often public": t("sector", trained) < t("sector", untrained),
        "F10 trained in larger organisations": t("org_size", trained) > t("org_size", untrained),
        "F10 trained more experienced": t("experience", trained) > t("experience", untrained),
        "F10 trained with larger span of control": t("span_of_control", trained)
        > t("span_of_control", untrained),
        "F13 private untrained: not relevant": t("barrier_not_relevant", untrained & private)
        > t("barrier_not_relevant", untrained & public),
        "F13 private untrained: no positive difference": t(
            "barrier_no_difference", untrained & private
        )
        > t("barrier_no_difference", untrained & public),
        "F14 private trained: career": t("reason_career", trained & private)
        > t("reason_career", trained & public),
    }


def test_directions_hold_in_population(population):
    res = directions(population, np.ones(len(population)))
    assert all(res.values()), [k for k, v in res.items() if not v]


def test_directions_hold_in_weighted_sample(sample):
    res = directions(sample, sample["weight"])
    assert all(res.values()), [k for k, v in res.items() if not v]


def _design(df: pd.DataFrame) -> pd.DataFrame:
    x = pd.DataFrame(index=df.index)
    for col in [
        "self_efficacy",
        "expect_wellbeing",
        "expect_sickness",
        "conflicts",
        "stressed_employees",
        "employees_resources",
        "employees_thriving",
        "workplace_strategy",
        "workplace_tools",
        "interest_pwe",
        "has_time",
    ]:
        x[col] = df[col].astype(float)
    x["female"] = (df["gender"] == 2).astype(float)
    x["public"] = (df["sector"] == 1).astype(float)
    x["manager_of_managers"] = (df["manager_type"] == 2).astype(float)
    x["age_under_40"] = (df["age_group"] == 1).astype(float)
    x["age_60_plus"] = (df["age_group"] == 4).astype(float)
    x["span_1_10"] = (df["span_of_control"] == 1).astype(float)
    x["span_29_100"] = (df["span_of_control"] == 3).astype(float)
    x["exp_0_8"] = (df["experience"] == 1).astype(float)
    x["exp_over_25"] = (df["experience"] == 4).astype(float)
    x["long_higher_education"] = (df["education"] == 5).astype(float)
    x["org_1_9"] = (df["org_size"] == 1).astype(float)
    x["org_250_plus"] = (df["org_size"] == 4).astype(float)
    x["const"] = 1.0
    return x


def test_desire_model_recovers_f3_f5_f6_f7_f12(sample):
    """A plain weighted linear model of desire finds the signs the generator built in."""
    import statsmodels.api as sm

    x = _design(sample)
    fit = sm.WLS(sample["desire"].astype(float), x, weights=sample["weight"]).fit(cov_type="HC0")
    expected = {
        "interest_pwe": +1,
        "has_time": +1,  # F3
        "self_efficacy": -1,
        "expect_wellbeing": +1,
        "expect_sickness": +1,  # F5
        "conflicts": +1,
        "stressed_employees": +1,
        "employees_resources": -1,
        "employees_thriving": -1,  # F6
        "workplace_strategy": -1,
        "workplace_tools": -1,  # F7
        "female": +1,
        "public": +1,
        "age_under_40": +1,
        "age_60_plus": -1,
        "span_29_100": +1,  # F12
        "span_1_10": -1,
        "exp_0_8": +1,
        "exp_over_25": -1,
        "long_higher_education": -1,
        "org_1_9": -1,
    }
    wrong = {k: round(fit.params[k], 3) for k, s in expected.items() if np.sign(fit.params[k]) != s}
    assert not wrong, f"wrong signs: {wrong}"
    weak = {k: round(fit.pvalues[k], 4) for k in expected if fit.pvalues[k] > 0.05}
    assert len(weak) <= 3, f"too many non-significant effects: {weak}"


def test_training_model_recovers_f3_f8_f10(sample):
    import statsmodels.api as sm

    x = _design(sample)[
        [
            "interest_pwe",
            "has_time",
            "female",
            "public",
            "manager_of_managers",
            "org_250_plus",
            "exp_over_25",
            "const",
        ]
    ]
    fit = sm.GLM(
        sample["trained_any"], x, family=sm.families.Binomial(), var_weights=sample["weight"]
    ).fit(cov_type="HC0")
    for k in x.columns.drop("const"):
        assert fit.params[k] > 0 and fit.pvalues[k] < 0.05, (k, fit.params[k], fit.pvalues[k])
