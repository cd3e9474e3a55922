"""Warnings the data and the parameters deserve (issue 25, point 6): an extreme weight ratio,
a parameter group named like a chapter, and YAML 1.1's `yes`/`no` refused with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lederuddannelse.data.loader import validate_file
from lederuddannelse.data.weighting import weight_ratio_warning
from lederuddannelse.errors import ParameterError
from lederuddannelse.params import group_name_warnings, load_parameters
from lederuddannelse.paths import EMBEDDED_DATA_PATH

ROOT = Path(__file__).resolve().parents[1]


def test_weight_ratio_warning():
    assert weight_ratio_warning([1.0, 2.0, 1000.0]) is None
    assert "1,000,000 times" in weight_ratio_warning([1.0, 1e6], "file's weights")


def test_data_validate_warns_about_a_million_to_one_weight(tmp_path):
    df = pd.read_parquet(ROOT / EMBEDDED_DATA_PATH)
    df["weight"] = 1.0
    df.loc[df.index[0], "weight"] = 1e-6
    path = tmp_path / "weights.parquet"
    df.to_parquet(path)
    info = validate_file(path)
    assert "WARNING: the largest of the file's weights is 1,000,000 times the smallest" in info
    assert "WARNING" not in validate_file(ROOT / EMBEDDED_DATA_PATH)


def _params(tmp_path: Path, text: str, old: str) -> Path:
    path = tmp_path / "parameters.yml"
    source = (ROOT / "parameters.yml").read_text(encoding="utf-8")
    assert old in source
    path.write_text(source.replace(old, text), encoding="utf-8")
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    return path


def test_a_group_named_like_a_chapter_is_warned_about(tmp_path):
    path = _params(tmp_path, "      hvem: {definition: narrow}", "      smal: {definition: narrow}")
    [warning, *_] = group_name_warnings(load_parameters(path))
    assert "group 'hvem' of chapter 'udbredelse'" in warning
    assert group_name_warnings(load_parameters(ROOT / "parameters.yml")) == []


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes"])
def test_yaml_11_booleans_are_refused_with_file_and_line(tmp_path, word):
    path = _params(tmp_path, f"weighted: {word}", "weighted: true")
    line = 1 + next(
        i for i, t in enumerate(path.read_text().splitlines()) if t.startswith("  weighted:")
    )
    with pytest.raises(ParameterError, match=f"parameters.yml, line {line}: '{word}'"):
        load_parameters(path)
