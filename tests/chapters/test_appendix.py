"""The appendix renders the codebook and the parameters from their sources; the claim-check
chart draws the report's level and says so in its text alternative."""

from __future__ import annotations

import pandas as pd

from lederuddannelse.chapters import appendiks as appendix
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.params import GLOBAL_SPECS, load_parameters
from lederuddannelse.report.charts import claim_check_chart


def test_codebook_frame_has_every_variable_and_its_codes():
    cb = load_codebook()
    frame = appendix.codebook_frame()
    assert list(frame["Variabel"]) == cb.variables
    row = frame.set_index("Variabel").loc["sector"]
    for code, label in cb.value_labels("sector").items():
        assert f"{code} = {label}" in row["Koder"]
    # in the words of Om undersøgelsen, with the codes after them
    assert appendix.routing_text("reason_career") == (
        "Lederuddannelse i psykisk arbejdsmiljø: Ja (training = 1 eller 2)"
    )
    assert appendix.routing_text("gender") == "Alle"


def test_codes_frame_lists_each_scale_once():
    frame = appendix.codes_frame()
    assert frame["Koder"].is_unique
    listed = ", ".join(frame["Variable"]).split(", ")
    cb = load_codebook()
    assert sorted(listed) == sorted(v for v in cb.variables if cb.variable(v).codes)


def test_parameters_and_pages_from_sources():
    frame = appendix.parameters_frame()
    assert list(frame["Parameter"]) == list(GLOBAL_SPECS)
    assert (
        frame.set_index("Parameter").loc["definition", "Tilladte værdier"] == "narrow, broad, any"
    )
    pages = appendix.pages_frame()
    params = load_parameters()
    expected = [f"{s}-{g}" for s, e in params.chapters.items() for g in e["groups"]]
    assert list(pages["Side"]) == expected
    # a page's parameters in the reader's words, with the code to type after them
    row = pages.set_index("Side").loc["udbredelse-smal", "Parametre"]
    assert row == "smal definition (definition = narrow)"


def test_claim_check_chart_has_claim_layer_and_description():
    t = pd.DataFrame(
        {
            "what": ["A", "B"],
            "estimate": [0.4, 0.1],
            "ci_low": [0.38, 0.08],
            "ci_high": [0.42, 0.12],
            "n": [100, 100],
            "suppressed": [False, False],
            "claim": [0.47, 0.12],
        }
    )
    chart = claim_check_chart(t, "what", "claim", "Titel", "Undertitel", 0.95)
    spec = chart.to_dict()
    assert any(layer.get("mark", {}).get("type") == "tick" for layer in spec["layer"])
    assert "rapportens tal 47 pct." in spec["description"]
