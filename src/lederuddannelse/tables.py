"""Table builders: estimates as Danish-formatted tables with a caption, n and suppression marks."""

from __future__ import annotations

import pandas as pd

from lederuddannelse.charts import SUPPRESSED_LABEL
from lederuddannelse.fmt import number, pct


# Danish column names for downloaded tables (the statistics layer's names are English).
DOWNLOAD_COLUMNS = {
    "estimate": "estimat", "se": "standardfejl", "ci_low": "ki_nedre", "ci_high": "ki_oevre",
    "n": "antal_svar", "N": "vaegtet_antal", "deff": "designeffekt", "suppressed": "undertrykt",
    "p_value": "p_vaerdi", "estimate_a": "estimat_a", "estimate_b": "estimat_b",
    "n_a": "antal_svar_a", "n_b": "antal_svar_b", "label": "tekst", "rank": "rang",
    "odds_ratio": "odds_ratio", "or_low": "or_ki_nedre", "or_high": "or_ki_oevre", "term": "led",
}


def for_download(table: pd.DataFrame) -> pd.DataFrame:
    """The table as readers download it: Danish column names, internal columns dropped."""
    keep = table.drop(columns=[c for c in ("key", "variable", "df") if c in table.columns])
    return keep.rename(columns=DOWNLOAD_COLUMNS)


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
