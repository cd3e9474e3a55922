"""The front page (00_forside): the report's main results with this edition's status.

Glue cannot cross pages, so the front page computes its numbers itself, with the same checks
(:mod:`lederuddannelse.analysis.findings`) and the same status words as the ledger page
(:mod:`lederuddannelse.chapters.holder`).
"""

from __future__ import annotations

from lederuddannelse.analysis.findings import Finding, evaluate
from lederuddannelse.chapters.holder import status
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.report.fmt import number

# What the front page shows: per finding, the named parts of its estimate it quotes (its status
# is always glued). Only these are glued, because every glued value must appear on the page.
FRONT_PAGE = {
    "F1a": ("share",),
    "F1b": ("narrow", "broad"),
    "F2": ("share",),
    "F3": ("top",),
    "F4": ("paid", "unwilling"),
    "F5": (),
    "F8": ("managers", "employees", "tr"),
    "F9": ("top",),
    "F10": (),
    "F12": ("most", "least", "test"),
    "F14": ("diff",),
}


def glue_summary(ch, prefix: str = "forside") -> dict[str, Finding]:
    """Glue the front page's main results (:data:`FRONT_PAGE`): per finding its status in
    lower case (``{prefix}_F1a_status``) and the named pieces of its estimate
    (``{prefix}_F1a_share``…), plus how many of all findings hold under the page's parameters.

    Glue cannot cross pages, so the front page computes these itself, with the same functions
    as the ledger.
    """
    res = evaluate(ch)
    for fid, keys in FRONT_PAGE.items():
        f = res[fid]
        ch.glue(f"{prefix}_{fid}_status", status(f.holds).lower())
        for key in keys:
            ch.glue(f"{prefix}_{fid}_{key}", f.parts[key])
    oks = [f.holds for f in res.values()]
    ch.glue(f"{prefix}_holds", number(sum(1 for h in oks if h is True)))
    desire = load_codebook().value_labels("desire")
    ch.glue(f"{prefix}_desire_low", f"„{list(desire.values())[0].lower()}“")
    ch.glue(f"{prefix}_desire_high", f"„{list(desire.values())[-1].lower()}“")
    ch.glue(f"{prefix}_total", number(len(oks)))
    return res
