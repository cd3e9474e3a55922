"""Citing, re-executing and provenance: citation.yml -> CITATION.cff, BibTeX, meta tags, and
(on the built book) every chapter page's citation block, downloads and re-run command."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from lederuddannelse import __version__
from lederuddannelse.book import build as b
from lederuddannelse.errors import LederuddannelseError
from lederuddannelse.params import parameter_words, slug_of
from lederuddannelse.site import citation as cit

CFF_VENV = ".venv-cff"  # built by `make cff-venv` from requirements-cff.lock


@pytest.fixture(scope="module")
def book_citation() -> cit.Citation:
    return cit.load_citation(ROOT / cit.CITATION_FILE)


def parse_bibtex(text: str):
    from pybtex.database import parse_string

    return parse_string(text, "bibtex")


# --- fast tests: no book build ---------------------------------------------------------------


def test_committed_citation_cff_is_generated_from_citation_yml(book_citation):
    committed = (ROOT / cit.CFF_FILE).read_text(encoding="utf-8")
    assert committed == cit.cff_text(book_citation), (
        "CITATION.cff is stale: run `python -m lederuddannelse citation cff -o CITATION.cff`"
    )
    data = yaml.safe_load(committed)
    assert data["version"] == __version__
    assert data["repository-code"] == book_citation.repository
    assert data["preferred-citation"]["type"] == "book"


def _cffconvert() -> Path:
    """cffconvert from its own environment (it needs jsonschema<4), which `make cff-venv`
    builds from requirements-cff.lock as part of `make test` and `make test-fast`: the test
    installs nothing and needs no network. Missing in CI is a failure."""
    exe = ROOT / CFF_VENV / "bin" / "cffconvert"
    if not exe.exists():
        pytest.fail(f"{exe.relative_to(ROOT)} is missing: run `make cff-venv`")
    return exe


def test_citation_cff_is_valid_according_to_cffconvert():
    exe = _cffconvert()
    proc = subprocess.run(
        [str(exe), "--validate", "-i", str(ROOT / cit.CFF_FILE)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cli_prints_the_cff(capsys):
    from lederuddannelse.cli import main

    assert main(["citation", "cff"]) == 0
    assert capsys.readouterr().out == (ROOT / cit.CFF_FILE).read_text(encoding="utf-8")


def test_citation_yml_errors_name_the_key(tmp_path):
    raw = yaml.safe_load((ROOT / cit.CITATION_FILE).read_text(encoding="utf-8"))
    raw["authors"] = [{"family-names": "Hansen", "given-names": "Jens", "orcid": "0000-0001"}]
    path = tmp_path / "citation.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LederuddannelseError, match="orcid"):
        cit.load_citation(path)
    del raw["authors"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LederuddannelseError, match="'authors'"):
        cit.load_citation(path)


def _with_people(c: cit.Citation) -> cit.Citation:
    from dataclasses import replace

    people = (
        cit.Author(
            family="Hansen", given="Jens Peter", orcid="https://orcid.org/0000-0002-1825-0097"
        ),
        cit.Author(family="Østergaard", given="Åse"),
        cit.Author(name="Team & Co_"),
    )
    # published: its repository is public (citation.yml's binder: true), so pages link it
    return replace(c, authors=people, doi="10.5281/zenodo.1234", public=True)


def test_chapter_bibtex_parses_and_keeps_every_field(book_citation):
    c = _with_people(book_citation)
    note = cit.parameters_note(
        {"sector": "privat", "weighted": True}, {"weighted": True}, "privat", True
    )
    text = cit.chapter_bibtex(
        c, "sektor-privat", "Offentlig & privat {sektor}", c.page_url("sektor-privat"), note
    )
    entry = parse_bibtex(text).entries[cit.bibtex_key(c, "sektor-privat")]
    assert entry.type == "incollection"
    assert [str(p) for p in entry.persons["author"]] == [
        "Hansen, Jens Peter",
        "Østergaard, Åse",
        "{Team \\& Co\\_}",
    ]
    assert entry.fields["booktitle"] == "{" + c.title + "}"
    assert entry.fields["year"] == str(c.year)
    assert entry.fields["doi"] == "10.5281/zenodo.1234"
    assert entry.fields["url"].endswith("/sektor-privat.html")
    note_text = entry.fields["note"]
    assert "privat sektor" in note_text and "vægtede" not in note_text
    book = parse_bibtex(cit.book_bibtex(c)).entries[cit.bibtex_key(c, "bog")]
    assert book.type == "book" and book.fields["version"] == __version__


def test_highwire_tags_one_author_each_and_book_title_only_for_chapters(book_citation):
    c = _with_people(book_citation)
    tags = cit.highwire_tags(c, "Kapitel", c.page_url("x-alle"), chapter=True)
    names = [n for n, _ in tags]
    assert [v for n, v in tags if n == "citation_author"] == [
        "Hansen, Jens Peter",
        "Østergaard, Åse",
        "Team & Co_",
    ]
    assert names.count("citation_author_orcid") == 1
    assert dict(tags)["citation_book_title"] == c.title
    assert dict(tags)["citation_language"] == "da"
    assert dict(tags)["citation_doi"] == "10.5281/zenodo.1234"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d", dict(tags)["citation_publication_date"])
    assert "citation_book_title" not in dict(
        cit.highwire_tags(c, c.title, c.site_url, chapter=False)
    )


def test_reference_text_is_danish_and_names_all_parts(book_citation):
    c = _with_people(book_citation)
    text = cit.chapter_reference_html(c, "Udbredelse", c.page_url("udbredelse-alle"))
    assert text.startswith("Hansen, J. P., Østergaard, Å. og Team &amp; Co_ (")
    assert f"I: <em>{c.title}</em> (version {__version__})" in text
    assert "https://doi.org/10.5281/zenodo.1234" in text and "udbredelse-alle.html" in text
    asked = cit.chapter_reference_html(c, "Hvor mange?", c.page_url("udbredelse-alle"))
    assert "Hvor mange? I: " in asked


def test_parameters_note_only_when_a_run_is_not_the_books_default():
    g = {"definition": "any", "weighted": True}
    assert cit.parameters_note(dict(g), g, "alle", several_groups=False) == ""
    assert (
        cit.parameters_note(dict(g), g, "alle", several_groups=True)
        == "parametergruppe alle (bogens standardparametre)"
    )
    assert (
        cit.parameters_note({**g, "weighted": False}, g, "uvaegtet", False)
        == "parametergruppe uvaegtet (uvægtede tal)"
    )


@pytest.mark.parametrize(
    "weighted, raking_se, expected",
    [
        (True, True, "vægtede tal og standardfejl med vægtningens usikkerhed"),
        (True, False, "vægtede tal og standardfejl med vægtene som faste"),
        (False, True, "uvægtede tal og standardfejl uden vægte"),
        (False, False, "uvægtede tal og standardfejl uden vægte"),
    ],
)
def test_the_notice_says_what_applies_to_each_weighting(weighted, raking_se, expected):
    """An unweighted run has no raking whose uncertainty its standard errors could carry:
    its notice says so, whatever raking_se is (it said 'uvægtede tal; standardfejl med
    vægtningens usikkerhed')."""
    assert parameter_words({"weighted": weighted, "raking_se": raking_se}) == expected


def test_the_rules_of_what_is_shown_are_a_clause_of_their_own():
    """The rules of what is shown are clauses, not one more thing chosen: a page parameter after
    them read as one of them ('tal vises fra 30 svar, intet antal under 5 og offentlig
    sektor')."""
    words = parameter_words(
        {"definition": "any", "min_n": 30, "min_count": 5, "sector": "offentlig"}
    )
    assert words == (
        "samlet definition og offentlig sektor; tal vises fra 30 svar, og antal under 5 vises ikke"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"data_file": "embedded", "definition": "narrow", "weighted": False, "conf_level": 0.9},
        {
            "data_file": "data/min fil.csv",
            "definition": "any",
            "weighted": True,
            "conf_level": 0.95,
            "sector": "true",
        },
    ],
)
def test_rerun_command_round_trips_through_the_cli_parser(params):
    from lederuddannelse.cli import build_parser
    from lederuddannelse.params import parse_cli_value

    g = {"data_file": "embedded", "definition": "any", "weighted": True, "conf_level": 0.95}
    command = cit.rerun_command("chapters/07_sektor.md", params, g, "privat")
    argv = shlex.split(command)
    assert argv[:4] == ["python", "-m", "lederuddannelse", "run"]
    args = build_parser().parse_args(argv[3:])
    assert args.chapter == "chapters/07_sektor.md" and args.group == "privat"
    overrides = {k: parse_cli_value(v) for k, v in args.parameter}
    assert overrides == {k: v for k, v in params.items() if g.get(k, object()) != v}


def test_rerun_command_of_a_book_built_on_an_export_names_its_data_by_name(tmp_path):
    """A book built with `make book DATA=... MAPPING=...`: the page's command names the data
    file and the mapping (it left them out, so copying it re-ran on the synthetic data), by
    their names, never by a path of the machine that built it."""
    import shutil

    from lederuddannelse.book.notebooks import public_parameters
    from lederuddannelse.params import load_parameters
    from lederuddannelse.site.sphinx_ext import book_data

    shutil.copy(ROOT / "parameters.yml", tmp_path / "parameters.yml")
    (tmp_path / "chapters").symlink_to(ROOT / "chapters")  # the chapters' switches read them
    (tmp_path / "data").mkdir()
    export, mapping = tmp_path / "data" / "export.sav", tmp_path / "data" / "export-mapping.yml"
    export.write_bytes(b"an export")
    mapping.write_text("a mapping", encoding="utf-8")
    env = {"LEDERUDDANNELSE_DATA_FILE": str(export), "LEDERUDDANNELSE_DATA_MAPPING": "data/"
           "export-mapping.yml"}  # fmt: skip
    data = book_data(tmp_path, env)
    [run] = [r for r in load_parameters(tmp_path / "parameters.yml").runs(ROOT)
             if r.name == "hvem-smal"]  # fmt: skip
    params = {**run.params, "data_file": str(export), "data_mapping": "data/export-mapping.yml"}
    command = cit.rerun_command(
        "chapters/03_hvem.md", public_parameters(params), data["defaults"], run.group
    )
    assert "-g smal" in command and "-p definition narrow" in command
    assert "-p data_file export.sav" in command
    assert "-p data_mapping export-mapping.yml" in command
    assert str(tmp_path) not in command and "data/" not in command
    # the page's colophon keeps stating the data the book was built on
    assert data["globals"]["data_file"] == "export.sav" == data["data_file"]


def test_references_bib_holds_the_reports_citations_without_invented_identifiers():
    db = parse_bibtex((ROOT / "references.bib").read_text(encoding="utf-8"))
    assert {"andersen2021", "clausen2022", "lederne2016", "lumley2010", "lumley_survey"} <= set(
        db.entries
    )
    for key, year in (("andersen2021", "2021"), ("clausen2022", "2022"), ("lederne2016", "2016")):
        assert db.entries[key].fields["year"] == year
        assert "doi" not in db.entries[key].fields, key
        # no description of our own stands in for a title the brief does not give
        assert "title" not in db.entries[key].fields, key
    assert db.entries["rapporten"].fields["title"].strip("{}") == "Hovedresultater"
    assert "author" not in db.entries["rapporten"].persons
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "file: litteratur" in toc and (ROOT / "litteratur.md").is_file()


# --- on the built book ----------------------------------------------------------------------


def _chapter_runs(site: Path) -> list[tuple[Path, dict]]:
    """The executed notebooks the site publishes (a snapshot: other tests rebuild the project)."""
    out = []
    for nb in sorted((site / "downloads").glob("*.ipynb")):
        meta = json.loads(nb.read_text(encoding="utf-8"))["metadata"].get("lederuddannelse")
        if meta:
            out.append((nb, meta))
    return out


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _meta(soup, name: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]


@pytest.mark.book
def test_every_chapter_page_is_citable_and_downloadable(built_book):
    root, _, site = built_book
    c = cit.load_citation(root / cit.CITATION_FILE)
    params = yaml.safe_load((root / "parameters.yml").read_text(encoding="utf-8"))
    data_sha = hashlib.sha256((root / params["global"]["data_file"]).read_bytes()).hexdigest()
    root_slug = slug_of(
        Path(yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))["root"] + ".md")
    )
    runs = _chapter_runs(site)
    assert len(runs) == len(b.load_parameters(root / "parameters.yml").runs(root))
    for nb, meta in runs:
        name = nb.stem
        soup = _soup(site / f"{name}.html")
        is_root = meta["chapter"] == root_slug and meta["group"] == next(
            iter(params["chapters"][root_slug]["groups"])
        )
        where = f"{name}.html"
        assert soup.html["lang"] == "da", where
        # Highwire meta tags
        assert len(_meta(soup, "citation_author")) == len(c.authors), where
        assert _meta(soup, "citation_publication_date") == [c.date.strftime("%Y/%m/%d")], where
        assert _meta(soup, "citation_language") == ["da"], where
        # an address only where it is known (citation.yml: binder: true, or url)
        if c.published_url:
            assert _meta(soup, "citation_public_url")[0].startswith(c.published_url), where
        else:
            assert not _meta(soup, "citation_public_url"), where
        if is_root:
            assert soup.find("meta", property="og:type")["content"] == "book", where
        else:
            assert _meta(soup, "citation_book_title") == [c.title], where
            if c.published_url:
                assert _meta(soup, "citation_public_url") == [c.page_url(name)], where
        title = _meta(soup, "citation_title")[0]
        several = len(params["chapters"][meta["chapter"]]["groups"]) > 1
        # citation block: reference and BibTeX
        block = soup.find(id="ledu-citer")
        assert block is not None, where
        assert block.h2.get_text() in (
            "Sådan citerer du dette kapitel",
            "Sådan citerer du bogen",
        ), where
        reference = block.find(class_="ledu-reference").get_text()
        assert (
            str(c.year) in reference
            and f"version {c.version}" in reference
            and c.title in reference
        )
        bib_text = block.find("pre").get_text()
        entries = parse_bibtex(bib_text).entries
        assert len(entries) == 1, where
        entry = next(iter(entries.values()))
        assert entry.fields["year"] == str(c.year) and entry.fields["version"] == c.version
        if not is_root:
            assert entry.type == "incollection", where
            assert c.page_url(name) == entry.fields.get("url", ""), where
            assert title.startswith(entry.fields["title"].strip("{}")), where
            if several:
                assert f"parametergruppe {meta['group']}" in title, where
                assert f"parametergruppe {meta['group']}" in entry.fields["note"].lower(), where
        # provenance line
        colophon = soup.find(class_="ledu-colophon").get_text(" ", strip=True)
        assert f"Bogens version {__version__}" in colophon, where
        assert re.search(r"bygget \d{4}-\d\d-\d\d", colophon), where
        assert Path(params["global"]["data_file"]).name in colophon and data_sha in colophon, where
        shown = {
            k: Path(v).name if k in ("data_file", "data_mapping") else v
            for k, v in meta["parameters"].items()
        }
        assert parameter_words(shown) in colophon, where
        # downloads resolve to files of the site, with the right content
        links = {a["href"] for a in soup.select("a.ledu-download")}
        assert {
            f"downloads/{name}.ipynb",
            f"downloads/{name}.bib",
            f"downloads/{Path(meta['source']).name}",
        } == links
        assert (site / "downloads" / f"{name}.bib").read_text(encoding="utf-8") == bib_text
        source_text = (site / "downloads" / Path(meta["source"]).name).read_text(encoding="utf-8")
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        # a chapter's later pages carry their group in figure labels (book.notebooks.suffix_labels)
        unsuffix = re.compile(rf"(:name:\s*\S+?|\{{(?:numref|ref)\}}`[^`]+?)-{meta['group']}\b")
        # the MyST source is the one that produced the notebook: its code cells are the
        # source's (the prose shows the glued values instead of their roles, site.downloads)
        for cell in cells:
            tags = cell["metadata"].get("tags", [])
            if cell["cell_type"] == "code" and "injected-parameters" not in tags:
                text = unsuffix.sub(r"\1", "".join(cell["source"])).strip()
                assert text in source_text, (where, cell["source"][:80])
        # the repository link points at a committed source, never at the build folder
        # (only once citation.yml says the repository is public)
        repo_link = soup.select_one("a.ledu-repository")
        assert (repo_link["href"] if repo_link else "") == c.source_url(meta["source"]), where
        assert (ROOT / meta["source"]).is_file(), where
        for a in soup.select("#ledu-koer-igen a[href$='.html']"):
            assert (site / a["href"]).is_file(), (where, a["href"])
        # the re-run command names this run's group and every parameter that is not a default
        command = soup.select_one("#ledu-koer-igen pre").get_text()
        assert command.startswith(
            f"python -m lederuddannelse run {meta['source']} -g {meta['group']}"
        ), where


@pytest.mark.book
def test_bibliography_page_and_citations(built_book):
    _, _, site = built_book
    page = _soup(site / "litteratur.html")
    entries = [d.get_text(" ", strip=True) for d in page.select("div.citation")]
    assert len(entries) >= 7
    # author-year: the entries carry no numbers ("[1]") that no citation in the text uses
    assert not page.select("div.citation span.label"), "numbered labels in the list"
    text = page.get_text(" ")
    for author in ("Andersen et al.", "Clausen", "Danmarks Statistik", "Lederne", "Lumley"):
        assert author in text, author
    # alphabetical: by author, or by title for a work without one (the report's chapter)
    firsts = [e.split(".")[0].casefold() for e in entries]
    assert firsts == sorted(firsts), firsts
    # every work cited on a page is in the list: Danmarks Statistik, on "Om undersøgelsen" too
    about = _soup(site / "om_undersoegelsen-alle.html").get_text()
    assert "(Danmarks Statistik 2019)" in about and "{cite" not in about
    front = (site / "forside-alle.html").read_text(encoding="utf-8")
    assert front.count('href="litteratur.html#') >= 3
    # Danish author-year: round brackets, no comma before the year, works split by semicolons
    front_text = re.sub(r"\s+", " ", _soup(site / "forside-alle.html").get_text())
    assert "(Andersen et al. 2021; Clausen 2022)" in front_text
    assert "[Clausen" not in front_text and "Andersen et al., 2021" not in front_text


@pytest.mark.book
def test_the_published_rerun_command_reproduces_the_page(built_book, tmp_path, monkeypatch):
    """Run the command shown under a chapter (one with parameters of its own, if any) and
    compare its glued values with the published notebook's."""
    from test_book import glued_texts

    from lederuddannelse.book.build import run_one
    from lederuddannelse.cli import build_parser
    from lederuddannelse.params import load_parameters, parse_cli_value

    root, _, site = built_book
    glob = load_parameters(root / "parameters.yml").globals
    runs = _chapter_runs(site)
    nb, meta = next(
        ((n, m) for n, m in runs if any(glob.get(k) != v for k, v in m["parameters"].items())),
        next((n, m) for n, m in runs if m["chapter"] == "udbredelse"),
    )
    command = _soup(site / f"{nb.stem}.html").select_one("#ledu-koer-igen pre").get_text()
    args = build_parser().parse_args(shlex.split(command)[3:])
    assert args.command == "run"
    monkeypatch.setenv("LEDERUDDANNELSE_ROOT", str(root))
    out = run_one(
        Path(args.chapter),
        {k: parse_cli_value(v) for k, v in args.parameter},
        root,
        group=args.group,
        out=tmp_path / "rerun.ipynb",
        quiet=True,
    )
    again, published = glued_texts(out), glued_texts(nb)
    assert published and again == published
