"""The whole book on a survey-tool export (issue 12): `build --data export.sav --mapping ...`
gives the same estimates as the unmapped synthetic file, and no microdata leaves the machine.

The example export is made from the same small synthetic sample as the ``built_book``
fixture (n and seed of conftest), so every glued value of every executed notebook must agree
with that build; then every executed notebook (what the pages and their downloads are made
of) is scanned for the export's respondent ids and for the respondents' exact weights. The
chapters are executed and staged, not rendered: Sphinx adds nothing these checks read.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import SMALL_N, SMALL_SEED, copy_project, project_env

pytestmark = pytest.mark.book

EXPORT = Path("data") / "examples" / "export.sav"
MAPPING = Path("data") / "examples" / "export-mapping.yml"
GLUE = "application/papermill.record/"
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?(?:e-?\d+)?")


@pytest.fixture(scope="module")
def export_book(tmp_path_factory):
    """The chapters executed on the example export of the small sample; (root, notebooks)."""
    from lederuddannelse.book.build import build
    from lederuddannelse.data.example_export import write_example_export

    root = copy_project(tmp_path_factory.mktemp("export-book"))
    write_example_export(root / EXPORT, SMALL_N, SMALL_SEED)
    with project_env(root):
        report = build(
            root,
            jobs=2,
            quiet=True,
            data_file=str(EXPORT),
            data_mapping=str(MAPPING),
            stage_only=True,
        )
    snapshot = root.parent / "export-notebooks"
    shutil.copytree(report.site, snapshot)
    return root, snapshot


def glued(notebook: Path) -> dict[str, str]:
    """Every glued value of a published notebook: name -> its text (or JSON) output."""
    out = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = {k[len(GLUE) :]: v for k, v in o.get("data", {}).items()}
                value = data.get("text/markdown", data.get("text/plain"))
                out[name] = json.dumps(value if value is not None else data, sort_keys=True)
    return out


def test_the_book_on_the_export_equals_the_book_on_the_synthetic_file(export_book, built_book):
    _, staged = export_book
    plain, _, _ = built_book
    ours = sorted(staged.glob("*.ipynb"))
    assert len(ours) >= 10
    compared, provenance = 0, []
    for nb in ours:
        a, b = glued(nb), glued(plain / "build" / "book" / nb.name)
        assert a.keys() == b.keys(), nb.name
        for name in a:
            if a[name] == b[name]:
                compared += 1
                continue
            if "export" in a[name]:  # says which file the page is computed on
                provenance.append(name)
                continue
            # allow only rounding noise in numbers printed at full precision
            na, nb_ = _NUMBER.findall(a[name]), _NUMBER.findall(b[name])
            assert _NUMBER.sub("#", a[name]) == _NUMBER.sub("#", b[name]), (nb.name, name)
            x = np.array([float(v.replace(",", ".")) for v in na])
            y = np.array([float(v.replace(",", ".")) for v in nb_])
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-12, err_msg=f"{nb.name}: {name}")
            compared += 1
    assert compared > 200 and len(provenance) <= 2, provenance


def test_pages_name_the_export_and_mapping_by_hash_not_path(export_book):
    """What the page's colophon shows (the Sphinx extension reads it from the notebook)."""
    from lederuddannelse.hashing import sha256_file

    root, staged = export_book
    text = (staged / "udbredelse-alle.ipynb").read_text(encoding="utf-8")
    meta = json.loads(text)["metadata"]["lederuddannelse"]
    assert meta["data_file"] == "export.sav" and meta["mapping_file"] == "export-mapping.yml"
    assert meta["mapping_sha256"] == sha256_file(root / MAPPING)
    assert meta["data_sha256"] == sha256_file(root / EXPORT)
    assert "Filen er oversat til kodebogen med kortlægningen" in text


def test_no_microdata_leaves_the_machine(export_book):
    """No respondent id, no exact weight, no export file and no path in any published file."""
    from lederuddannelse.data.mapping import read_source
    from lederuddannelse.params import resolve_data

    root, staged = export_book
    source = read_source(root / EXPORT)
    ids = {str(int(v)) for v in source.df["RespondentID"]}
    # the raked weights the chapters used (the export has no weights of its own)
    from conftest import open_test_chapter

    ch = open_test_chapter(resolve_data(str(root / EXPORT), str(root / MAPPING), root).load_path)
    weights = set()
    for w in np.unique(ch.data["weight"].to_numpy()):
        for text in (repr(float(w)), f"{w:.10g}", f"{w:.8f}"):
            weights |= {text, text.replace(".", ",")}
    free_text = [t for t in source.df["Q13_7_tekst"] if t]
    assert ids and len(weights) > 20 and free_text

    files = [p for p in staged.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".sav", ".parquet", ".csv") and "export" in p.name]
    id_hit = re.compile(r"(?<!\d)(" + "|".join(sorted(ids)) + r")(?!\d)")
    problems = []
    for p in files:
        text = p.read_bytes().decode("utf-8", errors="ignore")
        m = id_hit.search(text)
        if m:
            problems.append(f"{p.relative_to(staged)}: respondent id {m.group(1)}")
        for w in weights:
            if w in text:
                problems.append(f"{p.relative_to(staged)}: exact weight {w}")
        for t in free_text[:20]:
            if t in text:
                problems.append(f"{p.relative_to(staged)}: free text {t!r}")
        if str(root) in text or "data/examples" in text:
            problems.append(f"{p.relative_to(staged)}: a local path")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.slow
def test_a_chapter_needing_an_absent_variable_says_so_and_the_rest_builds(tmp_path):
    """A mapping that lists `pay_self` as absent: the chapters that estimate it are published
    as their title and a note naming the variable; every other page is computed."""
    from lederuddannelse.book.build import run_one
    from lederuddannelse.data.example_export import write_example_export

    root = copy_project(tmp_path / "absent")
    write_example_export(root / EXPORT, SMALL_N, SMALL_SEED)
    text = (root / MAPPING).read_text(encoding="utf-8")
    pay_self = re.search(r"^  pay_self:\n(?:    .*\n)+", text, flags=re.M)
    assert pay_self and "absent: []" in text
    text = text.replace(pay_self.group(0), "").replace("absent: []", "absent: [pay_self]")
    mapping = root / "data" / "examples" / "absent-mapping.yml"
    mapping.write_text(text, encoding="utf-8")
    pages = {}
    with project_env(root):
        for chapter in ("02_udbredelse", "05_lyst"):
            out = run_one(
                Path("chapters") / f"{chapter}.md",
                {"data_file": str(EXPORT), "data_mapping": str(mapping)},
                root,
                out=tmp_path / f"{chapter}.ipynb",
                quiet=True,
            )
            nb = json.loads(out.read_text(encoding="utf-8"))
            pages[chapter] = nb["cells"]
    # the prevalence chapter estimates pay_self (so does the front page's overview); the
    # ledger marks the findings on it undecided
    note = "".join(pages["02_udbredelse"][-1]["source"])
    assert "Kapitlet kan ikke beregnes på denne datafil" in note and "pay\\_self" in note
    assert len(pages["02_udbredelse"]) == 2, "the title and the note, no figure"
    lyst = json.dumps(pages["05_lyst"], ensure_ascii=False)
    assert "Kapitlet kan ikke beregnes" not in lyst
    assert "scrapbook" in lyst, "the other chapters are computed"
