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
from lederuddannelse.stats.design import SurveyDesign

ATTITUDES = ("workplace_priority", "workplace_resources", "relevance", "expect_wellbeing")
BY = "manager_type"


@dataclass
class ManagerType:
    overview: tuple[pd.DataFrame, pd.DataFrame]  # trained + attitudes: (shares, tests)
    barriers: tuple[pd.DataFrame, pd.DataFrame]  # barriers among the untrained
    columns: dict  # short key -> analysed column


def groups() -> tuple:
    """The two groups compared, as codes of ``manager_type``, in the site's one order
    (:func:`~lederuddannelse.analysis.compare.comparison_order`): managers of managers (``a``)
    minus managers of employees (``b``)."""
    return cmp.comparison_order(BY)


def with_agreement(ch) -> SurveyDesign:
    """The chapter's design with a 0/1 column ``{var}_agree`` per attitude item: agree (the
    scale's two highest codes) or not (:func:`~lederuddannelse.analysis.compare.agreement`)."""
    return ch.design.with_columns(
        {f"{var}_agree": cmp.agreement(ch.data, var) for var in ATTITUDES}
    )


def overview_items(ch) -> dict[str, str]:
    """The overview's items, column -> short label: trained (page's definition) and agreeing
    with each attitude item (the codebook's full label is in the figure text and the table)."""
    items = {ch.trained: f"Har taget uddannelsen ({definition_phrase(ch)})"}
    items.update({f"{var}_agree": cmp.agree_label(var) for var in ATTITUDES})
    return items


def barrier_labels() -> dict[str, str]:
    """The barrier items (asked of managers with no PWE training), column -> label."""
    return {v: cmp.item_label(v) for v in barrier_items()}


def columns(ch) -> dict[str, str]:
    """Short key -> analysed column, for the glue names."""
    out = {"trained": ch.trained, **{var: f"{var}_agree" for var in ATTITUDES}}
    out.update({v: v for v in barrier_items()})
    return out


def compute(ch) -> ManagerType:
    """Every comparison of the page in one call, as its cells compute them."""
    a, b = groups()
    overview = cmp.compare(with_agreement(ch), overview_items(ch), BY, a, b)
    barriers = cmp.compare(ch.design, barrier_labels(), BY, a, b)
    return ManagerType(overview, barriers, columns(ch))


#: The prose's three comparisons, each with the items the report names: the share trained and
#: the workplace (F8), the training's relevance and usefulness (F9), the barriers (F9).
PARTS = {
    "workplace": ("trained", "workplace_priority", "workplace_resources"),
    "ratings": ("relevance", "expect_wellbeing"),
    "barriers": ("barrier_time", "barrier_competent", "barrier_no_difference"),
}


def glue_all(ch, res: ManagerType) -> None:
    """Glue what each comparison shows, in words
    (:func:`~lederuddannelse.analysis.compare.describe`): the items the report names, then the
    other barriers in one sentence."""
    level = ch.params["conf_level"]
    ch.glue("ledertype_agree", cmp.agree_answers(ATTITUDES[0]))
    ch.glue("ledertype_barrier_domain", cmp.barrier_domain_note(ch.params["definition"]))
    for part, keys in PARTS.items():
        _, tests = res.barriers if part == "barriers" else res.overview
        named = tests["item"].isin([res.columns[k] for k in keys])
        ch.glue(f"ledertype_{part}_text", cmp.describe(tests[named], BY, level))
    _, tests = res.barriers
    named = tests["item"].isin([res.columns[k] for k in PARTS["barriers"]])
    ch.glue("ledertype_barriers_rest", cmp.describe_rest(tests[~named], "årsager", level))


def overview_chart(ch, shares: pd.DataFrame, tests: pd.DataFrame):
    """Figure (F8, F9): the overview's shares by manager type (``compare``'s output)."""
    return cmp.comparison_chart(
        ch, shares, tests, f"Andel efter ledertype ({cmp.agree_note(ATTITUDES[0])})"
    )


def barriers_chart(ch, shares: pd.DataFrame, tests: pd.DataFrame):
    """Figure (F9): the barriers by manager type, among the untrained."""
    return cmp.comparison_chart(
        ch,
        shares,
        tests,
        "Årsager blandt ledere, der ikke har taget uddannelsen; flere svar mulige",
    )


def table(ch, tests: pd.DataFrame, which: str, caption: str, uid: str):
    """Table: the differences between the groups and their tests (``which``: 'overview' or
    'barriers', for the first column's title)."""
    from lederuddannelse.report.tables import comparison_table

    title = "Årsag" if which == "barriers" else "Andel, der …"
    caption = cmp.provenance_caption(ch, caption, tests["item"])
    return comparison_table(tests, title, ch.params["conf_level"], caption=caption, uid=uid)


def key_figures(ch, shares: pd.DataFrame, tests: pd.DataFrame) -> list:
    """The chapter's opening numbers: the share trained in each manager type and the
    difference between them with its test (``compare`` of ``ch.trained``)."""
    from lederuddannelse.report.keyfigures import difference_figure, proportion_figure

    level = ch.params["conf_level"]
    col = ch.trained
    rows = shares[shares["item"] == col]
    figures = [
        proportion_figure(r, f"af {cmp.lower_first(r['group'])} har taget uddannelsen", level)
        for _, r in rows.iterrows()
    ]
    t = tests[tests["item"] == col] if "item" in tests.columns else tests.iloc[[0]]
    figures.append(difference_figure(t.iloc[0], f"forskel, {cmp.order_text(BY)}", level))
    return figures
