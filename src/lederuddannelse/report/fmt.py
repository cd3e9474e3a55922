"""Every Danish text for a number: share, interval, percentage points, odds ratio, p-value, n
and the suppression mark. Nothing else in the package words a number by hand
(``tests/test_fmt_wording.py`` scans the package for hand-built wording).

Why one module: a reader meets the same estimate in the prose, a table, a chart's tooltip and
its text alternative; they must read the same ("95 %-KI: 25–29 pct."), and a change of style
is then a change of one function. Danish conventions: decimal comma, thousands point, "pct."
for per cent, "procentpoint" for a difference of shares, an en dash between the limits of an
interval of positive values and "til" between the limits of a difference (which may be
negative: "−3 til 5"), and a true minus sign (U+2212, :data:`MINUS`) before a negative
number, never the hyphen. Machine-readable output (CSV downloads) keeps the ASCII minus: it
is written from the numbers, not from these texts.

The row helpers (:func:`share_ci`, :func:`difference_text`, :func:`odds_ratio_text`, ...)
take one row of the statistics layer's tables (``estimate, ci_low, ci_high, n, suppressed``;
``odds_ratio, or_low, or_high, p_value``; ``n_a, n_b``) and return the suppression wording
when the row is suppressed or has no estimate, so no caller can print a hidden number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# ------------------------------------------------------------------------- suppression
SUPPRESSED = "undertrykt (for få svar)"
"""Shown instead of an estimate hidden by the small-cell rule (prose, tables, charts)."""
NO_ESTIMATE = "for få svar til at vise et estimat"
"""The interval text of a suppressed share (where the prose expects the CI and n)."""
NO_TEST = "for få svar til at teste forskellen"
"""The test text of a suppressed difference."""
N_HEADING = "Antal svar (n)"
"""Table column of the unweighted number of answers."""


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def hidden(row: Mapping, estimate: str = "estimate") -> bool:
    """True if a table row must not show its number: suppressed, or no estimate at all."""
    return bool(row.get("suppressed", False)) or _missing(_float(row.get(estimate)))


def _float(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------- plain numbers
MINUS = "\u2212"
"""The true minus sign of a negative number (Danish typography; not the hyphen '-')."""


def number(x: float | int, decimals: int = 0) -> str:
    """6000 -> '6.000'; 1.25 (decimals=1) -> '1,3'; -3 -> '−3' (true minus); NaN -> '–'.
    A value that rounds to zero has no sign ('0', not '−0')."""
    if _missing(x):
        return "–"
    text = f"{x:,.{decimals}f}"
    if text.startswith("-"):
        text = text[1:] if not any(c in "123456789" for c in text) else MINUS + text[1:]
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(p: float, decimals: int = 0) -> str:
    """A proportion as Danish per cent: 0.274 -> '27 pct.'; NaN -> '–'."""
    if _missing(p):
        return "–"
    return number(100 * p, decimals) + " pct."


def pct_range(low: float, high: float, decimals: int = 0) -> str:
    """The limits of a share's interval: (0.25, 0.29) -> '25–29 pct.'."""
    return f"{number(100 * low, decimals)}–{pct(high, decimals)}"


def number_range(low: float, high: float, decimals: int = 2) -> str:
    """The limits of an interval of positive numbers (odds ratio, mean): '1,40–1,78'."""
    return f"{number(low, decimals)}–{number(high, decimals)}"


def points(x: float, decimals: int = 0) -> str:
    """A difference of shares in percentage points: 0.123 -> '12 procentpoint'."""
    if _missing(x):
        return "–"
    return f"{number(100 * x, decimals)} procentpoint"


def points_range(low: float, high: float, decimals: int = 0) -> str:
    """The limits of a difference of shares, in percentage points: '−3 til 5'."""
    return f"{number(100 * low, decimals)} til {number(100 * high, decimals)}"


def scale_points(x: float, decimals: int = 2) -> str:
    """A difference of means on an answer scale: 0.25 -> '0,25 point'."""
    return f"{number(x, decimals)} point"


def ratio_decimals(x: float) -> int:
    """Decimals for a ratio (odds ratio, test statistic) with about three significant digits:
    2 below 10 ('1,58'), 1 below 100 ('53,6'), else 0 ('729'); no spurious precision."""
    v = abs(_float(x)) if not _missing(_float(x)) else 0.0
    return 2 if v < 10 else 1 if v < 100 else 0


def odds_ratio(x: float) -> str:
    """An odds ratio's number: 1.5849 -> '1,58', 53.604 -> '53,6' (:func:`ratio_decimals`)."""
    return number(x, ratio_decimals(x))


def odds_ratio_named(x: float) -> str:
    """'odds ratio 1,58': for a title or a short mention."""
    return f"odds ratio {odds_ratio(x)}"


def odds_ratios_named(xs) -> str:
    """'odds ratio 2,90, 2,22 og 2,00': several odds ratios of one variable's levels."""
    texts = [odds_ratio(x) for x in xs]
    joined = texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} og {texts[-1]}"
    return f"odds ratio {joined}"


def n_is(n: float | int) -> str:
    """'n = 1.234': the unweighted number of answers."""
    return f"n = {number(n)}"


def n_pair(n_a: float | int, n_b: float | int) -> str:
    """'n = 1.234 og 567': the two groups of a comparison."""
    return f"n = {number(n_a)} og {number(n_b)}"


def n_by_group(groups: list[tuple[str, float, float]]) -> str:
    """'n = 515–1.536 (offentlig sektor) og 2.437 (privat sektor)': each group's number of
    answers (a range when it differs between the compared items), never one pooled n."""

    def span(lo, hi):
        lo, hi = _float(lo), _float(hi)
        if _missing(lo) or _missing(hi):
            return SUPPRESSED
        return number(lo) if lo == hi else f"{number(lo)}–{number(hi)}"

    parts = [f"{span(lo, hi)} ({name})" for name, lo, hi in groups]
    return "n = " + (" og ".join(parts) if len(parts) < 3 else ", ".join(parts))


def n_cell(n_a: float | int, n_b: float | int) -> str:
    """'1.234 / 567': the two groups' n in one table cell (so that the table fits the page)."""
    return f"{number(n_a)} / {number(n_b)}"


# ------------------------------------------------------------------------- p-values
def pvalue(p: float) -> str:
    """'p < 0,001' or 'p = 0,034'; 'p kan ikke beregnes' when there is none."""
    if _missing(_float(p)):
        return "p kan ikke beregnes"
    if p < 0.001:
        return "p < 0,001"
    return f"p = {number(p, 3)}"


def pvalue_cell(p: float) -> str:
    """A p-value for a table cell: no break inside ('p\u00a0=\u00a00,034'), empty if none."""
    return "" if _missing(_float(p)) else pvalue(p).replace(" ", "\u00a0")


def p_below(alpha: float) -> str:
    """'p < 0,05': a significance criterion."""
    return f"p < {number(alpha, 2)}"


# ------------------------------------------------------------------------- confidence level
def level(conf_level: float) -> str:
    """0.95 -> '95' (one decimal when needed: 0.995 -> '99,5')."""
    value = 100 * conf_level
    return number(value, 0 if float(round(value, 9)).is_integer() else 1)


def level_pct(conf_level: float) -> str:
    """0.95 -> '95 %'."""
    return f"{level(conf_level)} %"


def ci_label(conf_level: float) -> str:
    """'95 %-KI': the short name of an interval (tooltips, inline)."""
    return f"{level(conf_level)} %-KI"


def ci_heading(conf_level: float) -> str:
    """'95 %-konfidensinterval': a table column."""
    return f"{level(conf_level)} %-konfidensinterval"


def ci_plural(conf_level: float) -> str:
    """'95 %-konfidensintervaller': a figure subtitle."""
    return f"{level(conf_level)} %-konfidensintervaller"


# ------------------------------------------------------------------------- intervals
def ci(low: float, high: float, conf_level: float, decimals: int = 0) -> str:
    """'95 %-KI: 25–29 pct.' for a share's interval."""
    return f"{ci_label(conf_level)}: {pct_range(low, high, decimals)}"


def points_ci(low: float, high: float, conf_level: float, decimals: int = 0) -> str:
    """'95 %-KI: 8 til 16 procentpoint' for a difference of shares."""
    return f"{ci_label(conf_level)}: {points_range(low, high, decimals)} procentpoint"


def number_ci(low: float, high: float, conf_level: float, decimals: int = 2) -> str:
    """'95 %-KI: 1,40–1,78' for an odds ratio or a mean."""
    return f"{ci_label(conf_level)}: {number_range(low, high, decimals)}"


# ------------------------------------------------------------------------- rows
def share(row: Mapping, decimals: int = 0) -> str:
    """'27 pct.', or the suppression mark."""
    return SUPPRESSED if hidden(row) else pct(row["estimate"], decimals)


def share_ci(row: Mapping, conf_level: float, decimals: int = 0) -> str:
    """'95 %-KI: 25–29 pct., n = 1.234' (the prose's text next to a share), or
    :data:`NO_ESTIMATE`."""
    if hidden(row):
        return NO_ESTIMATE
    return f"{ci(row['ci_low'], row['ci_high'], conf_level, decimals)}, {n_is(row['n'])}"


def share_with_ci(row: Mapping, conf_level: float, decimals: int = 0) -> str:
    """'27 pct. (95 %-KI: 25–29 pct.)': a share in a sentence or a chart's text alternative."""
    if hidden(row):
        return SUPPRESSED
    est = pct(row["estimate"], decimals)
    return f"{est} ({ci(row['ci_low'], row['ci_high'], conf_level, decimals)})"


def share_full(row: Mapping, conf_level: float, decimals: int = 0) -> str:
    """'27 pct. (95 %-KI: 25–29 pct., n = 1.234)', or the suppression mark."""
    if hidden(row):
        return SUPPRESSED
    return f"{pct(row['estimate'], decimals)} ({share_ci(row, conf_level, decimals)})"


def difference(row: Mapping, decimals: int = 0) -> str:
    """'12 procentpoint' for a row of ``SurveyDesign.difference``, or the suppression mark."""
    return SUPPRESSED if hidden(row) else points(row["estimate"], decimals)


def difference_test(row: Mapping, conf_level: float, decimals: int = 0) -> str:
    """'95 %-KI: 8 til 16 procentpoint, p < 0,001' for a row of ``SurveyDesign.difference``
    (a difference of shares), or :data:`NO_TEST`."""
    if hidden(row):
        return NO_TEST
    return (
        f"{points_ci(row['ci_low'], row['ci_high'], conf_level, decimals)}, "
        f"{pvalue(row.get('p_value'))}"
    )


def difference_text(
    row: Mapping,
    conf_level: float,
    decimals: int = 0,
    with_n: bool = False,
    share: bool = True,
) -> str:
    """'12 procentpoint (95 %-KI: 8 til 16 procentpoint, p < 0,001)' for a row of
    ``SurveyDesign.difference``; ``with_n`` adds '; n = 1.234 og 567' inside the parentheses;
    ``share=False`` words a difference of means in scale points ('0,25 point (95 %-KI: 0,10
    til 0,40 point, p = 0,002)'). The suppression mark if suppressed."""
    if hidden(row):
        return SUPPRESSED
    if share:
        body = points(row["estimate"], decimals)
        test = difference_test(row, conf_level, decimals)
    else:
        body = scale_points(row["estimate"], decimals)
        lo, hi = number(row["ci_low"], decimals), number(row["ci_high"], decimals)
        test = f"{ci_label(conf_level)}: {lo} til {hi} point, {pvalue(row.get('p_value'))}"
    if with_n:
        test += f"; {n_pair(row['n_a'], row['n_b'])}"
    return f"{body} ({test})"


def odds_ratio_test(row: Mapping, conf_level: float) -> str | None:
    """'95 %-KI: 1,40–1,78, p < 0,001' for one odds-ratio row; None if suppressed."""
    if row is None or hidden(row, "odds_ratio"):
        return None
    dec = ratio_decimals(row["or_high"])
    ival = number_ci(row["or_low"], row["or_high"], conf_level, dec)
    return f"{ival}, {pvalue(row['p_value'])}"


def odds_ratio_text(row: Mapping | None, conf_level: float, named: bool = False) -> str:
    """'1,58 (95 %-KI: 1,40–1,78, p < 0,001)', or the suppression mark. ``named`` words it for
    use inside parentheses: 'odds ratio 1,58; 95 %-KI: 1,40–1,78, p < 0,001'."""
    test = odds_ratio_test(row, conf_level)
    if test is None:
        return SUPPRESSED
    if named:
        return f"{odds_ratio_named(row['odds_ratio'])}; {test}"
    return f"{odds_ratio(row['odds_ratio'])} ({test})"


def odds_ratio_with_ci(row: Mapping, conf_level: float) -> str:
    """'odds ratio 1,58 (95 %-KI: 1,40–1,78)': a chart's text alternative."""
    if hidden(row, "odds_ratio"):
        return SUPPRESSED
    ival = number_ci(row["or_low"], row["or_high"], conf_level, ratio_decimals(row["or_high"]))
    return f"{odds_ratio_named(row['odds_ratio'])} ({ival})"


def mean_with_ci(
    mean: float, low: float, high: float, conf_level: float | None, decimals: int = 1
) -> str:
    """'3,2 (95 %-KI: 3,1–3,3)' for a mean on an answer scale; without a level (in a table
    whose heading names it) '3,21 (3,10–3,30)'."""
    ival = (
        number_range(low, high, decimals)
        if conf_level is None
        else number_ci(low, high, conf_level, decimals)
    )
    return f"{number(mean, decimals)} ({ival})"


_COUNT_WORDS = (
    "nul",
    "en",
    "to",
    "tre",
    "fire",
    "fem",
    "seks",
    "syv",
    "otte",
    "ni",
    "ti",
    "elleve",
    "tolv",
)


def count_of(k: int, n: int, noun: str, neuter: bool = False) -> str:
    """'ingen af de seks grunde', 'alle seks træk', 'to af de seks grunde', 'ét af de seks
    træk': a count out of a total in words, as an editor writes it (numbers up to twelve in
    letters; larger ones as digits)."""

    def word(x: int) -> str:
        if x == 1:
            return "ét" if neuter else "én"
        return _COUNT_WORDS[x] if x < len(_COUNT_WORDS) else number(x)

    if k == 0:
        return f"ingen af de {word(n)} {noun}"
    if k == n:
        return (
            f"alle {word(n)} {noun}"
            if n > 1
            else f"det ene {noun}"
            if neuter
            else f"den ene {noun}"
        )
    return f"{word(k)} af de {word(n)} {noun}"
