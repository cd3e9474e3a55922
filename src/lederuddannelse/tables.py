"""Table builders: estimates as Danish-formatted tables with a caption, n and suppression marks."""

from __future__ import annotations

import pandas as pd

from lederuddannelse.charts import SUPPRESSED_LABEL
from lederuddannelse.fmt import number, pct


def estimates_table(
    table: pd.DataFrame, label: str, label_title: str, conf_level: float, caption: str, uid: str
):
    """A styled table: label, share, CI, unweighted n; suppressed rows are marked, not printed.

    ``uid`` fixes the HTML ids so that the same inputs give the same bytes.
    """
    level = number(100 * conf_level)
    rows = []
    for _, r in table.iterrows():
        hidden = bool(r.get("suppressed", False))
        rows.append({
            label_title: r[label],
            "Andel": SUPPRESSED_LABEL if hidden else pct(r["estimate"], 1),
            f"{level} %-konfidensinterval": "" if hidden else
                f"{pct(r['ci_low'], 1, suffix='')}–{pct(r['ci_high'], 1)}",
            "Antal svar (n)": number(r["n"]) if pd.notna(r["n"]) else SUPPRESSED_LABEL,
        })
    return (
        pd.DataFrame(rows).style.hide(axis="index").set_caption(caption).set_uuid(uid)
    )
