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
from lederuddannelse.analysis.specs import barrier_items, reason_items
from lederuddannelse.chapters.shared import DEFINITIONS, definition_phrase, short_label
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
    comparison: tuple[pd.DataFrame, pd.DataFrame]  # F13/F14 items: this sector vs the other
    columns: dict


def compute(ch, sector: str) -> Sector:
    cb = load_codebook()
    code = sector_code(sector)
    other = next(c for c in cmp.group_codes(BY) if c != code)
    rows = []
    for d in DEFINITIONS:
        t = ch.design.proportion(f"trained_{d}", by=BY)
        t = t[t[BY] == code].copy()
        t.insert(0, "label", short_label(cb.label(f"trained_{d}")))
        t.insert(0, "key", d)
        rows.append(t)
    trained = pd.concat(rows, ignore_index=True)
    derived = cmp.restricted_columns(ch.data, reason_items(), cmp.trained_mask(ch), "trained")
    design = ch.design.with_columns(derived)
    reason_cols = dict(zip(reason_items(), derived))
    r_labels = {c: cmp.item_label(v) for v, c in reason_cols.items()}
    b_labels = {v: cmp.item_label(v) for v in barrier_items()}
    reasons = design.multi_response(list(r_labels), by=BY, labels=r_labels)
    barriers = design.multi_response(list(b_labels), by=BY, labels=b_labels)
    reasons = reasons[reasons[BY] == code].reset_index(drop=True)
    barriers = barriers[barriers[BY] == code].reset_index(drop=True)
    columns = {**reason_cols, **{v: v for v in b_labels}}
    items = {columns[v]: cb.label(v) for v in F13_ITEMS + F14_ITEMS}
    comparison = cmp.compare(design, items, BY, code, other)
    return Sector(
        code,
        other,
        cmp.group_label(BY, code),
        cmp.group_label(BY, other),
        trained,
        reasons,
        barriers,
        comparison,
        columns,
    )


def glue_all(ch, res: Sector) -> None:
    """Glue the sector's names, its key figures and the tested comparisons (F13, F14)."""
    # the page title: two pages of one chapter need two names in the table of contents
    ch.glue("sektor_title", f"{res.label} sammenlignet med {cmp.lower_first(res.other_label)}")
    ch.glue("sektor_this", cmp.lower_first(res.label))
    ch.glue("sektor_other", cmp.lower_first(res.other_label))
    for _, r in res.trained.iterrows():
        cmp.glue_share(ch, f"sektor_trained_{r['key']}", r)
    cmp.glue_ranked(ch, "sektor_reason", res.reasons, top=2)
    cmp.glue_ranked(ch, "sektor_barrier", res.barriers, top=2)
    shares, tests = res.comparison
    for item in F13_ITEMS + F14_ITEMS:
        cmp.glue_comparison(ch, f"sektor_{item}", shares, tests, res.columns[item])


def trained_chart(ch, res: Sector) -> None:
    from lederuddannelse.report.charts import proportion_chart
    from lederuddannelse.report.fmt import pct

    any_ = res.trained.set_index("key").loc["any"]
    head = (
        f"{pct(any_['estimate'])} af lederne i {cmp.lower_first(res.label)} har taget uddannelsen"
        if not any_["suppressed"]
        else res.label
    )
    chart = proportion_chart(
        res.trained,
        label="label",
        title=head,
        subtitle=cmp.subtitle(
            ch, f"Andel efter definition, {cmp.lower_first(res.label)}", res.trained["n"].max()
        ),
        conf_level=ch.params["conf_level"],
    )
    ch.glue("fig_sektor_uddannede", chart)


def reasons_chart(ch, res: Sector) -> None:

    cmp.ranked_chart(
        ch,
        res.reasons,
        f"Hyppigste grunde i {cmp.lower_first(res.label)}",
        f"Blandt ledere, der har taget uddannelsen ({definition_phrase(ch)}); flere svar mulige",
        "fig_sektor_grunde",
    )


def barriers_chart(ch, res: Sector) -> None:
    cmp.ranked_chart(
        ch,
        res.barriers,
        f"Hyppigste årsager i {cmp.lower_first(res.label)}",
        "Blandt ledere, der ikke har taget uddannelsen; flere svar mulige",
        "fig_sektor_barrierer",
    )


def comparison_chart(ch, res: Sector) -> None:
    cmp.comparison_chart(
        ch,
        *res.comparison,
        "Årsager blandt ledere uden uddannelsen og grunde blandt ledere med den",
        "fig_sektor_sammenligning",
    )


def comparison_table(ch, res: Sector):
    from lederuddannelse.report.tables import comparison_table as build

    return build(
        res.comparison[1],
        "Svar",
        ch.params["conf_level"],
        caption=f"{res.label} sammenlignet med {cmp.lower_first(res.other_label)}: forskel og test",
        uid=f"sektor-sammenligning-{res.code}",
    )


def download(res: Sector) -> pd.DataFrame:
    return cmp.for_download(*res.comparison)


def key_figures(ch, res: Sector) -> list:
    """The chapter's opening numbers for this sector: the share trained (any definition),
    its most frequent reason and its most frequent barrier."""
    from lederuddannelse.report.keyfigures import proportion_figure, top_item_figure

    level = ch.params["conf_level"]
    this = cmp.lower_first(res.label)
    figures = [
        proportion_figure(
            res.trained.set_index("key").loc["any"],
            f"af lederne i {this} har taget uddannelsen (samlet)",
            level,
        )
    ]
    for ranked, lead in (
        (res.reasons, "af de uddannede nævner som grund: "),
        (res.barriers, "af de ikke-uddannede nævner som årsag: "),
    ):
        figures.append(top_item_figure(ranked, lead, ch.params["conf_level"]))
    return figures
