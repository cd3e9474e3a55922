"""The package uses the public APIs of the tools it builds on: it keeps the build thin.

Scanned on the source of the whole package (also inside functions):

- **private access**: an attribute with a leading underscore (``x._y``, ``getattr(x, "_y")``)
  read or written on an object from sphinx, myst_nb, myst_parser, papermill, nbclient,
  jupyter_book, jupyter_cache, jupyter_client, pydata_sphinx_theme or sphinx_book_theme: a
  name imported from them, or a parameter through which Sphinx hands its objects to an
  extension (``app``, ``config``, ``builder``, ``env``, ``doctree``, ``context``);
- **monkey-patching**: an assignment to an attribute of a name imported from them (``Sphinx.build
  = ...``, ``setattr(papermill.engines, ...)``), or to ``sys.modules``;
- **private overrides**: a class derived from one of their classes that defines a method with a
  leading underscore (a private hook of the tool).

Each rule is a function returning its violations; each is shown failing on a planted example.
The build (`book/`) also stays within :data:`BOOK_LINES` lines in all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "lederuddannelse"
TOOLS = (
    "sphinx",
    "myst_nb",
    "myst_parser",
    "papermill",
    "nbclient",
    "jupyter_book",
    "jupyter_cache",
    "jupyter_client",
    "pydata_sphinx_theme",
    "sphinx_book_theme",
)
#: Parameters through which Sphinx passes its objects to an extension's event handlers.
SPHINX_PARAMETERS = {"app", "config", "builder", "env", "doctree", "context"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def tool_names(tree: ast.AST) -> set[str]:
    """Names bound by importing a tool (``import sphinx.x``, ``from papermill import y``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in TOOLS:
                    names.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in TOOLS:
            names.update(a.asname or a.name for a in node.names)
    return names


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def private_access(source: str) -> list[str]:
    tree = ast.parse(source)
    tracked = tool_names(tree) | SPHINX_PARAMETERS
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and _root(node) in tracked:
            out.append(f"line {node.lineno}: {ast.unparse(node)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and _private(str(node.args[1].value))
            and _root(node.args[0]) in tracked
        ):
            out.append(f"line {node.lineno}: {ast.unparse(node)}")
    return out


def monkey_patching(source: str) -> list[str]:
    tree = ast.parse(source)
    imported = tool_names(tree)
    out = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for t in targets:
            if isinstance(t, ast.Attribute) and _root(t) in imported:
                out.append(f"line {node.lineno}: {ast.unparse(t)} = ...")
            if isinstance(t, ast.Subscript) and ast.unparse(t.value) == "sys.modules":
                out.append(f"line {node.lineno}: {ast.unparse(t)} = ...")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
            and _root(node.args[0]) in imported
        ):
            out.append(f"line {node.lineno}: {ast.unparse(node)}")
    return out


def private_overrides(source: str) -> list[str]:
    tree = ast.parse(source)
    imported = tool_names(tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(_root(b) in imported for b in node.bases):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(
                    item.name
                ):
                    out.append(f"line {item.lineno}: {node.name}.{item.name}")
    return out


RULES = (private_access, monkey_patching, private_overrides)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_the_package_uses_only_the_tools_public_apis(rule):
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += [f"{path.relative_to(PACKAGE)} {v}" for v in rule(path.read_text("utf-8"))]
    assert not found, "\n".join(found)


PLANTED = {
    private_access: [
        "from papermill.engines import NBClientEngine\nNBClientEngine._x",
        "def f(app):\n    return app.builder.indexer._mapping",
        "import concurrent.futures as cf\nimport nbclient\ngetattr(nbclient.client, '_y', None)",
    ],
    monkey_patching: [
        "from sphinx.application import Sphinx\nSphinx.build = lambda self: None",
        "import papermill.engines\npapermill.engines.x = 1",
        "import sys\nsys.modules['pyarrow'] = None",
        "import jupyter_book\nsetattr(jupyter_book, 'main', print)",
    ],
    private_overrides: [
        "from jupyter_client.manager import AsyncKernelManager\n"
        "class K(AsyncKernelManager):\n    async def _async_launch_kernel(self): pass",
    ],
}


@pytest.mark.parametrize(
    "rule, source",
    [(rule, src) for rule, sources in PLANTED.items() for src in sources],
    ids=lambda x: x.__name__ if callable(x) else "",
)
def test_each_rule_catches_a_planted_example(rule, source):
    assert rule(source), f"{rule.__name__} missed:\n{source}"


def test_public_use_passes():
    ok = (
        "from jupyter_client.manager import AsyncKernelManager\n"
        "class K(AsyncKernelManager):\n"
        "    def __init__(self, **kw):\n        super().__init__(**kw)\n"
        "def on_config(app, config):\n    config.project = 'x'\n    app.add_js_file('a.js')\n"
        "self._private = 1\n"
    )
    assert not any(rule(ok) for rule in RULES)


# --- portable: the package imports on Linux, macOS and Windows --------------------------------

PLATFORM_ONLY = {"fcntl", "termios", "resource", "pwd", "grp", "posix", "msvcrt", "winreg"}


def platform_only_imports(source: str) -> list[str]:
    """Imports of a platform's own module at a module's top level (inside a function, behind
    a platform check, they are fine)."""
    out = []
    for node in ast.parse(source).body:
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        out += [f"line {node.lineno}: {n}" for n in names if n.split(".")[0] in PLATFORM_ONLY]
    return out


def test_every_module_imports_on_every_platform():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += [
            f"{path.relative_to(PACKAGE)} {v}" for v in platform_only_imports(path.read_text())
        ]
    assert not found, "\n".join(found)
    assert platform_only_imports("import fcntl\n"), "the rule catches a planted example"
    assert not platform_only_imports("def f():\n    import fcntl\n")


# --- small: the build stays within its line budget ---------------------------------------------

BOOK_LINES = 2000  # issue 21: `wc -l src/lederuddannelse/book/*.py` at most this


def book_too_long(folder: Path, limit: int = BOOK_LINES) -> str:
    """'' if the modules of ``folder`` have at most ``limit`` lines in all (counted as `wc -l`
    counts them); else a message with each module's count."""
    lines = {p.name: p.read_bytes().count(b"\n") for p in sorted(folder.glob("*.py"))}
    total = sum(lines.values())
    if total <= limit:
        return ""
    counts = ", ".join(f"{name} {n}" for name, n in lines.items())
    return f"{folder}: {total} lines, more than {limit} ({counts}); simplify before adding"


def test_the_build_stays_within_its_line_budget():
    assert not (message := book_too_long(PACKAGE / "book")), message


def test_the_line_budget_catches_a_planted_folder(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n" * 1500)
    (tmp_path / "b.py").write_text("y = 2\n" * 500)
    assert not book_too_long(tmp_path), "exactly at the limit passes"
    (tmp_path / "c.py").write_text("z = 3\n")
    assert "2001 lines, more than 2000" in book_too_long(tmp_path)
