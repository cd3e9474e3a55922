"""One snapshot of the data per build: every chapter run reads the data the build validated
and hashed once, a file replaced while the build runs is named and nothing is published, and
the cache keeps the runs of each data file under that file's own key."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from test_build_processes import probe_project

from lederuddannelse.book import build as b
from lederuddannelse.book.keys import Dependencies, key_form
from lederuddannelse.errors import DataValidationError
from lederuddannelse.hashing import sha256_file

# The probe chapter opens its data as every chapter does and records what it read.
READS = """from lederuddannelse.chapters.base import open_chapter
ch = open_chapter(**{{k: globals()[k] for k in {names!r}}})
(marks / group).write_text(f"{{ch.data_sha256}} {{len(ch.data)}}")
"""


def reading_project(tmp_path):
    """A project whose chapter (groups a and b) records the data's hash and rows it read."""
    from lederuddannelse.data.synthetic import generate_to_file

    root, marks = probe_project(tmp_path, "", groups=2)
    params = yaml.safe_load((root / "parameters.yml").read_text())
    params["chapters"]["probe"] = {
        "allowed": {"group": ["a", "b"]},
        "groups": {"a": {"group": "a"}, "b": {"group": "b"}},
    }
    (root / "parameters.yml").write_text(yaml.safe_dump(params))
    names = sorted(params["global"])
    cell = "\n".join(f"{k} = {v!r}" for k, v in {**params["global"], "group": "x"}.items())
    text = (root / "chapters" / "90_probe.md").read_text()
    head, rest = text.split(":tags: [parameters]\n", 1)
    rest = cell + rest[rest.index("\n```") :]
    text = head + ":tags: [parameters]\n" + rest
    text = text.replace("(marks / str(os.getpid())).write_bytes(parent)\n", "")
    text = text.replace("\n\n```\n", "\n" + READS.format(names=names) + "```\n", 1)
    (root / "chapters" / "90_probe.md").write_text(text)
    (root / "_toc.yml").write_text("format: jb-book\nroot: chapters/90_probe\n")
    other = generate_to_file(n=400, seed=4, out=tmp_path / "other.parquet")
    return root, marks, root / "data" / "probe.parquet", other


@pytest.mark.slow
def test_a_file_swapped_after_the_first_run_is_named_nothing_is_published_and_keys_hold(
    tmp_path,
):
    root, marks, data, other = reading_project(tmp_path)
    site = root / "_build" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("previous")
    original = tmp_path / "original.parquet"
    shutil.copyfile(data, original)
    first = sha256_file(data)
    swapped = []

    def swap(name: str) -> None:  # after the first chapter run has finished
        if not swapped:
            shutil.copyfile(other, data)
            swapped.append(name)

    with pytest.raises(DataValidationError) as err:
        b.build(root, jobs=1, quiet=True, progress=swap)
    assert swapped, "the build executed its runs"
    lines = str(err.value).splitlines()
    assert len(lines) == 1 and str(data) in lines[0]
    assert "changed while the book was built" in lines[0] and "nothing was published" in lines[0]
    assert (site / "index.html").read_text() == "previous"
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    # both runs read the data the build started on, never the live file
    assert {(marks / g).read_text() for g in "ab"} == {f"{first} 300"}

    # the swapped-in file is other data: its runs execute, on it
    for g in "ab":
        (marks / g).unlink()
    b.build(root, jobs=1, quiet=True, stage_only=True)
    assert {(marks / g).read_text() for g in "ab"} == {f"{sha256_file(other)} 400"}

    # the original file back: its runs are reused from the cache (no kernel), under its key
    for g in "ab":
        (marks / g).unlink()
    shutil.copyfile(original, data)
    report = b.build(root, jobs=1, quiet=True, stage_only=True)
    assert report.executed == {} and sorted(report.reassembled) == ["probe-a", "probe-b"]
    assert not any((marks / g).exists() for g in "ab")
    for g in "ab":
        staged = json.loads((root / "build" / "book" / f"probe-{g}.ipynb").read_text())
        assert staged["metadata"]["lederuddannelse"]["data_sha256"] == first


def store_executed(cache, nb) -> None:
    """Store ``nb`` in jupyter-cache as if it had been executed (what the build stores)."""
    from jupyter_cache.base import CacheBundleIn

    cache.cache_notebook_bundle(CacheBundleIn(key_form(nb), uri="x"), check_validity=False)


def test_runs_are_kept_per_data_file_and_never_reused_for_another(tmp_path):
    """A run cached on file A is not matched for file B (its key is A's snapshot's hash), and
    switching back to A matches A's run: switching data files keeps each file's runs."""
    from jupyter_cache import get_cache

    from conftest import copy_project
    from lederuddannelse.data.synthetic import generate_to_file
    from lederuddannelse.params import Run

    root = copy_project(tmp_path / "project")
    a = generate_to_file(n=300, seed=3, out=root / "data" / "a.parquet")
    bfile = generate_to_file(n=300, seed=5, out=root / "data" / "b.parquet")
    src = root / "chapters" / "02_udbredelse.md"
    params = yaml.safe_load((root / "parameters.yml").read_text())["global"]
    cache = get_cache(tmp_path / "cache")

    def keyed(data_file: str):
        run = Run("udbredelse", "alle", src, {**params, "data_file": data_file})
        deps = Dependencies.of(root)
        pins, _ = b.pin_data([run], root, deps)
        assert pins[b.data_key(run)].source_sha256 == sha256_file(root / data_file)
        return b.prepared(run, deps.digest(run, b.chapter))

    store_executed(cache, keyed("data/a.parquet"))
    with pytest.raises(KeyError):
        cache.match_cache_notebook(key_form(keyed("data/b.parquet")))
    store_executed(cache, keyed("data/b.parquet"))
    # the same name, other bytes: a new key, A's run is not reused for it
    shutil.copyfile(bfile, a)
    with pytest.raises(KeyError):
        cache.match_cache_notebook(key_form(keyed("data/a.parquet")))
    # b's run, stored under b's key, is found again; so is a's once its bytes are back
    generate_to_file(n=300, seed=3, out=a)
    assert cache.match_cache_notebook(key_form(keyed("data/a.parquet")))
    assert cache.match_cache_notebook(key_form(keyed("data/b.parquet")))
