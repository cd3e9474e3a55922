"""The sector chapter (findings F13, F14), published once per sector through parameter groups.

The chapter parameter ``sector`` ("offentlig" or "privat", see ``parameters.yml``) names the
sector in plain words; :func:`sector_code` maps it to the codebook's code through the codebook's
value labels ("Offentlig sektor" -> its code), so no code is typed and a codebook with other
codes needs no change here.

Each page shows the sector's key figures (the share trained under each definition; the reasons
of the trained, under the page's definition; the barriers of the untrained, by the question's
routing) and compares the sector with the other one on the items of F13 (among the untrained:
"not relevant", "will not make a positive difference") and F14 (among the trained: career),
each difference tested (this sector minus the other).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lederuddannelse.analysis import compare as cmp
from lederuddannelse.analysis.compare import definite
from lederuddannelse.analysis.specs import reason_items
from lederuddannelse.chapters.shared import (
    DEFINITIONS,
    TRAINED,
    among_trained,
    assumed_levels_sentence,
    barrier_labels,
    definition_phrase,
    provenance,
    reason_labels,
    short_label,
)
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.errors import ParameterError

BY = "sector"
F13_ITEMS = ("barrier_not_relevant", "barrier_no_difference")
F14_ITEMS = ("reason_career",)


def sector_code(sector: str) -> int:
    """'offentlig' -> the code whose value label starts with that word ('Offentlig sektor')."""
    labels = load_codebook().value_labels(BY)
    hits = [c for c, lab in labels.items() if lab.split()[0].lower() == str(sector).lower()]
    if len(hits) != 1:
        words = ", ".join(lab.split()[0].lower() for lab in labels.values())
        raise ParameterError(
            f"parameter 'sector' = {sector!r} is not allowed; expected one of {words}."
        )
    return hits[0]


@dataclass
class Sector:
    code: int
    other: int
    label: str
    other_label: str
    trained: pd.DataFrame  # shares trained by definition in this sector
    reasons: pd.DataFrame  # ranked, among the trained in this sector
    barriers: pd.DataFrame  # ranked, among the untrained in this sector
    comparison: tuple[pd.DataFrame, pd.DataFrame]  # F13/F14 items: private minus public
    columns: dict


def sectors(sector: str) -> tuple[int, int]:
    """The codes of the page's sector (parameter ``sector``) and of the other sector."""
    code = sector_code(sector)
    return code, next(c for c in cmp.group_codes(BY) if c != code)


def in_sector(frame: pd.DataFrame, code: int) -> pd.DataFrame:
    """The rows of an estimate ``by="sector"`` for the sector ``code``."""
    return frame[frame[BY] == code].reset_index(drop=True)


def trained_shares(shares: pd.DataFrame, code: int) -> pd.DataFrame:
    """The shares trained under each definition (``proportion(trained_x, by="sector")``) in the
    sector ``code``, with their ``key`` (any, narrow, broad) and ``label``."""
    cb = load_codebook()
    out = in_sector(shares, code)
    out.insert(0, "label", [short_label(cb.label(v)) for v in out["variable"]])
    out.insert(0, "key", [v.removeprefix("trained_") for v in out["variable"]])
    return out


def comparison_items() -> dict[str, str]:
    """The items the report compares between the sectors, column -> codebook label: F13
    (barriers, among the untrained) and F14 (career, among the trained)."""
    cb = load_codebook()
    return {COLUMNS[v]: cb.label(v) for v in F13_ITEMS + F14_ITEMS}


#: Item -> analysed column (a reason restricted to the trained, see ``among_trained``).
COLUMNS = {
    "barrier_not_relevant": "barrier_not_relevant",
    "barrier_no_difference": "barrier_no_difference",
    "reason_career": f"reason_career__{TRAINED}",
}


def sector_result(code, other, trained, reasons, barriers, comparison) -> Sector:
    """The page's estimates for the prose (its cells' outputs, in the sector ``code``)."""
    return Sector(
        code,
        other,
        cmp.group_label(BY, code),
        cmp.group_label(BY, other),
        trained,
        reasons,
        barriers,
        comparison,
        COLUMNS,
    )


def compute(ch, sector: str) -> Sector:
    """Every estimate of the page in one call, as its cells compute them."""
    code, other = sectors(sector)
    design = ch.design
    shares = pd.concat([design.proportion(f"trained_{d}", by=BY) for d in DEFINITIONS])
    trained = among_trained(ch, *reason_items())
    r_labels, b_labels = reason_labels(), barrier_labels()
    reasons = trained.multi_response(list(r_labels), by=BY, labels=r_labels)
    barriers = trained.multi_response(list(b_labels), by=BY, labels=b_labels)
    # the site's one order (private minus public) on both sector pages
    comparison = cmp.compare(trained, comparison_items(), BY, *cmp.comparison_order(BY))
    return sector_result(
        code,
        other,
        trained_shares(shares, code),
        in_sector(reasons, code),
        in_sector(barriers, code),
        comparison,
    )


def glue_all(ch, res: Sector) -> None:
    """Glue the sector's names, its key figures and what the comparisons show in words
    (F13, F14; :func:`~lederuddannelse.analysis.compare.describe`)."""
    # the page title: two pages of one chapter need two names in the table of contents
    ch.glue("sektor_title", f"{res.label} sammenlignet med {cmp.lower_first(res.other_label)}")
    ch.glue("sektor_this", definite(res.label))
    ch.glue("sektor_other", definite(res.other_label))
    ch.glue("sektor_order", cmp.order_text(BY))
    for _, r in res.trained.iterrows():
        cmp.glue_share(ch, f"sektor_trained_{r['key']}", r)
    cmp.glue_ranked(ch, "sektor_reason", res.reasons, top=2)
    cmp.glue_ranked(ch, "sektor_barrier", res.barriers, top=2)
    ch.glue("sektor_assumed", assumed_levels_sentence(ch, "reason_develop"))
    _, tests = res.comparison
    level = ch.params["conf_level"]
    for key, items, among in (
        ("f13", F13_ITEMS, "Blandt lederne uden uddannelsen"),
        ("f14", F14_ITEMS, "Blandt lederne med uddannelsen"),
    ):
        named = tests["item"].isin([res.columns[i] for i in items])
        ch.glue(f"sektor_{key}_text", cmp.describe(tests[named], BY, level, among))


def _this(code: int) -> str:
    return cmp.group_label(BY, code)


def trained_chart(ch, trained: pd.DataFrame, code: int):
    """Figure: the share trained under each definition in the sector (``trained_shares``)."""
    from lederuddannelse.report.charts import proportion_chart
    from lederuddannelse.report.fmt import pct

    label = _this(code)
    any_ = trained.set_index("key").loc["any"]
    head = (
        f"{pct(any_['estimate'])} af lederne i {definite(label)} har taget uddannelsen"
        if not any_["suppressed"]
        else label
    )
    return proportion_chart(
        trained,
        label="label",
        title=head,
        subtitle=cmp.subtitle(
            ch, f"Andel efter definition, {cmp.lower_first(label)}", trained["n"].max()
        ),
        conf_level=ch.params["conf_level"],
    )


def reasons_chart(ch, reasons: pd.DataFrame, code: int):
    """Figure: the reasons of the trained in the sector, ranked."""
    return cmp.ranked_chart(
        ch,
        reasons,
        f"Hyppigste grunde i {definite(_this(code))}",
        f"Blandt ledere, der har taget uddannelsen ({definition_phrase(ch)}); flere svar mulige",
    )


def barriers_chart(ch, barriers: pd.DataFrame, code: int):
    """Figure: the barriers of the untrained in the sector, ranked."""
    return cmp.ranked_chart(
        ch,
        barriers,
        f"Hyppigste årsager i {definite(_this(code))}",
        "Blandt ledere, der ikke har taget uddannelsen; flere svar mulige",
    )


def comparison_chart(ch, shares: pd.DataFrame, tests: pd.DataFrame):
    """Figure (F13, F14): the sector against the other on the report's items (``compare``)."""
    return cmp.comparison_chart(
        ch,
        shares,
        tests,
        "Årsager blandt ledere uden uddannelsen og grunde blandt ledere med den",
    )


def comparison_table(ch, tests: pd.DataFrame, code: int, other: int):
    """Table: the differences between the sectors (in the site's one order, whichever sector
    the page is about) and their tests."""
    from lederuddannelse.report.tables import comparison_table as build

    first, second = cmp.comparison_order(BY)
    return build(
        tests,
        "Svar",
        ch.params["conf_level"],
        caption=cmp.provenance_caption(
            ch,
            f"{_this(first)} sammenlignet med {cmp.lower_first(_this(second))}: forskel og test",
            tests["item"],
        ),
        uid=f"sektor-sammenligning-{code}",
    )


def key_figures(ch, trained: pd.DataFrame, reasons: pd.DataFrame, barriers: pd.DataFrame, code):
    """The chapter's opening numbers for this sector: the share trained (any definition),
    its most frequent reason and its most frequent barrier."""
    from lederuddannelse.report.keyfigures import proportion_figure, top_item_figure

    level = ch.params["conf_level"]
    this = definite(_this(code))
    figures = [
        proportion_figure(
            trained.set_index("key").loc["any"],
            f"af lederne i {this} har taget uddannelsen (samlet)",
            level,
        )
    ]
    for ranked, lead in (
        (reasons, "af lederne med uddannelsen nævner grunden"),
        (barriers, "af lederne uden uddannelsen nævner årsagen"),
    ):
        # the top item's level is this edition's assumption on synthetic data
        kind = provenance(ch, str(ranked["item"].iloc[0]))
        figures.append(top_item_figure(ranked, lead, ch.params["conf_level"], kind=kind))
    return figures
