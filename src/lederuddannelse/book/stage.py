"""The staged book in `build/book/`: what Jupyter Book renders, with execution off.

`_config.yml` (execution forced off), a `_toc.yml` in which each chapter's entry is replaced by
its executed pages (one per parameter group), the executed notebooks, and every other file the
book reads: each page the table of contents lists, the bibliography files `_config.yml` names,
`citation.yml` and :data:`STAGED_TREES`. Every file is written only when its content changed,
so Sphinx, which decides by modification time, re-renders only what changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lederuddannelse.book.notebooks import write_if_changed
from lederuddannelse.book.stamps import BUILD_DIR, STAGE
from lederuddannelse.errors import ParameterError
from lederuddannelse.params import Run, slug_of

#: Folders the rendered book reads besides its pages: static files, the theme's components
#: and the message catalogues.
STAGED_TREES = ("_static", "_templates", "locale")
PAGE_SUFFIXES = (".md", ".ipynb")  # the sources the staged book renders into pages


def runs_toc(toc: dict[str, Any], pages: dict[str, list[str]]) -> tuple[dict[str, Any], set[str]]:
    """The project's `_toc.yml` with each chapter entry (`chapters/NN_slug`) replaced by its
    pages, ``pages[slug]`` in the order of parameters.yml, and the other files the toc lists
    (with `.md` when the entry gives no suffix).

    A chapter stays one entry: its first page, with its other pages (a switch's, and extra
    pages, :mod:`lederuddannelse.variants`) as sections of it, so adding a parameter group
    never renumbers a chapter or its figures. The staged book and the bench's Jupyter Book
    peer (which builds the same pages) both use it.
    """
    listed: set[str] = set()

    def rewrite(entry: dict[str, Any]) -> list[dict[str, Any]]:
        out = dict(entry)
        for key in ("chapters", "sections", "parts"):
            if key in out:
                out[key] = [e for child in out[key] for e in rewrite(child)]
        file = out.get("file") or out.get("root")
        if not file or not file.startswith("chapters/"):
            if file:
                listed.add(file if Path(file).suffix else file + ".md")
            return [out]
        slug = slug_of(Path(file))
        names = pages.get(slug)
        if not names:
            raise ParameterError(
                f"_toc.yml lists {file}, but parameters.yml has no chapter '{slug}'."
            )
        key = "root" if "root" in out else "file"
        if key == "root":
            return [{**out, key: names[0]}]
        first, *rest = names
        return [{**out, key: first, **({"sections": [{"file": n} for n in rest]} if rest else {})}]

    return rewrite(toc)[0], listed


def stage_book(runs: list[Run], root: Path) -> Path:
    """Write the book's sources (all but the executed notebooks) into `build/book/`; remove
    every staged page no longer in the book (the notebook of a run no longer in
    parameters.yml, a page the toc no longer lists). Returns the staged folder."""
    stage = root / BUILD_DIR / STAGE
    stage.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    config["only_build_toc_files"] = True
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    write_if_changed(stage / "_config.yml", text)

    by_slug: dict[str, list[str]] = {}
    for run in runs:
        by_slug.setdefault(run.slug, []).append(run.name)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    new_toc, listed = runs_toc(toc, by_slug)
    write_if_changed(
        stage / "_toc.yml", yaml.safe_dump(new_toc, allow_unicode=True, sort_keys=False)
    )

    files = {*listed, "citation.yml", *config.get("bibtex_bibfiles", [])}
    for name in sorted(files):
        if (root / name).is_file():
            write_if_changed(stage / name, (root / name).read_bytes())
        elif name in listed:
            raise ParameterError(f"_toc.yml lists {name}, which does not exist.")
    for tree in STAGED_TREES:
        sources = sorted((root / tree).rglob("*")) if (root / tree).is_dir() else []
        for f in sources:
            if f.is_file() and f.suffix != ".mo":
                write_if_changed(stage / f.relative_to(root), f.read_bytes())
        # a file deleted from the project leaves the staged book too
        kept = {f.relative_to(root) for f in sources}
        for f in sorted((stage / tree).rglob("*")) if (stage / tree).is_dir() else []:
            if f.is_file() and f.suffix != ".mo" and f.relative_to(stage) not in kept:
                f.unlink()
    # a page no longer in the book (a removed parameter group or chapter, a file the toc no
    # longer lists) leaves the staged book, so Sphinx drops it (see staged_pages)
    wanted = {f"{r.name}.ipynb" for r in runs} | listed
    for page in staged_pages(stage):
        if page.relative_to(stage).as_posix() not in wanted:
            page.unlink()
    return stage


def staged_pages(stage: Path) -> list[Path]:
    """Every page source of the staged book (the executed notebooks and the other files the
    toc lists), outside the folders the book reads besides its pages."""
    out = []
    for p in sorted(stage.rglob("*")):
        rel = p.relative_to(stage)
        if p.is_file() and p.suffix in PAGE_SUFFIXES and rel.parts[0] not in STAGED_TREES:
            out.append(p)
    return out
