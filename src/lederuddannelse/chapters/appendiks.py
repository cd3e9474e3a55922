"""The appendix: the codebook and the run parameters rendered as tables, computed, not typed.

Why computed: the codebook (``data/codebook.yml``) and the parameter specification
(:data:`lederuddannelse.params.GLOBAL_SPECS` and ``parameters.yml``) are what the code actually
uses. Rendering them from the same sources means the appendix cannot drift from the book: a new
variable, code or parameter group appears here on the next build.
"""

from __future__ import annotations

import pandas as pd

from lederuddannelse.chapters.shared import condition_text
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.params import (
    GLOBAL_SPECS,
    load_parameters,
    parameter_words,
    public_data_file,
)
from lederuddannelse.report.fmt import number

TYPE_DA = {
    "id": "Id",
    "categorical": "Kategorisk",
    "ordinal": "Ordinal",
    "binary": "Valgt/ikke valgt",
    "weight": "Vægt",
}

# Danish descriptions of the global parameters (the specs' own help is English, for the CLI)
PARAM_HELP_DA = {
    "data_file": "Datafilen: »embedded« (det syntetiske datasæt) eller stien til en CSV-, "
    "Parquet- eller SPSS-fil, der følger kodebogen.",
    "data_mapping": "none, eller en kortlægningsfil (YAML), der oversætter en eksport fra "
    "spørgeskemaværktøjet til kodebogens navne og koder (docs/real-data.md).",
    "definition": "Hvilken uddannelse der tæller som »har taget uddannelsen«: narrow (smal), "
    "broad (bred) eller any (samlet).",
    "weighted": "true: estimaterne vægtes til populationen; false: uvægtet (robusthedsvariant).",
    "raking_se": "true: standardfejl, der tager højde for, at vægtene er kalibreret (raking); "
    "false: vægtene behandles som faste.",
    "conf_level": "Konfidensniveau for alle intervaller.",
    "min_n": "Estimater bygget på færre svar end dette undertrykkes.",
    "min_count": "Ingen optælling under dette tal vises.",
    "allow_small_cells": "true: min_n og min_count må sættes under standardværdierne (30 og 5); "
    "hver side siger det da i sin indledende boks.",
}


def _bool(value) -> str:
    return {True: "true", False: "false"}.get(value, str(value))


def _value(value) -> str:
    if isinstance(value, bool):
        return _bool(value)
    if isinstance(value, float):
        return number(value, 3).rstrip("0").rstrip(",")
    if isinstance(value, int):
        return number(value)
    return str(value)


def routing_text(name: str) -> str:
    """Who was asked, from the routing condition, in the words of "Om undersøgelsen" with the
    codes after them: 'Lederuddannelse i psykisk arbejdsmiljø: Ja (training = 1 eller 2)'."""
    cb = load_codebook()
    cond = cb.applies_to(name)
    if cond is None:
        return "Alle"
    values = " eller ".join(str(v) for v in cond.values)
    return f"{condition_text(cond)} ({cond.variable} = {values})"


def codebook_frame() -> pd.DataFrame:
    """One row per questionnaire variable: name, label, question, type, codes, routing (the
    full codebook, for the CSV download)."""
    cb = load_codebook()
    rows = []
    for name in cb.variables:
        var = cb.variable(name)
        rows.append(
            {
                "Variabel": name,
                "Etiket": var.label,
                "Spørgsmål": var.question,
                "Type": TYPE_DA.get(var.type, var.type),
                "Koder": _codes(var.codes),
                "Stilles til": routing_text(name),
                "Må mangle": "Ja" if var.missing_ok or not var.required else "Nej",
            }
        )
    return pd.DataFrame(rows)


def _codes(codes: dict) -> str:
    return "; ".join(f"{k} = {v}" for k, v in codes.items())


def variables_frame() -> pd.DataFrame:
    """The codebook's overview columns (narrow enough for a page)."""
    return codebook_frame()[["Variabel", "Etiket", "Type", "Stilles til", "Må mangle"]]


def questions_frame() -> pd.DataFrame:
    """Each variable's question as asked."""
    return codebook_frame()[["Variabel", "Spørgsmål"]]


def codes_frame() -> pd.DataFrame:
    """Each distinct set of codes once, with the variables that use it (a shared answer scale
    such as agree/disagree is listed once)."""
    cb = load_codebook()
    groups: dict[str, list[str]] = {}
    for name in cb.variables:
        codes = cb.variable(name).codes
        if codes:
            groups.setdefault(_codes(codes), []).append(name)
    return pd.DataFrame(
        [{"Variable": ", ".join(names), "Koder": codes} for codes, names in groups.items()]
    )


def derived_frame() -> pd.DataFrame:
    """The indicators the book derives from the answers (labels from the codebook)."""
    cb = load_codebook()
    rows = [
        {"Variabel": name, "Etiket": cb.label(name), "Stilles til": routing_text(name)}
        for name in cb.derived_variables
    ]
    return pd.DataFrame(rows)


def parameters_frame() -> pd.DataFrame:
    """The global parameters: the value the book runs with, what is allowed, what it does."""
    params = load_parameters()
    rows = []
    for name, spec in GLOBAL_SPECS.items():
        if spec.choices:
            allowed = ", ".join(_value(c) for c in spec.choices)
        elif spec.low is not None:
            allowed = f"fra {_value(spec.low)} til {_value(spec.high)}"
        else:
            allowed = "se beskrivelsen"
        rows.append(
            {
                "Parameter": name,
                "Værdi i denne udgave": _value(
                    public_data_file(params.globals[name])
                    if name in ("data_file", "data_mapping")
                    else params.globals[name]
                ),
                "Tilladte værdier": allowed,
                "Beskrivelse": PARAM_HELP_DA.get(name, spec.help),
            }
        )
    return pd.DataFrame(rows)


def pages_frame() -> pd.DataFrame:
    """Every published page: chapter, parameter group and the parameters it sets."""
    params = load_parameters()
    rows = []
    for slug, entry in params.chapters.items():
        allowed = entry.get("allowed", {})
        for group, overrides in entry["groups"].items():
            rows.append(
                {
                    "Side": f"{slug}-{group}",
                    "Kapitel": slug,
                    # the reader's words first, the code to type after it
                    "Parametre": ", ".join(
                        f"{parameter_words({k: v})} ({k} = {_value(v)})"
                        for k, v in (overrides or {}).items()
                    )
                    or "de globale værdier",
                    "Kapitlets egne parametre": "; ".join(
                        f"{k}: {', '.join(map(_value, vals))}" for k, vals in allowed.items()
                    )
                    or "–",
                }
            )
    return pd.DataFrame(rows)


def glue_all(ch) -> None:
    """Counts for the prose (number of variables, codes, parameters, pages)."""
    cb = load_codebook()
    ch.glue("appendiks_n_vars", number(len(cb.variables)))
    ch.glue("appendiks_n_derived", number(len(cb.derived_variables)))
    ch.glue("appendiks_n_params", number(len(GLOBAL_SPECS)))
    ch.glue("appendiks_n_pages", number(len(pages_frame())))
    ch.glue("appendiks_min_n", number(ch.params["min_n"]))
