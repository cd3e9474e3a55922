"""Table builders: estimates as Danish-formatted tables with a caption, n and suppression marks."""

from __future__ import annotations

import pandas as pd

from lederuddannelse.report.fmt import (
    N_HEADING,
    SUPPRESSED,
    ci_heading,
    n_cell,
    number,
    number_range,
    odds_ratio,
    pct,
    pct_range,
    points_range,
    pvalue_cell,
    ratio_decimals,
)

# Danish column names for downloaded tables (the statistics layer's names are English).
DOWNLOAD_COLUMNS = {
    "estimate": "estimat",
    "se": "standardfejl",
    "ci_low": "ki_nedre",
    "ci_high": "ki_oevre",
    "n": "antal_svar",
    "N": "vaegtet_antal",
    "deff": "designeffekt",
    "suppressed": "undertrykt",
    "p_value": "p_vaerdi",
    "estimate_a": "estimat_a",
    "estimate_b": "estimat_b",
    "n_a": "antal_svar_a",
    "n_b": "antal_svar_b",
    "label": "tekst",
    "rank": "rang",
    "odds_ratio": "odds_ratio",
    "or_low": "or_ki_nedre",
    "or_high": "or_ki_oevre",
    "term": "led",
}


#: Decimals of estimates in a download: a share as a fraction to 3 decimals is the page's
#: 0.1 pct.; full precision would only suggest an accuracy the survey does not have.
DOWNLOAD_DECIMALS = 3


def for_analysis(table: pd.DataFrame) -> pd.DataFrame:
    """The table as analysts download it: the reader's columns (Danish names, internal columns
    dropped, see :data:`DOWNLOAD_COLUMNS`) at full precision. Suppressed cells are blank in
    ``table`` already, so they are blank here too."""
    keep = table.drop(columns=[c for c in ("key", "variable", "df") if c in table.columns])
    return keep.rename(columns=DOWNLOAD_COLUMNS)


def rounded_as_shown(table: pd.DataFrame) -> pd.DataFrame:
    """A downloaded table's numbers rounded as the page shows them: weighted counts to whole
    respondents, other decimals to :data:`DOWNLOAD_DECIMALS`; p-values as computed (the page
    words them)."""
    out = table.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]) or str(col).startswith("p_"):
            continue
        digits = 0 if str(col).startswith("vaegtet_antal") else DOWNLOAD_DECIMALS
        out[col] = out[col].round(digits)
    return out


def for_download(table: pd.DataFrame) -> pd.DataFrame:
    """The table as readers download it: :func:`for_analysis` rounded as the page shows it
    (:func:`rounded_as_shown`)."""
    return rounded_as_shown(for_analysis(table))


#: The analysts' file beside each reader's CSV: its name ends so, before ".csv".
ANALYSIS_SUFFIX = "-uafrundet"


def reader_csv(table: pd.DataFrame) -> str:
    """The reader's CSV text: for a Danish spreadsheet (';', decimal comma, a BOM so that
    Excel reads UTF-8), values rounded as shown."""
    return "\ufeff" + for_download(table).to_csv(index=False, sep=";", decimal=",")


def analysis_csv(table: pd.DataFrame) -> str:
    """The analysts' CSV text: machine-readable (',', decimal point, no BOM, full precision,
    blank = suppressed or missing), the same rows and columns as the reader's file."""
    return for_analysis(table).to_csv(index=False, lineterminator="\n")


def styled(frame: pd.DataFrame, caption: str, uid: str):
    """A table for a page: every cell, heading and the caption HTML-escaped (cells may hold
    strings the user controls, such as a file name or a parameter value; a table shows them,
    it never renders them as HTML). ``uid`` fixes the HTML ids (same inputs, same bytes)."""
    import html

    return (
        frame.style.hide(axis="index")
        .format(escape="html")
        .format_index(escape="html", axis=1)
        .set_caption(html.escape(caption, quote=False))
        .set_uuid(uid)
    )


def estimates_table(
    table: pd.DataFrame, label: str, label_title: str, conf_level: float, caption: str, uid: str
):
    """A styled table: label, share, CI, unweighted n; suppressed rows are marked, not printed.

    ``uid`` fixes the HTML ids so that the same inputs give the same bytes.
    """
    rows = []
    for _, r in table.iterrows():
        hidden = bool(r.get("suppressed", False))
        rows.append(
            {
                label_title: r[label],
                "Andel": SUPPRESSED if hidden else pct(r["estimate"], 1),
                ci_heading(conf_level): "" if hidden else pct_range(r["ci_low"], r["ci_high"], 1),
                N_HEADING: number(r["n"]) if pd.notna(r["n"]) else SUPPRESSED,
            }
        )
    return styled(pd.DataFrame(rows), caption, uid)


def comparison_table(
    tests: pd.DataFrame, label_title: str, conf_level: float, caption: str, uid: str
):
    """A styled table of two-group comparisons (from ``SurveyDesign.difference``): each group's
    share, the difference in percentage points with its CI, the test's p-value, and the two
    groups' n as "n_a / n_b" (one column, so that the table fits the page).
    Suppressed comparisons are marked, not printed. Group names come from ``group_a/group_b``."""
    name_a, name_b = tests["group_a"].iloc[0], tests["group_b"].iloc[0]
    # the heading names the difference's order, so its sign reads the same on every page
    order = f"Forskel, {name_a[:1].lower() + name_a[1:]} minus {name_b[:1].lower() + name_b[1:]}"
    order += " (procentpoint)"
    rows = []
    for _, r in tests.iterrows():
        hidden = bool(r.get("suppressed", False)) or pd.isna(r["estimate"])
        rows.append(
            {
                label_title: r["label"],
                f"{name_a}": SUPPRESSED if hidden else pct(r["estimate_a"], 1),
                f"{name_b}": SUPPRESSED if hidden else pct(r["estimate_b"], 1),
                order: "" if hidden else number(100 * r["estimate"], 1),
                ci_heading(conf_level): ""
                if hidden
                else points_range(r["ci_low"], r["ci_high"], 1),
                "p-værdi (t-test)": "" if hidden else pvalue_cell(r["p_value"]),
                N_HEADING: "" if hidden else n_cell(r["n_a"], r["n_b"]),
            }
        )
    return styled(pd.DataFrame(rows), caption, uid)


# --- appended for the methods, who and desire chapters ----------------------------------------
def plain_table(frame: pd.DataFrame, caption: str, uid: str):
    """A ready-made (already formatted, Danish-headed) frame as a captioned table.

    For descriptive tables whose cells are text (the questionnaire, weighting margins,
    calibration); estimates go through :func:`estimates_table` or :func:`odds_ratio_table`.
    """
    return styled(frame, caption, uid)


def odds_ratio_table(
    table: pd.DataFrame,
    label: str,
    label_title: str,
    conf_level: float,
    caption: str,
    uid: str,
    group: str | None = None,
    group_title: str = "Variabel",
):
    """Odds ratios with CI, p-value and n; suppressed rows are marked, not printed.

    ``table`` has ``label, odds_ratio, or_low, or_high, p_value, n, suppressed`` (e.g. from
    :func:`lederuddannelse.analysis.modelterms.odds_ratios`); ``group`` adds a first column.
    """
    rows = []
    for _, r in table.iterrows():
        hidden = bool(r.get("suppressed", False))
        row = {group_title: r[group]} if group else {}
        row.update(
            {
                label_title: r[label],
                "Odds ratio": SUPPRESSED if hidden else odds_ratio(r["odds_ratio"]),
                ci_heading(conf_level): ""
                if hidden
                else number_range(r["or_low"], r["or_high"], ratio_decimals(r["or_high"])),
                "p-værdi": "" if hidden else pvalue_cell(r["p_value"]),
                N_HEADING: number(r["n"]) if pd.notna(r["n"]) else SUPPRESSED,
            }
        )
        rows.append(row)
    return styled(pd.DataFrame(rows), caption, uid)
