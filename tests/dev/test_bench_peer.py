"""The bench's Jupyter Book peer builds the same site as ours: one page per run, with that
run's parameters, listed in a toc nested as our staged toc (no book is built here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from conftest import copy_project
from lederuddannelse.book.build import stage_book
from lederuddannelse.book.notebooks import read_chapter
from lederuddannelse.dev.bench import peer_pages, stage_peer, write_peer_sources
from lederuddannelse.params import Run, load_parameters

PARAMETER_TAGS = ("parameters", "injected-parameters")


def flat(entry: dict[str, Any], where: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every file of a toc with its place in the tree ((key, index), ...)."""
    for key in ("root", "file"):
        if key in entry:
            yield where, entry[key]
    for key in ("parts", "chapters", "sections"):
        for i, child in enumerate(entry.get(key, [])):
            yield from flat(child, (*where, (key, i)))


def page_parameters(source: Path) -> dict[str, Any]:
    """What the page's kernel holds after its parameters cell and any injected cell."""
    namespace: dict[str, Any] = {}
    for cell in read_chapter(source).cells:
        if set(cell.metadata.get("tags", [])) & set(PARAMETER_TAGS):
            exec(cell.source, {}, namespace)
    return namespace


def chapter_code(source: Path) -> list[str]:
    """The page's code cells other than the injected parameters."""
    return [
        c.source
        for c in read_chapter(source).cells
        if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
    ]


def problems(peer: Path, our_toc: dict[str, Any], runs: list[Run]) -> list[str]:
    """How the peer copy ``peer`` falls short of building our pages (empty: it does not):
    its toc pairs, place by place, with our staged toc; each of our run pages pairs with a
    peer source of the same chapter whose parameters are the run's."""
    by_name = {run.name: run for run in runs}
    peer_toc = yaml.safe_load((peer / "_toc.yml").read_text(encoding="utf-8"))
    ours, theirs = list(flat(our_toc)), list(flat(peer_toc))
    if [w for w, _ in ours] != [w for w, _ in theirs]:
        return [f"the tocs differ in shape: ours {ours}, the peer's {theirs}"]
    out = []
    for (where, mine), (_, file) in zip(ours, theirs):
        run = by_name.get(mine)
        if run is None:
            if file != mine:
                out.append(f"{where}: ours lists {mine}, the peer {file}")
            continue
        source = peer / f"{file}.md"
        if not source.is_file():
            out.append(f"{run.name}: the peer lists {file}, which does not exist")
            continue
        if chapter_code(source) != chapter_code(run.source):
            out.append(f"{run.name}: {file} is not the code of {run.source.name}")
        got = page_parameters(source)
        wrong = {k: got.get(k) for k, v in run.params.items() if got.get(k) != v}
        if wrong:
            out.append(f"{run.name}: {file} runs with {wrong}, not {run.params}")
    missing = set(by_name) - {mine for _, mine in ours}
    if missing:
        out.append(f"runs without a page: {sorted(missing)}")
    return out


@pytest.fixture
def peer(tmp_path) -> tuple[Path, dict[str, Any], list[Run]]:
    """A peer copy of the project and our staged toc of the same copy."""
    root = copy_project(tmp_path / "peer")
    runs = load_parameters(root / "parameters.yml").runs(root)
    our_toc = yaml.safe_load((stage_book(runs, root) / "_toc.yml").read_text(encoding="utf-8"))
    stage_peer(root)
    return root, our_toc, runs


def test_the_peer_builds_every_run_with_its_parameters(peer):
    root, our_toc, runs = peer
    assert problems(root, our_toc, runs) == []
    # the book publishes variants: the peer executes more pages than there are chapters
    chapters = {run.slug for run in runs}
    assert len(runs) > len(chapters)
    peer_toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    assert sum(1 for _, file in flat(peer_toc) if file.startswith("chapters/")) == len(runs)


def test_a_dropped_variant_is_caught(peer):
    root, our_toc, runs = peer
    toc_path = root / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    nested = next(c for c in toc["chapters"] if c.get("sections"))
    dropped = nested["sections"].pop()["file"]
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    found = problems(root, our_toc, runs)
    assert len(found) == 1 and found[0].startswith("the tocs differ in shape")
    assert dropped not in found[0].split("the peer's")[1]


def test_a_variant_with_default_parameters_is_caught(peer):
    """A variant page that lost its injected parameters executes the default page again."""
    root, our_toc, runs = peer
    variant = root / "chapters" / "udbredelse-smal.md"
    text = variant.read_text(encoding="utf-8")
    assert 'definition = "narrow"' in text
    variant.write_text(text.replace('definition = "narrow"', 'definition = "any"'), "utf-8")
    found = problems(root, our_toc, runs)
    assert len(found) == 1 and found[0].startswith("udbredelse-smal:")
    assert "'definition': 'any'" in found[0]


def test_an_edit_reaches_every_page_of_the_chapter(peer):
    """The bench's code edit of a chapter reaches the peer's copies of it, as it reaches each
    of our runs of that chapter."""
    root, our_toc, runs = peer
    source = root / "chapters" / "02_udbredelse.md"
    code = "\n```{code-cell} ipython3\nbench_changed = True\n```\n"
    source.write_text(source.read_text(encoding="utf-8") + code, encoding="utf-8")
    stale = problems(root, our_toc, runs)
    assert [p.split(":")[0] for p in stale] == ["udbredelse-smal", "udbredelse-bred"]
    write_peer_sources(root, peer_pages(root))
    assert problems(root, our_toc, runs) == []
