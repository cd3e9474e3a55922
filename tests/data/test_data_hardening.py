"""Inputs that used to be accepted silently or reported unclearly (issue 14): each one now
gets one clear message, and `data validate` checks what the build needs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import copy_project
from lederuddannelse.data.loader import load_survey, validate_file
from lederuddannelse.data.synthetic import generate_survey
from lederuddannelse.errors import DataValidationError, LederuddannelseError, ParameterError
from lederuddannelse.params import resolve_data_file


@pytest.fixture(scope="module")
def good() -> pd.DataFrame:
    df, _ = generate_survey(300, 21)
    return df


def problems(path) -> str:
    with pytest.raises(DataValidationError) as info:
        load_survey(path)
    return str(info.value)


def test_true_false_in_a_binary_item_is_rejected_like_labels(good, tmp_path):
    item = "reason_career"
    df = good.astype({item: object})
    asked = df[item].notna()
    df.loc[asked, item] = df.loc[asked, item].map({0: False, 1: True})
    path = tmp_path / "bools.csv"
    df.to_csv(path, index=False)
    msg = problems(path)
    assert f"column '{item}': wrong type, expected numeric codes but found text" in msg
    assert "True/False are not codes, labels neither; the codes are 0 (" in msg
    pq = tmp_path / "bools.parquet"
    df.astype({item: "boolean"}).to_parquet(pq)
    assert "True/False are not codes" in problems(pq)


@pytest.mark.parametrize("case", ["20 rows", "an industry without respondents"])
def test_validate_checks_what_the_weighting_needs(good, tmp_path, case):
    df = good.head(20) if case == "20 rows" else good[good["industry"] != 1]
    path = tmp_path / "small.csv"
    df.to_csv(path, index=False)
    load_survey(path)  # the codebook alone is satisfied ...
    with pytest.raises(DataValidationError) as err:
        validate_file(path)  # ... but `data validate` says what the build would say
    assert "cannot be weighted to the population" in str(err.value)
    assert "category 1 has a population total but no respondents" in str(err.value)


def test_a_file_the_weighting_rejects_stops_the_build_once_before_any_chapter(good, tmp_path):
    root = copy_project(tmp_path)
    good.head(20).to_csv(root / "data" / "tiny.csv", index=False)
    params = yaml.safe_load((root / "parameters.yml").read_text())
    params["global"]["data_file"] = "data/tiny.csv"
    (root / "parameters.yml").write_text(yaml.safe_dump(params))
    from lederuddannelse.book import build as b

    with pytest.raises(LederuddannelseError) as err:
        b.build(root, jobs=1, quiet=True)
    assert str(err.value).count("cannot be weighted") == 1
    assert not list((root / "build" / "book").glob("*.ipynb")), "no chapter ran"


def test_twenty_digit_ids_are_read_without_loss(good, tmp_path):
    df = good.head(50).copy()
    big = [str(12345678901234567890 + i) for i in range(len(df))]
    df["resp_id"] = big
    path = tmp_path / "ids.csv"
    df.to_csv(path, index=False)
    loaded = load_survey(path)
    assert list(loaded["resp_id"].astype(str)) == big
    df.loc[7, "resp_id"] = big[3]
    df.to_csv(path, index=False)
    msg = problems(path)
    assert f"duplicate ids in 2 rows (rows 4, 8: {big[3]}, {big[3]}); id {big[3]} occurs 2" in msg
    good.head(5).to_csv(tmp_path / "ok.csv", index=False)
    small = load_survey(tmp_path / "ok.csv")
    assert small["resp_id"].dtype == np.int64


def test_a_symlink_loop_is_reported_as_such(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.symlink_to(b)
    b.symlink_to(a)
    assert "is a symbolic link that loops" in problems(a)
    with pytest.raises(ParameterError, match="a symbolic link that loops"):
        resolve_data_file(str(a), tmp_path)
    dangling = tmp_path / "c.csv"
    dangling.symlink_to(tmp_path / "gone.csv")
    assert "is a symbolic link to" in problems(dangling) and "which does not exist" in problems(
        dangling
    )


def test_uppercase_column_names_are_said_to_differ_only_in_case(good, tmp_path):
    path = tmp_path / "upper.csv"
    good.rename(columns=str.upper).to_csv(path, index=False)
    msg = problems(path)
    assert "1 problem found" in msg
    assert "columns differ only in case from the codebook's names: 'RESP_ID' (codebook: " in msg
    assert "missing column" not in msg


def test_a_tab_separated_file_is_named_as_such(good, tmp_path):
    path = tmp_path / "tabs.csv"
    good.to_csv(path, index=False, sep="\t")
    msg = problems(path)
    assert "the file looks tab-separated" in msg
    assert "missing column" not in msg


def test_a_semicolon_header_over_comma_rows_is_a_clear_error(good, tmp_path):
    path = tmp_path / "mixed.csv"
    lines = good.to_csv(index=False).splitlines()
    path.write_text("\n".join([lines[0].replace(",", ";"), *lines[1:]]) + "\n")
    msg = problems(path)
    assert "the header line separates columns by ';' but line 2 by ','" in msg


def test_danish_csv_errors_show_the_value_as_the_file_holds_it(good, tmp_path):
    df = good.astype({"desire": object})
    df.loc[2, "desire"] = "2,5"  # a Danish spreadsheet's decimal comma
    path = tmp_path / "dansk.csv"
    df.to_csv(path, index=False, sep=";", decimal=",")
    assert ";2,5;" in path.read_text()
    msg = problems(path)
    assert "column 'desire': codes must be whole numbers, but are not in 1 row (row 3: 2,5)" in msg


@pytest.mark.parametrize(
    "lookalike",
    [
        "Gender",
        "gen\u200bder",
        "\uff47\uff45\uff4e\uff44\uff45\uff52",
    ],  # case, zero-width, fullwidth
)
def test_a_look_alike_beside_a_codebook_column_is_named_with_it(good, tmp_path, lookalike):
    path = tmp_path / "lookalike.csv"
    data = good.copy()
    data[lookalike] = data["gender"]
    data.to_csv(path, index=False)
    msg = problems(path)
    assert f"{lookalike!r} beside 'gender'" in msg


def test_a_zero_width_variant_of_a_codebook_name_is_named(good, tmp_path):
    path = tmp_path / "zerowidth.csv"
    good.rename(columns={"gender": "gen\u200bder"}).to_csv(path, index=False)
    msg = problems(path)
    assert "'gen\\u200bder' (codebook: 'gender')" in msg
    assert "missing column 'gender'" not in msg
