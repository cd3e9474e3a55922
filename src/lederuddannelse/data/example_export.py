"""An example survey-tool export made from the synthetic survey, to show (and test) the mapping.

``data/examples/export.sav`` has the shape of a real export: the tool's own variable names,
its own codes with SPSS value labels (gender 1 = Kvinde, a sector and an agreement scale
turned round), "Ved ikke" codes, one column per option for the multiple-choice questions
(ticked = 1, not ticked = empty), register variables (age in years, a six-digit DB07 industry
code, the number of employees, years of management experience), partial completes flagged
by a status column, a free-text "Andet" answer, a start time and long respondent ids.
``data/examples/export-mapping.yml`` maps it back onto the codebook, and mapping it gives the
synthetic survey's values exactly (the book's estimates agree to rounding error).

The file is generated on demand (``python -m lederuddannelse data example-export``): ``*.sav``
is never committed, so that no real export can slip into the repository by mistake. Same
``n`` and ``seed``, same bytes (the SPSS header's creation time is fixed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lederuddannelse.data.mapping import SYNTHETIC_MARK

EXAMPLE_DIR = Path("data") / "examples"
EXAMPLE_FILE = EXAMPLE_DIR / "export.sav"
EXAMPLE_MAPPING = EXAMPLE_DIR / "export-mapping.yml"
PARTIAL_SHARE = 0.02  # partial completes added (status 2): dropped by the mapping

AGREE5 = ["Helt uenig", "Delvist uenig", "Hverken enig eller uenig", "Delvist enig", "Helt enig"]
DB07_CODES = {  # real six-digit DB07 codes per group of the 10-grouping
    1: [11100, 14100, 31100],
    2: [101100, 251100, 351100],
    3: [412000, 432100],
    4: [471100, 494100, 561010],
    5: [582900, 620100, 631100],
    6: [641900, 651100],
    7: [682040, 683210],
    8: [691000, 702200, 812100],
    9: [841100, 852010, 861000],
    10: [900100, 931100, 960200],
}
REASONS = ["develop", "tools", "interest", "career", "required", "wellbeing"]
BARRIERS = ["time", "competent", "no_difference", "not_relevant", "cost", "unaware"]
Q17 = ["self_efficacy", "expect_wellbeing", "expect_sickness", "interest_pwe", "has_time"]
Q17 += ["relevance"]
Q18 = ["conflicts", "stressed_employees", "employees_resources", "employees_thriving"]
Q19 = ["workplace_strategy", "workplace_tools", "workplace_priority", "workplace_resources"]


def _between(rng, codes: np.ndarray, ranges: dict[int, tuple[int, int]]) -> np.ndarray:
    out = np.zeros(len(codes), dtype=float)
    for code, (lo, hi) in ranges.items():
        hit = codes == code
        out[hit] = rng.integers(lo, hi + 1, hit.sum())
    return out


def make_export(sample: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict, dict]:
    """The export's columns, value labels and variable labels, from a synthetic sample."""
    from lederuddannelse.data.codebook import load_codebook

    book = load_codebook()
    rng = np.random.default_rng(seed + 7919)
    n = len(sample)

    def col(name: str) -> np.ndarray:
        return pd.to_numeric(sample[name]).to_numpy(dtype=float, na_value=np.nan)

    out: dict[str, np.ndarray] = {}
    labels: dict[str, dict[float, str]] = {}
    names: dict[str, str] = {}
    ids = 20_000_000 + col("resp_id") * 1000 + rng.integers(0, 1000, n)
    out["RespondentID"] = ids
    names["RespondentID"] = "Respondent-ID (survey tool)"
    out["StartDate"] = np.array(
        [f"2024-03-{1 + i % 28:02d} {8 + i % 10:02d}:{i % 60:02d}" for i in range(n)], dtype=object
    )
    out["status"] = np.ones(n)
    labels["status"] = {1.0: "Gennemført", 2.0: "Delvist besvaret"}
    gender = col("gender")
    out["bagg_koen"] = np.where(gender == 1, 2.0, 1.0)
    labels["bagg_koen"] = {1.0: "Kvinde", 2.0: "Mand"}
    out["alder"] = _between(
        rng, col("age_group"), {1: (25, 39), 2: (40, 49), 3: (50, 59), 4: (60, 69)}
    )
    names["alder"] = "Alder (år, fra registret)"
    out["Q3"] = col("education") * 10
    labels["Q3"] = {10.0 * k: v for k, v in book.value_labels("education").items()}
    out["sektor"] = np.where(col("sector") == 1, 2.0, 1.0)
    labels["sektor"] = {1.0: "Privat virksomhed", 2.0: "Offentlig arbejdsplads"}
    industry = col("industry")
    db07 = np.zeros(n)
    for group, codes in DB07_CODES.items():
        hit = industry == group
        db07[hit] = rng.choice(codes, hit.sum())
    out["branche_db07"] = db07
    names["branche_db07"] = "Branchekode DB07 (6 cifre, fra registret)"
    out["antal_ansatte"] = _between(
        rng, col("org_size"), {1: (1, 9), 2: (10, 49), 3: (50, 249), 4: (250, 250)}
    )
    big = col("org_size") == 4
    out["antal_ansatte"][big] = 250 + np.floor(250 * rng.exponential(2.0, big.sum()))
    names["antal_ansatte"] = "Antal ansatte i organisationen (fra registret)"
    for name, var in (("Q6", "manager_type"), ("Q7", "span_of_control")):
        out[name] = col(var)
        labels[name] = {float(k): v for k, v in book.value_labels(var).items()}
    out["Q8_aar"] = _between(
        rng, col("experience"), {1: (0, 8), 2: (9, 16), 3: (17, 25), 4: (26, 40)}
    )
    names["Q8_aar"] = "Hvor mange år har du været leder?"
    training = col("training")
    out["Q10"] = np.where(training == 0, 3.0, training)
    labels["Q10"] = {
        1.0: "Ja, psykisk arbejdsmiljø var det primære indhold",
        2.0: "Ja, psykisk arbejdsmiljø indgik som en del af uddannelsen",
        3.0: "Nej",
    }
    for name, var in (("Q11", "training_year"), ("Q12", "paid_by")):
        out[name] = col(var)
        labels[name] = {float(k): v for k, v in book.value_labels(var).items()}
    trained = np.isin(training, [1, 2])
    for i, item in enumerate(REASONS, 1):  # ticked = 1, not ticked = empty
        out[f"Q13_{i}"] = np.where(col(f"reason_{item}") == 1, 1.0, np.nan)
        labels[f"Q13_{i}"] = {1.0: "Valgt"}
        names[f"Q13_{i}"] = book.question(f"reason_{item}")
    andet = trained & (rng.random(n) < 0.05)
    out["Q13_7"] = np.where(andet, 1.0, np.nan)
    labels["Q13_7"] = {1.0: "Valgt"}
    names["Q13_7"] = "Hvorfor tog du uddannelsen? - Andet"
    texts = ["Min leder foreslog det", "Nyt job", "Kollegaer anbefalede den", "Ville lære mere"]
    out["Q13_7_tekst"] = np.array(
        [
            f"{texts[i % len(texts)]} (respondent {int(ids[i])})" if andet[i] else ""
            for i in range(n)
        ],
        dtype=object,
    )
    names["Q13_7_tekst"] = "Andet, nemlig (fritekst)"
    for i, item in enumerate(BARRIERS, 1):  # 1 = Valgt, 0 = Ikke valgt
        out[f"Q14_{i}"] = col(f"barrier_{item}")
        labels[f"Q14_{i}"] = {0.0: "Ikke valgt", 1.0: "Valgt"}
        names[f"Q14_{i}"] = book.question(f"barrier_{item}")
    out["Q15"] = col("desire")
    labels["Q15"] = {
        **{float(k): v for k, v in book.value_labels("desire").items()},
        8.0: "Ved ikke",
    }
    pay = col("pay_self")
    out["Q16"] = np.where(pay == 3, 9.0, pay)
    labels["Q16"] = {1.0: "Ja", 2.0: "Nej", 9.0: "Ved ikke"}
    for i, var in enumerate(Q17, 1):  # the tool's scale runs the other way: 1 = Helt enig
        out[f"Q17_{i}"] = 6.0 - col(var)
        labels[f"Q17_{i}"] = {**{6.0 - k: v for k, v in enumerate(AGREE5, 1)}, 9.0: "Ved ikke"}
        names[f"Q17_{i}"] = book.question(var)
    for block, items in (("Q18", Q18), ("Q19", Q19)):
        for i, var in enumerate(items, 1):
            out[f"{block}_{i}"] = col(var)
            labels[f"{block}_{i}"] = {float(k): v for k, v in enumerate(AGREE5, 1)}
            names[f"{block}_{i}"] = book.question(var)
    for name, var in (("Q3", "education"), ("Q6", "manager_type"), ("Q7", "span_of_control")):
        names[name] = book.question(var)
    for name, var in (("Q10", "training"), ("Q11", "training_year"), ("Q12", "paid_by")):
        names[name] = book.question(var)
    names["Q15"], names["Q16"] = book.question("desire"), book.question("pay_self")
    names["bagg_koen"], names["sektor"] = "Køn (baggrund)", "Sektor (baggrund)"
    df = pd.DataFrame(out)

    # Partial completes: respondents who broke off after the training questions.
    k = int(round(PARTIAL_SHARE * n))
    partial = df.iloc[np.sort(rng.choice(n, k, replace=False))].copy()
    partial["RespondentID"] = 90_000_000 + np.arange(k) * 37 + rng.integers(0, 37, k)
    partial["status"] = 2.0
    later = [
        c for c in df.columns if c.startswith(("Q13", "Q14", "Q15", "Q16", "Q17", "Q18", "Q19"))
    ]
    for c in later:
        partial[c] = "" if df[c].dtype == object else np.nan
    rows = np.sort(rng.choice(n + k, k, replace=False))  # where the partial rows go
    mask = np.zeros(n + k, bool)
    mask[rows] = True
    merged = pd.DataFrame(index=range(n + k), columns=df.columns)
    merged.loc[~mask] = df.to_numpy()
    merged.loc[mask] = partial.to_numpy()
    for c in df.columns:
        merged[c] = merged[c].astype(df[c].dtype)
    return merged, labels, names


def write_example_export(out: str | Path, n: int | None = None, seed: int | None = None) -> Path:
    """Write the example export (SPSS) for a synthetic sample of ``n`` with ``seed``."""
    import pyreadstat

    from lederuddannelse.data.synthetic import DEFAULT_N, DEFAULT_SEED, generate_survey

    n = DEFAULT_N if n is None else n
    seed = DEFAULT_SEED if seed is None else seed
    sample, _ = generate_survey(n, seed)
    df, labels, names = make_export(sample, seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    pyreadstat.write_sav(
        df,
        str(tmp),
        file_label=f"Eksempel: syntetisk {SYNTHETIC_MARK} n={n} seed={seed}",
        column_labels={c: names.get(c) for c in df.columns},
        variable_value_labels=labels,
        variable_measure={c: "nominal" for c in labels},
    )
    _fix_header_time(tmp)
    tmp.replace(out)
    return out


def _fix_header_time(path: Path) -> None:
    """Overwrite the SPSS header's creation date and time: same inputs, same bytes."""
    data = bytearray(path.read_bytes())
    # Header: rec_type 4, product 60, layout 4, case size 4, compression 4, weight index 4,
    # ncases 4, bias 8, then creation date (9 bytes) and time (8 bytes).
    data[92:101] = b"01 Mar 24"
    data[101:109] = b"00:00:00"
    path.write_bytes(bytes(data))
