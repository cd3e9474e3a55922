"""The site as readers meet it online, checked offline (nothing online can be reached here):
the GitHub Actions workflow, `make archive`, Binder's configuration and launch links."""

from __future__ import annotations

import datetime as dt
import zipfile
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import yaml

from conftest import ROOT
from lederuddannelse.errors import LederuddannelseError
from lederuddannelse.site.archive import make_archive
from lederuddannelse.site.citation import load_citation
from lederuddannelse.site.sphinx_ext import binder_url


def test_workflow_runs_the_tests_and_publishes_the_site_on_main():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as True
    assert on["push"]["branches"] == ["main"] and "pull_request" in on
    test, deploy = wf["jobs"]["test"], wf["jobs"]["deploy"]
    runs = [s.get("run", "") for s in test["steps"]]
    assert "bash .ci/run" in runs and "make book" in runs and "make archive" in runs
    uses = [s.get("uses", "") for s in test["steps"]]
    pages = next(s for s in test["steps"] if s.get("uses", "").startswith("actions/upload-pages"))
    assert pages["with"]["path"] == "_build/html" and "refs/heads/main" in pages["if"]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert deploy["needs"] == "test" and deploy["permissions"]["pages"] == "write"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    assert test["env"]["CI"] == "true"  # a missing R or Chromium fails instead of skipping
    fast = wf["jobs"]["fast"]
    assert fast["strategy"]["matrix"]["python"] == ["3.11", "3.13"]
    assert any("make test-fast" in s.get("run", "") for s in fast["steps"])


def test_binder_installs_the_lock_the_package_and_jupytext():
    req = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "-r ../requirements.lock" in req
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert "jupytext==" in lock, "chapters open as notebooks through jupytext"
    post = ROOT / "binder" / "postBuild"
    text = post.read_text(encoding="utf-8")
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install --no-deps" in text and "-e ." in text
    assert '"myst": "Jupytext Notebook"' in text
    py = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    assert py.startswith("python-3.")


def test_binder_link_opens_the_chapter_source_at_the_repository():
    url = binder_url("https://github.com/org/bog", "main", "chapters/02_udbredelse.md")
    parsed = urlparse(url)
    assert parsed.netloc == "mybinder.org"
    assert parsed.path == "/v2/gh/org/bog/main"
    target = unquote(parse_qs(parsed.query)["urlpath"][0])
    assert target == "lab/tree/chapters/02_udbredelse.md"
    assert (ROOT / target.removeprefix("lab/tree/")).is_file()
    assert binder_url("https://gitlab.com/org/bog", "main", "x.md") == ""
    assert binder_url("https://github.com/org/bog.git", "dev", "x.md").startswith(
        "https://mybinder.org/v2/gh/org/bog/dev?"
    )


def test_binder_buttons_only_for_a_real_repository(tmp_path):
    assert load_citation(ROOT / "citation.yml").public is False  # the repository: a placeholder
    on = tmp_path / "citation.yml"
    text = (ROOT / "citation.yml").read_text(encoding="utf-8").replace("binder: false", "{}")
    on.write_text(text.format("binder: true"), encoding="utf-8")
    assert load_citation(on).public is True
    on.write_text(text.format("binder: 'yes'"), encoding="utf-8")
    assert load_citation(on).public is False


def test_archive_is_dated_self_contained_and_reproducible(tmp_path):
    site = tmp_path / "html"
    (site / "_static").mkdir(parents=True)
    (site / "index.html").write_text("<meta http-equiv='refresh' content='0; forside.html'>")
    (site / "forside.html").write_text("<script src='_static/app.js'></script>")
    (site / "_static" / "app.js").write_text("1")
    (site / "_static" / "app.js.map").write_text("{}")
    day = dt.date(2026, 11, 30)
    first = make_archive(site, tmp_path / "a", day)
    second = make_archive(site, tmp_path / "b", day)
    assert first.name.endswith("-2026-11-30.zip") and first.read_bytes() == second.read_bytes()
    names = zipfile.ZipFile(first).namelist()
    stem = first.stem
    assert sorted(names) == [f"{stem}/_static/app.js", f"{stem}/forside.html", f"{stem}/index.html"]
    with pytest.raises(LederuddannelseError, match="make book"):
        make_archive(tmp_path / "missing", tmp_path / "c", day)
