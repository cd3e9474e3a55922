"""Disclosure audit across the pages of one chapter published under several definitions of
training (issue 25): the audit of :mod:`lederuddannelse.site.audit` checks each table and the
tables of one domain; this checks the exact relation between the definitions' pages, so that a
share hidden on the narrow page is not the difference of the any and broad pages' shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lederuddannelse.site.audit_read import AuditReport, Finding

#: The exact relation between the pages of one chapter published under the definitions of
#: training: codes are disjoint, so in every group any = narrow + broad (each of the three is
#: determined by the two others) for a share of the same respondents.
RELATED_DEFINITIONS = ("any", "narrow", "broad")
#: Published columns that the relation does not carry over (uncertainty, design effect, the
#: group's weighted size, which every page shows alike): only the estimates add up.
NOT_ADDITIVE = {
    *("se", "standardfejl", "ci_low", "ci_high", "ki_nedre", "ki_oevre", "df"),
    *("deff", "designeffekt", "N", "vaegtet_antal"),
}


def _definition_of_pages(pages: set[str]) -> dict[str, tuple[str, str, str]]:
    """frame page -> (chapter, definition, page name) for the pages (and their downloads,
    named ``{page}-...``) of chapters published under every one of
    :data:`RELATED_DEFINITIONS` (from parameters.yml; empty when there is no project)."""
    from lederuddannelse.errors import LederuddannelseError
    from lederuddannelse.params import definition_pages

    out: dict[str, tuple[str, str, str]] = {}
    slugs = {p.split("-", 1)[0] for p in pages if "-" in p}
    for slug in slugs:
        try:
            found = dict(definition_pages(slug))
        except (LederuddannelseError, OSError):
            continue
        if not set(RELATED_DEFINITIONS) <= set(found.values()):
            continue
        for page in pages:
            for name, definition in found.items():
                if page == name or page.startswith(f"{name}-"):
                    out[page] = (slug, definition, name)
    return out


def check_across_definitions(frames: list, report: AuditReport, count_columns: set[str]) -> None:
    """A value hidden on one definition's page is recoverable when the same table's same row
    is shown on the two other definitions' pages with the same respondents (equal n): then
    narrow = any - broad, broad = any - narrow, any = narrow + broad."""
    pages = _definition_of_pages({f.page for f in frames})
    tables: dict[tuple, dict] = {}
    for f in frames:
        if f.page in pages:
            slug, definition, name = pages[f.page]
            place = f.where.replace(name, "")
            tables.setdefault((slug, place, tuple(f.data.columns)), {})[definition] = f
    for (_, _, columns), by_def in tables.items():
        if set(by_def) != set(RELATED_DEFINITIONS):
            continue
        data = {d: f.data for d, f in by_def.items()}
        labels = [c for c in columns if not pd.api.types.is_numeric_dtype(data["any"][c])]
        counts = [c for c in columns if str(c).lower() in count_columns]
        values = [
            c
            for c in columns
            if c not in labels
            and c not in counts
            and str(c) not in NOT_ADDITIVE
            and pd.api.types.is_numeric_dtype(data["any"][c])
        ]
        if not labels or not counts or not values:
            continue
        keyed = {d: df.set_index(labels) for d, df in data.items()}
        if any(not k.index.is_unique for k in keyed.values()):
            continue
        for row in (
            keyed["any"]
            .index.intersection(keyed["narrow"].index)
            .intersection(keyed["broad"].index)
        ):
            n = [pd.to_numeric(keyed[d].loc[row, counts[0]], errors="coerce") for d in keyed]
            seen = [v for v in n if np.isfinite(v)]
            if len(seen) < 2 or len(set(seen)) != 1:
                continue  # not the same respondents on every page: no exact relation
            for col in values:
                shown = {d: np.isfinite(float(keyed[d].loc[row, col])) for d in keyed}
                if sum(shown.values()) == 2:
                    [gone] = [d for d, s in shown.items() if not s]
                    report.findings.append(
                        Finding(
                            by_def[gone].where,
                            "recoverable across definitions",
                            f"hidden {col} of {row} on the {gone} page = the difference of the "
                            "other definitions' pages (any = narrow + broad)",
                        )
                    )
