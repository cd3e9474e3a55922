"""Key figures: the 2–4 large numbers a chapter (and the front page) opens with.

Readers first: a statistical publication leads with its main numbers, each with one line of
plain Danish saying what it is, and its uncertainty under it in small type (not hidden on
hover, which a phone cannot do). Where the report published a figure for the same quantity,
the card shows it too ("Rapporten: 27 pct.") and says where the large number comes from
(``kind``), so published, assumed and computed numbers are never confused.

The renderer returns HTML (a list of cards, styled by ``_static/lederuddannelse.css``); every
text is escaped here, so callers pass plain text. Chapters show it with
:meth:`lederuddannelse.chapters.base.Chapter.key_figures`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from lederuddannelse.report.fmt import SUPPRESSED, difference, difference_test, share, share_ci

# Where a card's large number comes from, in the reader's words: the short mark on the card.
# "calibrated": computed here, but on synthetic data calibrated to a level this edition
# assumed (the number mostly returns the assumption); the same mark as in the tables.
# "computed" carries no mark on the card: the line under the cards says it once for them all.
PROVENANCE = {
    "computed": "Beregnet i denne udgave",
    "published": "Rapportens offentliggjorte tal",
    "assumed": "Antaget i denne udgave",
    "calibrated": "Antaget niveau",
}
#: The mark of a number computed on synthetic data calibrated to an assumed level, in tables
#: and running text (lower case); explained once per page by :data:`ASSUMED_MARK_NOTE`.
ASSUMED_MARK = "antaget niveau"
#: What :data:`ASSUMED_MARK` means, said once on a page (under its key figures, or in the
#: caption of the first table that carries the mark).
ASSUMED_MARK_NOTE = (
    "Tal mærket »antaget niveau« er beregnet på syntetiske data, der er kalibreret til et "
    "niveau, som denne udgave har valgt, fordi rapporten ikke giver et tal."
)


@dataclass(frozen=True)
class KeyFigure:
    """One key figure.

    ``value``: the large number as shown ("27 pct."); ``label``: one line of Danish saying what
    it is; ``interval``: its uncertainty ("95 %-KI: 25–29 pct., n = 2.468"), shown below in small
    type; ``report``: the report's published figure for the same quantity ("27 pct."), shown as
    "Rapporten: 27 pct."; ``kind``: provenance of ``value`` (a key of :data:`PROVENANCE`), or
    None when it goes without saying; ``href``: optional link to where the number is explained.
    """

    value: str
    label: str
    interval: str = ""
    report: str = ""
    kind: str | None = None
    href: str = ""

    def __post_init__(self) -> None:
        if not str(self.value).strip() or not str(self.label).strip():
            raise ValueError("KeyFigure needs a value and a label (plain Danish text)")
        if self.kind is not None and self.kind not in PROVENANCE:
            raise ValueError(
                f"KeyFigure kind {self.kind!r}: expected one of {', '.join(PROVENANCE)} or None"
            )


def render_card(fig: KeyFigure) -> str:
    """One card as HTML (escaped)."""
    e = html.escape
    parts = [f'<p class="ledu-kf-value">{e(fig.value)}</p>']
    label = e(fig.label)
    if fig.href:
        label = f'<a href="{e(fig.href)}">{label}</a>'
    parts.append(f'<p class="ledu-kf-label">{label}</p>')
    if fig.interval:
        parts.append(f'<p class="ledu-kf-interval">{e(fig.interval)}</p>')
    if fig.report:
        parts.append(f'<p class="ledu-kf-report">Rapporten: {e(fig.report)}</p>')
    if fig.kind and fig.kind != "computed":  # computed: said once under the cards (legend)
        parts.append(
            f'<p class="ledu-kf-kind ledu-kf-kind-{e(fig.kind)}">{e(PROVENANCE[fig.kind])}</p>'
        )
    return f'<li class="ledu-kf">{"".join(parts)}</li>'


def render(figures: list[KeyFigure], heading: str = "Nøgletal") -> str:
    """A row of key-figure cards (wraps to one per line on a phone) as HTML.

    ``heading`` names the list for assistive technology (not shown): the cards come before
    the chapter's first heading and should not add one to the outline.
    """
    if not figures:
        raise ValueError("key figures: give at least one KeyFigure")
    cards = "".join(render_card(f) for f in figures)
    return (
        f'<section class="ledu-keyfigures" aria-label="{html.escape(heading)}">'
        f'<ul class="ledu-kf-list">{cards}</ul>{legend(figures)}</section>'
    )


def legend(figures: list[KeyFigure]) -> str:
    """One line under the cards that says once where their numbers come from: the cards
    computed here carry no mark of their own, a card on an assumed level carries the short
    mark "Antaget niveau", explained here (empty when no card has a kind)."""
    kinds = {f.kind for f in figures}
    parts = []
    if kinds & {"computed", "calibrated"}:
        marked = kinds & {"published", "assumed"}
        parts.append(
            ("Tallene uden mærke" if marked else "Tallene" if len(figures) > 1 else "Tallet")
            + " er beregnet i denne udgave."
        )
    if "calibrated" in kinds:
        parts.append(ASSUMED_MARK_NOTE)
    if not parts:
        return ""
    return f'<p class="ledu-kf-legend">{html.escape(" ".join(parts))}</p>'


def proportion_figure(row, label: str, conf_level: float, **extra) -> KeyFigure:
    """A key figure from one row of a proportions table (``estimate, ci_low, ci_high, n``,
    optionally ``suppressed``): "27 pct." with "95 %-KI: 25–29 pct., n = 2.468" below.

    A suppressed row says so instead of printing a number (the disclosure policy holds here
    as everywhere).
    """
    text = share(row)
    if text == SUPPRESSED:
        return KeyFigure(SUPPRESSED, label, **extra)
    return KeyFigure(text, label, interval=share_ci(row, conf_level), **extra)


def difference_figure(row, label: str, conf_level: float, **extra) -> KeyFigure:
    """A key figure from one row of a difference test (``estimate, ci_low, ci_high, p_value``
    as shares): "12 procentpoint" with "95 %-KI: 9 til 16 procentpoint, p < 0,001" below
    (the prose's wording, :mod:`lederuddannelse.report.fmt`, true minus signs included)."""
    value = difference(row)
    if value == SUPPRESSED:
        return KeyFigure(SUPPRESSED, label, **extra)
    interval = difference_test(row, conf_level)
    return KeyFigure(value, label, interval=interval, **extra)


def top_item_figure(ranked, lead: str, conf_level: float, **extra) -> KeyFigure:
    """The highest-ranked item of a multiple-response table (``label, rank, estimate, ...``) as
    a key figure: its share, and ``lead`` followed by the item's label in lower case, quoted
    (»…«), so the label reads as the answer it is, not after a colon."""
    shown = ranked[~ranked["suppressed"].astype(bool)].sort_values("rank")
    if not len(shown):
        return KeyFigure(SUPPRESSED, lead.rstrip(": "), **extra)  # the label is hidden too
    top = shown.iloc[0]
    label = str(top["label"])
    quoted = f"»{label[:1].lower() + label[1:]}«"
    return proportion_figure(top, f"{lead.rstrip(': ')} {quoted}", conf_level, **extra)
