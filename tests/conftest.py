"""Shared fixtures: the project root and a throw-away copy of the project to build in."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


def copy_project(dest: Path) -> Path:
    """Copy what a build reads into ``dest`` (the package's own copier, used by the bench too)."""
    from lederuddannelse.dev.bench import copy_project as copy

    return copy(ROOT, dest)


@pytest.fixture
def in_root(monkeypatch, tmp_path):
    """Point the package at a temporary project copy via LEDERUDDANNELSE_ROOT."""
    root = copy_project(tmp_path)
    monkeypatch.setenv("LEDERUDDANNELSE_ROOT", str(root))
    return root


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


SMALL_N = 1500
SMALL_SEED = 7
# The book's test build reads its data from a hostile folder and file name: nothing of it may
# reach a page as live HTML, and no page may show the folder (the analyst's machine).
HOSTILE = "`<img src=x onerror=alert(1)>"
SMALL_DATA = Path("data") / HOSTILE / f"x{HOSTILE}small.parquet"


#: The build date of every test build (SOURCE_DATE_EPOCH): a test that rebuilds a copy of the
#: built book, on another day too, finds the site unchanged and compares it byte for byte.
BOOK_EPOCH = "1764460800"


@contextlib.contextmanager
def project_env(root: Path, **extra: str):
    """Point the package at the project copy ``root`` (LEDERUDDANNELSE_ROOT), with the
    environment variables ``extra``, for a block."""
    env = {"LEDERUDDANNELSE_ROOT": str(root), **extra}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield root
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def use_data(root: Path, data: Path) -> None:
    """Make ``data`` the data file of the project copy ``root`` (parameters.yml)."""
    import yaml

    params = yaml.safe_load((root / "parameters.yml").read_text())
    params["global"]["data_file"] = str(data.relative_to(root))
    (root / "parameters.yml").write_text(
        yaml.safe_dump(params, allow_unicode=True, sort_keys=False)
    )


def build_book_on(root: Path, data: Path, stage_only: bool = False):
    """Build the book of the project copy ``root`` on ``data``; returns (report, snapshot):
    a copy of the published site, or of the staged notebooks with ``stage_only`` (executed,
    not rendered: what checks that need no Sphinx read)."""
    from lederuddannelse.book.build import build

    use_data(root, data)
    with project_env(root, SOURCE_DATE_EPOCH=BOOK_EPOCH):
        report = build(root, jobs=2, quiet=True, stage_only=stage_only)
    snapshot = root.parent / f"{root.name}-published-site"  # one per built project
    shutil.copytree(report.site, snapshot)
    return report, snapshot


def shared_build(tmp_path_factory, name: str, make):
    """``make(folder)`` -> (root, report, snapshot), run once per test run: with pytest-xdist
    (`make test` runs two workers) the first worker to ask builds under a file lock, and the
    others wait for it and read the same build."""
    from filelock import FileLock

    from lederuddannelse.book.build import BuildReport

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, shared by its workers
    folder, done = base / f"shared-{name}", base / f"shared-{name}.json"
    with FileLock(str(base / f"shared-{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a failed attempt's
            folder.mkdir()
            root, report, snapshot = make(folder)
            report.write_json(folder / "report.json")
            done.write_text(json.dumps([str(root), str(snapshot)]))
    root, snapshot = json.loads(done.read_text())
    return Path(root), BuildReport.read_json(folder / "report.json"), Path(snapshot)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """A full book build on a small generated data set, in a throw-away project copy.

    Returns (root, report, snapshot): the project, its build report and a copy of its
    published site. Shared so that the book is built once per test run: no test changes or
    rebuilds this project (a test that does takes a :func:`built_copy`)."""

    def make(folder: Path):
        from lederuddannelse.data.synthetic import generate_to_file

        root = copy_project(folder / "project")
        (root / SMALL_DATA).parent.mkdir(parents=True)
        data = generate_to_file(n=SMALL_N, seed=SMALL_SEED, out=root / SMALL_DATA)
        return root, *build_book_on(root, data)

    return shared_build(tmp_path_factory, "book", make)


def built_copy(built_book, dest: Path) -> Path:
    """A copy of the built project (sources, executed notebooks, jupyter-cache, Sphinx's
    output, published site) for a test that edits and rebuilds: the shared one stays as
    built."""
    root = dest / "project"
    shutil.copytree(built_book[0], root, symlinks=True)
    return root


@pytest.fixture(scope="session")
def adversarial_book(tmp_path_factory):
    """The book's chapters executed on the adversarial file (:mod:`lederuddannelse.dev.
    adversarial`: 3 respondents in one industry, 12 in an education group, 2 in an age group),
    which is not marked synthetic, so the build runs as on a real file. Staged, not rendered
    (the audit reads the notebooks). Returns (root, report, staged notebooks)."""

    def make(folder: Path):
        from lederuddannelse.dev.adversarial import make_adversarial

        root = copy_project(folder / "project")
        data = make_adversarial(root / "data" / "adversarial.parquet", n=SMALL_N, seed=SMALL_SEED)
        return root, *build_book_on(root, data, stage_only=True)

    return shared_build(tmp_path_factory, "adversarial", make)


# Global parameters a test chapter starts from (the values of parameters.yml's `global`).
TEST_GLOBALS = dict(
    definition="any",
    weighted=True,
    raking_se=True,
    conf_level=0.95,
    min_n=30,
    min_count=5,
    allow_small_cells=False,
)


def open_test_chapter(path, **changes):
    """`open_chapter` on a data file with the default global parameters and ``changes``."""
    from lederuddannelse.chapters.base import open_chapter

    return open_chapter(**{**TEST_GLOBALS, "data_file": str(path), **changes})


@pytest.fixture(scope="session")
def generated_data(tmp_path_factory):
    """``generated_data(n, seed)``: a synthetic survey file, generated once per session."""
    from lederuddannelse.data.synthetic import generate_to_file

    made: dict[tuple[int, int], Path] = {}

    def make(n: int, seed: int) -> Path:
        if (n, seed) not in made:
            folder = tmp_path_factory.mktemp("data")
            made[(n, seed)] = generate_to_file(n=n, seed=seed, out=folder / f"s{n}-{seed}.parquet")
        return made[(n, seed)]

    return make


def require_chromium() -> None:
    """Fail (never skip) where Chromium is missing: a check that quietly skips when its tool
    is missing would pass unchecked."""
    from lederuddannelse.dev.sitecheck import MissingTool, require_chromium

    try:
        require_chromium()
    except MissingTool as exc:
        pytest.fail(str(exc))


def require_rscript() -> str:
    """Rscript's path; fails (never skips) where R is missing."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.fail(
            "Rscript is not installed, so the comparison with R's survey package cannot run: "
            "run `make system-deps` (as root; Debian's r-cran-survey and r-cran-mass)."
        )
    return rscript


def run_rscript(script: Path, *args: str):
    """Run an R script of tests/r/ (the finished process); fails where R or its survey/MASS
    packages are missing: the live comparison with R never silently stops running."""
    import subprocess

    rscript = require_rscript()
    proc = subprocess.run(
        [rscript, str(script), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    if proc.returncode != 0 and "there is no package called" in proc.stderr:
        pytest.fail(
            "R's survey/MASS packages are not installed: run `make system-deps` (as root; "
            f"Debian's r-cran-survey and r-cran-mass).\n{proc.stderr}"
        )
    assert proc.returncode == 0, proc.stderr
    return proc


def write_sav(source, df, out: Path) -> Path:
    """``df`` as an SPSS file with the value labels and file label of ``source`` (an export)."""
    import pyreadstat

    pyreadstat.write_sav(
        df,
        str(out),
        file_label=source.file_label,
        variable_value_labels={c: v for c, v in source.value_labels.items() if c in df.columns},
    )
    return out


#: A call of one of SurveyDesign's estimators, or of ``compare`` (its ``proportion`` by group
#: and ``difference`` per item); the design may be a derived one. The chapters' code cells show
#: one above each figure (tests/book/test_code_beside_findings.py, test_notebook_download.py).
ESTIMATOR = re.compile(
    r"\.(proportion(?:_across)?|mean|distribution|multi_response|difference|chisq"
    r"|logistic|linear|ordinal)\b|\bcompare\("
)


#: JupyterLab 4's output renderers (@jupyterlab/rendermime and the Vega 5 extension), best
#: first: (mime type, rendered in a notebook it does not trust).
JUPYTERLAB_RENDERERS = (
    ("text/html", True),  # sanitized when untrusted: no scripts
    ("application/vnd.vega.v5+json", True),
    ("application/vnd.vegalite.v5+json", True),
    ("application/vnd.vegalite.v4+json", True),
    ("application/vnd.vegalite.v3+json", True),
    ("text/markdown", True),
    ("text/latex", True),
    ("image/svg+xml", False),
    ("image/png", True),
    ("image/jpeg", True),
    ("image/gif", True),
    ("application/javascript", False),
    ("text/plain", True),
)


def jupyterlab_shows(bundle: dict, trusted: bool) -> str | None:
    """The mime type of ``bundle`` JupyterLab renders (its OutputArea asks the render-mime
    registry for the best renderer, only the safe ones in an untrusted notebook)."""
    for mime, safe in JUPYTERLAB_RENDERERS:
        if mime in bundle and (trusted or safe):
            return mime
    return None


def assert_jupyter_shows_the_chart(output, where: str) -> None:
    """A chart output outside the site: JupyterLab shows its PNG out of the box, whether it
    trusts the notebook or not; its text/plain is the fallback of other front ends."""
    data = output.get("data", {})
    assert output.get("output_type") in ("display_data", "execute_result"), where
    for trusted in (True, False):
        assert jupyterlab_shows(data, trusted) == "image/png", f"{where}: {sorted(data)}"
    assert "text/plain" in data, where
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n", where
    size = output.get("metadata", {}).get("image/png", {})
    assert size.get("width", 0) > 100 and size.get("height", 0) > 50, f"{where}: {size}"
