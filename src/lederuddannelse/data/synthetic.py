"""A synthetic survey that behaves like the real one: a population of managers, then a sample.

The report's microdata are not public, so the book runs by default on data made here. The
design (see ``../shared/brief/synthetic-data.md``):

1. **Population.** About 107,000 Danish managers whose gender, sector, industry and
   organisation size match ``data/margins.csv`` *exactly* (cells are allocated, not drawn),
   so that raking to those margins targets the population that was sampled.
2. **Structural outcomes.** Background -> three latent workplace factors (strain, workplace
   support for the psychosocial work environment, personal orientation towards it) ->
   5-point attitude items -> training, desire, reasons, barriers. Every equation is a
   latent-variable logistic model: ``y* = x'b + e`` with logistic ``e``. The coefficients
   ``b`` are the report's relations as causes (F3, F5-F10, F12-F14); the chapters must find
   them with their own estimators and never read them from here.
3. **Calibration.** For the levels in ``data/targets.yml`` (F1a, F1b, F2, F4, F11) the
   threshold of each equation - the intercept - is solved on the population itself: with the
   errors ``e`` drawn once, the share with ``y* > c`` falls monotonically in ``c``, and the
   ``c`` giving the target share is an order statistic of ``x'b + e``. So the realised
   population shares hit the targets to within one person, with no iteration. Training is a
   sequential model (narrow first, then broad among the rest) so that the overall narrow and
   broad shares and the broad share in the industries named by F11 are all met at once.
4. **Survey.** A sample of ``n`` drawn without replacement with response propensities that
   are higher for women, the public sector and large organisations (Efraimidis-Spirakis
   weighted sampling), so the unweighted estimates are biased and weighting matters. Response
   depends only on the weighting variables (missing at random given them), so raking removes
   most of the bias, as it would if the real survey's weighting model were right.

Same seed, same bytes: all randomness comes from ``numpy.random.default_rng([seed, k])``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lederuddannelse import __version__, paths
from lederuddannelse.data.codebook import Condition, load_codebook
from lederuddannelse.data.derive import add_derived
from lederuddannelse.data.files import read_metadata, write_survey
from lederuddannelse.errors import ParameterError

POPULATION_SIZE = 107_000
DEFAULT_N = 6000
DEFAULT_SEED = 2024
#: Above this sampling fraction the population is enlarged (same shares) so that a large
#: ``n`` (benchmarks, simulation studies) is still a sample with differential response.
MAX_SAMPLING_FRACTION = 0.25

NOTICE = (
    "Syntetiske data: tallene er beregnet på et syntetisk datasæt, der er kalibreret til "
    "rapportens offentliggjorte resultater. De er ikke rapportens egne estimater."
)

# --- population structure (assumptions; margins themselves come from data/margins.csv) -----
#: Share of managers in the public sector by industry; industry 9 (public administration,
#: education, health) takes whatever is needed to reach the sector margin.
PUBLIC_SHARE_BY_INDUSTRY = {
    1: 0.0,
    2: 0.02,
    3: 0.0,
    4: 0.02,
    5: 0.02,
    6: 0.0,
    7: 0.02,
    8: 0.02,
    10: 0.20,
}
#: Organisation size of public-sector managers (mostly municipalities, regions, the state).
PUBLIC_ORG_SIZE = {1: 0.02, 2: 0.08, 3: 0.15, 4: 0.75}
#: Women among public-sector managers (Statistics Denmark 2017: 48.1 % of middle and 30.8 % of
#: top managers); private follows from the gender margin.
PUBLIC_WOMEN_SHARE = 0.44

#: Fixed cut points of the 5-point attitude items on their latent scale.
ITEM_CUTS = np.array([-1.8, -0.6, 0.6, 1.8])

#: Response model (log-odds of answering); only weighting variables enter it.
RESPONSE = {
    "female": 0.35,
    "public": 0.60,
    "org_size": {1: -0.30, 2: 0.0, 3: 0.20, 4: 0.40},
    "industry": {3: -0.20, 7: -0.10},
}

#: Columns written to a survey file, in codebook order (no weight: the book rakes).
_INPUT_FILES = ("codebook.yml", "targets.yml", "margins.csv")


#: The book's default data file, relative to the project folder (gitignored; `make data`).
EMBEDDED_DATA_PATH = paths.EMBEDDED_DATA_PATH


def embedded_data_path() -> Path:
    return paths.project_root() / EMBEDDED_DATA_PATH


# --- inputs ----------------------------------------------------------------------------------
def load_targets(path: str | Path | None = None) -> dict:
    """The calibration targets (``data/targets.yml``), keyed by target id."""
    p = Path(path) if path else paths.data_dir() / "targets.yml"
    with open(p, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    return {
        "targets": {t["id"]: t for t in spec["targets"]},
        "assumed_levels": spec.get("assumed_levels", {}),
    }


def inputs_hash() -> str:
    """Hash of everything the generated bytes depend on, to tell when a file is stale."""
    from lederuddannelse.sources import modules_hash, package_src

    h = hashlib.sha256()
    h.update(modules_hash([__name__], package_src()).encode())  # this module and its imports
    for name in _INPUT_FILES:
        h.update(name.encode())
        h.update((paths.data_dir() / name).read_bytes())
    h.update(f"numpy {np.__version__}; pandas {pd.__version__}".encode())
    return h.hexdigest()


# --- small helpers ---------------------------------------------------------------------------
def _allocate(shares: dict[int, float], total: int) -> dict[int, int]:
    """Integer counts proportional to ``shares`` summing to ``total`` (largest remainder)."""
    keys = list(shares)
    raw = np.array([shares[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * total
    counts = np.floor(raw).astype(int)
    rest = total - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return dict(zip(keys, counts.tolist()))


def _fill(rng, out: np.ndarray, mask: np.ndarray, counts: dict[int, int]) -> None:
    """Give the rows in ``mask`` exactly ``counts`` of each code, in random order."""
    values = np.repeat(np.array(list(counts), dtype=np.int8), list(counts.values()))
    if values.size != mask.sum():
        raise AssertionError("allocation does not match the cell size")
    out[mask] = rng.permutation(values)


def _top(latent: np.ndarray, mask: np.ndarray, share: float) -> tuple[np.ndarray, float]:
    """Select the ``share`` of rows in ``mask`` with the largest ``latent`` value.

    This is the calibration step: it is the threshold (minus the intercept) of a logistic
    latent-variable model that gives exactly that share. Returns the selection and threshold.
    """
    idx = np.flatnonzero(mask)
    k = int(round(share * idx.size))
    out = np.zeros(latent.size, dtype=bool)
    if k == 0:
        return out, float("inf")
    vals = latent[idx]
    cut = np.partition(vals, idx.size - k)[idx.size - k]
    out[idx[vals >= cut]] = True
    return out, float(cut)


def _ordinal(latent: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    return (np.searchsorted(cuts, latent) + 1).astype(np.int8)


def _pick(values: dict[int, float], codes: np.ndarray) -> np.ndarray:
    """Map codes to effects, 0 for codes not listed."""
    table = np.zeros(int(codes.max()) + 2)
    for k, v in values.items():
        table[k] = v
    return table[codes]


# --- population ------------------------------------------------------------------------------
def generate_population(seed: int = DEFAULT_SEED, size: int = POPULATION_SIZE) -> pd.DataFrame:
    """A synthetic population of managers with every questionnaire variable.

    Weighting margins are met exactly (shares from ``data/margins.csv`` scaled to ``size``);
    the targets of ``data/targets.yml`` are met to within one person. Routed questions are
    missing (NaN) for those not asked, as in the survey.
    """
    from lederuddannelse.data.weighting import load_margins

    if size < 1000:
        raise ParameterError(f"population size must be at least 1000, got {size}")
    margins = load_margins()
    targets = load_targets()
    tg = targets["targets"]
    levels = targets["assumed_levels"]
    rng = np.random.default_rng([seed, 1])
    N = size
    shares = {var: (s / s.sum()).to_dict() for var, s in margins.items()}

    # 1. Weighting variables with exact margins.
    industry = np.zeros(N, np.int8)
    _fill(rng, industry, np.ones(N, bool), _allocate(shares["industry"], N))
    ind_counts = {k: int((industry == k).sum()) for k in shares["industry"]}
    n_public = _allocate(shares["sector"], N)[1]
    public_by_ind = {
        k: int(round(PUBLIC_SHARE_BY_INDUSTRY.get(k, 0) * c))
        for k, c in ind_counts.items()
        if k != 9
    }
    public_by_ind[9] = n_public - sum(public_by_ind.values())
    if not 0 <= public_by_ind[9] <= ind_counts[9]:
        raise AssertionError("sector margin cannot be met with PUBLIC_SHARE_BY_INDUSTRY")
    sector = np.full(N, 2, np.int8)
    for k, c in public_by_ind.items():
        idx = np.flatnonzero(industry == k)
        sector[rng.choice(idx, size=c, replace=False)] = 1
    public = sector == 1

    org_total = _allocate(shares["org_size"], N)
    org_public = _allocate(PUBLIC_ORG_SIZE, n_public)
    org_private = {k: org_total[k] - org_public[k] for k in org_total}
    org_size = np.zeros(N, np.int8)
    _fill(rng, org_size, public, org_public)
    _fill(rng, org_size, ~public, org_private)

    women_total = _allocate(shares["gender"], N)[2]
    women_public = int(round(PUBLIC_WOMEN_SHARE * n_public))
    gender = np.zeros(N, np.int8)
    _fill(rng, gender, public, {1: n_public - women_public, 2: women_public})
    _fill(
        rng,
        gender,
        ~public,
        {1: (N - n_public) - (women_total - women_public), 2: women_total - women_public},
    )
    female = (gender == 2).astype(float)
    pub = public.astype(float)
    private = 1.0 - pub

    # 2. Other background.
    def categorical(logits: np.ndarray) -> np.ndarray:
        return (np.argmax(logits + rng.gumbel(size=logits.shape), axis=1) + 1).astype(np.int8)

    age_group = categorical(
        np.array([-0.4, 0.3, 0.4, -0.5]) + np.outer(female, [0.4, 0.2, 0.0, -0.3])
    )
    experience = _ordinal(
        1.3 * (age_group - 2.5) + 0.3 * (1 - female) + rng.logistic(size=N),
        np.array([-1.6, 0.0, 1.6]),
    )
    education = categorical(
        np.array([-1.3, 0.1, 0.0, 0.6, 0.4]) + np.outer(pub, [-0.6, -0.8, -0.2, 0.7, 0.6])
    )
    mom_latent = (
        -1.7 + _pick({3: 0.5, 4: 0.9}, org_size) + 0.35 * (experience - 2.5) + rng.logistic(size=N)
    )
    manager_type = np.where(mom_latent > 0, 2, 1).astype(np.int8)
    mom = (manager_type == 2).astype(float)
    moe = 1.0 - mom
    span_of_control = _ordinal(
        0.6 * (org_size - 2.5) + 1.3 * mom + 0.2 * pub + rng.logistic(size=N),
        np.array([-0.9, 0.8, 2.4]),
    )

    # 3. Latent factors: strain at work, workplace support for the PWE, personal orientation.
    strain = 0.25 * pub + rng.normal(size=N)
    support = 0.35 * pub + _pick({1: -0.3, 4: 0.3}, org_size) + 0.25 * mom + rng.normal(size=N)
    orientation = (
        0.35 * female + 0.2 * pub + _pick({1: 0.2, 4: -0.15}, age_group) + rng.normal(size=N)
    )

    def item(mu: float, extra: np.ndarray | float) -> np.ndarray:
        return _ordinal(mu + extra + rng.normal(size=N), ITEM_CUTS)

    self_efficacy = item(1.2, 0.3 * (experience - 2.5))
    interest_pwe = item(0.6, 0.8 * orientation)
    expect_wellbeing = item(0.5, 0.7 * orientation + 0.35 * moe - 0.3 * private)  # F9, F13
    expect_sickness = item(0.1, 0.6 * orientation + 0.2 * moe)
    has_time = item(-0.3, 0.25 * support - 0.15 * moe)
    relevance = item(0.5, 0.7 * orientation + 0.35 * moe - 0.4 * private)  # F9, F13
    conflicts = item(-0.5, 0.8 * strain)
    stressed_employees = item(0.0, 0.8 * strain)
    employees_resources = item(0.6, -0.7 * strain + 0.2 * support)
    employees_thriving = item(0.9, -0.8 * strain)
    workplace_strategy = item(0.2, 0.9 * support)
    workplace_tools = item(0.3, 0.9 * support)
    workplace_priority = item(0.4, 0.8 * support + 0.35 * mom)  # F8
    workplace_resources = item(0.0, 0.8 * support + 0.35 * mom)  # F8

    def c(x: np.ndarray) -> np.ndarray:  # centre a 5-point item
        return x.astype(float) - 3.0

    # 4. Desire (F3, F5, F6, F7, F12): ordinal logistic, cut points at the assumed distribution.
    desire_latent = (
        -0.30 * c(self_efficacy)
        + 0.35 * c(expect_wellbeing)
        + 0.25 * c(expect_sickness)
        + 0.25 * c(conflicts)
        + 0.25 * c(stressed_employees)
        - 0.25 * c(employees_resources)
        - 0.30 * c(employees_thriving)
        - 0.25 * c(workplace_strategy)
        - 0.20 * c(workplace_tools)
        + 0.40 * c(interest_pwe)
        + 0.25 * c(has_time)
        + 0.35 * female
        + 0.35 * pub
        + _pick({1: 0.35, 2: 0.15, 4: -0.25}, age_group)
        + _pick({1: -0.25, 3: 0.30, 4: 0.10}, span_of_control)
        + _pick({1: 0.35, 2: 0.10, 4: -0.25}, experience)
        - 0.35 * (education == 5)
        - 0.30 * (org_size == 1)
        + rng.logistic(size=N)
    )
    dist = levels["desire"]
    cum = np.cumsum([dist[k] for k in sorted(dist)])[:-1]
    desire_cuts = np.quantile(desire_latent, cum)
    desire = _ordinal(desire_latent, desire_cuts)

    # 5. Training (F1, F3, F8, F10, F11): narrow first, then broad among the rest.
    x_train = (
        0.45 * c(interest_pwe)
        + 0.30 * c(has_time)
        + 0.55 * mom
        + 0.30 * female
        + 0.45 * pub
        + _pick({1: -0.30, 3: 0.20, 4: 0.40}, org_size)
        + _pick({1: -0.30, 3: 0.15, 4: 0.40}, experience)
        + _pick({1: -0.20, 3: 0.15, 4: 0.30}, span_of_control)
        + 0.15 * c(workplace_resources)
    )
    everyone = np.ones(N, bool)
    calibration: dict[str, float] = {}
    narrow, calibration["F1b_narrow"] = _top(
        x_train + 0.2 * pub + rng.logistic(size=N), everyone, tg["F1b_narrow"]["share"]
    )
    broad_latent = x_train + rng.logistic(size=N)
    broad = np.zeros(N, bool)
    named = {}
    for tid, t in tg.items():
        if tid.startswith("F11"):
            cond = Condition.parse(t["domain"])
            named[cond.values[0]] = t
    n_broad_total = int(round(tg["F1b_broad"]["share"] * N))
    for code, t in named.items():
        in_ind = industry == code
        k = int(round(t["share"] * in_ind.sum()))
        sel, calibration[t["id"]] = _top(
            broad_latent, in_ind & ~narrow, k / max(1, (in_ind & ~narrow).sum())
        )
        broad |= sel
    others = ~np.isin(industry, list(named)) & ~narrow
    sel, calibration["F1b_broad"] = _top(
        broad_latent, others, (n_broad_total - broad.sum()) / others.sum()
    )
    broad |= sel
    training = np.where(narrow, 1, np.where(broad, 2, 0)).astype(np.int8)
    trained = training > 0
    untrained = ~trained

    # 6. When, who paid (F2, F4).
    after, calibration["F2"] = _top(
        0.35 * pub
        + 0.2 * narrow
        - 0.25 * (experience == 4)
        + 0.2 * (age_group == 1)
        + rng.logistic(size=N),
        trained,
        tg["F2"]["share"],
    )
    training_year = np.where(after, 2, 1).astype(float)
    paid_wp, calibration["F4_paid"] = _top(
        0.6 * pub
        + _pick({3: 0.2, 4: 0.4}, org_size)
        + 0.3 * c(workplace_resources)
        + rng.logistic(size=N),
        trained,
        tg["F4_paid"]["share"],
    )
    other_payer = rng.choice(np.array([2, 3, 4]), size=N, p=[0.35, 0.40, 0.25])
    paid_by = np.where(paid_wp, 1, other_payer).astype(float)

    # 7. Willing to pay oneself (F4): ordinal latent; top = yes, bottom = no, middle = don't know.
    pay_latent = 0.5 * c(desire) + 0.2 * (education >= 4) + 0.15 * private + rng.logistic(size=N)
    yes, calibration["F4_willing"] = _top(pay_latent, everyone, tg["F4_willing"]["share"])
    no_, cut_no = _top(-pay_latent, everyone, tg["F4_unwilling"]["share"])
    calibration["F4_unwilling"] = -cut_no
    pay_self = np.where(yes, 1, np.where(no_, 2, 3)).astype(np.int8)

    # 8. Reasons among the trained (F3 ranking, F14 career by sector).
    reason_effects = {
        "reason_develop": 0.3 * (experience == 1) + 0.2 * (age_group == 1),
        "reason_tools": 0.25 * c(stressed_employees) + 0.2 * c(conflicts),
        "reason_interest": 0.6 * c(interest_pwe),
        "reason_career": 0.9 * private + 0.3 * (age_group == 1),  # F14
        "reason_required": 0.4 * pub + 0.3 * narrow,
        "reason_wellbeing": 0.35 * c(expect_wellbeing),
    }
    reasons = {}
    for name, eff in reason_effects.items():
        sel, _ = _top(eff + rng.logistic(size=N), trained, levels["reasons"][name])
        reasons[name] = np.where(trained, sel.astype(float), np.nan)

    # 9. Barriers among the untrained (F9 by manager type, F13 by sector).
    barrier_effects = {
        "barrier_time": 0.6 * moe - 0.4 * c(has_time),
        "barrier_competent": -0.5 * moe + 0.3 * c(self_efficacy),
        "barrier_no_difference": -0.5 * moe + 0.6 * private - 0.4 * c(expect_wellbeing),  # F9, F13
        "barrier_not_relevant": 0.7 * private - 0.5 * c(relevance),  # F13
        "barrier_cost": 0.3 * private,
        "barrier_unaware": 0.3 * (experience == 1),
    }
    barriers = {}
    for name, eff in barrier_effects.items():
        sel, _ = _top(eff + rng.logistic(size=N), untrained, levels["barriers"][name])
        barriers[name] = np.where(untrained, sel.astype(float), np.nan)

    nan_untrained = np.where(trained, 1.0, np.nan)
    columns = {
        "resp_id": np.arange(1, N + 1, dtype=np.int64),
        "gender": gender,
        "age_group": age_group,
        "education": education,
        "sector": sector,
        "industry": industry,
        "org_size": org_size,
        "manager_type": manager_type,
        "span_of_control": span_of_control,
        "experience": experience,
        "training": training,
        "training_year": training_year * nan_untrained,
        "paid_by": paid_by * nan_untrained,
        **reasons,
        **barriers,
        "desire": desire,
        "pay_self": pay_self,
        "self_efficacy": self_efficacy,
        "expect_wellbeing": expect_wellbeing,
        "expect_sickness": expect_sickness,
        "interest_pwe": interest_pwe,
        "has_time": has_time,
        "relevance": relevance,
        "conflicts": conflicts,
        "stressed_employees": stressed_employees,
        "employees_resources": employees_resources,
        "employees_thriving": employees_thriving,
        "workplace_strategy": workplace_strategy,
        "workplace_tools": workplace_tools,
        "workplace_priority": workplace_priority,
        "workplace_resources": workplace_resources,
    }
    book = load_codebook()
    order = [v for v in book.variables if v in columns]
    missing = set(book.variables) - set(columns) - {book.weight_variable}
    if missing:
        raise AssertionError(f"generator does not produce {sorted(missing)}")
    # Shuffle once so that row order (and later respondent ids) carries no structure.
    perm = rng.permutation(N)
    pop = pd.DataFrame({k: _typed(book, k, np.asarray(columns[k])[perm]) for k in order})
    pop["resp_id"] = np.arange(1, N + 1, dtype=np.int64)
    pop.attrs["calibration_thresholds"] = calibration
    pop.attrs["seed"] = seed
    return pop


def _typed(book, name: str, values: np.ndarray) -> pd.Series | np.ndarray:
    """Codes as small nullable integers (missing = not asked), ids as int64."""
    if name == book.id_variable:
        return values.astype(np.int64)
    if not book.variable(name).may_be_missing:
        return values.astype(np.int8)
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int8), missing)


# --- survey ----------------------------------------------------------------------------------
def response_logit(population: pd.DataFrame) -> np.ndarray:
    """Log-odds of answering, by weighting variables only (see module docstring)."""
    return (
        RESPONSE["female"] * (population["gender"].to_numpy() == 2)
        + RESPONSE["public"] * (population["sector"].to_numpy() == 1)
        + _pick(RESPONSE["org_size"], population["org_size"].to_numpy(dtype=np.int64))
        + _pick(RESPONSE["industry"], population["industry"].to_numpy(dtype=np.int64))
    )


def draw_sample(population: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """The respondents: ``n`` managers drawn with probability rising with their propensity.

    Efraimidis-Spirakis sampling without replacement (keys ``log(u)/w``, take the ``n``
    largest) gives exactly ``n`` respondents, each row's chance growing with ``w = exp(logit)``.
    Respondent ids are renumbered 1..n in population (random) order.
    """
    if not 1 <= n <= len(population):
        raise ParameterError(f"sample size must be between 1 and {len(population)}, got {n}")
    rng = np.random.default_rng([seed, 2])
    w = np.exp(response_logit(population))
    keys = np.log(rng.random(len(population))) / w
    chosen = np.sort(np.argpartition(-keys, n - 1)[:n])
    sample = population.iloc[chosen].reset_index(drop=True)
    sample["resp_id"] = np.arange(1, n + 1, dtype=np.int64)
    sample.attrs = {}
    return sample


def population_size_for(n: int) -> int:
    """107,000, or more when ``n`` would exceed the maximum sampling fraction."""
    return max(POPULATION_SIZE, int(np.ceil(n / MAX_SAMPLING_FRACTION)))


def generate_survey(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, dict]:
    """A synthetic sample and its metadata (synthetic flag, margins, calibration achieved)."""
    if n < 1:
        raise ParameterError(f"--n must be positive, got {n}")
    population = generate_population(seed, size=population_size_for(n))
    sample = draw_sample(population, n, seed)
    return sample, _metadata(population, n, seed)


def _metadata(population: pd.DataFrame, n: int, seed: int) -> dict:
    book = load_codebook()
    margins = {
        var: {str(k): int(v) for k, v in population[var].value_counts().sort_index().items()}
        for var in book.weighting_variables
    }
    derived = add_derived(population)
    achieved = {}
    for tid, t in load_targets()["targets"].items():
        dom = (
            np.ones(len(derived), bool)
            if t["domain"] == "all"
            else Condition.parse(t["domain"]).mask(derived).to_numpy()
        )
        achieved[tid] = {
            "finding": t["finding"],
            "target": t["share"],
            "population": round(
                float(np.nanmean(derived[t["indicator"]].to_numpy(dtype=float)[dom])), 6
            ),
        }
    return {
        "synthetic": True,
        "notice": NOTICE,
        "generator": "lederuddannelse.data.synthetic",
        "package_version": __version__,
        "seed": seed,
        "n": n,
        "population_size": len(population),
        "inputs_sha256": inputs_hash(),
        "margins": margins,
        "calibration": achieved,
    }


# --- files -----------------------------------------------------------------------------------
def generate_to_file(n: int, seed: int, out: str | Path) -> Path:
    """Generate a synthetic survey and write it; same ``n`` and ``seed`` give the same bytes."""
    if Path(out).suffix.lower() not in (".csv", ".parquet"):
        raise ParameterError(f"output file must end in .csv or .parquet, got {Path(out).name!r}")
    sample, meta = generate_survey(n, seed)
    return write_survey(sample, out, meta)


def ensure_embedded_data() -> str:
    """Create the book's default data file if it is missing or its inputs changed."""
    path = embedded_data_path()
    current = inputs_hash()
    if path.is_file():
        meta = read_metadata(path) or {}
        if (
            meta.get("inputs_sha256") == current
            and meta.get("n") == DEFAULT_N
            and meta.get("seed") == DEFAULT_SEED
        ):
            return f"{path} is up to date (synthetic, n={DEFAULT_N}, seed {DEFAULT_SEED})"
        reason = "its inputs changed"
    else:
        reason = "it was missing"
    generate_to_file(DEFAULT_N, DEFAULT_SEED, path)
    return f"generated {path} because {reason} (synthetic, n={DEFAULT_N}, seed {DEFAULT_SEED})"
