"""The package's layout rules, checked on the source (docs/architecture.md explains them).

- Layers import downward only: chapters -> analysis -> stats -> data -> the bottom (report,
  errors, paths, hashing, sources and the package itself), which imports nothing above it.
  ``params`` (a run's parameters, checked with the disclosure rule) belongs to the analysis
  layer. book/, dev/ and the command line sit beside the layers: they may import anything, and no
  layer imports them.
- No import circle: the graph of every import between the package's modules (also the imports
  inside functions; only ``if TYPE_CHECKING:`` blocks, which never run, are left out) has no
  cycle.
- A page ``chapters/NN_slug.md`` has its module ``lederuddannelse/chapters/slug.py`` and imports
  it; every other module in that folder is one of the few shared helpers.
- One fact, one place: the reason and barrier item lists only in the codebook; the embedded
  data file's path only in ``paths.py``; the generator's default n and seed only in
  ``data/synthetic.py``.
- One YAML reader with line numbers: only ``yamlfile.py`` reads PyYAML's marks (nodes,
  ``start_mark``, ``problem_mark``); `parameters.yml` and mapping files go through it, and
  their JSON schemas ship with the package.

Each rule is a function returning its violations, so that the tests can also show that each
rule catches a violation (the ``*_catches_*`` tests feed it one).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from lederuddannelse import paths
from lederuddannelse.data import synthetic
from lederuddannelse.data.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "lederuddannelse"
PKG = "lederuddannelse"

#: The layers, lowest first: a module may import its own layer and the layers below.
LAYERS = ("data", "stats", "analysis", "chapters")
#: Beside the layers: may import anything; nothing in a layer may import them.
BESIDE = ("book", "site", "dev", "cli", "__main__")
#: Root modules that are not at the bottom. ``params`` checks a run's parameters with the
#: disclosure rule of stats/ (min_n, min_count) and is read by the analysis (robustness
#: variants), the chapters and the build: it sits in the analysis layer, as ``variants`` (a
#: chapter's pages from parameters.yml: its switch, extra pages and title words) beside it.
ROOT_MODULE_LAYER = {"params": "analysis", "variants": "analysis"}
#: Modules of chapters/ that are not a page: Chapter/open_chapter and what the pages share.
CHAPTER_HELPERS = {"base", "absent", "shared"}


# ---------------------------------------------------------------------------- the import graph
def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(tree: ast.AST, module: str, is_package: bool) -> list[str]:
    """Every ``lederuddannelse...`` name imported anywhere in ``tree`` (also inside functions),
    except in ``if TYPE_CHECKING:`` blocks; ``from X import y`` yields X and X.y."""
    out: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if is_package else module.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join(here + ([node.module] if node.module else []))
            out.append(base)
            out.extend(f"{base}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [n for n in out if n == PKG or n.startswith(PKG + ".")]


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (names resolved to the module that holds them)."""
    mods = package_modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = set()
        for imported in imported_names(tree, name, path.name == "__init__.py"):
            while imported and imported not in mods:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


# ---------------------------------------------------------------------------- the rules
def layer_of(module: str) -> str:
    """'data', 'stats', 'analysis', 'chapters', 'beside' or 'bottom'."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    if top in LAYERS:
        return top
    if top in BESIDE:
        return "beside"
    if len(parts) == 2 and top in ROOT_MODULE_LAYER:
        return ROOT_MODULE_LAYER[top]
    return "bottom"  # report/, the package itself and its root modules (errors, paths, ...)


def rank(layer: str) -> int:
    return {"bottom": 0, **{name: i + 1 for i, name in enumerate(LAYERS)}, "beside": 99}[layer]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in sorted(graph.items()):
        here = layer_of(module)
        for target in sorted(targets):
            there = layer_of(target)
            if here == "beside":
                continue
            if there == "beside":
                bad.append(f"{module} ({here}) imports {target}: no layer imports book/dev/cli")
            elif rank(there) > rank(here):
                bad.append(f"{module} ({here}) imports {target} ({there}), a layer above it")
    return bad


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if not state.get(nxt):
                found = dfs(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if not state.get(node):
            found = dfs(node)
            if found:
                return found
    return None


def page_violations(pages: list[Path], chapter_modules: set[str]) -> list[str]:
    """Pages without their module (or not importing it), and modules that are neither a page's
    module nor a shared helper."""
    bad = []
    slugs = set()
    for page in pages:
        slug = page.stem.split("_", 1)[1]
        slugs.add(slug)
        if slug not in chapter_modules:
            bad.append(f"{page.name}: no module lederuddannelse/chapters/{slug}.py")
            continue
        text = page.read_text(encoding="utf-8")
        imports = re.search(
            rf"^\s*(from {PKG}\.chapters import .*\b{slug}\b"
            rf"|from {PKG}\.chapters\.{slug} import |import {PKG}\.chapters\.{slug}\b)",
            text,
            re.M,
        )
        if not imports:
            bad.append(f"{page.name}: does not import lederuddannelse.chapters.{slug}")
    for module in sorted(chapter_modules - slugs - CHAPTER_HELPERS - {"__init__"}):
        bad.append(f"chapters/{module}.py is neither a page's module nor a shared helper")
    return bad


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def item_list_violations(files: list[Path], item_sets: dict[str, list[str]]) -> list[str]:
    """List, tuple or set literals that spell out more than half of an item set."""
    bad = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                continue
            values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            for name, items in item_sets.items():
                if len(values & set(items)) * 2 > len(items):
                    bad.append(
                        f"{_shown(path)}:{node.lineno}: the {name} items are typed "
                        "out; read them from the codebook (analysis.specs)"
                    )
    return bad


def literal_violations(files: list[Path], allowed: dict[str, Path]) -> list[str]:
    """The embedded data file's name, or the generator's default n or seed, typed outside the
    module that owns it."""
    name = paths.EMBEDDED_DATA_PATH.name
    numbers = {synthetic.DEFAULT_N: "DEFAULT_N", synthetic.DEFAULT_SEED: "DEFAULT_SEED"}
    bad = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant):
                continue
            where = f"{_shown(path)}:{node.lineno}"
            value = node.value
            if isinstance(value, str) and name in value and path != allowed["path"]:
                bad.append(f"{where}: {name!r} typed; use paths.EMBEDDED_DATA_PATH")
            if type(value) is int and value in numbers and path != allowed["generator"]:
                bad.append(f"{where}: {value} typed; use data.synthetic.{numbers[value]}")
            if isinstance(value, str) and path != allowed["generator"]:
                for number, const in numbers.items():
                    if re.search(rf"default:? {number}\b", value):
                        bad.append(f"{where}: 'default {number}' typed; use {const}")
    return bad


def python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py")) + sorted(
        p for p in (ROOT / "tests").rglob("*.py") if "vendor" not in p.parts
    )


OWNERS = {"path": PACKAGE / "paths.py", "generator": PACKAGE / "data" / "synthetic.py"}

#: PyYAML's line-aware API: only the one YAML reader uses it
YAML_MARKS = ("start_mark", "end_mark", "problem_mark", "compose", "MappingNode", "ScalarNode")
YAML_READER = PACKAGE / "yamlfile.py"


def yaml_mark_violations(files: list[Path]) -> list[str]:
    """Modules other than yamlfile.py that read YAML's nodes or marks (a second line-aware
    YAML parser)."""
    bad = []
    for path in files:
        if path == YAML_READER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in YAML_MARKS:
                bad.append(f"{_shown(path)}:{node.lineno}: .{node.attr}; use yamlfile.load_yaml")
    return bad


# ---------------------------------------------------------------------------- the tests
def test_layers_import_downward_only():
    assert layer_violations(import_graph()) == []


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_every_page_has_its_chapter_module():
    pages = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    assert pages
    modules = {p.stem for p in (PACKAGE / "chapters").glob("*.py")}
    assert page_violations(pages, modules) == []


def test_item_lists_only_in_the_codebook():
    book = load_codebook()
    sets = {name: book.item_set(name) for name in ("reasons", "barriers")}
    assert all(len(items) >= 3 for items in sets.values())
    assert item_list_violations(python_files(), sets) == []


def test_embedded_path_and_generator_defaults_typed_once():
    assert literal_violations(python_files(), OWNERS) == []


def test_one_yaml_reader_with_line_numbers_and_its_schemas_ship():
    import tomllib

    assert yaml_mark_violations(sorted(PACKAGE.rglob("*.py"))) == []
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = {f"{pkg}.{name}" for pkg, names in data["package-data"].items() for name in names}
    schemas = {
        ".".join(p.parent.relative_to(SRC).parts) + "." + p.name
        for p in PACKAGE.rglob("*.schema.json")
    }
    assert schemas == {
        "lederuddannelse.parameters.schema.json",
        "lederuddannelse.data.mapping.schema.json",
    }
    assert schemas <= shipped


# ------------------------------------------------------- each rule catches a violation
def test_yaml_rule_catches_a_second_line_aware_parser(tmp_path):
    copy = tmp_path / "copy.py"
    copy.write_text("import yaml\nnode = yaml.compose(t)\nline = node.start_mark.line\n")
    assert len(yaml_mark_violations([copy])) == 2


def test_layer_rule_catches_an_upward_import():
    graph = {
        "lederuddannelse.data.loader": {"lederuddannelse.stats.design"},
        "lederuddannelse.report.fmt": {"lederuddannelse.data.codebook"},
        "lederuddannelse.chapters.base": {"lederuddannelse.book.build"},
        "lederuddannelse.book.build": {"lederuddannelse.chapters.base"},  # beside: allowed
        "lederuddannelse.chapters.hvem": {"lederuddannelse.analysis.specs"},  # downward
    }
    bad = layer_violations(graph)
    assert len(bad) == 3
    assert any("data.loader" in b and "stats.design" in b for b in bad)
    assert any("report.fmt" in b for b in bad)
    assert any("book/dev/cli" in b for b in bad)


def test_cycle_rule_catches_a_circle_and_reads_lazy_imports():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from lederuddannelse.stats.design import SurveyDesign\n"
        "def f():\n    from lederuddannelse.data import loader\n"
    )
    names = imported_names(ast.parse(source), "lederuddannelse.stats.models", False)
    assert "lederuddannelse.data.loader" in names  # inside a function: counted
    assert not any("design" in n for n in names)  # annotations only: not counted


def test_page_rule_catches_a_missing_module_and_a_missing_import(tmp_path):
    ok = tmp_path / "03_hvem.md"
    ok.write_text("```{code-cell}\nfrom lederuddannelse.chapters import hvem\n```\n")
    missing = tmp_path / "11_nyt.md"
    missing.write_text("# Nyt\n")
    silent = tmp_path / "05_lyst.md"
    silent.write_text("```{code-cell}\nfrom lederuddannelse.analysis import findings\n```\n")
    bad = page_violations([ok, missing, silent], {"base", "hvem", "lyst", "stray"})
    assert len(bad) == 3
    assert any("11_nyt.md" in b for b in bad)
    assert any("05_lyst.md" in b and "does not import" in b for b in bad)
    assert any("stray.py" in b for b in bad)


def test_fact_rules_catch_typed_copies(tmp_path):
    sets = {"reasons": ["r1", "r2", "r3", "r4"]}
    copy = tmp_path / "copy.py"
    copy.write_text(
        "ITEMS = ('r1', 'r2', 'r3')\n"
        "FEW = ['r1', 'r2']\n"  # half of the set: a named selection, allowed
        f"N = {synthetic.DEFAULT_N}\n"
        f"HELP = 'random seed (default {synthetic.DEFAULT_SEED})'\n"
        f"P = 'data/x/{paths.EMBEDDED_DATA_PATH.name}'\n"
    )
    items = item_list_violations([copy], sets)
    assert len(items) == 1 and "reasons" in items[0]
    literals = literal_violations([copy], OWNERS)
    assert len(literals) == 3, literals
