"""The one YAML reader with line numbers (yamlfile.py): what parameters.yml and mapping files
are read with, so that every problem names its line."""

from __future__ import annotations

import pytest

from lederuddannelse.yamlfile import YamlFileError, load_yaml, schema_problems

TEXT = """\
base: &base
  column: q1
  missing: [99]
variables:
  gender:
    <<: *base
    column: q2
  items:
    - a
    - 'yes'
    - no
  gender: again
"""


def test_every_key_and_item_has_its_line_and_merge_keys_are_no_duplicates(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text(TEXT)
    doc = load_yaml(path)
    assert doc.data["variables"]["gender"] == "again"  # YAML keeps the last, and we say so
    assert [(d.key, d.line, d.first) for d in doc.duplicates] == [(("variables", "gender"), 12, 5)]
    assert doc.line("variables", "items", 2) == 11
    assert doc.line("variables", "items", 7) == 8  # unknown: the deepest known key
    assert doc.line("base", "missing", 0) == 3
    assert doc.yaml11_booleans == [(11, "no")]  # quoted 'yes' is text, meant as such


def test_invalid_yaml_gives_its_line(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text("a: 1\nb: [\n")
    with pytest.raises(YamlFileError) as err:
        load_yaml(path)
    assert err.value.line == 3 and err.value.problem


def test_a_schema_breach_names_the_line_of_the_key(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text("a:\n  b: 1\n  c: x\n")
    schema = {
        "type": "object",
        "properties": {
            "a": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"b": {"type": "string", "description": "a column name"}},
            }
        },
    }
    problems = schema_problems(load_yaml(path), schema)
    assert [(line, text) for line, _, text in problems] == [
        (2, "'a.b' must be a column name; found the value 1"),
        (3, "unknown key 'c' in 'a'; expected b"),
    ]
