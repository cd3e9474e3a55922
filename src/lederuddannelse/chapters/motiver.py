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
from lederuddannelse.chapters.shared import (
    ASSUMED_MARK,
    TRAINED,
    across_definitions,
    among_trained,
    assumed_levels_sentence,
    barrier_labels,
    definition_phrase,
    provenance,
    reason_labels,
)


@dataclass
class Motives:
    reasons: pd.DataFrame  # ranked, among the trained (page's definition)
    barriers: pd.DataFrame  # ranked, among the untrained
    barriers_by_type: pd.DataFrame  # ranked within manager type
    comparisons: dict  # key -> (shares, tests)
    columns: dict  # item -> analysed column (domain-restricted)


def columns() -> dict[str, str]:
    """Item -> analysed column (the reasons restricted to the trained)."""
    return {**{v: f"{v}__{TRAINED}" for v in reason_items()}, **{v: v for v in barrier_items()}}


def barriers_by_type(design) -> pd.DataFrame:
    """The barriers ranked within each manager type (``multi_response(..., by=...)``)."""
    labels = barrier_labels()
    by_type = design.multi_response(list(labels), by="manager_type", labels=labels)
    by_type.insert(
        1, "group", [cmp.group_label("manager_type", c) for c in by_type["manager_type"]]
    )
    return by_type


def compute(ch) -> Motives:
    """Every estimate of the page in one call, as its cells compute them: reasons and barriers
    ranked, and compared by manager type and by sector."""
    design = among_trained(ch, *reason_items())
    r_labels, b_labels = reason_labels(), barrier_labels()
    reasons = across_definitions(
        ch, lambda trained: trained.multi_response(list(r_labels), labels=r_labels), *reason_items()
    )
    barriers = design.multi_response(list(b_labels), labels=b_labels)
    # the site's one order (compare.comparison_order): managers of managers minus managers of
    # employees, private minus public
    managers, employees = cmp.comparison_order("manager_type")
    private, public = cmp.comparison_order("sector")
    comparisons = {
        "type_barriers": cmp.compare(design, b_labels, "manager_type", managers, employees),
        "type_reasons": cmp.compare(design, r_labels, "manager_type", managers, employees),
        "sector_barriers": cmp.compare(design, b_labels, "sector", private, public),
        "sector_reasons": cmp.compare(design, r_labels, "sector", private, public),
    }
    return Motives(reasons, barriers, barriers_by_type(design), comparisons, columns())


def glue_all(ch, res: Motives) -> None:
    """Glue the numbers of the prose: top reasons and barriers, and the tested differences
    the report names (F9: time, competences, no difference; F13: not relevant, no difference;
    F14: career) in words (:func:`~lederuddannelse.analysis.compare.describe`)."""
    cmp.glue_ranked(ch, "motiver_reason", res.reasons, top=2)
    ch.glue("motiver_assumed", assumed_levels_sentence(ch, "reason_develop"))
    cmp.glue_ranked(ch, "motiver_barrier", res.barriers, top=2)
    ch.glue("motiver_barrier_domain", cmp.barrier_domain_note(ch.params["definition"]))
    ch.glue(  # the provenance said once above; here only that it applies again
        "motiver_assumed_barriers",
        f"Også årsagernes andele hviler på et {ASSUMED_MARK}."
        if provenance(ch, "barrier_time") == "calibrated"
        else assumed_levels_sentence(ch, "barrier_time"),
    )
    employees = res.barriers_by_type[
        res.barriers_by_type["manager_type"] == cmp.group_codes("manager_type")[0]
    ]
    cmp.glue_ranked(ch, "motiver_barrier_employees", employees, top=1)
    level = ch.params["conf_level"]
    for key, (by, items, noun) in NAMED.items():
        _, tests = res.comparisons[key]
        named = tests["item"].isin([res.columns[i] for i in items])
        if items:
            ch.glue(f"motiver_{key}_text", cmp.describe(tests[named], by, level))
        ch.glue(f"motiver_{key}_rest", cmp.describe_rest(tests[~named], noun, level, bool(items)))


#: The comparisons of the page, with the items the report names (F9, F13, F14): the prose
#: describes those, then the other items of the same table in one sentence.
NAMED = {
    "type_barriers": (
        "manager_type",
        ("barrier_time", "barrier_competent", "barrier_no_difference"),
        "årsager",
    ),
    "type_reasons": ("manager_type", (), "grunde"),
    "sector_barriers": ("sector", ("barrier_not_relevant", "barrier_no_difference"), "årsager"),
    "sector_reasons": ("sector", ("reason_career",), "grunde"),
}


def reasons_chart(ch, reasons: pd.DataFrame):
    """Figure (F3): the reasons ranked (``multi_response`` among the trained)."""
    return cmp.ranked_chart(
        ch,
        reasons,
        "Hyppigste grunde",
        f"Blandt ledere, der har taget uddannelsen ({definition_phrase(ch)}); flere svar mulige",
    )


def barriers_chart(ch, barriers: pd.DataFrame):
    """Figure: the barriers ranked (``multi_response`` among the untrained)."""
    return cmp.ranked_chart(
        ch,
        barriers,
        "Hyppigste årsager til ikke at have taget uddannelsen",
        "Blandt ledere, der ikke har taget uddannelsen; flere svar mulige",
    )


def comparison_chart(ch, shares: pd.DataFrame, tests: pd.DataFrame):
    """Figure: a comparison of reasons or barriers between two groups (``compare``)."""
    reasons = str(shares["item"].iloc[0]).startswith("reason_")
    what = (
        "Grunde blandt ledere, der har taget uddannelsen"
        if reasons
        else "Årsager blandt ledere, der ikke har taget uddannelsen"
    )
    return cmp.comparison_chart(ch, shares, tests, f"{what}; flere svar mulige")


def comparison_table(ch, tests: pd.DataFrame, caption: str, uid: str):
    """Table: the differences of a comparison and their tests."""
    from lederuddannelse.report.tables import comparison_table as build

    title = "Grund" if str(tests["item"].iloc[0]).startswith("reason_") else "Årsag"
    caption = cmp.provenance_caption(ch, caption, tests["item"])
    return build(tests, title, ch.params["conf_level"], caption=caption, uid=uid)


def key_figures(ch, reasons: pd.DataFrame, barriers: pd.DataFrame) -> list:
    """The chapter's opening numbers: the most frequent reason (among the trained) and the
    most frequent barrier (among the untrained), each with its share."""
    from lederuddannelse.report.keyfigures import top_item_figure

    figures = []
    for ranked, lead in (
        (reasons, "af lederne med uddannelsen nævner grunden"),
        (barriers, "af lederne uden uddannelsen nævner årsagen"),
    ):
        # the top item's level is this edition's assumption on synthetic data
        kind = provenance(ch, str(ranked["item"].iloc[0]))
        figures.append(top_item_figure(ranked, lead, ch.params["conf_level"], kind=kind))
    return figures
