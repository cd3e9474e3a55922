"""One way to word a number: the Danish texts of report/fmt, and a scan that no other module
(nor a chapter's code cell or prose) builds such a text by hand.

Why a scan: the page, a table, a chart's tooltip and its text alternative must word the same
estimate the same way; a hand-built "95 %-KI" elsewhere drifts (it did: the chart's text
alternative read "95 %-KI 25–29 pct." while the page read "95 %-KI: 25–29 pct.").
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd

from conftest import ROOT
from lederuddannelse.report import fmt
from lederuddannelse.report.charts import describe_odds_ratios, describe_proportions

PACKAGE = ROOT / "src" / "lederuddannelse"
#: Modules that may word numbers themselves (path relative to the package -> why).
EXEMPT = {
    "report/fmt.py": "the one place that words numbers",
}
#: Modules whose texts are English messages for developers, not the book's Danish.
ENGLISH_CONSOLE = ("dev/", "site/audit.py", "site/audit_read.py")

# A literal right after a formatted value that starts with a unit: f"{x} pct." / x + " pct."
_UNIT_AFTER = re.compile(r"^\s?(pct\b|procentpoint|point\b|%)")
# A literal right before a formatted value that ends with a number's lead-in: f"n = {x}"
_LEAD_BEFORE = re.compile(r"(\bn = |\bp [=<] |odds ratio |\bOR |KI:? |KI: )$")
# Texts that only fmt may hold, anywhere in a string
_ANYWHERE = ("%-KI", "%-konfidensinterval", "undertrykt (for få svar")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            for stmt in body:
                # a docstring, and the attribute docstrings after assignments
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    ids.add(id(stmt.value))
    return ids


def _parts(node: ast.AST) -> list[ast.AST] | None:
    """The pieces of a string built from pieces: an f-string, or a chain of ``+``."""
    if isinstance(node, ast.JoinedStr):
        return list(node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _parts(node.left) or [node.left]
        right = _parts(node.right) or [node.right]
        return left + right
    return None


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def hand_built(source: str) -> list[tuple[int, str]]:
    """(line, text) of every hand-built number wording in Python source."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if _is_text(node) and id(node) not in docs:
            for token in _ANYWHERE:
                if token in node.value:
                    found.append((node.lineno, f"{token!r} in {node.value!r}"))
        parts = _parts(node)
        if not parts or not any(_is_text(p) for p in parts):
            continue
        for before, after in zip(parts, parts[1:]):
            if _is_text(after) and not _is_text(before) and _UNIT_AFTER.match(after.value):
                found.append((node.lineno, f"a value followed by {after.value!r}"))
            if _is_text(before) and not _is_text(after) and _LEAD_BEFORE.search(before.value):
                found.append((node.lineno, f"{before.value!r} followed by a value"))
    return found


def _code_cells(text: str) -> str:
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    # a cell's options: ":key: value" lines, or a YAML block between "---" lines
    cells = [re.sub(r"\A---\n.*?^---\n", "", c, flags=re.S | re.M) for c in cells]
    keep = ["\n".join(line for line in c.split("\n") if not line.startswith(":")) for c in cells]
    return "\n\n".join(keep)


_GLUE = r"\{glue(?::\w+)?\}`[^`]+`"
_MD_UNIT_AFTER = re.compile(_GLUE + r"\s*(pct\.|procentpoint|point\b|%)")
_MD_LEAD_BEFORE = re.compile(r"(\bn = |\bp [=<] |odds ratio |KI:? )" + _GLUE)


def test_no_module_words_a_number_by_hand():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in EXEMPT or rel.startswith(ENGLISH_CONSOLE):
            continue
        for line, what in hand_built(path.read_text(encoding="utf-8")):
            problems.append(f"src/lederuddannelse/{rel}:{line}: {what}")
    assert not problems, "use lederuddannelse.report.fmt instead:\n" + "\n".join(problems)


def test_no_chapter_words_a_number_by_hand():
    problems = []
    for path in sorted((ROOT / "chapters").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for line, what in hand_built(_code_cells(text)):
            problems.append(f"{path.name} (code cell, line {line}): {what}")
        for pattern in (_MD_UNIT_AFTER, _MD_LEAD_BEFORE):
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.name}:{line}: {m.group(0)!r}")
    assert not problems, "glue the whole text from report.fmt:\n" + "\n".join(problems)


def test_the_scan_finds_hand_built_wording():
    src = (
        "a = f'{x} pct.'\n"
        "b = number(x) + ' procentpoint'\n"
        "c = f'n = {number(n)}'\n"
        "d = f'({lvl} %-KI: {lo}–{hi})'\n"
        "e = 'undertrykt (for få svar)'\n"
        "f = f'{x} procent af {y}'\n"  # not a unit of fmt: allowed
        "g = f'{pct(x)} af lederne'\n"  # fmt's text in a sentence: allowed
    )
    lines = sorted({line for line, _ in hand_built(src)})
    assert lines == [1, 2, 3, 4, 5]
    md = "sker for {glue:md}`x` procentpoint og (n = {glue:md}`n`), men {glue:md}`y` ledere"
    assert len(_MD_UNIT_AFTER.findall(md)) == 1 and len(_MD_LEAD_BEFORE.findall(md)) == 1


# --------------------------------------------------------------------------- the wordings
ROW = pd.Series({"estimate": 0.274, "ci_low": 0.251, "ci_high": 0.293, "n": 2468})
HIDDEN = pd.Series({"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": 3})
DIFF = pd.Series(
    {"estimate": 0.123, "ci_low": -0.02, "ci_high": 0.26, "p_value": 0.0004, "n_a": 812, "n_b": 90}
)
ODDS = pd.Series({"odds_ratio": 1.5849, "or_low": 1.4, "or_high": 1.78, "p_value": 0.034})


def test_numbers_and_shares():
    assert fmt.number(12345) == "12.345"
    assert fmt.number(1.26, 1) == "1,3"
    assert fmt.number(np.nan) == "–"
    assert fmt.pct(0.274) == "27 pct."
    assert fmt.pct_range(0.251, 0.293) == "25–29 pct."
    assert fmt.share(ROW) == "27 pct."
    assert fmt.share(HIDDEN) == fmt.SUPPRESSED == "undertrykt (for få svar)"
    assert fmt.share({"estimate": 0.5, "suppressed": True}) == fmt.SUPPRESSED


def test_intervals_read_the_same_in_prose_and_chart_alternative():
    assert fmt.ci(0.251, 0.293, 0.95) == "95 %-KI: 25–29 pct."
    assert fmt.share_ci(ROW, 0.95) == "95 %-KI: 25–29 pct., n = 2.468"
    assert fmt.share_ci(HIDDEN, 0.95) == fmt.NO_ESTIMATE
    assert fmt.share_with_ci(ROW, 0.95) == "27 pct. (95 %-KI: 25–29 pct.)"
    assert fmt.share_full(ROW, 0.95) == "27 pct. (95 %-KI: 25–29 pct., n = 2.468)"
    table = pd.DataFrame([ROW.to_dict() | {"label": "Alle", "suppressed": False}])
    assert describe_proportions(table, "label", 0.95) == f"Alle: {fmt.share_with_ci(ROW, 0.95)}."
    odds = pd.DataFrame([ODDS.to_dict() | {"label": "Køn", "suppressed": False}])
    assert describe_odds_ratios(odds, "label", 0.95) == "Køn: odds ratio 1,58 (95 %-KI: 1,40–1,78)."
    assert fmt.level(0.9) == "90" and fmt.level(0.995) == "99,5"
    assert fmt.ci_label(0.9) == "90 %-KI"
    assert fmt.ci_heading(0.95) == "95 %-konfidensinterval"
    assert fmt.level_pct(0.95) == "95 %"


def test_a_breakdown_chart_alternative_names_each_variable_without_a_colon_chain():
    from lederuddannelse.report.charts import breakdown_chart

    table = pd.DataFrame([ROW.to_dict() | {"label": "Offentlig sektor", "suppressed": False}])
    spec = breakdown_chart([("Sektor", table)], "label", "Titel", "Under", 0.95).to_dict()
    text = spec["description"]
    assert text == f"Sektor. Offentlig sektor: {fmt.share_with_ci(ROW, 0.95)}.", text
    assert not re.search(r"\w: [^.;]*: ", text)


def test_differences():
    assert fmt.points(0.123) == "12 procentpoint"
    assert fmt.points_ci(-0.05, 0.02, 0.95) == "95 %-KI: \u22125 til 2 procentpoint"
    assert fmt.difference(DIFF) == "12 procentpoint"
    assert fmt.difference_test(DIFF, 0.95) == "95 %-KI: \u22122 til 26 procentpoint, p < 0,001"
    assert fmt.difference_text(DIFF, 0.95, 1, with_n=True) == (
        "12,3 procentpoint (95 %-KI: \u22122,0 til 26,0 procentpoint, p < 0,001; n = 812 og 90)"
    )
    means = DIFF.copy()
    means[["estimate", "ci_low", "ci_high"]] = [0.25, 0.1, 0.4]
    assert fmt.difference_text(means, 0.95, 2, share=False) == (
        "0,25 point (95 %-KI: 0,10 til 0,40 point, p < 0,001)"
    )
    assert fmt.difference_test(HIDDEN, 0.95) == fmt.NO_TEST
    assert fmt.difference_text(HIDDEN, 0.95) == fmt.SUPPRESSED


def test_odds_ratios_p_values_and_n():
    assert fmt.odds_ratio_text(ODDS, 0.95) == "1,58 (95 %-KI: 1,40–1,78, p = 0,034)"
    assert fmt.odds_ratio_text(ODDS, 0.95, named=True) == (
        "odds ratio 1,58; 95 %-KI: 1,40–1,78, p = 0,034"
    )
    assert fmt.odds_ratio_text(None, 0.95) == fmt.SUPPRESSED
    assert fmt.odds_ratio_text(ODDS.to_dict() | {"suppressed": True}, 0.95) == fmt.SUPPRESSED
    assert fmt.pvalue(0.0004) == "p < 0,001"
    assert fmt.pvalue(0.0341) == "p = 0,034"
    assert fmt.pvalue(np.nan) == "p kan ikke beregnes"
    assert fmt.pvalue_cell(0.0341) == "p\u00a0=\u00a00,034" and fmt.pvalue_cell(np.nan) == ""
    assert fmt.p_below(0.05) == "p < 0,05"
    assert fmt.n_is(1234) == "n = 1.234"
    assert fmt.n_pair(1234, 56) == "n = 1.234 og 56"
    assert fmt.mean_with_ci(3.21, 3.1, 3.3, 0.95) == "3,2 (95 %-KI: 3,1–3,3)"
    assert fmt.mean_with_ci(3.21, 3.1, 3.3, None, 2) == "3,21 (3,10–3,30)"


def test_negative_numbers_have_a_true_minus_sign():
    """Danish typography: a negative number has U+2212, never the hyphen; zero has no sign."""
    assert fmt.number(-3) == "\u22123"
    assert fmt.number(-1234.56, 1) == "\u22121.234,6"
    assert fmt.pct(-0.12) == "\u221212 pct."
    assert fmt.points(-0.031) == "\u22123 procentpoint"
    assert fmt.points_range(-0.031, 0.05) == "\u22123 til 5"
    assert fmt.odds_ratio(-0.5) == "\u22120,50"
    assert fmt.number(-0.2) == "0" and fmt.number(-0.0004, 2) == "0,00"
    assert "-" not in fmt.difference_text(DIFF, 0.95).replace("%-KI", "")
