"""A chapter read as a notebook: its charts are the outputs of the cells that compute them, the
downloadable copy shows values instead of glue roles, and it runs from an empty folder outside
the repository with the package installed (and says in one Danish line what to install when
the package is missing)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest

from conftest import (
    ESTIMATOR,
    assert_jupyter_shows_the_chart,
    copy_project,
    open_test_chapter,
    project_env,
)
from lederuddannelse.paths import EMBEDDED_DATA_PATH
from lederuddannelse.site.downloads import downloadable_notebook, glued_values

ROOT = Path(__file__).resolve().parents[2]
#: Every chapter and its number of charts (each its cell's own output, a numbered figure).
CHARTS = {
    "00_forside": 1,
    "01_om_undersoegelsen": 1,
    "02_udbredelse": 4,
    "03_hvem": 4,
    "04_motiver": 6,
    "05_lyst": 4,
    "06_ledertype": 2,
    "07_sektor": 4,
    "08_holder": 1,
    "09_appendiks": 0,
}
CHAPTERS = sorted(CHARTS)
#: The analysis pages: each figure's cell shows its estimator call.
ANALYSIS = ("02_udbredelse", "03_hvem", "04_motiver", "05_lyst", "06_ledertype", "07_sektor")
_ROLE = re.compile(r"\{(glue|numref|ref|doc|cite)[a-z:]*\}`")


def _env() -> dict[str, str]:
    """The environment of a reader's machine: nothing points at the repository."""
    return {k: v for k, v in os.environ.items() if k != "LEDERUDDANNELSE_ROOT"}


def _execute(source: Path, out: Path, cwd: Path) -> nbformat.NotebookNode:
    papermill.execute_notebook(
        str(source), str(out), cwd=str(cwd), progress_bar=False, kernel_name="python3"
    )
    return nbformat.read(out, as_version=4)


def _is_chart(output) -> bool:
    return "image/png" in output.get("data", {}) or "vega" in "".join(
        output.get("data", {}).get("text/html", "")
    )


def _run(chapter: str, folder: Path):
    """``chapter`` executed with papermill as a reader runs it, outside the build: (path,
    notebook)."""
    nb = jupytext.read(ROOT / "chapters" / f"{chapter}.md")
    source = folder / f"{chapter}.ipynb"
    nbformat.write(nb, source)
    old = os.environ.pop("LEDERUDDANNELSE_ROOT", None)
    try:
        return folder / "out.ipynb", _execute(source, folder / "out.ipynb", folder)
    finally:
        if old is not None:
            os.environ["LEDERUDDANNELSE_ROOT"] = old


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The prevalence chapter executed with papermill."""
    return _run("02_udbredelse", tmp_path_factory.mktemp("run"))


def _check_figures(chapter: str, nb) -> None:
    """Every chart of ``nb`` (an executed ``chapter``) is the one displayed output of its
    figure cell, shown by JupyterLab as PNG; never only glued."""
    figures = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        glued = "application/papermill.record/text/html"
        glued_charts = [
            o for o in cell.outputs if "vega" in "".join(o.get("data", {}).get(glued, ""))
        ]
        assert not glued_charts, f"a chart only glued, not shown: {cell.source[:80]}"
        charts = [o for o in cell.outputs if _is_chart(o)]
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        if charts:
            assert figure.get("name") and figure.get("caption"), cell.source[:80]
            assert_jupyter_shows_the_chart(charts[0], f"{chapter}: {figure['name']}")
            assert len(cell.outputs) == 1, "a figure cell shows its chart and nothing else"
            assert "hide-input" in cell.metadata.get("tags", [])
            if chapter in ANALYSIS:
                assert ESTIMATOR.search(cell.source), f"no estimator call: {cell.source[:80]}"
            figures += 1
        else:
            assert not figure, f"a figure cell without a chart: {cell.source[:80]}"
    assert figures == CHARTS[chapter]


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chart_is_the_displayed_output_of_its_figure_cell(chapter, built_book):
    """Each chapter's first run of the shared built book, as a reader downloads it (the
    build's charts as Jupyter's PNG; no kernel)."""
    from lederuddannelse.params import load_parameters

    root, _, _ = built_book
    slug = chapter.split("_", 1)[1]
    run = next(r for r in load_parameters(root / "parameters.yml").runs(root) if r.slug == slug)
    copy = downloadable_notebook(root / "build" / "book" / f"{run.name}.ipynb")
    _check_figures(chapter, nbformat.reads(copy, as_version=4))


@pytest.mark.slow
def test_a_chapter_run_as_a_reader_runs_it_shows_its_charts_in_its_figure_cells(executed):
    """The prevalence chapter executed with papermill outside the build: Jupyter's own
    charts (PNG), each the output of its figure cell."""
    _check_figures("02_udbredelse", executed[1])


@pytest.mark.slow
def test_the_downloadable_copy_shows_values_not_roles(executed):
    path, nb = executed
    copy = nbformat.reads(downloadable_notebook(path), as_version=4)
    values = glued_values(copy)
    prose = "\n".join(c.source for c in copy.cells if c.cell_type == "markdown")
    assert not _ROLE.search(prose), _ROLE.search(prose).group(0)
    assert values["udbredelse_any"] in prose and values["udbredelse_any_ci"] in prose
    # code and outputs are the executed notebook's
    assert [c.source for c in copy.cells if c.cell_type == "code"] == [
        c.source for c in nb.cells if c.cell_type == "code"
    ]


def test_the_downloadable_copy_draws_the_build_charts_as_png(tmp_path):
    """A chart as the build makes it (HTML for the page, with its spec): the downloadable copy
    has the PNG instead, drawn offline with Danish number formats, as a run outside the build
    displays it."""
    import altair as alt
    import pandas as pd

    from lederuddannelse.report import theme
    from lederuddannelse.site import downloads

    assert downloads.SPEC_KEY == theme.SPEC_KEY
    spec = (
        alt.Chart(pd.DataFrame({"andel": [0.255, 0.5]}))
        .mark_bar()
        .encode(x=alt.X("andel", axis=alt.Axis(format=".1%")))
        .properties(width=300)
        .to_dict()
    )
    html, meta = theme.site_chart(spec, base_url="_static", embed_options=theme.EMBED_OPTIONS)
    assert "vega" in html["text/html"] and meta == {theme.SPEC_KEY: spec}
    out = nbformat.v4.new_output(
        "execute_result", data={**html, "text/plain": "alt.Chart(...)"}, metadata=meta
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("chart", outputs=[out])])
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    (got,) = nbformat.reads(downloadable_notebook(path), as_version=4).cells[0].outputs
    assert sorted(got.data) == ["image/png", "text/plain"]
    assert_jupyter_shows_the_chart(got, "x")
    png, _ = theme.jupyter_chart(spec)
    assert base64.b64decode(got.data["image/png"]) == png["image/png"]


def test_a_chart_png_is_drawn_once_per_spec_with_a_cache(tmp_path):
    """Sphinx writes a page again on a prose edit; its charts' PNGs come from the cache, the
    same bytes as drawn afresh, and a changed chart is drawn again."""
    import altair as alt
    import pandas as pd

    from lederuddannelse.site.downloads import chart_png

    def spec(width):
        data = pd.DataFrame({"andel": [0.25, 0.5]})
        return alt.Chart(data).mark_bar().encode(x="andel").properties(width=width).to_dict()

    cache = tmp_path / "png"
    drawn = chart_png(spec(200), cache)
    assert chart_png(spec(200)) == drawn  # the same as without a cache
    (stored,) = cache.iterdir()
    stored.write_text('["cGxhbnRlZA==", {"width": 1}]', encoding="utf-8")  # planted
    assert chart_png(spec(200), cache) == ("cGxhbnRlZA==", {"width": 1})  # read, not drawn
    assert chart_png(spec(210), cache)[0] not in ("cGxhbnRlZA==", drawn[0])
    assert len(list(cache.iterdir())) == 2
    stored.write_text('["cGxhbn', encoding="utf-8")  # cut short (a build stopped mid-write)
    assert chart_png(spec(200), cache) == drawn  # drawn again, and stored whole
    assert chart_png(spec(200), cache) == drawn and len(list(cache.iterdir())) == 2


@pytest.mark.slow
def test_a_downloaded_notebook_runs_from_an_empty_folder(executed, tmp_path):
    path, nb = executed
    empty = tmp_path / "reader"
    empty.mkdir()
    download = empty / "udbredelse-alle.ipynb"
    download.write_text(downloadable_notebook(path), encoding="utf-8")
    old = os.environ.pop("LEDERUDDANNELSE_ROOT", None)
    try:
        again = _execute(download, empty / "out.ipynb", empty)
    finally:
        if old is not None:
            os.environ["LEDERUDDANNELSE_ROOT"] = old
    # the same numbers as the page's
    assert glued_values(again) == glued_values(nb)
    assert sorted(p.name for p in empty.iterdir()) == ["out.ipynb", "udbredelse-alle.ipynb"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_without_the_package_the_first_cell_says_what_to_install(chapter, tmp_path):
    nb = jupytext.read(ROOT / "chapters" / f"{chapter}.md")
    first = next(c for c in nb.cells if c.cell_type == "code")
    # -S: no site-packages, so neither the package nor its dependencies can be imported
    done = subprocess.run(
        [sys.executable, "-S", "-c", first.source],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Installér" in lines[0] and "lederuddannelse" in lines[0]


def test_a_missing_embedded_survey_is_generated_again_the_same(in_root):
    """A fresh clone (no generated data): opening a chapter regenerates the embedded synthetic
    survey, byte for byte the file the build uses."""
    from lederuddannelse.paths import EMBEDDED_DATA_PATH

    target = in_root / EMBEDDED_DATA_PATH
    assert not target.exists()
    ch = open_test_chapter("embedded")
    assert ch.synthetic and target.is_file()
    assert target.read_bytes() == (ROOT / EMBEDDED_DATA_PATH).read_bytes()


# --- installed from a wheel, not from the repository -------------------------------------------


@pytest.fixture(scope="module")
def wheel_install(tmp_path_factory) -> Path:
    """The package built as a wheel from the repository's files and installed, without its
    dependencies (the test's environment has them), into a folder of its own."""
    tmp = tmp_path_factory.mktemp("wheel")
    checkout = tmp / "checkout"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "generated", "examples")
    shutil.copytree(ROOT / "src", checkout / "src", ignore=skip)
    shutil.copytree(ROOT / "data", checkout / "data", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, checkout / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = ["wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(checkout)]
    subprocess.run([*pip, *build], check=True, capture_output=True)
    (wheel,) = (tmp / "dist").glob("lederuddannelse-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("codebook.yml", "targets.yml", "margins.csv"):
        assert f"lederuddannelse/resources/{name}" in names, names
    target = tmp / "site-packages"
    install = ["install", "--no-deps", "--no-index", "--target", str(target), str(wheel)]
    subprocess.run([*pip, *install], check=True, capture_output=True)
    return target


def _installed_env(target: Path, cache: Path) -> dict[str, str]:
    """A reader's machine with the wheel installed: the package is found in ``target``, before
    the repository's editable install, and the user's cache folder is ``cache``."""
    return {**_env(), "PYTHONPATH": str(target), "XDG_CACHE_HOME": str(cache)}


_FIND_DATA = """
import json
from lederuddannelse import paths
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.synthetic import ensure_embedded_data
from lederuddannelse.data.targets import load_targets
from lederuddannelse.data.weighting import load_margins

print(json.dumps({
    "package": paths.__file__,
    "root": paths.find_project_root() and str(paths.find_project_root()),
    "data": str(paths.data_dir()),
    "codebook": len(load_codebook().variables),
    "targets": len(load_targets()),
    "margins": len(load_margins()),
    "ensure": ensure_embedded_data(),
    "embedded": str(paths.embedded_data_path()),
}))
"""


def test_an_installed_wheel_finds_its_data_files_and_regenerates_the_survey(
    wheel_install, tmp_path
):
    """From an empty folder, the wheel's package reads its codebook, targets and margins from
    its own files (importlib.resources) and regenerates the embedded synthetic survey in the
    user's cache folder, byte for byte the repository's."""
    empty, cache = tmp_path / "reader", tmp_path / "cache"
    empty.mkdir()
    env = _installed_env(wheel_install, cache)
    done = subprocess.run(
        [sys.executable, "-c", _FIND_DATA], cwd=empty, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert Path(got["package"]).is_relative_to(wheel_install)
    assert got["root"] is None
    assert Path(got["data"]) == wheel_install / "lederuddannelse" / "resources"
    from lederuddannelse.data.codebook import load_codebook
    from lederuddannelse.data.targets import load_targets
    from lederuddannelse.data.weighting import load_margins

    data = ROOT / "data"
    assert (got["codebook"], got["targets"], got["margins"]) == (
        len(load_codebook(data / "codebook.yml").variables),
        len(load_targets(data / "targets.yml")),
        len(load_margins(data / "margins.csv")),
    )
    assert got["ensure"].startswith("generated") and "missing" in got["ensure"]
    embedded = Path(got["embedded"])
    assert embedded.is_relative_to(cache)
    # the bytes the repository's package generates for the same n and seed
    from lederuddannelse.data.synthetic import DEFAULT_N, DEFAULT_SEED, ensure_embedded_data

    with project_env(copy_project(tmp_path / "project")) as root:
        ensure_embedded_data()
        assert embedded.read_bytes() == (root / EMBEDDED_DATA_PATH).read_bytes()
    assert f"n={DEFAULT_N}, seed {DEFAULT_SEED}" in got["ensure"]
    assert list(empty.iterdir()) == []


@pytest.mark.slow
def test_a_downloaded_notebook_runs_with_the_installed_wheel(executed, wheel_install, tmp_path):
    """The downloaded notebook, executed with papermill from an empty folder where only the
    wheel is installed, gives the page's numbers. Only the pointer to the page with the broad
    definition differs: outside the book there is no such page to point to."""
    path, nb = executed
    empty = tmp_path / "reader"
    empty.mkdir()
    (empty / "udbredelse-alle.ipynb").write_text(downloadable_notebook(path), encoding="utf-8")
    papermill_cli = [sys.executable, "-m", "papermill", "--no-progress-bar"]
    done = subprocess.run(
        [*papermill_cli, "-k", "python3", "udbredelse-alle.ipynb", "out.ipynb"],
        cwd=empty,
        env=_installed_env(wheel_install, tmp_path / "cache"),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    again = glued_values(nbformat.read(empty / "out.ipynb", as_version=4))
    page = glued_values(nb)
    assert sorted(again) == sorted(page)
    assert [k for k in page if again[k] != page[k]] == ["udbredelse_broad_pointer"]
    assert sorted(p.name for p in empty.iterdir()) == ["out.ipynb", "udbredelse-alle.ipynb"]


def test_the_wheel_lists_every_package_under_src():
    """pyproject.toml lists the packages (the data files' package is mapped from data/): a new
    package under src/ must be added there, or the wheel would lack it."""
    import tomllib

    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert sorted(config["packages"]) == sorted(
        find_packages(ROOT / "src") + ["lederuddannelse.resources"]
    )
    assert config["package-dir"]["lederuddannelse.resources"] == "data"
