"""The chapter on reasons for and against the training (findings F3, F4, F9, F13, F14).

Reasons (``reason_*``) were asked of the trained, barriers (``barrier_*``) of those with no
PWE training at all; both are multiple-response items, so each is its own share and the shares
do not add up to 100 %. The chapter ranks them (``SurveyDesign.multi_response``) and compares
them by manager type (F9) and by sector (F13, F14) with design-based tests
(``SurveyDesign.difference`` through :mod:`lederuddannelse.compare`).

Definition: reasons are shown among those trained under the page's definition (``ch.trained``),
so a narrow or broad run shows the reasons for that kind of training. Barriers follow the
question's routing (no PWE training of either kind), whatever the definition: managers with
the other kind of training were not asked why they had not taken one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lederuddannelse.analysis import compare as cmp
from lederuddannelse.analysis.specs import barrier_items, reason_items
from lederuddannelse.chapters.shared import definition_phrase
from lederuddannelse.report.fmt import number


@dataclass
class Motives:
    reasons: pd.DataFrame  # ranked, among the trained (page's definition)
    barriers: pd.DataFrame  # ranked, among the untrained
    barriers_by_type: pd.DataFrame  # ranked within manager type
    comparisons: dict  # key -> (shares, tests)
    columns: dict  # item -> analysed column (domain-restricted)


def compute(ch) -> Motives:
    """Rank reasons and barriers and compare them by manager type and by sector."""
    derived = cmp.restricted_columns(ch.data, reason_items(), cmp.trained_mask(ch), "trained")
    design = ch.design.with_columns(derived)
    reason_cols = dict(zip(reason_items(), derived))
    barrier_cols = {v: v for v in barrier_items()}
    r_labels = {c: cmp.item_label(v) for v, c in reason_cols.items()}
    b_labels = {c: cmp.item_label(v) for v, c in barrier_cols.items()}
    reasons = design.multi_response(list(r_labels), labels=r_labels)
    barriers = design.multi_response(list(b_labels), labels=b_labels)
    mt = cmp.group_codes("manager_type")  # [ledere af medarbejdere, ledere af ledere]
    sec = cmp.group_codes("sector")  # [offentlig, privat]
    by_type = design.multi_response(list(b_labels), by="manager_type", labels=b_labels)
    by_type.insert(
        1, "group", [cmp.group_label("manager_type", c) for c in by_type["manager_type"]]
    )
    comparisons = {
        # managers of employees (a) vs managers of managers (b): F9 is about the former
        "type_barriers": cmp.compare(design, b_labels, "manager_type", mt[0], mt[1]),
        "type_reasons": cmp.compare(design, r_labels, "manager_type", mt[0], mt[1]),
        # private (a) vs public (b): F13 and F14 are stated for the private sector
        "sector_barriers": cmp.compare(design, b_labels, "sector", sec[1], sec[0]),
        "sector_reasons": cmp.compare(design, r_labels, "sector", sec[1], sec[0]),
    }
    return Motives(reasons, barriers, by_type, comparisons, {**reason_cols, **barrier_cols})


def glue_all(ch, res: Motives) -> None:
    """Glue the numbers of the prose: top reasons and barriers, and the tested differences
    the report names (F9: time, competences, no difference; F13: not relevant, no difference;
    F14: career)."""
    cmp.glue_ranked(ch, "motiver_reason", res.reasons, top=2)
    cmp.glue_ranked(ch, "motiver_barrier", res.barriers, top=2)
    employees = res.barriers_by_type[
        res.barriers_by_type["manager_type"] == cmp.group_codes("manager_type")[0]
    ]
    cmp.glue_ranked(ch, "motiver_barrier_employees", employees, top=1)
    col = res.columns
    named = {
        "type_barriers": (
            "motiver_type",
            ["barrier_time", "barrier_competent", "barrier_no_difference"],
        ),
        "sector_barriers": ("motiver_sector", ["barrier_not_relevant", "barrier_no_difference"]),
        "sector_reasons": ("motiver_sector", ["reason_career"]),
    }
    for key, (prefix, items) in named.items():
        shares, tests = res.comparisons[key]
        for item in items:
            cmp.glue_comparison(ch, f"{prefix}_{item}", shares, tests, col[item])
    n_sig = {}
    for key, (shares, tests) in res.comparisons.items():
        n_sig[key] = sum(cmp.significant(r, ch.params["conf_level"]) for _, r in tests.iterrows())
    ch.glue("motiver_type_reasons_nsig", number(n_sig["type_reasons"]))
    ch.glue("motiver_type_reasons_nitems", number(len(res.comparisons["type_reasons"][1])))


def reasons_chart(ch, res: Motives) -> None:
    cmp.ranked_chart(
        ch,
        res.reasons,
        "Hyppigste grunde",
        f"Blandt ledere, der har taget uddannelsen ({definition_phrase(ch)}); flere svar mulige",
        "fig_motiver_grunde",
    )


def barriers_chart(ch, res: Motives) -> None:
    cmp.ranked_chart(
        ch,
        res.barriers,
        "Hyppigste årsager til ikke at tage uddannelsen",
        "Blandt ledere, der ikke har taget uddannelsen; flere svar mulige",
        "fig_motiver_barrierer",
    )


def comparison_chart(ch, res: Motives, key: str, name: str) -> None:
    shares, tests = res.comparisons[key]
    what = (
        "Grunde blandt ledere, der har taget uddannelsen"
        if key.endswith("reasons")
        else "Årsager blandt ledere, der ikke har taget uddannelsen"
    )
    cmp.comparison_chart(ch, shares, tests, f"{what}; flere svar mulige", name)


def comparison_table(ch, res: Motives, key: str, caption: str, uid: str):
    from lederuddannelse.report.tables import comparison_table as build

    title = "Grund" if key.endswith("reasons") else "Årsag"
    return build(res.comparisons[key][1], title, ch.params["conf_level"], caption=caption, uid=uid)


def download(res: Motives, key: str) -> pd.DataFrame:
    return cmp.for_download(*res.comparisons[key])


def key_figures(ch, res: Motives) -> list:
    """The chapter's opening numbers: the most frequent reason (among the trained) and the
    most frequent barrier (among the untrained), each with its share."""
    from lederuddannelse.report.keyfigures import top_item_figure

    figures = []
    for ranked, lead in (
        (res.reasons, "af de uddannede nævner som grund: "),
        (res.barriers, "af de ikke-uddannede nævner som årsag: "),
    ):
        figures.append(top_item_figure(ranked, lead, ch.params["conf_level"]))
    return figures
