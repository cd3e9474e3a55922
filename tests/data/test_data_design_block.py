"""A sampling design from the data file to the page: the mapping file's ``design:`` block.

An export with columns that look like a design and no block gets a warning (it is not analysed
as a simple sample without a word); with the block, ``data validate`` reports the design (strata,
PSUs per stratum, lonely PSUs, degrees of freedom), the mapped file carries it, every page's
design uses it and says so; ``data map init`` drafts the block.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT, SMALL_N, SMALL_SEED, open_test_chapter, write_sav
from lederuddannelse.data.design_block import design_columns_like, parse_design
from lederuddannelse.data.example_export import write_example_export
from lederuddannelse.data.loader import load_survey
from lederuddannelse.data.mapping import read_source
from lederuddannelse.data.mapping_init import draft_mapping
from lederuddannelse.data.mapping_report import validate

MAPPING = ROOT / "data" / "examples" / "export-mapping.yml"
DESIGN = "design:\n  strata: stratum\n  psu: [psu]\n  fpc: [fpc]\n"
REPLICATES = "design:\n  repweights: repwt\n  rep_type: JK1\n"


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """The example export with design columns: 4 strata, PSUs of 30 rows, fpc, 4 replicates."""
    folder = tmp_path_factory.mktemp("design")
    plain = write_example_export(folder / "plain.sav", SMALL_N, SMALL_SEED)
    source = read_source(plain)
    df = source.df.copy()
    i = np.arange(len(df))
    df["stratum"] = [f"s{k}" for k in i % 4]
    df["psu"] = [f"s{k}-{j}" for k, j in zip(i % 4, i // 120)]
    df["fpc"] = 400.0
    for r in range(1, 5):
        df[f"repwt{r}"] = np.where(i % 4 == r - 1, 0.0, 4 / 3)
    return write_sav(source, df, folder / "export.sav")


def mapping_with(tmp_path, block: str):
    text = MAPPING.read_text(encoding="utf-8")
    out = tmp_path / "mapping.yml"
    out.write_text(text.replace("absent: []", block + "absent: []", 1), encoding="utf-8")
    assert block == "" or "design:" in out.read_text()
    return out


def test_design_columns_without_a_block_are_not_analysed_silently(export, tmp_path):
    v = validate(export, mapping_with(tmp_path, ""), tmp_path / "m.parquet", root=tmp_path)
    assert "look like a sampling design" in v.report
    assert "strata: stratum" in v.report and "repweights: repwt1" in v.report
    assert "Warnings (0)" not in v.report
    assert "Design: none declared" in v.report


def test_the_block_is_reported_carried_and_used_on_every_page(export, tmp_path):
    mapping = mapping_with(tmp_path, DESIGN)
    v = validate(export, mapping, tmp_path / "m.parquet", root=tmp_path)
    assert v.ok, v.report
    psus = -(-SMALL_N // 120)  # PSUs of 120 consecutive rows, split over 4 strata
    assert "Design: 4 strata (stratum)" in v.report
    assert "degrees of freedom" in v.report and "look like a sampling design" not in v.report
    df = load_survey(v.out)
    assert df.attrs["design"] == {"strata": "stratum", "psu": ["psu"], "fpc": ["fpc"]}
    assert {"stratum", "psu", "fpc"} <= set(df.columns)
    ch = open_test_chapter(export, data_mapping=str(mapping))
    s = ch.design.structure.summary()
    assert s["n_strata"] == 4 and s["psu"] == ["psu"] and s["n_psu"] >= psus
    assert "4 strata (stratum)" in ch.design.describe_design()
    # the page's estimates rest on the design: df = PSUs minus strata, not n - 1
    t = ch.design.mean("desire")
    assert t["df"].iloc[0] == s["degf"] < len(ch.data) - 1


def test_replicate_weights_through_the_mapping(export, tmp_path):
    v = validate(export, mapping_with(tmp_path, REPLICATES), tmp_path / "r.parquet", root=tmp_path)
    assert v.ok, v.report
    assert "Design: 4 replicate weights (JK1" in v.report
    assert load_survey(v.out).attrs["design"] == {"repweights": "repwt", "rep_type": "JK1"}
    mapping = mapping_with(tmp_path, REPLICATES)
    ch = open_test_chapter(export, data_mapping=str(mapping))  # each replicate raked, as R
    assert ch.design.variance.replicate and "4 replikatvægte" in ch.design.describe_design()
    t = ch.design.mean("desire")
    assert t["se"].iloc[0] > 0 and t["df"].iloc[0] == 3  # rank 4 - 1, R's degf()


def test_block_problems_name_the_line(tmp_path, export):
    bad = "design:\n  strata: [a, b]\n  rep_type: JK1\n  lonely_psu: never\n"
    v = validate(export, mapping_with(tmp_path, bad), tmp_path / "x.parquet", root=tmp_path)
    assert not v.ok
    assert "mapping.yml:" in v.report and "'design.strata' must be one column name" in v.report
    assert "'design.rep_type' needs 'design.repweights'" in v.report
    assert "'design.lonely_psu' = 'never' must be one of fail, adjust" in v.report


def test_the_schema_knows_the_designs_the_statistics_know():
    """The mapping schema's lists of rep_type and lonely_psu are those of the stats layer
    (which the data layer may not import)."""
    from lederuddannelse.data.mapping import SCHEMA_FILE
    from lederuddannelse.stats.replicate import REP_TYPES
    from lederuddannelse.stats.structure import LONELY_PSU
    from lederuddannelse.yamlfile import load_schema

    design = load_schema("lederuddannelse.data", SCHEMA_FILE)["properties"]["design"]
    assert tuple(design["properties"]["rep_type"]["enum"]) == REP_TYPES
    assert tuple(design["properties"]["lonely_psu"]["enum"]) == LONELY_PSU


def test_map_init_drafts_the_block(export):
    text = draft_mapping(export)
    assert "design:  # check" in text and "repweights:" in text and "rep_type: CHECK" in text
    assert "weight: {column: repwt" not in text


def test_recognised_design_column_names():
    looks = design_columns_like(["stratum", "PSU", "fpc1", "repwt12", "weight", "q1", "jk3"])
    assert looks == {
        "strata": ["stratum"],
        "psu": ["PSU"],
        "fpc": ["fpc1"],
        "repweights": ["repwt12", "jk3"],
    }
    block, problems = parse_design({"psu": ["a", "b"], "fpc": ["f1"]}, lambda *k: "m.yml:1")
    assert problems == ["m.yml:1: design.fpc needs one column per stage (2)"]
    assert block is not None and block.psu == ["a", "b"]


def test_a_plain_file_with_design_columns_gets_a_warning(generated_data, tmp_path):
    from lederuddannelse.data.loader import validate_file

    df = load_survey(generated_data(SMALL_N, SMALL_SEED))
    df["stratum"] = df["sector"]
    out = tmp_path / "with_strata.csv"
    df.to_csv(out, index=False)
    info = validate_file(out)
    assert "WARNING: columns that look like a sampling design (strata: stratum)" in info
