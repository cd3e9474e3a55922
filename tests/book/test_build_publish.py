"""Publishing: one atomic step, verified against a manifest; `run` never writes into the site;
the cache key covers everything the page depends on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from conftest import copy_project
from lederuddannelse.book import build as b
from lederuddannelse.book import keys, publishing
from lederuddannelse.errors import ParameterError
from lederuddannelse.params import Run, load_parameters


def make_site(folder: Path, text: str, pages: int = 20) -> Path:
    folder.mkdir(parents=True)
    for i in range(pages):
        (folder / f"p{i}.html").write_text(f"{text} {i}")
    (folder / "index.html").write_text(text)
    return folder


def test_publish_exchanges_in_one_step_so_a_reader_always_finds_a_site(tmp_path):
    target = tmp_path / "_build" / "html"
    publishing.publish(make_site(tmp_path / "s0", "v0"), target, "k0")
    sites = [make_site(tmp_path / f"s{i}", f"v{i}") for i in (1, 2)]
    misses, reads, stop = [], [0], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                assert (target / "index.html").read_text() in ("v0", "v1", "v2")
                reads[0] += 1
            except FileNotFoundError:
                misses.append(time.monotonic())

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(30):
            publishing.publish(sites[i % 2], target, f"k{i}")
    finally:
        stop.set()
        t.join()
    assert reads[0] > 100
    assert not misses, f"{len(misses)} reads found no site"
    assert target.is_dir() and not target.is_symlink(), "the site stays an ordinary folder"
    assert sorted(p.name for p in target.parent.iterdir()) == ["html"]


CRASH = """
import os, shutil, sys
from pathlib import Path
from lederuddannelse.book import keys, publishing
point = sys.argv[1]
real_copy, real_rmtree = shutil.copytree, shutil.rmtree
def copy(src, dst, **kw):
    if point == "copy":
        real_copy(src, dst, ignore=lambda d, names: names[len(names) // 2 :], **kw)
        os._exit(9)
    return real_copy(src, dst, **kw)
def rmtree(path, *a, **kw):
    if point == "swap":
        os._exit(9)
    return real_rmtree(path, *a, **kw)
shutil.copytree, shutil.rmtree = copy, rmtree
publishing.publish(Path(sys.argv[2]), Path(sys.argv[3]), "new")
"""


@pytest.mark.parametrize("point, expected", [("copy", "old"), ("swap", "new")])
def test_a_crash_while_publishing_leaves_a_whole_site_and_the_next_build_cleans(
    tmp_path, point, expected
):
    target = tmp_path / "_build" / "html"
    publishing.publish(make_site(tmp_path / "old", "old"), target, "old")
    new = make_site(tmp_path / "new", "new")
    proc = subprocess.run([sys.executable, "-c", CRASH, point, str(new), str(target)])
    assert proc.returncode == 9
    leftovers = [p for p in target.parent.iterdir() if p.name != "html"]
    assert leftovers, "the crash left a half-copied or an old site beside the published one"
    assert (target / "index.html").read_text() == expected
    assert publishing.site_intact(target, expected)
    assert publishing.clean_stale(target) == leftovers
    assert sorted(p.name for p in target.parent.iterdir()) == ["html"]


def test_a_site_lost_between_the_fallback_renames_is_restored(tmp_path):
    target = tmp_path / "_build" / "html"
    publishing.publish(make_site(tmp_path / "old", "old"), target, "old")
    target.rename(target.with_name("html.old-1234"))  # killed between the two renames
    publishing.clean_stale(target)
    assert (target / "index.html").read_text() == "old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["html"]


def render_counting(monkeypatch, root: Path) -> list[int]:
    """Stub out execution and Jupyter Book: the build publishes a fixed site; count renders."""
    calls: list[int] = []
    rendered = make_site(root / "rendered", "rendered")

    def render(stage, root_, env, quiet):
        calls.append(1)
        return rendered

    monkeypatch.setattr(b, "execute_runs", lambda *a, **k: ({}, [], {}))
    monkeypatch.setattr(b, "render", render)
    monkeypatch.setattr(b, "validate_runs", lambda runs, root=None: {})
    data = yaml.safe_load((root / "parameters.yml").read_text())
    (root / "data" / "tiny.csv").write_text("id\n1\n")
    data["global"]["data_file"] = "data/tiny.csv"
    (root / "parameters.yml").write_text(yaml.safe_dump(data))
    return calls


def test_a_changed_published_tree_is_repaired_not_called_unchanged(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "p")
    calls = render_counting(monkeypatch, root)
    site = root / "_build" / "html"
    b.build(root, jobs=1, quiet=True)
    assert len(calls) == 1
    assert not b.build(root, jobs=1, quiet=True).rendered, "nothing changed: nothing rendered"
    assert len(calls) == 1
    (site / "p3.html").write_text('{"cells": []}')  # e.g. `run -o _build/html/p3.html`
    assert b.build(root, jobs=1, quiet=True).rendered
    assert (site / "p3.html").read_text() == "rendered 3"
    (site / "p4.html").unlink()
    assert b.build(root, jobs=1, quiet=True).rendered
    assert (site / "p4.html").read_text() == "rendered 4"
    (site / "extra.html").write_text("x")
    assert b.build(root, jobs=1, quiet=True).rendered
    assert not (site / "extra.html").exists()
    assert not b.build(root, jobs=1, quiet=True).rendered


def test_run_refuses_to_write_into_the_published_site(tmp_path):
    root = copy_project(tmp_path)
    site = root / "_build" / "html"
    site.mkdir(parents=True)
    (site / "udbredelse-alle.html").write_text("live page")
    for out in (
        site / "udbredelse-alle.html",
        Path("_build/html/udbredelse-alle.html"),  # relative to the current folder = root
        root / "build" / "book" / "udbredelse-alle.ipynb",
    ):
        with pytest.raises(ParameterError, match="lies inside the (published site|build's)"):
            b.refuse_build_output(root / out if not out.is_absolute() else out, root)
    with pytest.raises(ParameterError, match=r"lies inside the published site \(_build/html/\)"):
        b.run_one(Path("chapters/02_udbredelse.md"), {}, root, out=site / "udbredelse-alle.html")
    assert (site / "udbredelse-alle.html").read_text() == "live page"
    b.refuse_build_output(root / "build" / "runs" / "x.ipynb", root)  # the default place is fine


def test_the_csv_sidecar_is_part_of_the_cache_key(tmp_path):
    root = copy_project(tmp_path)
    data = root / "data" / "survey.csv"
    data.write_text("id\n1\n")
    src = root / "chapters" / "02_udbredelse.md"
    run = Run("udbredelse", "alle", src, {"data_file": "data/survey.csv"})

    def key() -> str:
        return keys.Dependencies.of(root).digest(run, b.chapter)

    without = key()
    side = Path(f"{data}.meta.json")
    side.write_text('{"synthetic": true}')
    with_side = key()
    assert with_side != without, "adding the sidecar changes the synthetic-data notice"
    side.write_text('{"synthetic": false}')
    assert key() not in (without, with_side)
    side.unlink()
    assert key() == without


def test_run_outputs_are_named_by_chapter_group_and_parameters_and_never_collide(tmp_path):
    from lederuddannelse.book.notebooks import write_if_changed
    from lederuddannelse.params import load_parameters, override_run

    root = copy_project(tmp_path)
    [run] = [
        r for r in load_parameters(root / "parameters.yml").runs(root) if r.name == "hvem-alle"
    ]
    deep = tmp_path / ("a-very-long-folder-name-" * 5) / "export.csv"
    names = {
        b.run_file_name(override_run(run, changes, {**run.params, "group": None}))
        for changes in (
            {},
            {"definition": "narrow"},
            {"definition": "broad"},
            {"definition": "broad", "weighted": False},
        )
    } | {
        b.run_file_name(
            Run(run.slug, run.group, run.source, {**run.params, "data_file": str(deep)})
        )
    }
    assert len(names) == 5, "one file per distinct run"
    for name in names:
        assert re.fullmatch(r"hvem-alle-[0-9a-f]{10}\.ipynb", name), name
    out = tmp_path / "runs" / "x.ipynb"
    write_if_changed(out, "{}")
    assert out.stat().st_mode & 0o777 == 0o666 & ~current_umask()


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- a removed parameter group or page leaves the site ---------------------------------


def test_staging_leaves_no_page_of_a_removed_group_or_toc_entry(tmp_path):
    """A group taken out of parameters.yml and a page taken out of _toc.yml leave the staged
    book (Sphinx drops a document whose source is gone); every other staged file stays."""
    root = copy_project(tmp_path)
    params = yaml.safe_load((root / "parameters.yml").read_text(encoding="utf-8"))
    groups = params["chapters"]["udbredelse"]["groups"]
    groups["smal_uvaegtet"] = {"definition": "narrow", "weighted": False}
    (root / "parameters.yml").write_text(yaml.safe_dump(params, allow_unicode=True))
    runs = load_parameters(root / "parameters.yml").runs(root)
    assert "udbredelse-smal_uvaegtet" in {r.name for r in runs}
    stage = b.stage_book(runs, root)
    for run in runs:  # what execute_runs stages
        (stage / f"{run.name}.ipynb").write_text("{}")
    (stage / "conf.py").write_text("# preview's Sphinx configuration\n")
    before = {p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()}
    assert {"udbredelse-smal_uvaegtet.ipynb", "litteratur.md"} <= before

    del groups["smal_uvaegtet"]
    (root / "parameters.yml").write_text(yaml.safe_dump(params, allow_unicode=True))
    toc = (root / "_toc.yml").read_text(encoding="utf-8")
    (root / "_toc.yml").write_text(toc.replace("  - file: litteratur\n", ""), encoding="utf-8")
    b.stage_book(load_parameters(root / "parameters.yml").runs(root), root)
    after = {p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()}
    assert before - after == {"udbredelse-smal_uvaegtet.ipynb", "litteratur.md"}
    assert after - before == set()
    assert [p.name for p in b.staged_pages(stage) if "smal_uvaegtet" in p.name] == []


def _write_book(stage: Path, pages: dict[str, str]) -> None:
    """A minimal staged book: the first of ``pages`` is its root, the others its chapters."""
    first, *rest = pages
    config = {"title": "Test", "only_build_toc_files": True}
    config["execute"] = {"execute_notebooks": "off"}
    (stage / "_config.yml").write_text(yaml.safe_dump(config))
    toc = {"format": "jb-book", "root": first, "chapters": [{"file": n} for n in rest]}
    (stage / "_toc.yml").write_text(yaml.safe_dump(toc))
    for name, text in pages.items():
        (stage / f"{name}.md").write_text(text, encoding="utf-8")


def test_a_page_removed_from_the_staged_book_leaves_the_rendered_site(tmp_path):
    """Sphinx reuses its environment and never deletes the output of a document whose source
    is gone: the render must not publish the page, its sources, its download or its search
    entry, as a clean render would not."""
    root = tmp_path
    stage = root / "build" / "book"
    stage.mkdir(parents=True)
    (stage / "tal.csv").write_text("a,b\n1,2\n")
    page_b = "# Side B\n\nOrdetsomkunstaarher.\n\n{download}`Tallene <tal.csv>`\n"
    pages = {"a": "# Side A\n\nForsiden.\n", "b": page_b, "c": "# Side C\n\nMidten.\n"}
    pages["d"] = "# Side D\n\nSlutningen.\n"
    _write_book(stage, pages)
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root)}
    html = b.render(stage, root, env, quiet=True)
    assert (html / "b.html").is_file() and list(html.glob("_downloads/*/tal.csv"))
    assert "ordetsomkunstaar" in (html / "searchindex.js").read_text(encoding="utf-8").lower()
    written = (html / "c.html").stat().st_mtime_ns
    (stage / "d.md").write_text("# Side D\n\nSlutningen, rettet.\n", encoding="utf-8")
    assert b.render(stage, root, env, quiet=True) == html
    assert "rettet" in (html / "d.html").read_text(encoding="utf-8")
    assert (html / "c.html").stat().st_mtime_ns == written, "nothing removed: output reused"

    (stage / "b.md").unlink()  # as stage_book removes it
    del pages["b"]
    _write_book(stage, pages)
    html = b.render(stage, root, env, quiet=True)
    left = [p.relative_to(html).as_posix() for p in html.rglob("*") if p.is_file()]
    assert all((html / f"{name}.html").is_file() for name in pages)
    assert [p for p in left if re.search(r"(^|/)b\.|tal\.csv", p)] == []
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    assert "ordetsomkunstaar" not in index.lower() and '"b"' not in index
