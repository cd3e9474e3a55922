"""Key figures: a chapter's opening numbers, escaped, with interval, report figure and source."""

from __future__ import annotations

import pandas as pd
import pytest

from lederuddannelse.report.keyfigures import KeyFigure, proportion_figure, render


def test_card_shows_value_label_interval_report_and_provenance():
    html = render(
        [
            KeyFigure(
                "58 pct.",
                "af lederne har taget uddannelsen",
                interval="95 %-KI: 41–45 pct., n = 6.000",
                report="58 pct.",
                kind="computed",
            )
        ]
    )
    assert '<p class="ledu-kf-value">58 pct.</p>' in html
    assert "af lederne har taget uddannelsen" in html
    assert '<p class="ledu-kf-interval">95 %-KI: 41–45 pct., n = 6.000</p>' in html
    assert '<p class="ledu-kf-report">Rapporten: 58 pct.</p>' in html
    assert '<p class="ledu-kf-legend">Tallet er beregnet i denne udgave.</p>' in html
    assert html.count('<li class="ledu-kf">') == 1
    assert 'aria-label="Nøgletal"' in html


def test_a_card_computed_on_data_calibrated_to_an_assumed_level_says_both():
    html = render([KeyFigure("80 pct.", "fik den betalt", kind="calibrated")])
    assert '<p class="ledu-kf-kind ledu-kf-kind-calibrated">Antaget niveau</p>' in html
    assert "Tal mærket »antaget niveau« er beregnet på syntetiske data" in html
    assert "Antaget i denne udgave" in render([KeyFigure("80 pct.", "x", kind="assumed")])


def test_provenance_is_said_once_under_the_cards_and_each_card_keeps_its_mark():
    cards = [
        KeyFigure("41 pct.", "har taget uddannelsen", kind="computed"),
        KeyFigure("11 pct.", "smal definition", kind="computed"),
        KeyFigure("80 pct.", "fik den betalt", kind="calibrated"),
        KeyFigure("62 pct.", "vil ikke betale selv", kind="calibrated"),
    ]
    html = render(cards)
    # the explanations once, under the cards; no card repeats "Beregnet i denne udgave"
    assert html.count("beregnet i denne udgave") == 1
    assert html.count("Beregnet i denne udgave") == 0
    assert html.count("Tal mærket »antaget niveau«") == 1
    # every card on an assumed level keeps its short mark
    assert html.count(">Antaget niveau</p>") == 2
    assert '<p class="ledu-kf-legend">Tallene er beregnet i denne udgave.' in html
    # a card of another kind keeps its own words, and the line then speaks of the others
    mixed = render([cards[0], KeyFigure("41 pct.", "rapporten", kind="published")])
    assert "Rapportens offentliggjorte tal" in mixed
    assert "Tallene uden mærke er beregnet i denne udgave." in mixed
    assert "ledu-kf-legend" not in render([KeyFigure("1", "x")])


def test_text_is_escaped():
    html = render([KeyFigure("<b>1</b>", 'a "quote" & <script>', href='x" onclick="y')])
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;1&lt;/b&gt;" in html and "&amp; &lt;script&gt;" in html
    assert 'href="x&quot; onclick=&quot;y"' in html


def test_bad_figures_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="value and a label"):
        KeyFigure("", "tekst")
    with pytest.raises(ValueError, match="kind 'guess'"):
        KeyFigure("1", "tekst", kind="guess")
    with pytest.raises(ValueError, match="at least one"):
        render([])


def test_proportion_figure_formats_the_danish_way_and_respects_suppression():
    row = pd.Series({"estimate": 0.5821, "ci_low": 0.56, "ci_high": 0.605, "n": 2468})
    fig = proportion_figure(row, "har taget uddannelsen", 0.95)
    assert fig.value == "58 pct."
    assert fig.interval == "95 %-KI: 56–60 pct., n = 2.468"
    hidden = proportion_figure(
        pd.Series({"estimate": 0.1, "ci_low": 0, "ci_high": 0.2, "n": 12, "suppressed": True}),
        "lille gruppe",
        0.95,
    )
    assert "undertrykt" in hidden.value and hidden.interval == ""
