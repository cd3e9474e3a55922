"""Disclosure audit: a group hidden in every breakdown must not be published in another role
(issue 23, point 5).

The domain plan hides a small group where it is a ``by`` column; the same respondents can
reach a page in other roles, and each is a finding here:

- **a category of a distribution**: the hidden group's row, with its share or count, in the
  distribution of the grouping variable itself (or any table listing it with a number);
- **a 0/1 indicator in a model**: a regression term for the group, with its label
  (``industry[T.Ejendomshandel og udlejning]``, ``C(industry)[T.…]``) or only its code
  (``industry[T.7]``, ``industry_7``, ``industry == 7``);
- **a variable missing outside the group**: an estimate whose respondents are exactly the
  hidden group's (its n equals the n a breakdown shows for the group whose estimate it hides;
  where the breakdown hides the n too, the small-n and differencing checks of ``audit`` see
  the n). A label that merely mentions the group (a model profile's description) is not
  matched: it need not be an estimate of the group's respondents.

Labels shared by several codebook variables (e.g. "Helt enig") are left out: the same words
may name a published category of another variable.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lederuddannelse.site.audit_read import AuditReport, Finding

#: A model term for one level of a variable: ``var[T.level]``, ``C(var)[T.level]``,
#: ``var[level]``, ``var_level``, ``var=level``, ``var == level``.
TERM = re.compile(
    r"^\s*(?:C\(\s*)?(?P<var>[A-Za-z_]\w*?)\s*\)?\s*"
    r"(?:\[(?:T\.)?(?P<a>[^\]]+)\]|_(?P<b>\d+)|\s*==?\s*(?P<c>\S+))\s*$"
)


def _term_label(cell: str, codes: dict[str, dict]) -> str | None:
    """The level a model term names, as its label (codes decoded by the codebook)."""
    m = TERM.match(cell)
    if not m:
        return None
    level = (m.group("a") or m.group("b") or m.group("c") or "").strip().strip("'\"")
    var = m.group("var").lower()
    mapping = codes.get(var, {})
    plain = level.removesuffix(".0")
    for code, label in mapping.items():
        if str(code) in (level, plain):
            return str(label)
    return level


def check_roles(
    tables: list,
    values: list[set[str]],
    codes: dict[str, dict],
    visible_estimate,
    report: AuditReport,
) -> None:
    """The roles above over ``tables`` (``audit._Table``); ``values``: each grouping
    variable's labels; ``codes``: variable -> code -> label; ``visible_estimate(df, i)``."""
    shared = {v for i, a in enumerate(values) for b in values[i + 1 :] for v in a & b}
    hidden: dict[str, bool] = {}
    kept_n: dict[float, set[str]] = {}  # n shown for a group whose estimate is hidden
    estimated: set[str] = set()  # groups with an estimate shown in some breakdown
    breakdowns = set()
    for t in tables:
        if "category" in t.counts.values() or "n" not in t.counts.values():
            continue
        col = next(c for c, r in t.counts.items() if r == "n")
        v = pd.to_numeric(t.frame.data[col], errors="coerce").to_numpy(dtype=float)
        for i, key in enumerate(t.keys):
            if len(key) == 1:
                (label,) = key
                breakdowns.add(id(t))
                seen = visible_estimate(t.frame.data, i)
                gone = not np.isfinite(v[i]) and not seen
                hidden[label] = hidden.get(label, True) and gone
                if np.isfinite(v[i]) and not seen and label not in shared:
                    kept_n.setdefault(float(v[i]), set()).add(label)
                if seen:
                    estimated.add(label)
    gone = {k for k, h in hidden.items() if h and k not in shared and len(k) > 3}
    kept_n = {n: labels - estimated for n, labels in kept_n.items()}
    if not gone and not any(kept_n.values()):
        return
    for t in tables:
        if id(t) in breakdowns:
            continue
        df = t.frame.data
        ns = {c: pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float) for c in t.counts}
        shown = np.zeros(len(df), dtype=bool)
        for v in ns.values():
            shown |= np.isfinite(v)
        strings = [(c, df[c].tolist()) for c in df.columns if not _numeric(df[c])]
        for i in range(len(df)):
            estimate = visible_estimate(df, i)
            if not (shown[i] or estimate):
                continue
            for c, cells in strings:
                cell = cells[i]
                if not isinstance(cell, str):
                    continue
                label = _term_label(cell, codes) or cell.strip()
                if label in gone:
                    report.findings.append(
                        Finding(
                            t.frame.where,
                            "hidden group shown in another role",
                            f"{label!r} is hidden in every breakdown but shown here "
                            f"({c}: {cell!r})",
                        )
                    )
            if not estimate:
                continue
            for c, r in t.counts.items():
                if r == "n" and np.isfinite(ns[c][i]) and kept_n.get(float(ns[c][i])):
                    groups = ", ".join(sorted(kept_n[float(ns[c][i])]))
                    report.findings.append(
                        Finding(
                            t.frame.where,
                            "hidden group shown in another role",
                            f"an estimate on exactly the respondents of {groups} ({c} = "
                            f"{ns[c][i]:g}), whose estimate a breakdown hides",
                        )
                    )


def _numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
