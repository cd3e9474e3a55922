"""Incremental builds: prose edits re-assemble, keys follow the modules a chapter imports."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import BOOK_EPOCH, ROOT, built_copy, copy_project, project_env
from lederuddannelse.book import build as b
from lederuddannelse.book import keys, publishing
from lederuddannelse.book.notebooks import check_glue, merge_cached, normalise, prose_glue_refs
from lederuddannelse.data.embedded import embedded_data_stamp
from lederuddannelse.errors import ChapterError, LederuddannelseError
from lederuddannelse.params import Run, load_parameters
from lederuddannelse.sources import import_closure, modules_hash

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _source(prose: str = "Andelen er {glue:md}`share`.") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": KERNEL})
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Titel"),
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell(prose),
        nbformat.v4.new_code_cell("glue('share', '27 pct.')", metadata={"tags": ["remove-input"]}),
    ]
    return nb


def _executed(source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What papermill writes for ``source``: tags everywhere, injected cell, outputs."""
    nb = nbformat.reads(nbformat.writes(source), as_version=4)
    for c in nb.cells:
        c.metadata.setdefault("tags", [])
    injected = nbformat.v4.new_code_cell(
        "# Parameters\na = 2\n", metadata={"tags": ["injected-parameters"]}
    )
    injected.execution_count = 2
    nb.cells.insert(2, injected)
    nb.cells[1].execution_count = 1
    nb.cells[4].execution_count = 3
    nb.cells[4].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/markdown": "27 pct."},
            metadata={"scrapbook": {"name": "share", "mime_prefix": "x"}},
        )
    ]
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _hash(nb: nbformat.NotebookNode) -> str:
    from jupyter_cache.cache.main import JupyterCacheBase

    return JupyterCacheBase.create_hashed_notebook(None, keys.key_form(nb))[1]


def test_prose_edit_merges_what_execution_would_write():
    """jupyter-cache matches the executed notebook by its code cells; merged into the edited
    source, its outputs give what executing the edited source gives."""
    old = _executed(_source())
    new_source = _source("Hele {glue:md}`share` af lederne.")
    expected = _executed(new_source)  # what running the new source gives
    assert _hash(old) == _hash(expected), "prose is not part of the match"
    unexecuted = _executed(new_source)
    for cell in unexecuted.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    got = merge_cached(unexecuted, old)
    assert normalise(got, "x-alle", {}) == normalise(expected, "x-alle", {})


def test_code_edit_is_not_matched():
    changed = _source()
    changed.cells[3].source = "glue('share', '44 pct.')"
    assert _hash(_executed(changed)) != _hash(_executed(_source()))
    moved = _executed(_source())
    moved.cells.insert(1, moved.cells.pop(2))  # the injected parameters before the cell
    assert _hash(moved) != _hash(_executed(_source()))


def test_glue_reference_to_a_key_the_code_does_not_glue_is_an_error():
    nb = _executed(_source("Se {glue:md}`shares` og {glue:md}`share`."))
    with pytest.raises(ChapterError) as err:
        check_glue(nb, "udbredelse", "chapters/02_udbredelse.md")
    msg = str(err.value)
    assert "chapter 'udbredelse' (chapters/02_udbredelse.md)" in msg and "'shares'" in msg
    assert "'share'," not in msg
    check_glue(_executed(_source()), "udbredelse", "chapters/02_udbredelse.md")


def test_glue_references_are_found_in_roles_and_directives():
    nb = _source(
        "A {glue}`a`, {glue:text}`b` og {glue:md}`other::c`.\n\n```{glue:figure} fig_d\n```"
    )
    assert prose_glue_refs(nb) == ["a", "b", "fig_d"]


@pytest.mark.book
def test_every_chapter_glues_what_its_prose_names(built_book):
    """The real chapters pass the check (the same check runs in every build)."""
    root, _, _ = built_book
    for path in sorted((root / "build" / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        check_glue(nb, path.stem, path.name)
        assert all(isinstance(k, str) for k in prose_glue_refs(nb))


# --- cache keys follow the modules ------------------------------------------------------


def test_chapter_key_covers_the_modules_it_imports_and_no_others(tmp_path):
    root = copy_project(tmp_path)
    (root / "data" / "tiny.csv").write_text("id\n1\n")
    run = next(
        r for r in load_parameters(root / "parameters.yml").runs(root) if r.slug == "udbredelse"
    )
    run = Run(run.slug, run.group, run.source, {**run.params, "data_file": "data/tiny.csv"})

    def key() -> str:
        return keys.Dependencies.of(root).digest(run, b.chapter)

    first = key()
    pkg = root / "src" / "lederuddannelse"
    other = pkg / "chapters" / "lyst.py"
    other.write_text(other.read_text() + "\n# another chapter's change\n")
    assert key() == first, "a module the chapter never runs"
    own = pkg / "chapters" / "udbredelse.py"
    own.write_text(own.read_text() + "\n# changed\n")
    second = key()
    assert second != first, "the chapter's own module"
    deep = pkg / "stats" / "design.py"  # imported through chapters.base, not by the chapter
    deep.write_text(deep.read_text() + "\n# changed\n")
    assert key() != second, "a module imported indirectly"


#: Sphinx extensions that import the package by name to read it (as autodoc does): they run
#: in the site's Sphinx process, never in a chapter's kernel, so no chapter's key follows them.
SPHINX_READERS = {"site/codelinks.py"}


def test_every_import_of_the_package_is_static(project_root):
    """The key follows import statements, so the package must not import itself by string."""
    pkg = project_root / "src" / "lederuddannelse"
    for path in pkg.rglob("*.py"):
        if path.relative_to(pkg).as_posix() in SPHINX_READERS:
            continue
        text = path.read_text(encoding="utf-8")
        assert "import_module(" not in text and "__import__(" not in text, path


def test_moving_a_generator_module_still_changes_the_embedded_data_key(tmp_path):
    """The key is found from the generator's module name, not from a file path."""
    root = copy_project(tmp_path)
    data = root / "src" / "lederuddannelse" / "data"
    first = embedded_data_stamp(root)
    # Move part of the generator into a new module that synthetic imports.
    (data / "population_helpers.py").write_text("SIZE = 100\n")
    gen = data / "synthetic.py"
    gen.write_text("from lederuddannelse.data.population_helpers import SIZE\n" + gen.read_text())
    second = embedded_data_stamp(root)
    assert second != first
    (data / "population_helpers.py").write_text("SIZE = 101\n")
    third = embedded_data_stamp(root)
    assert third != second, "a change in the moved-out code changes the key"
    # Move the generator itself into a package: same module name, other path.
    (data / "synthetic").mkdir()
    gen.rename(data / "synthetic" / "__init__.py")
    assert embedded_data_stamp(root) == third, "same code, same key wherever the file is"
    init = data / "synthetic" / "__init__.py"
    init.write_text(init.read_text() + "\n# changed\n")
    assert embedded_data_stamp(root) != third
    # A generator that is gone is an error naming the module, never a silent skip.
    shutil.rmtree(data / "synthetic")
    with pytest.raises(LederuddannelseError, match="module 'lederuddannelse.data.synthetic'"):
        embedded_data_stamp(root)


def test_generator_module_name_is_the_generators():
    from lederuddannelse.data.synthetic import ensure_embedded_data
    from lederuddannelse.paths import EMBEDDED_DATA_GENERATOR

    assert ensure_embedded_data.__module__ == EMBEDDED_DATA_GENERATOR


def test_import_closure_follows_relative_and_from_imports(tmp_path):
    pkg = tmp_path / "lederuddannelse"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import b\n")
    (pkg / "sub" / "a.py").write_text("def f():\n    from lederuddannelse.sub import c\n")
    (pkg / "sub" / "b.py").write_text("")
    (pkg / "sub" / "c.py").write_text("from .b import x\n")
    (pkg / "lonely.py").write_text("")
    found = import_closure(["lederuddannelse.sub.a"], tmp_path)
    assert set(found) == {
        "lederuddannelse",
        "lederuddannelse.sub",
        "lederuddannelse.sub.a",
        "lederuddannelse.sub.b",
        "lederuddannelse.sub.c",
    }
    before = modules_hash(["lederuddannelse.sub.a"], tmp_path)
    (pkg / "lonely.py").write_text("x = 1\n")
    assert modules_hash(["lederuddannelse.sub.a"], tmp_path) == before
    (pkg / "sub" / "c.py").write_text("from .b import y\n")
    assert modules_hash(["lederuddannelse.sub.a"], tmp_path) != before


# --- reproducible to the byte -----------------------------------------------------------


@pytest.mark.book
@pytest.mark.parametrize("chapter", ["03_hvem", "05_lyst"])
def test_a_chapter_run_alone_is_byte_identical_to_its_run_in_a_full_build(
    built_book, tmp_path, chapter
):
    """Alone (`run`) and in the full build (a pool of two workers), both with single-threaded
    BLAS: the outputs agree to the last digit."""
    root, _, _ = built_book
    slug = chapter.split("_", 1)[1]
    source = root / "chapters" / f"{chapter}.md"
    out = b.run_one(source, {}, root, out=tmp_path / f"{slug}.ipynb", quiet=True)
    assert out.read_bytes() == (root / "build" / "book" / f"{slug}-alle.ipynb").read_bytes()


# --- make preview -----------------------------------------------------------------------


def _lines(proc: subprocess.Popen) -> queue.Queue:
    q: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            q.put(line.rstrip("\n"))
        q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return q


def _wait_for(q: queue.Queue, pattern: str, seen: list[str], timeout: float = 300) -> re.Match:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = q.get(timeout=max(0.1, end - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        m = re.search(pattern, line)
        if m:
            return m
    raise AssertionError(f"no line matching {pattern!r}; the preview printed:\n" + "\n".join(seen))


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read().decode("utf-8")


@pytest.mark.book
def test_preview_rebuilds_an_edit_reloads_the_page_and_stops_cleanly(built_book, tmp_path):
    """sphinx-autobuild with the build's staging as its pre-build step: one line per
    rebuild (a prose edit merged from the cache, no kernel), the served page reloads
    (sphinx-autobuild's script), Ctrl-C stops it with one line, the published site is as it
    was."""
    root = built_copy(built_book, tmp_path)
    site = root / "_build" / "html"
    published = (site / "udbredelse-alle.html").read_bytes()
    env = {**os.environ, "LEDERUDDANNELSE_ROOT": str(root), "SOURCE_DATE_EPOCH": BOOK_EPOCH}
    cmd = [sys.executable, "-m", "lederuddannelse", "preview", "--port", "0", "--jobs", "2"]
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen: list[str] = []
    try:
        q = _lines(proc)
        url = _wait_for(q, r"Serving the book at (http://127\.0\.0\.1:\d+/?)", seen).group(1)
        url = url.rstrip("/") + "/"
        page = _get(url + "udbredelse-alle.html")
        assert "websocket-reload" in page, "the served page reloads itself"
        chapter = root / "chapters" / "02_udbredelse.md"
        chapter.write_text(
            chapter.read_text(encoding="utf-8") + "\nEn ny sætning fra forfatteren.\n",
            encoding="utf-8",
        )
        line = _wait_for(q, r"staged in [0-9.]+ s", seen).group(0)
        line = seen[-1]
        assert "merged from the cache (text only) udbredelse-alle" in line, line
        assert "re-executed" not in line
        end = time.monotonic() + 120
        while "En ny sætning fra forfatteren." not in _get(url + "udbredelse-alle.html"):
            assert time.monotonic() < end, "the edit never reached the served page"
            time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the terminal's foreground group
        assert proc.wait(60) == 0
        _wait_for(q, r"Preview stopped", seen, timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (site / "udbredelse-alle.html").read_bytes() == published, "the site is as it was"


# --- publishing a partial rebuild -------------------------------------------------------


def test_publish_links_unchanged_files_and_copies_changed_ones(tmp_path):
    html = tmp_path / "site" / "html"
    (html / "_static").mkdir(parents=True)
    (html / "a.html").write_text("side a")
    (html / "b.html").write_text("side b")
    (html / "_static" / "big.js").write_text("x" * 100_000)
    target = tmp_path / "_build" / "html"
    first = publishing.publish(html, target, "k1")
    big_inode = (first / "_static" / "big.js").stat().st_ino
    (html / "b.html").write_text("side b, rettet")  # Sphinx rewrites in place
    second = publishing.publish(html, target, "k2")
    assert (second / "_static" / "big.js").stat().st_ino == big_inode, "unchanged: linked"
    assert (second / "b.html").read_text() == "side b, rettet"
    assert (second / "a.html").read_text() == "side a"
    assert (second / publishing.SITE_KEY_FILE).read_text().strip() == "k2"
    (html / "a.html").write_text("changed in Sphinx's output after publishing")
    assert (second / "a.html").read_text() == "side a", "never linked into Sphinx's output"
    assert sorted(p.name for p in (tmp_path / "_build").iterdir()) == ["html"]


def _site_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _changed(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """The files two published sites differ in (Sphinx's incremental search index may keep a
    word no page has any more, and the manifest holds the index's hash: both left out)."""
    index = {"searchindex.js", ".build-manifest.json"}
    assert sorted(a) == sorted(b), "the same files"
    differing = [n for n in sorted(a) if a[n] != b[n] and n not in index]
    return [_first_difference(n, a[n], b[n]) for n in differing]


@pytest.mark.book
def test_rebuilds_redo_only_what_changed_failures_keep_the_site_and_partial_is_clean(
    built_book, tmp_path
):
    """On a copy of the built book (the shared one stays as built), one edit after another:

    - nothing changed: nothing executed, rendered or rewritten;
    - prose edits (the front page's text, a heading and a sentence of the prevalence chapter)
      are merged from jupyter-cache's outputs with no kernel, byte for byte what executing the
      edited chapter writes;
    - prose naming a value the code does not glue, and a failing cell, stop the build with one
      error naming the chapter, and the site is left as it was;
    - the edits undone: Sphinx re-renders only what they touch, and this partial render
      publishes what the clean build of the same inputs (the shared book's) published, byte
      for byte;
    - every cached file a render puts into the site (the chart bundle, fonts and other static
      files, an untouched page, its sources and downloads) corrupted and the edits made again:
      the site the first partial render published."""
    root = built_copy(built_book, tmp_path)
    clean = _site_bytes(built_book[2])
    site, stage = root / "_build" / "html", root / "build" / "book"
    forside, udbredelse = (
        root / "chapters" / "00_forside.md",
        root / "chapters" / "02_udbredelse.md",
    )
    originals = {p: p.read_text(encoding="utf-8") for p in (forside, udbredelse)}
    middle = "Tallene gælder ledere, der har taget uddannelsen efter"
    assert middle in originals[udbredelse]
    edits = {
        forside: originals[forside] + "\nEn ekstra sætning.\n",
        udbredelse: originals[udbredelse]
        .replace("## Vil lederne selv betale?", "## Vil lederne selv betale for den?")
        .replace(middle, middle.replace("gælder", "gælder *kun*")),
    }

    def write(texts: dict[Path, str]) -> None:
        for path, text in texts.items():
            path.write_text(text, encoding="utf-8")

    with project_env(root, SOURCE_DATE_EPOCH=BOOK_EPOCH):
        mtimes = {p.name: p.stat().st_mtime_ns for p in stage.glob("*.ipynb")}
        again = b.build(root, jobs=2, quiet=True)
        assert again.executed == {} and not again.rendered
        assert {p.name: p.stat().st_mtime_ns for p in stage.glob("*.ipynb")} == mtimes
        assert not _changed(_site_bytes(site), clean)

        write(edits)
        groups = load_parameters(root / "parameters.yml").chapters["udbredelse"]["groups"]
        report = b.build(root, jobs=2, quiet=True)
        assert report.rendered and not report.executed
        assert sorted(report.reassembled) == sorted(
            ["forside-alle", *(f"udbredelse-{g}" for g in groups)]
        )
        # (Sphinx's environment holds the project's folder: in this copy it renders afresh)
        untouched = root / "build" / "site" / "_build" / "html" / "hvem-alle.html"
        written = untouched.stat().st_mtime_ns
        edited = _site_bytes(site)
        assert "En ekstra sætning.".encode() in edited["forside-alle.html"]
        assert b"Tallene g\xc3\xa6lder <em>kun</em> ledere" in edited["udbredelse-bred.html"]
        assert b"selv betale for den?" in edited["udbredelse-smal.html"]
        executed = b.run_one(forside, {}, root, out=tmp_path / "forside.ipynb", quiet=True)
        assert executed.read_bytes() == (stage / "forside-alle.ipynb").read_bytes()

        # Prose naming a value the code does not glue: one error naming key and chapter.
        forside.write_text(edits[forside] + "Hele {glue:md}`forside_findes_ikke`.\n", "utf-8")
        with pytest.raises(ChapterError, match="chapter 'forside' .*'forside_findes_ikke'"):
            b.build(root, jobs=2, quiet=True)
        code = "\n```{code-cell} ipython3\nraise KeyError('q99')\n```\n"
        forside.write_text(edits[forside] + code, encoding="utf-8")
        with pytest.raises(ChapterError) as err:
            b.build(root, jobs=2, quiet=True)
        assert "chapter 'forside' (parameter group 'alle'" in str(err.value)
        assert "KeyError" in str(err.value) and "site was left unchanged" in str(err.value)
        assert (root / "build" / "failed" / "forside-alle.ipynb").exists()
        assert _site_bytes(site) == edited

        write(originals)
        report = b.build(root, jobs=2, quiet=True)
        assert report.rendered and not report.executed
        assert untouched.stat().st_mtime_ns == written, "Sphinx's output is reused when intact"
        differing = _changed(_site_bytes(site), clean)
        assert differing == [], "\n".join(differing)

        html = root / "build" / "site" / "_build" / "html"
        cached = [*root.glob("build/site/vega-static-*/*"), *(html / "_static").rglob("*")]
        cached += [html / "hvem-alle.html", *html.glob("_sources/hvem-alle*")]
        cached += html.glob("downloads/hvem-alle*")
        corrupted = [p for p in cached if p.is_file()]
        assert any(p.name == "vega-offline.js" for p in corrupted)
        assert sum(p.suffix in {".woff2", ".ttf"} for p in corrupted) >= 6
        for p in corrupted:
            p.write_bytes(b"garbage")
        write(edits)
        assert b.build(root, jobs=2, quiet=True).rendered
        restored = _site_bytes(site)
    assert not [n for n, data in restored.items() if data == b"garbage"]
    differing = _changed(restored, edited)
    assert differing == [], "\n".join(differing)


@pytest.mark.book
def test_a_removed_parameter_group_leaves_the_published_site(built_book, tmp_path):
    """A group taken out of parameters.yml: the next build publishes no file of its page (its
    HTML, sources, downloads), no link to it and no search entry, and stages no notebook of
    it; the build after that finds nothing to do."""
    root = tmp_path / "project"
    shutil.copytree(built_book[0], root, symlinks=True)
    shutil.copytree(ROOT / "chapters", root / "chapters", dirs_exist_ok=True)  # as committed
    site, gone = root / "_build" / "html", "hvem-bred"
    assert [n for n in _site_bytes(site) if gone in n], "the group's page is published"
    params = yaml.safe_load((root / "parameters.yml").read_text(encoding="utf-8"))
    del params["chapters"]["hvem"]["groups"]["bred"]  # no page links to it
    (root / "parameters.yml").write_text(yaml.safe_dump(params, allow_unicode=True))
    with project_env(root):
        report = b.build(root, jobs=2, quiet=True)
        # holder and appendiks list the pages of parameters.yml: they run again, no other
        assert report.rendered and sorted(report.executed) == ["appendiks-alle", "holder-alle"]
        published = _site_bytes(site)
        assert [n for n in published if gone in n] == [], "no file of the page"
        assert [n for n, data in published.items() if gone.encode() in data] == [], "no link"
        assert not list((root / "build" / "book").glob(f"{gone}*"))
        assert publishing.site_intact(site, (site / publishing.SITE_KEY_FILE).read_text().strip())
        again = b.build(root, jobs=2, quiet=True)
    assert not again.rendered and not again.executed
    assert _site_bytes(site) == published


def _first_difference(name: str, a: bytes, b: bytes) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return (
        f"{name}: partial {a[max(0, i - 80) : i + 80]!r}\n   clean {b[max(0, i - 80) : i + 80]!r}"
    )
