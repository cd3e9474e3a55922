"""What every chapter does first: validate its parameters, load and weight the data, set up
charts, and say honestly what the page is computed on.

A chapter calls :func:`open_chapter` with the values of its parameters cell and gets a
:class:`Chapter` holding the validated data, the survey design and helpers to glue text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from lederuddannelse import __version__
from lederuddannelse.params import (
    GLOBAL_SPECS,
    check_global,
    check_small_cells,
    parameter_words,
)
from lederuddannelse.report.fmt import number

GLUE_PREFIX = "application/papermill.record/"
#: The page every chapter links to for how to read the numbers (and the analysts' files).
READING_GUIDE_PAGE = "laes-tallene.html"


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


def csv_download_link(data: pd.DataFrame, filename: str, label: str, explain: bool = True) -> str:
    """Two HTML links that download ``data`` as CSV files embedded as data URIs: the reader's
    (Danish spreadsheet format, rounded as shown) and, below it, the analysts' (the same table
    machine-readable at full precision, named ``...-uafrundet.csv``; its columns are explained
    on the page "Sådan læser du tallene"). ``explain``: say what the analysts' file is (once
    on a page: :meth:`Chapter.download`)."""
    import base64
    import html

    from lederuddannelse.report.tables import ANALYSIS_SUFFIX, analysis_csv, reader_csv

    def uri(text: str) -> str:
        return "data:text/csv;charset=utf-8;base64," + base64.b64encode(
            text.encode("utf-8")
        ).decode("ascii")

    e = html.escape
    stem = filename[:-4] if filename.endswith(".csv") else filename
    analysis = f"{stem}{ANALYSIS_SUFFIX}.csv"
    about = (
        " Filen bruger komma som skilletegn og punktum som decimaltegn og har fuld præcision; "
        f'<a href="{READING_GUIDE_PAGE}#filer-til-analyse">se, hvad kolonnerne betyder</a>.'
        if explain
        else ""
    )
    return (
        f'<p class="csv-download"><a class="ledu-csv" download="{e(filename)}" '
        f'href="{uri(reader_csv(data))}">{e(label)}</a> <small>({e(filename)})</small><br />'
        f'<small class="ledu-csv-analysis"><a class="ledu-csv-analysis" download="{e(analysis)}" '
        f'href="{uri(analysis_csv(data))}">Uafrundede tal til analyse (CSV)</a> '
        f"({e(analysis)}).{about}</small></p>"
    )


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
    #: the mapping file (name, SHA-256) when the data file is a survey-tool export
    mapping_name: str | None = None
    mapping_sha256: str | None = None
    #: True when the file's own weights are the raking's base weights
    base_weights: bool = False
    #: codebook variables the data file does not have (its mapping lists them as absent)
    absent: tuple[str, ...] = ()
    #: what the page has explained already (:meth:`first_time`)
    said: set[str] = field(default_factory=set)

    def first_time(self, key: str) -> bool:
        """True the first time the page explains ``key`` (a mark such as »antaget niveau«),
        False after: an explanation is said once on a page, the short mark everywhere."""
        if key in self.said:
            return False
        self.said.add(key)
        return True

    @property
    def trained(self) -> str:
        """The 0/1 column of 'has taken PWE training' under the chosen definition."""
        return f"trained_{self.params['definition']}"

    @property
    def source_line(self) -> str:
        """The figure source line, Statistics Denmark style (short: what the synthetic data are
        calibrated to is said once, in the page's notice)."""
        what = "syntetiske data" if self.synthetic else f"datafilen {self.data_path.name}"
        return f"Egne beregninger på grundlag af {what}."

    def glue(self, name: str, obj: Any) -> None:
        glue(name, obj)

    def requires(self, *variables: str) -> bool:
        """True if the data file has every one of ``variables``; otherwise say so on the page.

        A real export may lack a question (its mapping lists it under ``absent``). A section
        that needs it calls ``if ch.requires("pay_self"): ...`` and the page then states which
        variables are missing instead of failing.
        """
        missing = [v for v in variables if v in self.absent]
        if not missing:
            return True
        from lederuddannelse.data.codebook import load_codebook

        book = load_codebook()
        names = ", ".join(f"{book.label(v)} (`{v}`)" for v in missing)
        display(
            Markdown(
                ":::{admonition} Findes ikke i datafilen\n:class: note\n"
                f"Dette afsnit kræver {names}, som ikke findes i datafilen "
                f"`{self.data_path.name}`. Derfor vises det ikke.\n:::"
            )
        )
        return False

    def download(
        self, data: pd.DataFrame, name: str, label: str = "Hent data bag figuren (CSV)"
    ) -> None:
        """Show a link that downloads ``data`` as CSV (Danish: ';' and decimal comma).

        The file is embedded in the page as a data URI, so it works offline and needs no
        file plumbing per parameter group. Suppressed cells must already be blank in
        ``data`` (pass a table from the statistics layer, which applies the policy).
        """
        # what the analysts' file is, said at the page's first download link only
        explain = self.first_time("csv_analysis")
        display(HTML(csv_download_link(data, f"{name}.csv", label, explain)))

    def key_figures(self, figures: list, heading: str = "Nøgletal") -> None:
        """Show 2–4 key figures (:class:`lederuddannelse.report.keyfigures.KeyFigure`) as
        large numbers with one Danish line and the interval below; used at a chapter's top."""
        from lederuddannelse.report.keyfigures import ASSUMED_MARK, render

        if any(f.kind == "calibrated" for f in figures):
            self.first_time(ASSUMED_MARK)  # the line under the cards explains the mark
        display(HTML(render(figures, heading)))

    def notice(self) -> None:
        """Show what the page is computed on, in one line: synthetic data (visibly) or the
        user's file; the file, its hash, the version and the run's parameters (in Danish words)
        fold away under it."""
        import html

        e = html.escape
        name = self.data_path.name
        digest = self.data_sha256[:12]
        mapped = (
            " Filen er oversat til kodebogen med kortlægningen "
            f"<code>{e(self.mapping_name)}</code> "
            f"(SHA-256 <code>{e(self.mapping_sha256[:12])}…</code>)."
            if self.mapping_name
            else ""
        )
        if self.base_weights:
            mapped += (
                " Filens egne vægte er brugt som startvægte og derefter kalibreret (raking) til "
                "befolkningens fordelinger."
            )
        if self.synthetic:
            line = (
                "<strong>Syntetiske data.</strong> Tallene er beregnet i denne udgave på et "
                "syntetisk datasæt, ikke på rapportens egne data."
            )
            more = (
                "Datasættet er kalibreret til de få tal, rapporten offentliggør, og til denne "
                "udgaves egne antagelser, hvor rapporten ikke giver et tal (se Om undersøgelsen). "
                "Tallene er ikke rapportens egne skøn og siger intet nyt om virkelige ledere."
            )
        else:
            line = "<strong>Datagrundlag.</strong> Tallene er beregnet på datafilen nedenfor."
            more = ""
        # A lowered disclosure threshold is a warning: it stays on the visible line.
        lowered = self.design.policy.notice()
        if lowered:
            line += f" <strong>{e(lowered)}</strong>"
        # the facts of the run as a small definition list, not a chain of colons
        facts = [
            (
                "Datafil",
                f"<code>{e(name)}</code> (SHA-256 <code>{e(digest)}…</code>), "
                f"{e(number(len(self.data)))} besvarelser.{mapped}",
            ),
            ("Usikkerhed", e(self.design.describe_design())),
            ("Valgt i beregningen", e(_sentence(parameter_words(self.params)))),
            ("Bogens version", e(__version__)),
        ]
        items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
        details = (f"<p>{more}</p>" if more else "") + f"<dl>{items}</dl>"
        display(HTML(f'<details class="ledu-notice"><summary>{line}</summary>{details}</details>'))


def _sentence(text: str) -> str:
    """'det indbyggede datasæt, …' -> 'Det indbyggede datasæt, ….'"""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def open_chapter(**params: Any) -> Chapter:
    """Validate the global parameters, load, validate and weight the data, enable the theme."""
    from lederuddannelse.data.derive import add_derived
    from lederuddannelse.data.files import is_synthetic
    from lederuddannelse.data.loader import load_survey
    from lederuddannelse.data.snapshot import load_snapshot, pinned
    from lederuddannelse.data.weighting import load_margins, weight_survey
    from lederuddannelse.params import (
        EMBEDDED,
        resolve_data,
        resolve_data_file,
        resolve_mapping_file,
    )
    from lederuddannelse.paths import embedded_data_path
    from lederuddannelse.report.theme import setup_charts
    from lederuddannelse.stats.design import SurveyDesign
    from lederuddannelse.stats.disclosure import SuppressionPolicy

    # optional: older chapters lack them
    params = {"allow_small_cells": False, "data_mapping": "none", **params}
    checked = {name: check_global(name, params[name], "parameters cell") for name in GLOBAL_SPECS}
    check_small_cells(checked, "parameters cell")
    setup_charts()
    # In a build, the data the build validated and pinned (one snapshot per build), never
    # the live file; outside one (a downloaded notebook), the file itself.
    pin = pinned(
        resolve_data_file(checked["data_file"]), resolve_mapping_file(checked["data_mapping"])
    )
    if pin is None and checked["data_file"] == EMBEDDED and not embedded_data_path().is_file():
        # a notebook run outside the build (downloaded, or a fresh clone): the embedded
        # synthetic survey is generated again, deterministically (same n and seed, same bytes)
        from lederuddannelse.data.synthetic import ensure_embedded_data

        ensure_embedded_data()
    data = pin or resolve_data(checked["data_file"], checked["data_mapping"])
    survey = load_snapshot(data.load_path) if pin else load_survey(data.load_path)
    df = add_derived(survey)
    absent = tuple(df.attrs.get("absent", ()))  # the file's absent variables and those derived
    margins = load_margins()
    # A file's own weights are the base weights of the raking (R's rake() starts from the
    # design weights); without them, equal base weights.
    base = df["weight"].to_numpy(dtype=float) if "weight" in df.columns else None
    df, rake = weight_survey(df, margins, base_weights=base)
    design = SurveyDesign(
        df,
        "weight",
        **survey.attrs.get("design", {}),  # the sampling design a mapping file declares
        rake_margins=margins if checked["raking_se"] else None,
        weighted=checked["weighted"],
        conf_level=checked["conf_level"],
        policy=SuppressionPolicy(
            min_n=checked["min_n"],
            min_count=checked["min_count"],
            allow_small_cells=checked["allow_small_cells"],
        ),
        absent=absent,
    )
    return Chapter(
        checked,
        data.source,
        data.source_sha256,
        is_synthetic(data.load_path),
        df,
        design,
        rake,
        mapping_name=data.mapping.name if data.mapping else None,
        mapping_sha256=data.mapping_sha256,
        base_weights=base is not None,
        absent=absent,
    )
