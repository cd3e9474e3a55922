"""A survey-tool export through the mapping layer (data/mapping.py): the example export maps
back onto the synthetic survey exactly; mapping errors are reported by name in one report;
messy files (partial completes, duplicate submissions, free text, sample-sized weights) get
the documented treatment; a file's own weights are the raking's base weights (checked against
R's rake); absent variables are allowed and pages say so.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import (
    ROOT,
    SMALL_N,
    SMALL_SEED,
    open_test_chapter,
    require_rscript,
    write_sav,
)
from lederuddannelse.cli import main
from lederuddannelse.data.example_export import write_example_export
from lederuddannelse.data.loader import load_survey
from lederuddannelse.data.mapping import META_KEY, MappingError, parse_mapping, read_source
from lederuddannelse.data.mapping_report import validate

MAPPING = ROOT / "data" / "examples" / "export-mapping.yml"


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    """The example export of the small synthetic sample (n=1500, seed 7)."""
    return write_example_export(
        tmp_path_factory.mktemp("export") / "export.sav", SMALL_N, SMALL_SEED
    )


def edited_mapping(tmp_path: Path, edit) -> Path:
    """A copy of the example mapping with ``edit(text) -> text`` applied."""
    out = tmp_path / "mapping.yml"
    out.write_text(edit(MAPPING.read_text(encoding="utf-8")), encoding="utf-8")
    return out


def test_example_export_is_deterministic(export, tmp_path):
    again = write_example_export(tmp_path / "again.sav", SMALL_N, SMALL_SEED)
    assert again.read_bytes() == export.read_bytes()


def test_example_maps_back_onto_the_synthetic_survey_exactly(export, generated_data, tmp_path):
    v = validate(export, MAPPING, tmp_path / "mapped.parquet", root=tmp_path)
    assert v.ok, v.report
    assert "Result: OK" in v.report
    mapped = load_survey(v.out)
    synthetic = load_survey(generated_data(SMALL_N, SMALL_SEED))
    cols = [c for c in synthetic.columns if c != "resp_id"]
    pd.testing.assert_frame_equal(mapped[cols], synthetic[cols])
    # the partial completes were dropped and counted; provenance names both hashes, no path
    import json

    import pyarrow.parquet as pq

    meta = json.loads(pq.read_schema(v.out).metadata[META_KEY])
    assert meta["dropped_incomplete"] == 30 and meta["synthetic"] is True
    assert meta["source_file"] == "export.sav" and len(meta["mapping_sha256"]) == 64
    assert "/" not in json.dumps({k: meta[k] for k in ("source_file", "mapping_file")})


def test_estimates_on_the_mapped_export_equal_the_synthetic_ones(export, generated_data):
    mapped = open_test_chapter(export, data_mapping=str(MAPPING))
    plain = open_test_chapter(generated_data(SMALL_N, SMALL_SEED))
    assert mapped.synthetic and mapped.mapping_name == "export-mapping.yml"
    np.testing.assert_allclose(mapped.data["weight"], plain.data["weight"], rtol=0, atol=1e-12)
    for var, by in [
        ("trained_any", None),
        ("trained_narrow", "sector"),
        ("high_desire", "industry"),
    ]:
        a = mapped.design.proportion(var, by=by)
        b = plain.design.proportion(var, by=by)
        for col in ("estimate", "se", "ci_low", "ci_high"):
            np.testing.assert_allclose(a[col], b[col], rtol=0, atol=1e-12, equal_nan=True)
        assert a["n"].tolist() == b["n"].tolist()


def test_three_mapping_errors_are_each_reported_by_name(export, tmp_path):
    def edit(text: str) -> str:
        text = text.replace("recode: {3: 0, 1: 1, 2: 2}", "recode: {3: 0, 1: 1, 2: 3}")  # 1
        text = text.replace("span_of_control: {column: Q7}", "span_of_control: {column: Q7x}")  # 2
        text = text.replace(
            "recode: {10: 1, 20: 2, 30: 3, 40: 4, 50: 5}", "recode: {10: 1, 20: 2, 30: 3, 40: 4}"
        )  # 3
        return text.replace("recode: {Mand: 1, Kvinde: 2}", "recode: {Mand: 2, Kvinde: 1}")  # 4

    v = validate(export, edited_mapping(tmp_path, edit), tmp_path / "m.parquet", root=tmp_path)
    assert not v.ok and v.out is None and not (tmp_path / "m.parquet").exists()
    report = v.report
    assert "Result: FAILED (3 problems)" in report
    line = next(i for i, ln in enumerate(MAPPING.read_text().splitlines(), 1) if "3: 0, 1: 1" in ln)
    assert (
        f"mapping.yml:{line}: variables.training.recode: 2 -> 3, but 3 is not a code of "
        "'training'" in report
    )
    assert "column 'Q7x' is not in export.sav; did you mean 'Q7'?" in report
    assert re.search(
        r"variables.education <- Q3: values no recode covers: 50 \('Lang videregående "
        r"uddannelse'\): [\d,]+ rows \(first rows \d+",
        report,
    )
    # a reversed recode is no error, but the distribution beside the synthetic one flags it
    assert "Flagged: gender" in report


def test_draft_mapping_lists_values_and_must_be_checked(export, tmp_path, capsys):
    draft = tmp_path / "draft.yml"
    assert main(["data", "map", "init", str(export), "-o", str(draft)]) == 0
    text = draft.read_text()
    assert "column: bagg_koen  # check" in text and "#     1 = Kvinde:" in text
    assert "derive: db07" in text and "bins: {1: 0, 2: 40, 3: 50, 4: 60}" in text
    assert "Q13_7_tekst" not in text.split("variables:")[1] or "(free text" in text
    assert main(["data", "map", "init", str(export), "-o", str(draft)]) == 1  # no overwrite
    capsys.readouterr()
    assert main(["data", "validate", str(export), "--mapping", str(draft)]) == 1
    out = capsys.readouterr().out
    assert "still marked 'check'" in out and "'CHECK' is not a code of 'sector'" in out


def test_partial_completes_need_the_completion_column(export, tmp_path):
    drop = edited_mapping(
        tmp_path, lambda t: t.replace("complete: {column: status, values: [Gennemført]}", "")
    )
    v = validate(export, drop, tmp_path / "m.parquet", root=tmp_path)
    assert not v.ok
    assert "no completion column given" in v.report
    assert "variables.barrier_time <- Q14_1: values no recode covers: (empty)" in v.report
    ok = validate(export, MAPPING, tmp_path / "m.parquet", root=tmp_path)
    assert "30 dropped as not completed" in ok.report


def test_duplicate_submissions_are_an_error(export, tmp_path):
    source = read_source(export)
    df = pd.concat([source.df, source.df.iloc[[4]]], ignore_index=True)
    dup = write_sav(source, df, tmp_path / "dup.sav")
    v = validate(dup, MAPPING, tmp_path / "m.parquet", root=tmp_path)
    assert not v.ok
    rid = int(source.df.iloc[4]["RespondentID"])
    assert "duplicate ids in 2 rows" in v.report and f"id {rid} occurs 2 times" in v.report


def test_free_text_never_reaches_the_mapped_file(export, tmp_path):
    v = validate(export, MAPPING, tmp_path / "m.parquet", root=tmp_path)
    assert "Q13_7_tekst" in v.report.split("not used")[1].split("\n\n")[0]
    cols = set(pd.read_parquet(v.out).columns)
    from lederuddannelse.data.codebook import load_codebook

    assert cols <= set(load_codebook().variables)


def _with_weights(export, tmp_path, weights: np.ndarray, name: str) -> Path:
    source = read_source(export)
    df = source.df.copy()
    df["vaegt"] = weights
    return write_sav(source, df, tmp_path / name)


def shown(monkeypatch, action) -> str:
    """What ``action()`` displays on the page (the Markdown/HTML objects' text)."""
    import lederuddannelse.chapters.base as base

    seen: list[str] = []
    monkeypatch.setattr(base, "display", lambda obj, **kw: seen.append(str(obj.data)))
    action()
    return "\n".join(seen)


def test_file_weights_are_base_weights_and_change_the_result(export, tmp_path, monkeypatch):
    source = read_source(export)
    n = len(source.df)
    young = (source.df["alder"] < 40).to_numpy()
    base = np.where(young, 3.0, 1.0)
    base *= n / base.sum()  # weights summing to the sample
    mapping = edited_mapping(tmp_path, lambda t: t.replace("weight: {}", "weight: {column: vaegt}"))
    a = _with_weights(export, tmp_path, base, "a.sav")
    b = _with_weights(export, tmp_path, base * 107_000 / n, "b.sav")  # same, population-sized
    va = validate(a, mapping, tmp_path / "a.parquet", root=tmp_path)
    assert va.ok, va.report
    assert "the file's weights (column 'vaegt') are the base weights" in va.report
    assert "the weights look normalised to the sample" in va.report
    ca = open_test_chapter(a, data_mapping=str(mapping))
    cb = open_test_chapter(b, data_mapping=str(mapping))
    plain = open_test_chapter(export, data_mapping=str(MAPPING))
    assert ca.base_weights and not plain.base_weights
    # scale does not matter; the base weights do
    np.testing.assert_allclose(ca.data["weight"], cb.data["weight"], rtol=1e-9)
    pa = ca.design.proportion("trained_any")["estimate"].iloc[0]
    pp = plain.design.proportion("trained_any")["estimate"].iloc[0]
    assert abs(pa - pp) > 1e-3
    # the page says so
    assert "Filens egne vægte er brugt som startvægte" in shown(monkeypatch, ca.notice)


@pytest.mark.r
def test_raking_from_file_weights_matches_r(export, tmp_path):
    rscript = require_rscript()
    source = read_source(export)
    rng = np.random.default_rng(1)
    base = np.round(np.exp(rng.normal(0, 0.5, len(source.df))), 6)
    mapping = edited_mapping(tmp_path, lambda t: t.replace("weight: {}", "weight: {column: vaegt}"))
    ch = open_test_chapter(
        _with_weights(export, tmp_path, base, "w.sav"), data_mapping=str(mapping)
    )
    inp = ch.data[["resp_id", "gender", "sector", "industry", "org_size"]].copy()
    inp["base_weight"] = _base_of(ch, mapping)
    data = tmp_path / "in.csv"
    inp.to_csv(data, index=False)
    out = tmp_path / "r.csv"
    run = subprocess.run(
        [
            rscript,
            str(ROOT / "tests" / "r" / "rake_reference.R"),
            str(data),
            str(ROOT / "data" / "margins.csv"),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    r = pd.read_csv(out)
    assert r["resp_id"].tolist() == ch.data["resp_id"].tolist()
    rel = np.max(
        np.abs(ch.data["weight"].to_numpy() - r["weight"].to_numpy()) / r["weight"].to_numpy()
    )
    assert rel < 1e-9


def _base_of(ch, mapping) -> list[str]:
    """The base weights exactly as the chapter read them (the mapped file's weight column)."""
    from lederuddannelse.params import resolve_data

    data = resolve_data(str(ch.data_path), str(mapping))
    return [f"{w:.17g}" for w in load_survey(data.load_path)["weight"]]


def test_absent_variables_are_allowed_and_pages_say_so(export, tmp_path, monkeypatch):
    def edit(t: str) -> str:
        t = t.replace("absent: []", "absent: [pay_self]")
        return t.replace(
            "  pay_self:\n    column: Q16\n    recode: {Ja: 1, Nej: 2, Ved ikke: 3}"
            '   # here "Ved ikke" is an answer category\n',
            "",
        )

    mapping = edited_mapping(tmp_path, edit)
    assert "pay_self:" not in mapping.read_text().split("variables:")[1]
    v = validate(export, mapping, tmp_path / "m.parquet", root=tmp_path)
    assert v.ok, v.report
    assert "Variables absent (1):\n  pay_self (Vil selv betale)" in v.report
    ch = open_test_chapter(export, data_mapping=str(mapping))
    assert ch.absent == ("pay_self", "unwilling_to_pay", "willing_to_pay")  # and derived
    assert shown(monkeypatch, lambda: ch.requires("desire")) == ""
    text = shown(monkeypatch, lambda: ch.requires("pay_self", "desire"))
    assert "Vil selv betale (`pay_self`)" in text and "ikke findes i datafilen" in text


def test_mapping_file_problems_name_file_line_and_key(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "id: RespondentID\nid: X\nweight: {rake: false}\nvariables:\n  gendr: {column: a}\n"
        "  industry: {column: b, derive: db08}\n"
    )
    _, problems = parse_mapping(bad)
    text = "\n".join(problems)
    assert "bad.yml:2: key 'id' is given twice" in text
    assert "bad.yml:3: 'weight.rake' must be true: the book always rakes" in text
    assert "bad.yml:5: variables.gendr: not a codebook variable; did you mean 'gender'?" in text
    assert (
        "bad.yml:6: 'variables.industry.derive' = 'db08' must be one of bins, db07, chosen" in text
    )
    assert (
        "codebook variable 'age_group' (Alder) is neither mapped nor listed under 'absent'" in text
    )


def test_a_mapping_file_of_a_wrong_shape_is_told_line_by_line_and_the_rest_still_checked(
    tmp_path,
):
    """The mapping file's shape is checked by its JSON schema: every breach names the line,
    the key and what was expected, and the entries it spares are still checked against the
    codebook (issue 24: one schema instead of hand-written checks, which crashed on some)."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "id: 3\nweight: [a]\ncomplete: {column: s}\nabsent: gender\nfoo: 1\nvariables:\n"
        "  gender: {colum: a}\n  age_group:\n    column: b\n    recode: [1, 2]\n"
        "  sector: {column: c, digits: x}\n  education: {column: e, missing: 9}\n"
        "  org_size: {column: d, recode: {a: 99}}\n"
    )
    _, problems = parse_mapping(bad)
    for expected in (
        "bad.yml:1: 'id' must be the export's respondent id column; found the value 3",
        "bad.yml:2: 'weight' must be a mapping like {column: vaegt}; found a list",
        "bad.yml:3: 'complete' needs the key 'values': a list of the codes of a completed",
        "bad.yml:4: 'absent' must be a list of codebook variables; found the value 'gender'",
        "bad.yml:5: unknown key 'foo' in the file; expected source, id, weight, complete,",
        "bad.yml:7: 'variables.gender' needs the key 'column': the export's column",
        "bad.yml:7: unknown key 'colum' in 'variables.gender'; expected column, recode,",
        "bad.yml:10: 'variables.age_group.recode' must be 'source value or label: codebook "
        "code' lines; found a list",
        "bad.yml:11: 'variables.sector.digits' must be a whole number of digits; found the "
        "value 'x'",
        "bad.yml:12: 'variables.education.missing' must be a list of source values or labels; "
        "found the value 9",
        "bad.yml:13: variables.org_size.recode: 'a' -> 99, but 99 is not a code of 'org_size'",
    ):
        assert any(p.startswith(expected) for p in problems), (expected, problems)


def test_a_mapping_file_that_is_not_yaml_names_the_line(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("id: x\nvariables: [\n")
    with pytest.raises(MappingError, match=r"bad\.yml:3: not valid YAML \("):
        parse_mapping(bad)


def test_build_parameters_and_cli_options(tmp_path):
    from lederuddannelse.errors import ParameterError
    from lederuddannelse.params import apply_data_overrides, load_parameters, resolve_mapping_file

    params = load_parameters(ROOT / "parameters.yml")
    assert params.globals["data_mapping"] == "none"
    g = dict(params.globals)
    apply_data_overrides(g, "data/examples/export.sav", "data/examples/export-mapping.yml")
    assert g["data_mapping"] == "data/examples/export-mapping.yml"
    apply_data_overrides(g, "x.csv", None)
    assert g["data_mapping"] == "none"
    with pytest.raises(ParameterError, match="data_mapping' = 'nope.yml': no such file"):
        resolve_mapping_file("nope.yml", ROOT)


def test_db07_codes_give_the_ten_groups():
    from lederuddannelse.data.mapping_apply import _db07_group

    assert _db07_group(11100.0, 6) == 1  # 011100: leading zero lost in a numeric column
    assert _db07_group("620100", 6) == 5
    assert _db07_group(841100, 6) == 9
    assert _db07_group(960200, 6) == 10
    assert _db07_group(401000, 6) is None  # 40 is no DB07 main group
    assert _db07_group(12345678, 6) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a;b;c\n1,2,3\n4,5,6\n", "the header line separates columns by ';' but line 2 by ','"),
        ("a,b,a\n1,2,3\n", "column names occur more than once: ['a']"),
        ("a\tb\tc\n1\t2\t3\n", "the file looks tab-separated"),
    ],
)
def test_the_mapping_reads_a_file_by_the_loaders_rules(tmp_path, text, expected):
    """One reader: `data map` refuses what `data validate` refuses, with the same words."""
    from lederuddannelse.errors import DataValidationError

    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as mapped:
        read_source(path)
    with pytest.raises(DataValidationError) as loaded:
        load_survey(path)
    assert expected in str(mapped.value) and expected in str(loaded.value)


def test_validate_report_puts_counted_problems_first_and_one_result_last(export, tmp_path):
    """On a draft mapping: problems first and numbered, no distributions of empty variables
    (unless asked), and the result as the last line."""
    draft = tmp_path / "draft.yml"
    assert main(["data", "map", "init", str(export), "-o", str(draft)]) == 0
    v = validate(export, draft, tmp_path / "m.parquet", root=tmp_path)
    lines = v.report.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("Problems ("))
    count = int(re.match(r"Problems \((\d+)\):", lines[first]).group(1))
    assert count >= 1 and lines[first + 1].startswith("  1. ")
    assert first < next(i for i, ln in enumerate(lines) if ln.startswith("Rows:"))
    assert "(0 with a value)" not in v.report and "Not shown: " in v.report
    assert lines[-1] == f"Result: FAILED ({count} problem{'s' if count != 1 else ''})."
    assert sum(ln.startswith("Result:") for ln in lines) == 1
    every = validate(export, draft, tmp_path / "m.parquet", root=tmp_path, all_distributions=True)
    assert "(0 with a value)" in every.report


def test_a_renamed_column_is_suggested_by_its_spss_label(export, tmp_path):
    """As `data map init` finds a column by its SPSS variable label, so does the hint."""
    import pyreadstat

    source = read_source(export)
    names = {"Q10": "V_efteruddannelse"}
    renamed = tmp_path / "export_renamed.sav"
    pyreadstat.write_sav(
        source.df.rename(columns=names),
        str(renamed),
        file_label=source.file_label,
        column_labels={names.get(c, c): lab for c, lab in source.column_labels.items()},
        variable_value_labels={names.get(c, c): v for c, v in source.value_labels.items()},
    )
    v = validate(renamed, MAPPING, tmp_path / "m.parquet", root=tmp_path)
    assert "column 'Q10' is not in export_renamed.sav; did you mean 'V_efteruddannelse'?" in (
        v.report
    )


def test_one_column_for_two_variables_and_foreign_values_are_named(export, tmp_path):
    mapping = edited_mapping(tmp_path, lambda t: t.replace("column: bagg_koen", "column: Q16", 1))
    v = validate(export, mapping, tmp_path / "m.parquet", root=tmp_path)
    assert not v.ok
    assert "column 'Q16' is mapped to 2 variables (gender, pay_self)" in v.report
    assert re.search(
        r"variables\.gender <- Q16: the column's values \(.*'Ja'.*\) do not look like the "
        r"recode's \('mand', 'kvinde'\) at all",
        v.report,
    ), v.report
    assert "variables.gender <- Q16: values no recode covers" not in v.report
