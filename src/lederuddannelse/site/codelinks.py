"""Sphinx extension: the names in the chapters' code cells linked to their entries in the API
reference ("Koden bag bogen").

A post-transform (it runs for every page Sphinx writes, after all pages are read) reads a
page's code cells in order as one program: imports of the package bind names to its modules,
functions and classes; an assignment from a call binds the name to an instance of the
function's annotated return type (or of the annotation, ``design: SurveyDesign = ...``). Every
name, attribute and imported name that resolves to an object with an entry in the Python
domain (``autodoc``) becomes a link to that entry. The cell's code keeps Pygments' highlighting
(docutils' code analyser gives the tokens and their CSS classes); its HTML is the Pygments
block Sphinx writes, with ``<a>`` around the linked names.

Because the links are made from the doctree and the Python domain at write time, a partial
build writes the same pages as a clean one (sphinx-codeautolink, tried first, links only the
pages it finds outdated when the builder starts, by rewriting their HTML after the build).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from docutils import nodes
from docutils.utils.code_analyzer import Lexer, LexerError
from sphinx.transforms.post_transforms import SphinxPostTransform

PACKAGE = "lederuddannelse"
LANGUAGES = ("ipython3", "ipython", "python", "python3")


@dataclass(frozen=True)
class _Object:
    """A module, class, function or value reached by the dotted ``path``."""

    obj: object
    path: str


@dataclass(frozen=True)
class _Instance:
    """A value known only by its class."""

    cls: type


_Ref = _Object | _Instance


def _canonical(obj: object) -> str | None:
    if inspect.ismodule(obj):
        return obj.__name__
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else None


def _return_type(func: object) -> type | None:
    try:
        hint = typing.get_type_hints(func).get("return")
    except Exception:  # an annotation that does not evaluate (TYPE_CHECKING imports)
        return None
    return hint if inspect.isclass(hint) else None


def _attribute_type(cls: type, attr: str) -> type | None:
    """The annotated type of an attribute or property of instances of ``cls``."""
    for klass in cls.__mro__:
        static = klass.__dict__.get(attr)
        if isinstance(static, property) and static.fget is not None:
            return _return_type(static.fget)
        try:
            hints = typing.get_type_hints(klass)
        except Exception:
            continue
        if attr in hints:
            return hints[attr] if inspect.isclass(hints[attr]) else None
    return None


def _import(path: str) -> _Object | None:
    """The object at the dotted ``path`` of the package (a module or a module's attribute)."""
    if path != PACKAGE and not path.startswith(PACKAGE + "."):
        return None
    try:
        return _Object(importlib.import_module(path), path)
    except ImportError:
        pass
    module, _, name = path.rpartition(".")
    try:
        return _Object(getattr(importlib.import_module(module), name), path)
    except (ImportError, AttributeError):
        return None


def _char_offset(lines: list[str], lineno: int, col: int) -> int:
    """Character offset in the code of ``ast``'s (line, UTF-8 byte column)."""
    line = lines[lineno - 1]
    before = sum(len(x) for x in lines[: lineno - 1])
    return before + len(line.encode("utf-8")[:col].decode("utf-8", errors="ignore"))


class _Linker(ast.NodeVisitor):
    """Walks a cell's statements in order, binding names and recording the linkable spans."""

    def __init__(self, scope: dict[str, _Ref], documented: Callable[[str], bool]) -> None:
        self.scope = scope
        self.documented = documented
        self.spans: list[tuple[int, int, str]] = []
        self.lines: list[str] = []

    def run(self, code: str) -> list[tuple[int, int, str]]:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return []
        self.lines = code.splitlines(keepends=True)
        self.spans = []
        self.visit(tree)
        return sorted(self.spans)

    # --- what a name refers to ------------------------------------------------------------

    def resolve(self, node: ast.expr) -> _Ref | None:
        if isinstance(node, ast.Name):
            return self.scope.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if isinstance(base, _Object):
                if not hasattr(base.obj, node.attr):
                    return _import(f"{base.path}.{node.attr}")
                return _Object(getattr(base.obj, node.attr), f"{base.path}.{node.attr}")
            if isinstance(base, _Instance):
                member = inspect.getattr_static(base.cls, node.attr, None)
                if inspect.isfunction(member) or isinstance(member, classmethod | staticmethod):
                    return _Object(getattr(base.cls, node.attr), self._member(base.cls, node.attr))
                kind = _attribute_type(base.cls, node.attr)
                return _Instance(kind) if kind else None
            return None
        if isinstance(node, ast.Call):
            func = self.resolve(node.func)
            if isinstance(func, _Object):
                if inspect.isclass(func.obj):
                    return _Instance(func.obj)
                kind = _return_type(func.obj)
                return _Instance(kind) if kind else None
        return None

    def _member(self, cls: type, attr: str) -> str:
        for klass in cls.__mro__:
            name = f"{_canonical(klass)}.{attr}"
            if attr in klass.__dict__ and self.documented(name):
                return name
        return f"{_canonical(cls)}.{attr}"

    def target(self, ref: _Ref | None) -> str | None:
        """The documented name of what ``ref`` is (None: no entry in the reference)."""
        if not isinstance(ref, _Object):
            return None
        for name in (ref.path, _canonical(ref.obj)):
            if name and self.documented(name):
                return name
        return None

    # --- the spans ------------------------------------------------------------------------

    def _link(self, node: ast.AST, name: str, target: str | None) -> None:
        end = getattr(node, "end_lineno", None)
        if target is None or end is None or end != node.lineno:
            return
        stop = _char_offset(self.lines, end, node.end_col_offset)
        start = stop - len(name)
        if "".join(self.lines)[start:stop] == name:
            self.spans.append((start, stop, target))

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._link(node, node.id, self.target(self.scope.get(node.id)))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            base = self.resolve(node.value)
            if isinstance(base, _Instance):  # a method, property or attribute of a class
                member = self._member(base.cls, node.attr)
                self._link(node, node.attr, member if self.documented(member) else None)
            else:
                self._link(node, node.attr, self.target(self.resolve(node)))
        self.visit(node.value)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            ref = _import(alias.name)
            if ref is None:
                continue
            if alias.asname:
                self.scope[alias.asname] = ref
            else:
                top = alias.name.split(".")[0]
                self.scope[top] = _import(top) or ref

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        for alias in node.names:
            ref = _import(f"{node.module}.{alias.name}")
            if ref is None:
                continue
            self.scope[alias.asname or alias.name] = ref
            if alias.asname is None:
                self._link(alias, alias.name, self.target(ref))

    def _bind(self, target: ast.expr, ref: _Ref | None) -> None:
        if isinstance(target, ast.Name):
            if ref is None:
                self.scope.pop(target.id, None)
            else:
                self.scope[target.id] = ref

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        ref = self.resolve(node.value)
        for target in node.targets:
            self.visit(target)
            self._bind(target, ref if len(node.targets) == 1 else None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
        kind = self.resolve(node.annotation)
        if isinstance(kind, _Object) and inspect.isclass(kind.obj):
            self._bind(node.target, _Instance(kind.obj))
        elif node.value is not None:
            self._bind(node.target, self.resolve(node.value))


def link_spans(
    cells: Iterable[str], documented: Callable[[str], bool]
) -> list[list[tuple[int, int, str]]]:
    """For each cell of a page (in order), the (start, stop, documented name) of its names
    that have an entry in the reference; a cell's names are bound for the cells after it."""
    scope: dict[str, _Ref] = {}
    return [_Linker(scope, documented).run(code) for code in cells]


class linked_code(nodes.literal_block):  # noqa: N801 (docutils names nodes in lower case)
    """A code cell's source, highlighted, with links (HTML only)."""


def _highlighted(code: str, language: str, spans: list[tuple[int, int, str]], uri) -> list:
    """The code as docutils nodes: Pygments' tokens as classed spans, the spans' names linked."""
    try:
        tokens = list(Lexer(code, language, "short"))
    except LexerError:
        tokens = [([], code)]
    links = {start: (stop, name) for start, stop, name in spans}
    children, at = [], 0
    for classes, value in tokens:
        # Pygments' HTML leaves whitespace unclassed
        styled = classes and not value.isspace()
        node = nodes.inline(value, value, classes=classes) if styled else nodes.Text(value)
        link = links.get(at)
        if link and link[0] == at + len(value):
            stop, name = link
            ref = nodes.reference("", "", internal=True, refuri=uri(name), reftitle=name)
            ref += node
            node = ref
        children.append(node)
        at += len(value)
    return children


def visit_linked_code(self, node: linked_code) -> None:
    language = node.get("language", "default")
    # the markup Sphinx writes around a Pygments block
    self.body.append(
        self.starttag(node, "div", suffix="", CLASS=f"highlight-{language} notranslate")
    )
    self.body.append('<div class="highlight"><pre><span></span>')


def depart_linked_code(self, node: linked_code) -> None:
    self.body.append("</pre></div></div>\n")


def _cell_sources(doctree: nodes.Node) -> list[nodes.literal_block]:
    return [
        block
        for block in doctree.findall(nodes.literal_block)
        if block.parent is not None
        and block.parent.get("nb_element") == "cell_code_source"
        and block.get("language") in LANGUAGES
    ]


class LinkCodeNames(SphinxPostTransform):
    """Replaces each code cell's source with its linked, highlighted code."""

    # before Sphinx resolves the references (ReferencesResolver, 10)
    default_priority = 5
    builders = ("html", "dirhtml")

    def run(self, **kwargs) -> None:
        blocks = _cell_sources(self.document)
        if not blocks:
            return
        entries = {
            name: (docname, anchor)
            for name, _, _, docname, anchor, _ in self.env.get_domain("py").get_objects()
        }
        here = self.env.docname

        def uri(name: str) -> str:
            docname, anchor = entries[name]
            return f"{self.app.builder.get_relative_uri(here, docname)}#{anchor}"

        sources = [block.astext() for block in blocks]
        for block, code, spans in zip(blocks, sources, link_spans(sources, entries.__contains__)):
            if not spans:
                continue
            language = block["language"]
            new = linked_code("", "", *_highlighted(code, language, spans, uri))
            new["language"] = language
            new["classes"] = list(block["classes"])
            new.source, new.line = block.source, block.line
            block.replace_self(new)


def setup(app):
    app.add_node(linked_code, html=(visit_linked_code, depart_linked_code))
    app.add_post_transform(LinkCodeNames)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
