"""The prose patch: paragraphs written as Sphinx writes them, or no patch at all.

That a patched site equals Sphinx's, byte for byte, is checked on the real book in
`test_book_incremental.py::test_a_partial_rebuild_publishes_what_a_clean_build_publishes`;
these tests pin the rules on small pages.
"""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest

from lederuddannelse.book.prosepatch import (
    NotPatchable,
    patch_page,
    patch_search_index,
    search_term,
)

EXT = ["colon_fence", "dollarmath", "substitution"]
REF = (
    '<a class="reference internal" href="#fig-x"><span class="std std-numref">Figur 3.1</span></a>'
)


def _notebook(*markdown: str, sha: str = "aaa") -> dict:
    glue = {
        "output_type": "display_data",
        "data": {"application/papermill.record/text/markdown": "27 pct."},
        "metadata": {"scrapbook": {"name": "share", "mime_prefix": "x"}},
    }
    cells = [{"cell_type": "markdown", "metadata": {"tags": []}, "source": "# Titel"}]
    cells.append(
        {
            "cell_type": "code",
            "metadata": {"tags": ["remove-input"]},
            "source": "glue('share', ...)",
            "outputs": [glue],
            "execution_count": 1,
        }
    )
    cells += [{"cell_type": "markdown", "metadata": {"tags": []}, "source": m} for m in markdown]
    return {
        "cells": cells,
        "metadata": {"lederuddannelse": {"source_sha256": sha, "group": "alle"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


PAGE = (
    '<section id="titel">\n<h1>Titel</h1>\n'
    "<p>Andelen er 27 pct. af <em>alle</em>, se " + REF + ".</p>\n"
    '<p>Kør <code class="docutils literal notranslate"><span class="pre">make</span> '
    '<span class="pre">book</span></code>\nigen.</p>\n'
    "</section>\n"
)
OLD = _notebook(
    "Andelen er {glue:md}`share` af *alle*, se {numref}`fig-x`.\n\nKør `make book`\nigen."
)


def _edit(text: str, sha: str = "bbb") -> dict:
    return _notebook(text, sha=sha)


def test_a_changed_paragraph_is_written_as_sphinx_writes_it():
    new = _edit(
        "Andelen er hele {glue:md}`share` af **alle**, se {numref}`fig-x`.\n\n"
        "Kør `make book`\nigen."
    )
    got = patch_page("p", OLD, new, PAGE, EXT)
    assert "<p>Andelen er hele 27 pct. af <strong>alle</strong>, se " + REF + ".</p>\n" in got.html
    assert got.html.count("<p>") == 2 and "<p>Kør" in got.html
    assert got.words_added["hele "] == 0 and "Andelen er hele " in got.words_added
    assert "Figur 3.1" in got.words_added  # the reference's text is searchable like Sphinx's


def test_added_and_removed_paragraphs_keep_their_place():
    added = _edit(
        "Andelen er {glue:md}`share` af *alle*, se {numref}`fig-x`.\n\nNyt afsnit.\n\n"
        "Kør `make book`\nigen."
    )
    html = patch_page("p", OLD, added, PAGE, EXT).html
    assert html.index("Andelen") < html.index("<p>Nyt afsnit.</p>\n") < html.index("Kør")
    removed = _edit("Kør `make book`\nigen.")
    html = patch_page("p", OLD, removed, PAGE, EXT).html
    assert "Andelen" not in html and "<p>Kør" in html and "<h1>Titel</h1>" in html


@pytest.mark.parametrize(
    "text, why",
    [
        ("# Ny titel\n\nKør `make book`\nigen.", "plain paragraph"),
        ('Andelen er "citeret".\n\nKør `make book`\nigen.', "Sphinx may change"),
        ("Se [siden](https://example.org).\n\nKør `make book`\nigen.", "link_open"),
        ("Se www.example.org nu.\n\nKør `make book`\nigen.", "Sphinx may change"),
        ("Se {doc}`forside`.\n\nKør `make book`\nigen.", "does not write"),
        ("Se {numref}`fig-y`.\n\nKør `make book`\nigen.", "no single reference"),
        ("- en liste\n\nKør `make book`\nigen.", "plain paragraph"),
        ("Værdien er {glue:md}`other`.\n\nKør `make book`\nigen.", "no Markdown value"),
    ],
)
def test_what_sphinx_must_render_is_refused(text, why):
    with pytest.raises(NotPatchable, match=why):
        patch_page("p", OLD, _edit(text), PAGE, EXT)


def test_a_paragraph_the_renderer_does_not_find_on_the_page_is_refused():
    """Where this renderer and Sphinx disagree on the old text, nothing is patched."""
    page = PAGE.replace("<em>alle</em>", "<em>alle</em> ")  # as if Sphinx wrote it otherwise
    new = _edit("Andelen er ændret.\n\nKør `make book`\nigen.")
    with pytest.raises(NotPatchable, match="exactly once"):
        patch_page("p", OLD, new, page, EXT)
    twice = PAGE.replace("</section>", "<p>Kør <code" + PAGE.split("<p>Kør <code")[1])
    with pytest.raises(NotPatchable, match="exactly once"):
        patch_page("p", OLD, _edit(OLD["cells"][2]["source"] + " Igen."), twice, EXT)


def test_changes_to_code_outputs_or_metadata_are_refused():
    code = copy.deepcopy(OLD)
    code["cells"][1]["outputs"][0]["data"]["application/papermill.record/text/markdown"] = "28 pct."
    with pytest.raises(NotPatchable, match="code cell"):
        patch_page("p", OLD, code, PAGE, EXT)
    meta = copy.deepcopy(OLD)
    meta["metadata"]["lederuddannelse"]["group"] = "smal"
    with pytest.raises(NotPatchable, match="metadata"):
        patch_page("p", OLD, meta, PAGE, EXT)
    tagged = copy.deepcopy(OLD)
    tagged["cells"][2]["metadata"]["tags"] = ["remove-cell"]
    tagged["cells"][2]["source"] = "Skjult."
    with pytest.raises(NotPatchable, match="tags"):
        patch_page("p", OLD, tagged, PAGE, EXT)


def _index(terms: dict, titleterms: dict) -> str:
    data = {"docnames": ["a", "b"], "terms": terms, "titleterms": titleterms}
    return "Search.setIndex(" + json.dumps(data, sort_keys=True) + ")"


def _data(js: str) -> dict:
    return json.loads(js[len("Search.setIndex(") : -1])


def test_the_search_index_follows_the_page_words():
    js = _index({"gammel": 1, "fælles": [0, 1], "kun": 0}, {"titel": 1})
    before = Counter({"gammel": 1, "fælles": 2})
    after = Counter({"fælles": 1, "ny": 1, "kun": 1, "titel": 1})
    got = _data(patch_search_index(js, "b", before, after))
    assert got["terms"] == {"fælles": [0, 1], "kun": [0, 1], "ny": 1}  # "gammel" is gone
    assert got["titleterms"] == {"titel": 1}  # a title word is filed under titles only


def test_a_search_index_that_does_not_hold_the_recorded_words_is_refused():
    js = _index({"fælles": 0}, {})
    with pytest.raises(NotPatchable, match="recorded words"):
        patch_search_index(js, "b", Counter({"fælles": 1}), Counter())


def test_search_terms_are_sphinx_s():
    """The recorded language files every word of the book as Sphinx's Danish one does."""
    from sphinx.search.da import SearchDanish

    from conftest import ROOT
    from lederuddannelse.book.prosepatch import RecordedDanish

    sphinx = SearchDanish({})
    recorded = RecordedDanish(sorted(sphinx.stopwords))
    assert search_term(sphinx, "og") is None  # a Danish stop word
    assert search_term(sphinx, "Lederne") == sphinx.stem("Lederne").lower()
    text = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "chapters").glob("*.md"))
    words = sphinx.split(text)
    assert recorded.split(text) == words and len(set(words)) > 1000
    for word in set(words) | {"", "æ", "øl", "på", "Også", "ぁあ"}:
        assert search_term(recorded, word) == search_term(sphinx, word), word
