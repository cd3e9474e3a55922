"""The chapter comparing managers of managers with managers of employees (findings F8, F9).

Side by side, each with its design-based test (``SurveyDesign.difference`` through
:mod:`lederuddannelse.compare`):

- the share trained under the page's definition (F8);
- the workplace prioritises the PWE, and sets money and time aside for training (F8): five-point
  agree items, dichotomised as agree (the two highest codes) by :func:`compare.agree`;
- the barriers among the untrained (F9), the training's relevance to one's work and its expected
  usefulness for employees' well-being (F9), the latter two dichotomised like the workplace items.

The difference is always managers of managers minus managers of employees (the codebook's
second code minus its first), so a positive difference means "more among managers of managers".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lederuddannelse.analysis import compare as cmp
from lederuddannelse.analysis.specs import barrier_items
from lederuddannelse.chapters.shared import definition_phrase

ATTITUDES = ("workplace_priority", "workplace_resources", "relevance", "expect_wellbeing")
BY = "manager_type"


@dataclass
class ManagerType:
    overview: tuple[pd.DataFrame, pd.DataFrame]  # trained + attitudes: (shares, tests)
    barriers: tuple[pd.DataFrame, pd.DataFrame]  # barriers among the untrained
    columns: dict  # short key -> analysed column


def compute(ch) -> ManagerType:
    codes = cmp.group_codes(BY)
    a, b = codes[1], codes[0]  # managers of managers (a) vs managers of employees (b)
    columns = {"trained": ch.trained, **{var: f"{var}_agree" for var in ATTITUDES}}
    design = ch.design.with_columns(
        {columns[var]: cmp.agreement(ch.data, var) for var in ATTITUDES}
    )
    # a short axis label; the codebook's full label is in the figure text and the table
    items = {ch.trained: f"Har taget uddannelsen ({definition_phrase(ch)})"}
    items.update({columns[var]: cmp.agree_label(var) for var in ATTITUDES})
    overview = cmp.compare(design, items, BY, a, b)
    b_items = {v: cmp.item_label(v) for v in barrier_items()}
    columns.update({v: v for v in b_items})
    barriers = cmp.compare(design, b_items, BY, a, b)
    return ManagerType(overview, barriers, columns)


GLUE_NAMES = {
    "trained": "ledertype_trained",
    "workplace_priority": "ledertype_priority",
    "workplace_resources": "ledertype_resources",
    "relevance": "ledertype_relevance",
    "expect_wellbeing": "ledertype_wellbeing",
    "barrier_time": "ledertype_time",
    "barrier_competent": "ledertype_competent",
    "barrier_no_difference": "ledertype_no_difference",
}


def glue_all(ch, res: ManagerType) -> None:
    """Glue each compared share (both groups), the difference, its test and a direction phrase."""
    ch.glue("ledertype_agree", cmp.agree_note(ATTITUDES[0]))
    for key, name in GLUE_NAMES.items():
        shares, tests = res.barriers if key.startswith("barrier_") else res.overview
        cmp.glue_comparison(ch, name, shares, tests, res.columns[key])


def overview_chart(ch, res: ManagerType) -> None:
    cmp.comparison_chart(
        ch,
        *res.overview,
        f"Andel efter ledertype ({cmp.agree_note(ATTITUDES[0])})",
        "fig_ledertype_oversigt",
    )


def barriers_chart(ch, res: ManagerType) -> None:
    cmp.comparison_chart(
        ch,
        *res.barriers,
        "Årsager blandt ledere, der ikke har taget uddannelsen; flere svar mulige",
        "fig_ledertype_barrierer",
    )


def table(ch, res: ManagerType, which: str, caption: str, uid: str):
    from lederuddannelse.report.tables import comparison_table

    tests = (res.barriers if which == "barriers" else res.overview)[1]
    title = "Årsag" if which == "barriers" else "Andel, der …"
    return comparison_table(tests, title, ch.params["conf_level"], caption=caption, uid=uid)


def download(res: ManagerType, which: str) -> pd.DataFrame:
    return cmp.for_download(*(res.barriers if which == "barriers" else res.overview))


def key_figures(ch, res: ManagerType) -> list:
    """The chapter's opening numbers: the share trained in each manager type and the
    difference between them with its test."""
    from lederuddannelse.report.keyfigures import difference_figure, proportion_figure

    level = ch.params["conf_level"]
    shares, tests = res.overview
    col = res.columns["trained"]
    rows = shares[shares["item"] == col]
    figures = [
        proportion_figure(r, f"af {cmp.lower_first(r['group'])} har taget uddannelsen", level)
        for _, r in rows.iterrows()
    ]
    t = tests[tests["item"] == col] if "item" in tests.columns else tests.iloc[[0]]
    figures.append(
        difference_figure(t.iloc[0], "forskel mellem de to grupper (procentpoint)", level)
    )
    return figures
