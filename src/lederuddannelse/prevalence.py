"""The prevalence chapter (findings F1a, F1b, F2): shares trained, by definition and timing."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lederuddannelse.charts import proportion_chart
from lederuddannelse.codebook import load_codebook
from lederuddannelse.fmt import ci, number, pct
from lederuddannelse.tables import estimates_table

DEFINITIONS = ("any", "narrow", "broad")


@dataclass
class Prevalence:
    by_definition: pd.DataFrame   # one row per definition: estimate, CI, n, ...
    after_2020: pd.DataFrame      # one row: share after 2020 among the trained


def compute(ch) -> Prevalence:
    """Estimate F1a (any), F1b (narrow, broad) and F2 (after 2020 among the trained)."""
    cb = load_codebook()
    rows = []
    for d in DEFINITIONS:
        est = ch.design.proportion(f"trained_{d}")
        est.insert(0, "definition", short_label(cb.label(f"trained_{d}")))
        est.insert(0, "key", d)
        rows.append(est)
    by_def = pd.concat(rows, ignore_index=True)
    after = ch.design.proportion("after_2020")
    after.insert(0, "definition", cb.label("after_2020"))
    return Prevalence(by_def, after)


def short_label(label: str) -> str:
    """'Har taget … (smal definition)' -> 'Smal definition': the part that differs."""
    if label.endswith(")") and "(" in label:
        inner = label[label.rindex("(") + 1:-1]
        return inner[:1].upper() + inner[1:]
    return label


def _row(frame: pd.DataFrame, key: str | None = None) -> pd.Series:
    return frame.set_index("key").loc[key] if key else frame.iloc[0]


def glue_all(ch, res: Prevalence) -> None:
    """Glue every number the prose uses, Danish-formatted, with CI and n."""
    level = ch.params["conf_level"]
    for d in DEFINITIONS:
        r = _row(res.by_definition, d)
        ch.glue(f"udbredelse_{d}", pct(r["estimate"]))
        ch.glue(f"udbredelse_{d}_ci", f"{ci(r['ci_low'], r['ci_high'], level)}, n = {number(r['n'])}")
    r = _row(res.after_2020)
    ch.glue("udbredelse_after2020", pct(r["estimate"]))
    ch.glue("udbredelse_after2020_ci", f"{ci(r['ci_low'], r['ci_high'], level)}, n = {number(r['n'])}")


def definition_chart(ch, res: Prevalence) -> None:
    """Figure: share trained under each definition, with CIs; glued, not shown, so that
    the `{glue:figure}` in the prose places it with its number and caption."""
    any_ = _row(res.by_definition, "any")
    chart = proportion_chart(
        res.by_definition,
        label="definition",
        title=f"{pct(any_['estimate'])} af lederne har taget en lederuddannelse i psykisk arbejdsmiljø",
        subtitle=[
            f"Andel efter definition, {'vægtet' if ch.params['weighted'] else 'uvægtet'}, "
            f"med {number(100 * ch.params['conf_level'])} %-konfidensintervaller. n = {number(any_['n'])}.",
            f"Kilde: {ch.source_line}",
        ],
        conf_level=ch.params["conf_level"],
    )
    ch.glue("fig_udbredelse_definition", chart)


def table(ch, res: Prevalence):
    """Table: all estimates of the chapter, with CI and n."""
    frame = pd.concat([res.by_definition.drop(columns="key"), res.after_2020], ignore_index=True)
    return estimates_table(
        frame, "definition", "Andel, der …", ch.params["conf_level"],
        caption="Udbredelse af lederuddannelse i psykisk arbejdsmiljø",
        uid="udbredelse-estimater",
    )
