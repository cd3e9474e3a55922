"""The whole book on a survey-tool export (issue 12): `build --data export.sav --mapping ...`
gives the same estimates as the unmapped synthetic file, and no microdata leaves the machine.

The example export is made from the same small synthetic sample as the ``built_book``
fixture (n and seed of conftest), so every glued value of every published notebook must
agree with that build; then every published file is scanned for the export's respondent ids
and for the respondents' exact weights.
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
    """The book built on the example export of the small sample; (root, site snapshot)."""
    from lederuddannelse.book.build import build
    from lederuddannelse.data.example_export import write_example_export

    root = copy_project(tmp_path_factory.mktemp("export-book"))
    write_example_export(root / EXPORT, SMALL_N, SMALL_SEED)
    with project_env(root):
        report = build(root, jobs=2, quiet=True, data_file=str(EXPORT), data_mapping=str(MAPPING))
    snapshot = root.parent / "export-site"
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
    _, site = export_book
    _, _, plain_site = built_book
    ours = sorted((site / "downloads").glob("*.ipynb"))
    assert len(ours) >= 10
    compared, provenance = 0, []
    for nb in ours:
        a, b = glued(nb), glued(plain_site / "downloads" / nb.name)
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
    from lederuddannelse.hashing import sha256_file

    root, site = export_book
    page = (site / "udbredelse-alle.html").read_text(encoding="utf-8")
    assert "export.sav" in page and "export-mapping.yml" in page
    assert sha256_file(root / MAPPING) in page and sha256_file(root / EXPORT) in page
    assert "Filen er oversat til kodebogen med kortlægningen" in page


def test_no_microdata_leaves_the_machine(export_book):
    """No respondent id, no exact weight, no export file and no path in any published file."""
    from lederuddannelse.data.mapping import read_source
    from lederuddannelse.params import resolve_data

    root, site = export_book
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

    files = [p for p in site.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".sav", ".parquet", ".csv") and "export" in p.name]
    id_hit = re.compile(r"(?<!\d)(" + "|".join(sorted(ids)) + r")(?!\d)")
    problems = []
    for p in files:
        text = p.read_bytes().decode("utf-8", errors="ignore")
        m = id_hit.search(text)
        if m:
            problems.append(f"{p.relative_to(site)}: respondent id {m.group(1)}")
        for w in weights:
            if w in text:
                problems.append(f"{p.relative_to(site)}: exact weight {w}")
        for t in free_text[:20]:
            if t in text:
                problems.append(f"{p.relative_to(site)}: free text {t!r}")
        if str(root) in text or "data/examples" in text:
            problems.append(f"{p.relative_to(site)}: a local path")
    assert not problems, "\n".join(problems[:20])


def test_a_chapter_needing_an_absent_variable_says_so_and_the_rest_builds(tmp_path):
    """A mapping that lists `pay_self` as absent: the chapters that estimate it are published
    as their title and a note naming the variable; every other page is computed."""
    from lederuddannelse.book.build import build
    from lederuddannelse.data.example_export import write_example_export

    root = copy_project(tmp_path / "absent")
    write_example_export(root / EXPORT, SMALL_N, SMALL_SEED)
    text = (root / MAPPING).read_text(encoding="utf-8")
    pay_self = re.search(r"^  pay_self:\n(?:    .*\n)+", text, flags=re.M)
    assert pay_self and "absent: []" in text
    text = text.replace(pay_self.group(0), "").replace("absent: []", "absent: [pay_self]")
    mapping = root / "data" / "examples" / "absent-mapping.yml"
    mapping.write_text(text, encoding="utf-8")
    with project_env(root):
        report = build(root, jobs=2, quiet=True, data_file=str(EXPORT), data_mapping=str(mapping))
    stand_ins = sorted(
        p.name
        for p in report.site.glob("*.html")
        if "Kapitlet kan ikke beregnes" in p.read_text(encoding="utf-8")
    )
    # the prevalence chapter (under each definition it is published with) and the front page
    # (its overview shows the share unwilling to pay) estimate pay_self; the ledger marks the
    # findings on it undecided
    assert stand_ins == [
        "forside-alle.html",
        "udbredelse-alle.html",
        "udbredelse-bred.html",
        "udbredelse-smal.html",
    ]
    page = (report.site / "udbredelse-alle.html").read_text(encoding="utf-8")
    assert "Kapitlet kan ikke beregnes på denne datafil" in page
    assert "pay_self" in page and "figur" not in page.lower().split("</h1>", 1)[1][:2000]
    other = (report.site / "lyst-alle.html").read_text(encoding="utf-8")
    assert "Kapitlet kan ikke beregnes" not in other and "<svg" in other or "vega" in other
