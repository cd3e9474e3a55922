"""The CSV a reader downloads: Danish headers and values rounded as the page shows them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lederuddannelse.report.tables import for_download


def test_downloads_have_danish_headers_and_rounded_values():
    table = pd.DataFrame(
        {
            "key": ["a", "b"],
            "label": ["Kvinde", "Mand"],
            "estimate": [0.4312345678, np.nan],
            "ci_low": [0.41999999, np.nan],
            "se": [0.0123456, np.nan],
            "N": [40123.456, np.nan],
            "n": [1200, 800],
            "p_value": [0.000012345, 0.5],
            "suppressed": [False, True],
        }
    )
    out = for_download(table)
    assert list(out.columns) == [
        "tekst",
        "estimat",
        "ki_nedre",
        "standardfejl",
        "vaegtet_antal",
        "antal_svar",
        "p_vaerdi",
        "undertrykt",
    ]
    assert out["estimat"].iloc[0] == 0.431 and out["ki_nedre"].iloc[0] == 0.42
    assert out["standardfejl"].iloc[0] == 0.012 and out["vaegtet_antal"].iloc[0] == 40123
    assert out["p_vaerdi"].iloc[0] == 0.000012345  # the page words p-values itself
    assert out["estimat"].isna().iloc[1] and list(out["antal_svar"]) == [1200, 800]
    assert table["estimate"].iloc[0] == 0.4312345678  # the input is not changed
