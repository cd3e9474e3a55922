"""Loading and validating survey files: formats, round trips, and a catalogue of bad inputs.

Each malformed input asserts the exact problem the user is told (column, rows, expectation),
because a vague message sends a user with a real file hunting; and all problems of a file
are reported at once.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.derive import add_derived
from lederuddannelse.data.files import write_sav
from lederuddannelse.data.loader import load_survey, validate_file
from lederuddannelse.data.synthetic import generate_survey
from lederuddannelse.errors import DataValidationError


@pytest.fixture(scope="module")
def good() -> pd.DataFrame:
    """A small valid survey with a weight column (as a real file might bring one)."""
    df, _ = generate_survey(200, 13)
    df["weight"] = np.round(np.linspace(0.5, 2.5, len(df)), 3)
    return df


@pytest.fixture(scope="module")
def canonical(good, tmp_path_factory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("canon") / "good.csv"
    good.to_csv(path, index=False)
    return load_survey(path)


def write(df: pd.DataFrame, tmp_path, name="bad.csv") -> str:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return str(path)


def problems(path) -> str:
    with pytest.raises(DataValidationError) as info:
        load_survey(path)
    return str(info.value)


def first_row(df, mask) -> int:
    return int(np.flatnonzero(mask)[0])


# --- formats and round trips -------------------------------------------------------------------
def test_csv_loads_with_codebook_types(canonical, good):
    book = load_codebook()
    assert list(canonical.columns) == book.variables
    assert canonical["gender"].dtype == np.int64
    assert canonical["reason_career"].dtype == np.float64  # routed: NaN where not asked
    assert canonical.loc[canonical["training"] == 0, "reason_career"].isna().all()
    np.testing.assert_allclose(canonical["weight"], good["weight"])


def test_a_clean_csv_is_validated_without_python_objects(good, tmp_path, monkeypatch):
    """Load + validation of a clean CSV stays columnar: no codebook column is copied into
    Python objects (one object per value made a CSV 4 to 6 times slower than Parquet at
    600,000 rows; issue 24). Values are shown as written only for the rows a message shows."""
    path = write(good, tmp_path, "clean.csv")
    to_numpy = pd.Series.to_numpy
    copied: list[str] = []

    def counting(self, dtype=None, *args, **kwargs):
        if dtype is object and len(self) == len(good):
            copied.append(str(self.name))
        return to_numpy(self, dtype, *args, **kwargs)

    monkeypatch.setattr(pd.Series, "to_numpy", counting)
    df = load_survey(path)
    assert len(df) == len(good)
    assert copied == []


def test_parquet_round_trip_equals_csv(good, canonical, tmp_path):
    path = tmp_path / "good.parquet"
    good.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(load_survey(path), canonical)


def test_spss_round_trip_equals_csv(good, canonical, tmp_path):
    path = write_sav(good, tmp_path / "good.sav")
    pd.testing.assert_frame_equal(load_survey(path), canonical)
    assert "(SPSS)" in validate_file(path)


def test_danish_csv_semicolon_and_decimal_comma_accepted(good, canonical, tmp_path):
    path = tmp_path / "dansk.csv"
    good.to_csv(path, index=False, sep=";", decimal=",")
    assert "1,5" in path.read_text() or ";0,5" in path.read_text()  # the weights use commas
    pd.testing.assert_frame_equal(load_survey(path), canonical)
    assert "Danish CSV" in validate_file(path)


def test_csv_with_bom_accepted(good, canonical, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + good.to_csv(index=False).encode())
    pd.testing.assert_frame_equal(load_survey(path), canonical)


def test_spss_value_labels_are_mapped_to_codebook_codes(good, canonical, tmp_path):
    """An SPSS file with its own coding (0 = Kvinde, 1 = Mand) is mapped by label text."""
    import pyreadstat

    df = good.astype({c: "float64" for c in good.columns})
    df["gender"] = np.where(good["gender"] == 2, 0.0, 1.0)
    path = tmp_path / "recoded.sav"
    pyreadstat.write_sav(
        df, str(path), variable_value_labels={"gender": {0.0: "Kvinde", 1.0: "mand "}}
    )
    loaded = load_survey(path)
    pd.testing.assert_series_equal(loaded["gender"], canonical["gender"])


def test_spss_range_labels_match_with_a_hyphen_or_an_en_dash(good, canonical, tmp_path):
    """The codebook writes a range with an en dash ('1–10 medarbejdere'); a survey tool's
    export often has a hyphen ('1-10 medarbejdere'): the same label."""
    import pyreadstat

    from lederuddannelse.data.codebook import load_codebook

    labels = load_codebook().value_labels("span_of_control")
    assert "\u2013" in labels[1]  # the codebook's own label takes the en dash
    df = good.astype({c: "float64" for c in good.columns})
    path = tmp_path / "hyphens.sav"
    pyreadstat.write_sav(
        df,
        str(path),
        variable_value_labels={
            "span_of_control": {float(k): v.replace("\u2013", "-") for k, v in labels.items()}
        },
    )
    loaded = load_survey(path)
    pd.testing.assert_series_equal(loaded["span_of_control"], canonical["span_of_control"])


def test_extra_columns_are_kept_and_mentioned(good, tmp_path):
    df = good.assign(kommune=["x"] * len(good))
    summary = validate_file(write(df, tmp_path))
    assert "1 extra column kept: kommune" in summary
    assert "kommune" in load_survey(tmp_path / "bad.csv").columns


def test_weight_column_is_optional(good, tmp_path):
    summary = validate_file(write(good.drop(columns="weight"), tmp_path))
    assert (
        summary.startswith("OK: ")
        and "no weight column" in summary
        and "200 respondents" in summary
    )


def test_add_derived_indicators(canonical):
    d = add_derived(canonical)
    t = canonical["training"]
    assert (d["trained_any"] == t.isin([1, 2])).all()
    assert (d["trained_narrow"] + d["trained_broad"] == d["trained_any"]).all()
    assert d.loc[t == 0, "after_2020"].isna().all() and d.loc[t > 0, "after_2020"].notna().all()
    assert set(d.loc[t > 0, "paid_by_workplace"].unique()) <= {0.0, 1.0}
    assert ((d["willing_to_pay"] == 1) == (canonical["pay_self"] == 1)).all()
    book = load_codebook()
    for name in ("trained_any", "after_2020", "unwilling_to_pay"):
        assert book.label(name)


def test_labelled_gives_danish_categories_in_codebook_order(canonical):
    book = load_codebook()
    lab = book.labelled(canonical, "org_size")
    assert list(lab.cat.categories) == list(book.value_labels("org_size").values())
    assert lab.cat.ordered
    routed = book.labelled(canonical, "training_year")
    assert routed.isna().sum() == (canonical["training"] == 0).sum()


# --- the catalogue of malformed inputs ---------------------------------------------------------
def test_01_missing_column(good, tmp_path):
    msg = problems(write(good.drop(columns="sector"), tmp_path))
    assert "missing column 'sector' (Sektor)" in msg
    assert "1 problem found" in msg


def test_02_misspelt_column_gets_a_suggestion(good, tmp_path):
    msg = problems(write(good.rename(columns={"industry": "industri"}), tmp_path))
    assert "missing column 'industry' (Branche); did you mean 'industri'?" in msg


def test_03_unknown_code(good, tmp_path):
    df = good.copy()
    df.loc[4, "gender"] = 3
    msg = problems(write(df, tmp_path))
    assert "column 'gender': unknown code in 1 row (row 5: 3); expected 1 (Mand), 2 (Kvinde)" in msg


def test_04_wrong_type_text_in_numeric_column(good, tmp_path):
    df = good.astype({"desire": object})
    df.loc[1, "desire"] = "meget"
    msg = problems(write(df, tmp_path))
    assert (
        "column 'desire': wrong type, expected numeric codes but found text in 1 row (row 2: "
        "'meget')" in msg
    )


def test_05_value_out_of_range(good, tmp_path):
    df = good.copy()
    df.loc[[2, 7], "desire"] = [6, 0]
    msg = problems(write(df, tmp_path))
    assert "column 'desire': value out of range 1-5 in 2 rows (rows 3, 8: 6, 0)" in msg


def test_06_fractional_code(good, tmp_path):
    df = good.astype({"age_group": float})
    df.loc[0, "age_group"] = 2.5
    msg = problems(write(df, tmp_path))
    assert (
        "column 'age_group': codes must be whole numbers, but are not in 1 row (row 1: 2.5)" in msg
    )


def test_07_routing_answered_although_not_asked(good, tmp_path):
    df = good.copy()
    row = first_row(df, df["training"] == 0)
    df.loc[row, "reason_career"] = 1
    msg = problems(write(df, tmp_path))
    assert (
        "column 'reason_career': routing violated, answered although not asked in 1 row (row "
        f"{row + 1}: 1); "
        "asked only where training in [1, 2]"
    ) in msg


def test_08_routing_missing_although_asked(good, tmp_path):
    df = good.copy()
    row = first_row(df, df["training"] > 0)
    df.loc[row, "training_year"] = pd.NA
    msg = problems(write(df, tmp_path))
    assert (
        f"column 'training_year': missing although asked in 1 row (row {row + 1}); required where "
        "training in [1, 2]" in msg
    )


def test_09_missing_required_value(good, tmp_path):
    df = good.astype({"manager_type": "Int8"})
    df.loc[[0, 9], "manager_type"] = pd.NA
    msg = problems(write(df, tmp_path))
    assert (
        "column 'manager_type': missing values in 2 rows (rows 1, 10); every respondent must have "
        "a value" in msg
    )


def test_10_duplicate_ids(good, tmp_path):
    df = good.copy()
    df.loc[5, "resp_id"] = df.loc[2, "resp_id"]
    msg = problems(write(df, tmp_path))
    assert "column 'resp_id': duplicate ids in 2 rows (rows 3, 6: 3, 3); id 3 occurs 2 times" in msg


def test_11_negative_and_zero_weights(good, tmp_path):
    df = good.copy()
    df.loc[[3, 4], "weight"] = [-1.5, 0.0]
    msg = problems(write(df, tmp_path))
    assert (
        "column 'weight': weights must be positive and finite, but are not in 2 rows (rows 4, 5: "
        "-1.5, 0.0)" in msg
    )


def test_12_missing_weight(good, tmp_path):
    df = good.copy()
    df.loc[7, "weight"] = np.nan
    msg = problems(write(df, tmp_path))
    assert "column 'weight': missing weights in 1 row (row 8); every row needs a weight" in msg


def test_13_infinite_weight(good, tmp_path):
    df = good.copy()
    df.loc[0, "weight"] = np.inf
    msg = problems(write(df, tmp_path))
    assert (
        "column 'weight': weights must be positive and finite, but are not in 1 row (row 1: inf)"
        in msg
    )


def test_14_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "file is empty (0 bytes)" in problems(path)


def test_15_header_but_no_rows(good, tmp_path):
    msg = problems(write(good.iloc[:0], tmp_path))
    assert "file has a header but no data rows" in msg


def test_16_wrong_encoding(good, tmp_path):
    path = tmp_path / "latin1.csv"
    text = good.assign(kommune="Køge").to_csv(index=False)
    path.write_bytes(text.encode("cp1252"))
    msg = problems(path)
    assert "not UTF-8 encoded: byte 0xf8 on line 2" in msg and "CSV UTF-8" in msg


def test_17_spss_unlabelled_codes(good, tmp_path):
    import pyreadstat

    df = good.astype({c: "float64" for c in good.columns})
    df.loc[[1, 4], "gender"] = 3.0
    path = tmp_path / "unlabelled.sav"
    pyreadstat.write_sav(
        df, str(path), variable_value_labels={"gender": {1.0: "Mand", 2.0: "Kvinde"}}
    )
    msg = problems(path)
    assert (
        "column 'gender': SPSS values without a value label in 2 rows (rows 2, 5: 3, 3), "
        "so they cannot be mapped to codebook codes"
    ) in msg


def test_18_spss_label_not_in_codebook(good, tmp_path):
    import pyreadstat

    df = good.astype({c: "float64" for c in good.columns})
    path = tmp_path / "otherlabel.sav"
    pyreadstat.write_sav(
        df,
        str(path),
        variable_value_labels={"sector": {1.0: "Offentlig sektor", 2.0: "Erhvervslivet"}},
    )
    msg = problems(path)
    assert (
        "column 'sector': SPSS value label 'Erhvervslivet' (value 2) is not a codebook label" in msg
    )


def test_19_unknown_file_type(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK\x03\x04")
    assert "unknown file type '.xlsx'; expected .csv, .parquet or .sav" in problems(path)


def test_20_file_not_found(tmp_path):
    assert "file not found" in problems(tmp_path / "nowhere.csv")


def test_21_broken_parquet(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"this is not parquet at all")
    assert "cannot be read as Parquet" in problems(path)


def test_22_parquet_with_text_codes(good, tmp_path):
    df = good.copy()
    df["gender"] = np.where(good["gender"] == 2, "Kvinde", "Mand")
    path = tmp_path / "text.parquet"
    df.to_parquet(path, index=False)
    msg = problems(path)
    assert (
        "column 'gender': wrong type, expected numeric codes but found text in 200 rows (rows 1, "
        "2, 3, 4, 5, ...:" in msg
    )


def test_23_duplicate_column_names(good, tmp_path):
    path = tmp_path / "dupcol.csv"
    text = good.to_csv(index=False)
    header, rest = text.split("\n", 1)
    path.write_text(header.replace("age_group", "gender", 1) + "\n" + rest)
    msg = problems(path)
    assert "column names occur more than once: ['gender']" in msg


def test_24_all_problems_reported_at_once(good, tmp_path):
    df = good.drop(columns="education").copy()
    df.loc[0, "gender"] = 7
    df.loc[1, "resp_id"] = df.loc[0, "resp_id"]
    df.loc[2, "weight"] = -1
    msg = problems(write(df, tmp_path))
    assert "4 problems found" in msg
    for part in (
        "missing column 'education'",
        "column 'gender': unknown code",
        "duplicate ids",
        "weights must be positive",
    ):
        assert part in msg
    assert msg.count("\n  - ") == 4
    assert str(tmp_path / "bad.csv") in msg.splitlines()[0]


def test_25_cli_validate_reports_without_traceback(good, tmp_path):
    df = good.copy()
    df.loc[0, "gender"] = 9
    path = write(df, tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "lederuddannelse", "data", "validate", path],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "column 'gender': unknown code in 1 row (row 1: 9)" in run.stderr
    assert "Traceback" not in run.stderr


def test_26_danish_csv_bad_entry_reported_alone_and_text_kept(good, tmp_path):
    df = good.assign(by=["Køge, Sjælland"] * len(good)).astype({"weight": object})
    df.loc[3, "weight"] = "x"
    path = tmp_path / "dansk.csv"
    df.to_csv(path, index=False, sep=";", decimal=",")
    msg = problems(path)
    assert (
        "column 'weight': wrong type, expected numbers but found text in 1 row (row 4: 'x')" in msg
    )
    df.loc[3, "weight"] = 1.25
    df.to_csv(path, index=False, sep=";", decimal=",")
    loaded = load_survey(path)
    assert loaded["by"].iloc[0] == "Køge, Sjælland"
    assert loaded["weight"].iloc[3] == 1.25


def test_code_indicator_keeps_no_answer_missing_and_respects_the_domain():
    """One rule for every 0/1 variable: a code hit is 1, another answer 0, no answer (NaN,
    blank, non-numeric) stays missing, and outside the domain is missing too."""
    import numpy as np
    import pandas as pd

    from lederuddannelse.data.derive import code_indicator

    values = pd.Series([1, 2, None, 4, "x"], dtype=object)
    got = code_indicator(values, (1, 4))
    np.testing.assert_array_equal(got, [1.0, 0.0, np.nan, 1.0, np.nan])
    domain = np.array([True, True, True, False, True])
    got = code_indicator(np.array([1.0, 2.0, np.nan, 4.0, 1.0]), [1, 4], domain)
    np.testing.assert_array_equal(got, [1.0, 0.0, np.nan, np.nan, 1.0])
