"""A chapter's pages: its switch, the pages that join no switch, and every page's title words.

`parameters.yml` publishes a chapter once per parameter group. A chapter may name the one
parameter its pages switch on (``switch: definition``): the groups that differ from the first
group in that parameter alone, each with its own value, are the pages of the switch (the site
shows "Definition af uddannelse: Samlet | Smal | Bred" on each). Every other group joins no
switch: it is an extra page, and the build says so in one line.

Either way a chapter is one entry of the table of contents: its first group's page is the
chapter, every other page nests under it, so adding a group never renumbers a chapter or its
figures. Every page's title names each parameter in which it differs from the book's defaults
(parameters.yml's `global`), in the reader's words, and the switch's value on a page of a
switch on a global parameter ("(smal definition, uvægtet)"); the data file is left out (every
page's notice names it, and a book built on an export would carry it in every title).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lederuddannelse import paths
from lederuddannelse.params import (
    DEFINITION_WORDS,
    GLOBAL_SPECS,
    PARAMETERS_FILE,
    Parameters,
    Run,
    load_parameters,
    parameter_words,
    switch_members,
)

SWITCH = "switch"
#: What a switch is called on the page, per parameter (others: the parameter's name).
SWITCH_LABELS = {
    "definition": "Definition af uddannelse",
    "sector": "Sektor",
    "weighted": "Vægtning",
}
#: Parameters a title leaves out: the data (see the module's docstring).
UNTITLED = ("data_file", "data_mapping")


def value_label(name: str, value: Any) -> str:
    """A switch's entry for one value: 'Samlet', 'Smal', 'Privat', 'Uvægtet'."""
    if name == "definition":
        word = DEFINITION_WORDS.get(value, str(value))
    elif name == "weighted":
        word = "vægtet" if value else "uvægtet"
    elif isinstance(value, bool):
        word = "ja" if value else "nej"
    else:
        word = str(value)
    return word[:1].upper() + word[1:]


def title_word(name: str, value: Any, params: dict[str, Any]) -> str:
    """One parameter in a page title: 'smal definition', 'uvægtet', 'konfidensniveau 90 %'."""
    if name == "definition":
        return f"{DEFINITION_WORDS.get(value, value)} definition"
    if name == "weighted":
        return "vægtet" if value else "uvægtet"
    if name == "raking_se" and not params.get("weighted", True):
        return ""  # no weights, no raking: the word 'uvægtet' says it
    return parameter_words({name: value})


def title_words(params: dict[str, Any], defaults: dict[str, Any], switch: str | None) -> str:
    """Each global parameter of ``params`` that differs from the book's ``defaults``, and the
    ``switch``'s value, in the reader's words, in the order of parameters.yml; '' if none."""
    names = [
        k
        for k in GLOBAL_SPECS
        if k in params and k not in UNTITLED and (params[k] != defaults.get(k) or k == switch)
    ]
    return ", ".join(w for w in (title_word(k, params[k], params) for k in names) if w)


def titled(markdown: str, words: str) -> str:
    """A page's Markdown with ``words`` in parentheses after its first level-1 heading."""
    if not words:
        return markdown
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            lines[i] = f"{line.rstrip()} ({words})"
            return "\n".join(lines)
    return markdown


@dataclass(frozen=True)
class Layout:
    """The pages of one chapter, in the order of parameters.yml."""

    slug: str
    switch: str | None
    runs: tuple[Run, ...]
    members: tuple[Run, ...]  # the pages of the switch (the first page among them), or ()
    extras: tuple[Run, ...]  # the pages after the first that join no switch

    @property
    def first(self) -> Run:
        return self.runs[0]

    def words(self, run: Run, defaults: dict[str, Any]) -> str:
        """The title words of ``run`` (a page of this chapter, or a re-run of one)."""
        global_switch = self.switch if self.switch in GLOBAL_SPECS else None
        return title_words(run.params, defaults, global_switch)

    def why_alone(self, run: Run) -> str:
        """Why the extra page ``run`` joins no switch (for the build's line)."""
        if self.switch is None:
            return f"chapter '{self.slug}' names no switch"
        first = self.first.params
        differ = [k for k in run.params if k != self.switch and run.params[k] != first.get(k)]
        if differ:
            return (
                f"it differs from {self.first.name} in {', '.join(differ)}; the chapter's "
                f"switch takes groups that differ in '{self.switch}' alone"
            )
        same = next(m for m in self.members if m.params.get(self.switch) == run.params.get(
            self.switch))  # fmt: skip
        return (
            f"the switch's page for {self.switch} = {run.params.get(self.switch)!r} is {same.name}"
        )


def layout(params: Parameters, slug: str, root: Path | None = None) -> Layout:
    """The pages of chapter ``slug`` of ``params`` (:class:`Layout`)."""
    runs = tuple(r for r in params.runs(root) if r.slug == slug)
    switch = params.chapters.get(slug, {}).get(SWITCH)
    joined = set(switch_members([(r.group, r.params) for r in runs], switch))
    members = tuple(r for r in runs if r.group in joined)
    extras = tuple(r for r in runs[1:] if r.group not in joined)
    return Layout(slug, switch, runs, members, extras)


def definition_pages(slug: str, root: Path | None = None) -> list[tuple[str, str]]:
    """The pages of chapter ``slug``'s switch on the definition of training (``switch:
    definition``), as (page name, definition), in the order of parameters.yml; empty if the
    chapter has no such switch. The ledger's links and the disclosure audit use it.

    Empty outside the book's project (an installed package runs a chapter anywhere): no
    other pages."""
    root = root or paths.find_project_root()
    if root is None:
        return []
    lay = layout(read_parameters(root), slug, root)
    if lay.switch != "definition":
        return []
    return [(r.name, r.params["definition"]) for r in lay.members]


def read_parameters(root: Path) -> Parameters:
    """:func:`load_parameters` of ``root``'s parameters.yml, remembered per content of the
    file, for the read-only questions asked per page (a build asks once per run). Callers
    must not change what it returns."""
    path = root / PARAMETERS_FILE
    try:
        text = path.read_bytes()
    except OSError:  # load_parameters says so
        return load_parameters(path)
    hit = _PARAMETERS.get(str(path))
    if hit is None or hit[0] != text:
        hit = _PARAMETERS[str(path)] = (text, load_parameters(path))
    return hit[1]


_PARAMETERS: dict[str, tuple[bytes, Parameters]] = {}


def extra_page_lines(params: Parameters, root: Path | None = None) -> list[str]:
    """One line per page that joins no switch: what the build does with it."""
    out = []
    for slug in params.chapters:
        lay = layout(params, slug, root)
        for run in lay.extras:
            words = lay.words(run, params.globals)
            title = f"its title adds ({words})" if words else "its title is the chapter's"
            out.append(
                f"{PARAMETERS_FILE}: {run.name} joins no switch ({lay.why_alone(run)}): built as "
                f"an extra page under {lay.first.name}, {title}."
            )
    return out


def page_words(run: Run, root: Path) -> str:
    """The title words of ``run`` as the book publishes it (parameters.yml in ``root``); for
    a chapter parameters.yml does not list, the parameters that differ from its globals."""
    params = read_parameters(root)
    if run.slug not in params.chapters:
        return title_words(run.params, params.globals, None)
    return layout(params, run.slug, root).words(run, params.globals)


def switch_of(params: Parameters, slug: str, root: Path | None = None) -> dict[str, Any] | None:
    """What the site shows as the switch of chapter ``slug``: its label and each page with its
    entry, or None if the chapter has no switch."""
    lay = layout(params, slug, root)
    if not lay.members:
        return None
    return {
        "label": SWITCH_LABELS.get(lay.switch, lay.switch),
        "pages": [[r.name, value_label(lay.switch, r.params.get(lay.switch))] for r in lay.members],
    }


def describe_parameters(path: Path | None = None) -> str:
    """A plain-text listing of every parameter, its value and what it may be."""
    params = load_parameters(path)
    lines = ["Global parameters (parameters.yml: global):"]
    for name, spec in GLOBAL_SPECS.items():
        allowed = (
            ", ".join(map(str, spec.choices))
            if spec.choices
            else f"{spec.low} to {spec.high}"
            if spec.low is not None
            else "see help"
        )
        lines.append(f"  {name} = {params.globals[name]!r}\n      {spec.help}; allowed: {allowed}")
    lines.append(
        "Chapters and their parameter groups (parameters.yml: chapters); a chapter's first "
        "page is its entry in the contents, the others nest under it:"
    )
    for slug, entry in params.chapters.items():
        lay = layout(params, slug)
        for run in lay.runs:
            group = run.group
            overrides = entry["groups"][group]
            extra = ", ".join(f"{k}={v!r}" for k, v in (overrides or {}).items()) or "global values"
            words = lay.words(run, params.globals)
            role = (
                f"switch on {lay.switch}"
                if run in lay.members
                else "extra page"
                if run in lay.extras
                else "the chapter"
            )
            lines.append(
                f"  {slug}-{group}: {extra}  [{role}" + (f"; title: ({words})]" if words else "]")
            )
        for name, values in entry.get("allowed", {}).items():
            lines.append(f"      {name} allowed: {', '.join(map(str, values))}")
    return "\n".join(lines + extra_page_lines(params))
