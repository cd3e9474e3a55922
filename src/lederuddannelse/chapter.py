"""What every chapter does first: validate its parameters, load and weight the data, set up
charts, and say honestly what the page is computed on.

A chapter calls :func:`open_chapter` with the values of its parameters cell and gets a
:class:`Chapter` holding the validated data, the survey design and helpers to glue text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown, display

from lederuddannelse import __version__
from lederuddannelse.fmt import number
from lederuddannelse.params import GLOBAL_SPECS, check_global, resolve_data_file

GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, obj: Any) -> None:
    """Glue ``obj`` under ``name`` without showing it: text for ``{glue:md}`name```, a chart
    or table for ``{glue:figure} name``.

    Writes the same output as ``myst_nb.glue(name, obj, display=False)`` (a ``str`` is glued
    as Markdown) without importing myst-nb and Sphinx into every kernel.
    """
    from IPython.core.formatters import format_display_data

    bundle, metadata = format_display_data(Markdown(obj) if isinstance(obj, str) else obj)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Chapter:
    """A chapter's validated parameters, its data and its survey design."""

    params: dict[str, Any]
    data_path: Path
    data_sha256: str
    synthetic: bool
    data: pd.DataFrame
    design: Any
    rake: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def trained(self) -> str:
        """The 0/1 column of 'has taken PWE training' under the chosen definition."""
        return f"trained_{self.params['definition']}"

    @property
    def source_line(self) -> str:
        """The figure source line, Statistics Denmark style."""
        what = "syntetiske data kalibreret til rapportens resultater" if self.synthetic else f"datafilen {self.data_path.name}"
        return f"Egne beregninger på grundlag af {what}."

    def glue(self, name: str, obj: Any) -> None:
        glue(name, obj)

    def notice(self) -> None:
        """Show what the page is computed on: synthetic data (visibly) or the user's file."""
        name = self.data_path.name
        digest = self.data_sha256[:12]
        run = ", ".join(f"{k} = {v}" for k, v in self.params.items())
        if self.synthetic:
            head = (
                ":::{admonition} Syntetiske data\n:class: warning synthetic\n"
                "Tallene på denne side er beregnet på et **syntetisk datasæt**, der er kalibreret "
                "til rapportens offentliggjorte resultater. De er ikke rapportens egne estimater, "
                "og de siger intet nyt om virkelige ledere.\n\n"
            )
        else:
            head = (
                ":::{admonition} Datagrundlag\n:class: note\n"
                "Tallene på denne side er beregnet på den datafil, der er angivet nedenfor.\n\n"
            )
        display(Markdown(
            head
            + f"Datafil: `{name}` (SHA-256 `{digest}…`), {number(len(self.data))} besvarelser. "
            f"Bogens version: {__version__}. Parametre for denne kørsel: {run}.\n:::"
        ))


def open_chapter(**params: Any) -> Chapter:
    """Validate the global parameters, load, validate and weight the data, enable the theme."""
    from lederuddannelse.disclosure import SuppressionPolicy
    from lederuddannelse.loader import add_derived, is_synthetic, load_survey
    from lederuddannelse.survey import SurveyDesign
    from lederuddannelse.theme import setup_charts
    from lederuddannelse.weighting import load_margins, weight_survey

    checked = {name: check_global(name, params[name], "parameters cell") for name in GLOBAL_SPECS}
    setup_charts()
    path = resolve_data_file(checked["data_file"])
    df = add_derived(load_survey(path))
    margins = load_margins()
    df, rake = weight_survey(df, margins)
    design = SurveyDesign(
        df,
        "weight",
        rake_margins=margins if checked["raking_se"] else None,
        weighted=checked["weighted"],
        conf_level=checked["conf_level"],
        policy=SuppressionPolicy(min_n=checked["min_n"], min_count=checked["min_count"]),
    )
    return Chapter(checked, path, file_sha256(path), is_synthetic(path), df, design, rake)
