"""`parameters.yml` of a wrong shape, with duplicated keys or NaN: a clear error naming the line."""

from __future__ import annotations

import pytest

from lederuddannelse.errors import ParameterError
from lederuddannelse.params import load_parameters

GLOBAL = """global:
  data_file: embedded
  definition: any
  weighted: true
  raking_se: true
  conf_level: 0.95
  min_n: 30
  min_count: 5
  allow_small_cells: false
  data_mapping: none
"""


def error_of(tmp_path, text: str) -> str:
    path = tmp_path / "parameters.yml"
    path.write_text(text)
    with pytest.raises(ParameterError) as err:
        load_parameters(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}"), msg
    return msg


def test_the_global_parameters_of_this_test_match_the_project(project_root):
    from lederuddannelse.params import GLOBAL_SPECS

    assert {line.split(":")[0].strip() for line in GLOBAL.splitlines()[1:]} == set(GLOBAL_SPECS)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "- global\n- chapters\n",
            "line 1: the file must be a mapping with the keys 'global' "
            "and 'chapters'; found a list.",
        ),
        (
            GLOBAL + "chapters:\n  - udbredelse\n  - hvem\n",
            "line 11: 'chapters' must be a mapping (chapter slug: its groups); found a list.",
        ),
        (
            GLOBAL + "chapters:\n  udbredelse:\n    groups:\n      alle:\n        - weighted\n",
            "line 14: 'chapters.udbredelse.groups.alle' must be a mapping (name: value lines); "
            "found a list.",
        ),
        (
            GLOBAL + "chapters:\n  udbredelse:\n    groups: [alle]\n",
            "line 13: 'chapters.udbredelse.groups' must be a mapping (group name: its "
            "parameters); found a list.",
        ),
        (
            "global:\n  - data_file\nchapters: {}\n",
            "line 1: 'global' must be a mapping (name: value lines); found a list.",
        ),
        (
            GLOBAL + "chapters:\n  udbredelse:\n    groups:\n      alle: {}\n"
            "    allowed:\n      sector: privat\n",
            "line 16: 'chapters.udbredelse.allowed.sector' must be a list of values; found the "
            "value 'privat'.",
        ),
        (
            GLOBAL + "chapters:\n  udbredelse:\n    groups:\n      Alle: {}\n",
            "line 14: 'chapters.udbredelse.groups': the name 'Alle' must be lower case letters, "
            "digits and _ (starting with a letter).",
        ),
        (
            GLOBAL + "chapters:\n  udbredelse:\n    groups: {}\n",
            "line 13: 'chapters.udbredelse.groups' is empty; expected a mapping (group name: its "
            "parameters) with at least one entry.",
        ),
        (
            GLOBAL + "chapters:\n  udbredelse:\n    grups: {alle: {}}\n",
            "line 12: 'chapters.udbredelse' needs the key 'groups': a mapping (group name: its "
            "parameters).",
        ),
        (
            GLOBAL + "chapter:\n  udbredelse: {}\n",
            "line 11: unknown key 'chapter' in the file; expected global, chapters.",
        ),
        (
            GLOBAL.replace("weighted: true", "weighted: yes") + "chapters: {}\n",
            "line 4: 'yes' is read as a true/false value by some YAML readers",
        ),
        (GLOBAL + "chapters: [\n", ", line 12: not valid YAML ("),
    ],
)
def test_a_wrong_shape_is_a_clear_error_naming_the_line(tmp_path, text, expected):
    assert expected in error_of(tmp_path, text)


def test_a_duplicated_key_is_an_error_naming_both_lines(tmp_path):
    text = GLOBAL.replace("  min_n: 30\n", "  min_n: 30\n  min_n: 3\n")
    text += "chapters:\n  udbredelse:\n    groups:\n      alle: {}\n"
    msg = error_of(tmp_path, text)
    assert "line 8: key 'min_n' occurs twice in the same mapping (first on line 7)" in msg
    text = GLOBAL + "chapters:\n  udbredelse:\n    groups:\n      alle: {}\n      alle: {}\n"
    assert "line 15: key 'alle' occurs twice" in error_of(tmp_path, text)


def test_nan_confidence_level_is_rejected(tmp_path):
    text = GLOBAL.replace("conf_level: 0.95", "conf_level: .nan")
    text += "chapters:\n  udbredelse:\n    groups:\n      alle: {}\n"
    msg = error_of(tmp_path, text)
    assert "line 6 (global): parameter 'conf_level' = nan is not a number" in msg


def test_a_wrong_value_names_its_line(tmp_path):
    text = GLOBAL + "chapters:\n  udbredelse:\n    groups:\n      alle:\n        min_n: 0\n"
    msg = error_of(tmp_path, text)
    assert "line 15 (chapters.udbredelse.groups.alle): parameter 'min_n' = 0 is out of range" in msg
