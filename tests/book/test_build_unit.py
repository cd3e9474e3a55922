"""Unit tests of the build logic: parameters, cache keys, normalisation, atomic publish."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import copy_project
from lederuddannelse.book import build as b
from lederuddannelse.book import keys, publishing
from lederuddannelse.book.notebooks import (
    normalise,
    parameters_cell_defaults,
    read_chapter,
    write_if_changed,
)
from lederuddannelse.errors import LederuddannelseError, ParameterError
from lederuddannelse.params import Run, load_parameters, override_run, parse_cli_value


def write_params(root: Path, data: dict) -> Path:
    path = root / "parameters.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def base_params(root: Path) -> dict:
    return yaml.safe_load((root / "parameters.yml").read_text())


# --- parameters -------------------------------------------------------------------------


def test_parameters_file_of_the_project_is_valid(project_root):
    params = load_parameters(project_root / "parameters.yml")
    runs = params.runs(project_root)
    assert runs, "parameters.yml lists no run"
    assert all(r.name == f"{r.slug}-{r.group}" for r in runs)
    assert all(r.source.is_file() for r in runs)


@pytest.mark.parametrize(
    "key, value, message",
    [
        (
            "definition",
            "wide",
            "parameter 'definition' = 'wide' is not allowed; expected one of narrow, broad, any",
        ),
        ("conf_level", 1.5, "parameter 'conf_level' = 1.5 is out of range"),
        ("weighted", "yes", "parameter 'weighted' = 'yes' has the wrong type; expected bool"),
        ("min_n", 2.5, "parameter 'min_n' = 2.5 has the wrong type; expected int"),
    ],
)
def test_bad_global_value_names_file_parameter_and_expectation(
    tmp_path, project_root, key, value, message
):
    root = copy_project(tmp_path)
    data = base_params(root)
    data["global"][key] = value
    path = write_params(root, data)
    with pytest.raises(ParameterError) as err:
        load_parameters(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_unknown_global_parameter_is_rejected(tmp_path):
    root = copy_project(tmp_path)
    data = base_params(root)
    data["global"]["colour"] = "blue"
    with pytest.raises(
        ParameterError, match="unknown parameter 'colour'; global parameters are data_file"
    ):
        load_parameters(write_params(root, data))


def test_group_parameter_needs_an_allowed_list(tmp_path):
    root = copy_project(tmp_path)
    data = base_params(root)
    slug = next(iter(data["chapters"]))
    data["chapters"][slug]["groups"]["privat"] = {"sector": "privat"}
    with pytest.raises(
        ParameterError, match=r"groups.privat\): parameter 'sector' has no 'allowed' list"
    ):
        load_parameters(write_params(root, data))
    data["chapters"][slug]["allowed"] = {"sector": ["offentlig", "privat"]}
    data["chapters"][slug]["groups"]["privat"] = {"sector": "midt"}
    with pytest.raises(
        ParameterError, match="'sector' = 'midt' is not allowed; expected one of offentlig, privat"
    ):
        load_parameters(write_params(root, data))


def test_group_parameter_missing_from_parameters_cell_is_an_error(tmp_path):
    root = copy_project(tmp_path)
    data = base_params(root)
    slug = next(iter(data["chapters"]))
    data["chapters"][slug]["allowed"] = {"sector": ["privat"]}
    data["chapters"][slug]["groups"]["privat"] = {"sector": "privat"}
    runs = load_parameters(write_params(root, data)).runs(root)
    with pytest.raises(ParameterError, match=r"the parameters cell lacks \['sector'\]"):
        b.validate_runs(runs)


def test_cli_overrides_are_validated(project_root):
    run = load_parameters(project_root / "parameters.yml").runs(project_root)[0]
    defaults = parameters_cell_defaults(read_chapter(run.source), run.source)
    assert override_run(run, {"definition": "narrow"}, defaults).params["definition"] == "narrow"
    with pytest.raises(ParameterError, match="unknown parameter 'secktor'; this chapter takes"):
        override_run(run, {"secktor": "privat"}, defaults)
    with pytest.raises(ParameterError, match="'definition' = 'smal' is not allowed"):
        override_run(run, {"definition": "smal"}, defaults)


def test_cli_values_are_parsed_as_yaml_scalars():
    assert parse_cli_value("false") is False
    assert parse_cli_value("0.9") == 0.9
    assert parse_cli_value("30") == 30
    assert parse_cli_value("privat") == "privat"


def test_parameters_cell_must_hold_literals(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1\ny = len('a')", metadata={"tags": ["parameters"]})]
    with pytest.raises(ParameterError, match="parameter 'y' must be a literal"):
        parameters_cell_defaults(nb, "chapters/99_x.md")
    nb.cells[0].source = "x = 1"
    assert parameters_cell_defaults(nb) == {"x": 1}


# --- cache keys -------------------------------------------------------------------------


def _run_with_data(root: Path) -> Run:
    data = root / "data" / "tiny.csv"
    data.write_text("id,x\n1,2\n")
    run = load_parameters(root / "parameters.yml").runs(root)[0]
    return Run(run.slug, run.group, run.source, {**run.params, "data_file": "data/tiny.csv"})


def _cache_hash(run: Run, root: Path) -> str:
    """The key jupyter-cache matches the run by: its code cells with the injected digest."""
    from jupyter_cache.cache.main import JupyterCacheBase

    b._READ.clear()
    nb = b.prepared(run, keys.Dependencies.of(root).digest(run, b.chapter))
    return JupyterCacheBase(root / "cache").create_hashed_notebook(keys.key_form(nb))[1]


def test_cache_key_is_stable_and_changes_with_each_dependency(tmp_path):
    root = copy_project(tmp_path)
    (root / "requirements.lock").write_text("pkg==1\n")
    run = _run_with_data(root)
    key = _cache_hash(run, root)
    assert key == _cache_hash(run, root), "same inputs, same key"

    changed = Run(run.slug, run.group, run.source, {**run.params, "definition": "narrow"})
    assert _cache_hash(changed, root) != key, "parameters"

    (root / "data" / "tiny.csv").write_text("id,x\n1,3\n")
    assert _cache_hash(run, root) != key, "data content"
    (root / "data" / "tiny.csv").write_text("id,x\n1,2\n")
    assert _cache_hash(run, root) == key

    text = run.source.read_text()
    run.source.write_text(text + "\nMore prose.\n")
    assert _cache_hash(run, root) == key, "prose is not part of the key"
    run.source.write_text(text + "\n```{code-cell} ipython3\nx = 1\n```\n")
    assert _cache_hash(run, root) != key, "chapter code"
    run.source.write_text(text)

    module = root / "src" / "lederuddannelse" / "chapters" / f"{run.slug}.py"
    module.write_text(module.read_text() + "\n# changed\n")
    assert _cache_hash(run, root) != key, "a package module the chapter imports"
    other = root / "src" / "lederuddannelse" / "dev" / "simulate.py"
    before = _cache_hash(run, root)
    other.write_text(other.read_text() + "\n# changed\n")
    assert _cache_hash(run, root) == before, "a module the chapter never imports"

    (root / "requirements.lock").write_text("pkg==2\n")
    assert _cache_hash(run, root) != before, "lock file"


def test_a_group_added_to_parameters_yml_misses_the_cache_only_of_the_pages_that_list_pages(
    tmp_path,
):
    """holder and appendiks list and link every page of parameters.yml: a group added for
    another chapter changes their key (else an incremental build keeps a stale list), and
    leaves the key of a chapter that reads only its own parameters alone."""
    root = copy_project(tmp_path)
    runs = {r.slug: r for r in load_parameters(root / "parameters.yml").runs(root)}
    before = {s: _cache_hash(runs[s], root) for s in ("holder", "appendiks", "lyst")}
    params = root / "parameters.yml"
    text = params.read_text(encoding="utf-8")
    params.write_text(
        text.replace("  lyst:\n    groups:\n      alle: {}\n",
                     "  lyst:\n    groups:\n      alle: {}\n      uvaegtet: {weighted: false}\n"),
        encoding="utf-8",
    )  # fmt: skip
    assert params.read_text(encoding="utf-8") != text
    after = {s: _cache_hash(runs[s], root) for s in before}
    assert after["holder"] != before["holder"] and after["appendiks"] != before["appendiks"]
    assert after["lyst"] == before["lyst"], "lyst-alle's own parameters did not change"


def test_the_modules_that_read_parameters_yml_are_the_listed_ones():
    """keys.READS_PARAMETERS_FILE names exactly the chapter modules that call
    load_parameters (a new one missing from it would publish a stale page list)."""
    chapters = Path(keys.__file__).parents[1] / "chapters"
    calling = {
        f"lederuddannelse.chapters.{p.stem}"
        for p in chapters.glob("*.py")
        if "load_parameters(" in p.read_text(encoding="utf-8")
    }
    assert calling == set(keys.READS_PARAMETERS_FILE)


def test_package_hash_changes_with_package_source(tmp_path):
    root = copy_project(tmp_path)
    before = keys.package_hash(root)
    (root / "src" / "lederuddannelse" / "report" / "fmt.py").write_text(
        "# changed\n", encoding="utf-8"
    )
    assert keys.package_hash(root) != before


# --- normalisation ----------------------------------------------------------------------


def _executed_like(uuid: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": time.time(), "duration": 1.2, "input_path": "/tmp/x"}
    params = nbformat.v4.new_code_cell(
        "a = 1", metadata={"tags": ["injected-parameters"], "papermill": {"duration": 0.1}}
    )
    chart = nbformat.v4.new_code_cell("chart", metadata={"execution": {"iopub.status.busy": "now"}})
    chart.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": f'<div id="altair-viz-{uuid}"></div>'
                f'<script>"altair-viz-{uuid}"</script>'
            },
        )
    ]
    nb.cells = [params, chart]
    for c in nb.cells:
        c["id"] = os.urandom(4).hex()
    return nb


def test_normalise_gives_same_bytes_for_same_content():
    a = normalise(_executed_like("a" * 32), "ch-g", {"cache_key": "k"})
    bb = normalise(_executed_like("b" * 32), "ch-g", {"cache_key": "k"})
    assert a == bb
    nb = json.loads(a)
    assert "papermill" not in nb["metadata"]
    assert nb["metadata"]["lederuddannelse"] == {"cache_key": "k"}
    assert [c["id"] for c in nb["cells"]] == ["ch-g-000", "ch-g-001"]
    assert "remove-cell" in nb["cells"][0]["metadata"]["tags"]
    assert "execution" not in nb["cells"][1]["metadata"]
    assert "altair-viz-ch-g-1" in a and "a" * 32 not in a


def test_write_if_changed_leaves_unchanged_files_alone(tmp_path):
    path = tmp_path / "x.ipynb"
    assert write_if_changed(path, "same")
    old = path.stat().st_mtime_ns
    time.sleep(0.01)
    assert not write_if_changed(path, "same")
    assert path.stat().st_mtime_ns == old
    assert write_if_changed(path, "other")


# --- publishing -------------------------------------------------------------------------


def test_publish_swaps_the_whole_site(tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    (new / "index.html").write_text("new")
    old_site = tmp_path / "_build" / "html"
    old_site.mkdir(parents=True)
    (old_site / "index.html").write_text("old")
    (old_site / "stale.html").write_text("stale")
    site = publishing.publish(new, old_site, "key1")
    assert (site / "index.html").read_text() == "new"
    assert not (site / "stale.html").exists()
    assert (site / publishing.SITE_KEY_FILE).read_text().strip() == "key1"
    assert sorted(p.name for p in (tmp_path / "_build").iterdir()) == ["html"]


def test_failing_render_leaves_published_site_untouched(tmp_path, monkeypatch):
    root = copy_project(tmp_path)
    site = root / "_build" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("previous")

    def boom(*args, **kwargs):
        raise LederuddannelseError("Jupyter Book could not render the site")

    monkeypatch.setattr(b, "execute_runs", lambda *a, **k: ({}, [], {}))
    monkeypatch.setattr(b, "render", boom)
    monkeypatch.setattr(b, "validate_runs", lambda runs, root=None: {})
    data = base_params(root)
    (root / "data" / "tiny.csv").write_text("id\n1\n")
    data["global"]["data_file"] = "data/tiny.csv"
    write_params(root, data)
    with pytest.raises(LederuddannelseError, match="could not render"):
        b.build(root, jobs=1, quiet=True)
    assert (site / "index.html").read_text() == "previous"
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]


@pytest.mark.slow
def test_failing_chapter_names_chapter_group_and_cell(tmp_path):
    root = copy_project(tmp_path)
    (root / "data" / "tiny.csv").write_text("id\n1\n")
    src = root / "chapters" / "50_boom.md"
    src.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "# Boom\n\n```{code-cell} ipython3\n:tags: [parameters]\ndata_file = 'x'\n```\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n\n```{code-cell} ipython3\nraise ValueError('bad "
        "column q7')\n```\n"
    )
    from lederuddannelse.book.execute import Task, execute

    run = Run("boom", "alle", src, {"data_file": "data/tiny.csv"})
    kept = root / "build" / "failed" / "boom-alle.ipynb"
    nb = nbformat.writes(b.prepared(run, "digest"))
    task = Task(run.name, b.where(run, root), nb, str(src.parent), str(kept), str(root), None, 60)
    msg = execute(task).error
    assert "chapter 'boom' (parameter group 'alle', chapters/50_boom.md) failed in cell" in msg
    assert "ValueError: bad column q7" in msg
    assert "Traceback" not in msg
    assert kept.exists() and "bad column q7" in kept.read_text()


def test_bad_data_file_stops_the_build_before_any_chapter_runs(tmp_path):
    root = copy_project(tmp_path)
    site = root / "_build" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("previous")
    (root / "data" / "bad.csv").write_text("resp_id,gender\n1,3\n")
    data = base_params(root)
    data["global"]["data_file"] = "data/bad.csv"
    write_params(root, data)
    with pytest.raises(LederuddannelseError) as err:
        b.build(root, jobs=1, quiet=True)
    msg = str(err.value)
    assert "bad.csv" in msg
    assert "missing column 'training'" in msg
    assert "column 'gender': unknown code in 1 row (row 1: 3)" in msg
    assert not list((root / "build" / "book").glob("*.ipynb")), "no chapter may run on bad data"
    assert (site / "index.html").read_text() == "previous"


def test_a_stale_mapping_is_reported_before_any_run_is_announced(tmp_path):
    """`make book DATA=... MAPPING=...` checks the export and its mapping first: the problems
    come, the "Executing N chapter run(s)" line does not."""
    import subprocess
    import sys

    from lederuddannelse.data.example_export import write_example_export

    root = copy_project(tmp_path)
    export = write_example_export(root / "data" / "examples" / "export.sav", 300, 3)
    mapping = root / "data" / "examples" / "export-mapping.yml"
    mapping.write_text(mapping.read_text().replace("column: bagg_koen", "column: bagg_kon"))
    proc = subprocess.run(
        [sys.executable, "-m", "lederuddannelse", "build", "--jobs", "1"]
        + ["--data", str(export.relative_to(root)), "--mapping", str(mapping.relative_to(root))],
        cwd=root,
        env={**os.environ, "LEDERUDDANNELSE_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode != 0
    assert "bagg_kon" in proc.stderr and "export-mapping.yml" in proc.stderr, proc.stderr
    assert "Executing" not in proc.stdout + proc.stderr
    assert not list((root / "build" / "book").glob("*.ipynb"))
