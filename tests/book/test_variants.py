"""A chapter's variants are explicit (issue 24, point 1): a chapter names the parameter its
pages switch on; a group added to parameters.yml neither takes the switch away nor renumbers a
chapter or its figures; every page is titled with what sets it apart, in Danish words; and the
build says what it did with a group that joins no switch. No book is built here."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import yaml

from lederuddannelse import cli
from lederuddannelse.book.notebooks import normalise
from lederuddannelse.book.stage import runs_toc
from lederuddannelse.errors import ParameterError
from lederuddannelse.params import load_parameters
from lederuddannelse.variants import extra_page_lines, layout, switch_of, title_words

ROOT = Path(__file__).resolve().parents[2]
#: The group of the issue: narrow and unweighted, for udbredelse.
EXTRA = "      smal_uvaegtet: {definition: narrow, weighted: false}\n"


def with_extra_group(folder: Path) -> Path:
    """parameters.yml of the project with the issue's group added to udbredelse."""
    text = (ROOT / "parameters.yml").read_text(encoding="utf-8")
    anchor = "      bred: {definition: broad}\n"
    at = text.index(anchor, text.index("  udbredelse:")) + len(anchor)
    path = folder / "parameters.yml"
    path.write_text(text[:at] + EXTRA + text[at:], encoding="utf-8")
    return path


def staged_toc(path: Path) -> dict:
    by_slug: dict[str, list[str]] = {}
    for run in load_parameters(path).runs(ROOT):
        by_slug.setdefault(run.slug, []).append(run.name)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return runs_toc(toc, by_slug)[0]


def test_an_added_group_keeps_the_switch_and_every_chapter_number(tmp_path):
    plain = staged_toc(ROOT / "parameters.yml")
    path = with_extra_group(tmp_path)
    added = staged_toc(path)
    # the same chapters in the same order: no chapter, and so no figure, is renumbered
    assert [c["file"] for c in added["chapters"]] == [c["file"] for c in plain["chapters"]]
    entry = next(c for c in added["chapters"] if c["file"] == "udbredelse-alle")
    assert [s["file"] for s in entry["sections"]] == [
        "udbredelse-smal",
        "udbredelse-bred",
        "udbredelse-smal_uvaegtet",
    ]
    # the switch keeps its three pages; the new one is an extra page
    params = load_parameters(path)
    lay = layout(params, "udbredelse", ROOT)
    assert [r.name for r in lay.members] == [
        "udbredelse-alle",
        "udbredelse-smal",
        "udbredelse-bred",
    ]
    assert [r.name for r in lay.extras] == ["udbredelse-smal_uvaegtet"]
    assert switch_of(params, "udbredelse", ROOT) == {
        "label": "Definition af uddannelse",
        "pages": [
            ["udbredelse-alle", "Samlet"],
            ["udbredelse-smal", "Smal"],
            ["udbredelse-bred", "Bred"],
        ],
    }
    # its title says both what it shares with the narrow page and what sets it apart
    words = {r.group: lay.words(r, params.globals) for r in lay.runs}
    assert words == {
        "alle": "samlet definition",
        "smal": "smal definition",
        "bred": "bred definition",
        "smal_uvaegtet": "smal definition, uvægtet",
    }


def test_the_sector_chapter_is_one_chapter_with_a_switch():
    """Its two pages were two chapters; now one, with a switch on the sector."""
    params = load_parameters(ROOT / "parameters.yml")
    toc = staged_toc(ROOT / "parameters.yml")
    entry = next(c for c in toc["chapters"] if c["file"] == "sektor-offentlig")
    assert entry["sections"] == [{"file": "sektor-privat"}]
    assert "sektor-privat" not in [c["file"] for c in toc["chapters"]]
    assert switch_of(params, "sektor", ROOT)["pages"] == [
        ["sektor-offentlig", "Offentlig"],
        ["sektor-privat", "Privat"],
    ]
    # the sector is the chapter's own parameter, which its title already says
    lay = layout(params, "sektor", ROOT)
    assert [lay.words(r, params.globals) for r in lay.runs] == ["", ""]


def test_the_build_says_what_it_did_with_a_group_that_joins_no_switch(tmp_path):
    assert extra_page_lines(load_parameters(ROOT / "parameters.yml"), ROOT) == []
    [line] = extra_page_lines(load_parameters(with_extra_group(tmp_path)), ROOT)
    assert line == (
        "parameters.yml: udbredelse-smal_uvaegtet joins no switch (it differs from "
        "udbredelse-alle in weighted; the chapter's switch takes groups that differ in "
        "'definition' alone): built as an extra page under udbredelse-alle, its title adds "
        "(smal definition, uvægtet)."
    )


def test_params_lists_each_page_with_its_role_and_title(tmp_path, monkeypatch, capsys):
    from conftest import copy_project

    root = copy_project(tmp_path / "project")
    with_extra_group(root)
    monkeypatch.setenv("LEDERUDDANNELSE_ROOT", str(root))
    assert cli.main(["params"]) == 0
    out = capsys.readouterr().out
    assert "udbredelse-smal: definition='narrow'  [switch on definition; title: (smal " in out
    assert (
        "udbredelse-smal_uvaegtet: definition='narrow', weighted=False  [extra page; title: "
        "(smal definition, uvægtet)]" in out
    )
    assert "udbredelse-smal_uvaegtet joins no switch" in out


@pytest.mark.parametrize(
    "switch, expected",
    [
        (
            "definiton",
            "line 16 (chapters.udbredelse): switch 'definiton' is not a parameter of chapter "
            "'udbredelse'",
        ),
        (
            "weighted",
            "line 16 (chapters.udbredelse): no group of chapter 'udbredelse' differs from its "
            "first group 'alle' in 'weighted' alone",
        ),
    ],
)
def test_a_wrong_switch_is_a_clear_error_naming_the_line(tmp_path, switch, expected):
    from test_params_shape import GLOBAL

    path = tmp_path / "parameters.yml"
    path.write_text(
        GLOBAL + f"chapters:\n  udbredelse:\n    groups:\n      alle: {{}}\n"
        f"      smal: {{definition: narrow}}\n    switch: {switch}\n"
    )
    with pytest.raises(ParameterError) as err:
        load_parameters(path)
    assert str(err.value).startswith(f"{path}, {expected}"), str(err.value)


def test_a_misspelt_chapter_key_is_an_error_not_ignored(tmp_path):
    from test_params_shape import GLOBAL

    path = tmp_path / "parameters.yml"
    path.write_text(GLOBAL + "chapters:\n  udbredelse:\n    swich: definition\n    groups:\n"
                    "      alle: {}\n")  # fmt: skip
    with pytest.raises(
        ParameterError, match=r"line 13: unknown key 'swich' in 'chapters.udbredelse'"
    ):
        load_parameters(path)


def test_title_words_name_each_parameter_that_differs_from_the_defaults():
    defaults = load_parameters(ROOT / "parameters.yml").globals
    run = {**defaults, "weighted": False, "conf_level": 0.9, "data_file": "x.sav"}
    assert title_words(run, defaults, None) == "uvægtet, konfidensniveau 90 %"
    assert title_words(run, defaults, "definition") == (
        "samlet definition, uvægtet, konfidensniveau 90 %"
    )
    assert title_words({**defaults, "raking_se": False}, defaults, None) == (
        "standardfejl med vægtene som faste"
    )
    assert title_words(dict(defaults), defaults, None) == ""


def test_a_staged_page_carries_its_title_words():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("---\nfront: matter\n---"),
        nbformat.v4.new_markdown_cell("# Hvor mange?\n\nTekst."),
    ]
    text = normalise(nb, "udbredelse-smal_uvaegtet", {}, "", "smal definition, uvægtet")
    cells = nbformat.reads(text, as_version=4).cells
    assert cells[1].source == "# Hvor mange? (smal definition, uvægtet)\n\nTekst."
    assert cells[0].source == "---\nfront: matter\n---"


def test_the_site_shows_the_switch_on_its_pages_with_the_current_one_marked():
    from lederuddannelse.site.sphinx_ext import switch_html

    switch = switch_of(load_parameters(ROOT / "parameters.yml"), "hvem", ROOT)
    nav = switch_html(switch, "hvem-smal", lambda name: f"{name}.html")
    assert nav == (
        '<nav class="definition-switch" aria-label="Definition af uddannelse"><span>Definition '
        'af uddannelse:</span> <a href="hvem-alle.html">Samlet</a> | <a href="hvem-smal.html" '
        'aria-current="page"><strong>Smal</strong></a> | <a href="hvem-bred.html">Bred</a></nav>'
    )
