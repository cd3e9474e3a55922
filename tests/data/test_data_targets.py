"""data/targets.py: the one reader of targets.yml, and the rule that a published level of the
report is typed there and nowhere else in src/, tests/ or the chapters."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from lederuddannelse.data import targets
from lederuddannelse.errors import DataValidationError

ROOT = Path(__file__).resolve().parents[2]


def test_published_and_assumed_levels_are_told_apart():
    all_ = targets.load_targets()
    pub = targets.published_levels()
    assert set(pub) == {"F1a", "F1b_narrow", "F1b_broad", "F2"}
    assert {t.kind for t in all_.values()} == set(targets.KINDS)
    # the report gives F4 and F11 only as directions: their levels are ours
    assert all(not all_[k].published for k in all_ if k.startswith(("F4", "F11")))
    assert targets.report_level("F1a") == pub["F1a"].share
    with pytest.raises(ValueError, match="assumed"):
        targets.report_level("F4_paid")
    # any = narrow + broad, as the report's 10 + 33 = 43
    assert abs(pub["F1b_narrow"].share + pub["F1b_broad"].share - pub["F1a"].share) < 1e-9


def test_a_number_computed_for_an_assumed_level_is_labelled_calibrated():
    """Computed on synthetic data calibrated to a level this edition assumed: both are said."""
    kind = targets.computed_kind
    for indicator in ("paid_by_workplace", "unwilling_to_pay", "reason_tools", "barrier_time"):
        assert kind(indicator) == "calibrated", indicator
    assert kind("desire") == kind("high_desire") == kind("pay_self") == "calibrated"
    # the industries the report names by words only; the overall broad share is published
    assert kind("trained_broad", "industry == 3") == "calibrated"
    assert kind("trained_broad") == kind("trained_any") == "computed"
    assert kind("trained_broad", "industry == 2") == "computed"
    # a real data file is computed, whatever the generator assumed
    assert kind("reason_tools", synthetic=False) == "computed"
    assert "calibrated" in targets.KIND_LABELS and "antaget" in targets.KIND_LABELS["calibrated"]


def test_bad_targets_file_names_file_target_and_field(tmp_path):
    p = tmp_path / "targets.yml"
    text = (ROOT / "data" / "targets.yml").read_text(encoding="utf-8")
    p.write_text(text.replace("    kind: published", "    kind: chosen", 1), encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        targets.load_targets(p)
    msg = str(err.value)
    assert str(p) in msg and "F1a" in msg and "'chosen'" in msg and "published" in msg
    p.write_text(text.replace("    share: 0.", "    share: 1", 1), encoding="utf-8")
    with pytest.raises(DataValidationError, match="between 0 and 1"):
        targets.load_targets(p)


# --- one fact, one place -------------------------------------------------------------------
def _levels() -> list[float]:
    return sorted({t.share for t in targets.published_levels().values()})


def _round(x: float) -> bool:
    """A level such as 0.10 is also an ordinary coefficient; it counts only next to another
    published level or in a comparison (see _typed_levels)."""
    return abs(10 * x - round(10 * x)) < 1e-9


def _typed_levels(source: str) -> list[tuple[int, str]]:
    """Where a published level is typed in Python source: a float literal equal to one (a
    round one such as 0.10 only in a comparison or beside another level), or a string saying
    it in per cent ("43 pct.", "53 %", "33 procent")."""
    levels = _levels()
    words = "|".join(str(round(100 * x)) for x in levels)
    said = re.compile(rf"(?<![\d,.])({words})(,0+)? ?(pct|%|procent)")
    hits: list[tuple[int, str]] = []
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def is_level(node) -> bool:
        return (
            isinstance(node, ast.Constant)
            and isinstance(node.value, float)
            and any(abs(node.value - x) < 1e-12 for x in levels)
        )

    for node in ast.walk(tree):
        if is_level(node):
            parent = parents.get(node)
            siblings = [n for n in ast.walk(parent) if n is not node and is_level(n)]
            if (
                not _round(node.value)
                or isinstance(parent, ast.Compare)
                or (isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and siblings)
            ):
                hits.append((node.lineno, repr(node.value)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for m in said.finditer(node.value):
                hits.append((node.lineno, m.group(0)))
    return hits


@pytest.mark.parametrize(
    "code",
    [
        "REPORT = {'any': 0.43}",
        "ok = lo <= 0.53 <= hi",
        "levels = [0.10, 0.33]",
        "ok = lo <= 0.10",
        "TEXT = 'Rapporten: 43 pct.'",
        "TEXT = f'{x} dækker 10 og 33 pct.'",
        "'''Docstring: 53 % efter 2020.'''",
    ],
)
def test_detector_finds_a_typed_level(code):
    assert _typed_levels(code), code


@pytest.mark.parametrize(
    "code",
    ["b = 0.10 * x", "cuts = {1: -0.25, 4: 0.10}", "TEXT = '143 pct. og 0,43'", "n = 43"],
)
def test_detector_leaves_other_numbers_alone(code):
    assert _typed_levels(code) == [], code


def _files():
    for folder in ("src", "tests"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            if p.name != Path(__file__).name:
                yield p


def test_no_published_level_is_typed_outside_targets_yml():
    found = [
        f"{p.relative_to(ROOT)}:{line}: {text}"
        for p in _files()
        for line, text in _typed_levels(p.read_text(encoding="utf-8"))
    ]
    # chapter sources: prose may not type any number; here the report's levels in particular
    words = "|".join(str(round(100 * x)) for x in _levels())
    said = re.compile(rf"(?<![\d,.])({words})(,0+)? ?(pct|%|procent)")
    for p in sorted((ROOT / "chapters").glob("*.md")):
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
            if said.search(line):
                found.append(f"{p.relative_to(ROOT)}:{i}: {line.strip()[:80]}")
    assert found == [], "published levels typed outside data/targets.yml:\n" + "\n".join(found)
