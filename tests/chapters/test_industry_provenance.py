"""The industries' provenance mark is true under every definition (issue 22, third review):
this edition assumed industry levels for the broad definition only, so only the broad pages
mark their industry figures »antaget niveau«; the others say they are computed on data
calibrated to those levels, never that their own figures are assumed."""

from __future__ import annotations

import pytest

from conftest import open_test_chapter
from lederuddannelse.chapters.shared import (
    ASSUMED_MARK,
    assumed_industries,
    industry_assumed_mark,
    industry_assumed_note,
    the_definition,
)
from lederuddannelse.data.targets import computed_kind


@pytest.mark.parametrize("definition", ["any", "narrow", "broad"])
def test_the_industry_mark_follows_the_pages_definition(definition):
    ch = open_test_chapter("embedded", definition=definition)
    assert ch.synthetic
    assumed = assumed_industries(ch.trained)
    # the mark is decided by the targets, as every other mark (targets.computed_kind)
    kinds = {computed_kind(ch.trained, f"industry == {c}") for c in range(1, 11)}
    assert ("calibrated" in kinds) == bool(assumed) == (definition == "broad")
    mark, note = industry_assumed_mark(ch), industry_assumed_note(ch)
    if definition == "broad":
        assert ASSUMED_MARK in mark and f"hviler på et {ASSUMED_MARK}" in note
    else:
        assert mark == ""
        assert ASSUMED_MARK not in note and "er ikke selv antaget" in note
        # it names the broad definition's assumed industries, whose levels the data carry
        assert all(f"»{name}«" in note for name in assumed_industries())
    assert the_definition(ch).startswith("den ") and the_definition(ch).endswith(" definition")
