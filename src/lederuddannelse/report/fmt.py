"""Danish number formatting for prose, tables and glue: decimal comma, thousands point, "pct."."""

from __future__ import annotations

import math


def number(x: float | int, decimals: int = 0) -> str:
    """6000 -> '6.000'; 1.25 (decimals=1) -> '1,3'; NaN -> '–'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(p: float, decimals: int = 0, suffix: str = " pct.") -> str:
    """A proportion as Danish per cent: 0.274 -> '27 pct.'."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return number(100 * p, decimals) + suffix


def ci(low: float, high: float, conf_level: float, decimals: int = 0) -> str:
    """'95 %-KI: 41–45 pct.' for a proportion's interval."""
    level = number(100 * conf_level, 0 if float(100 * conf_level).is_integer() else 1)
    return f"{level} %-KI: {number(100 * low, decimals)}–{number(100 * high, decimals)} pct."


def pvalue(p: float) -> str:
    """'p < 0,001' or 'p = 0,034'."""
    if p < 0.001:
        return "p < 0,001"
    return f"p = {number(p, 3)}"
