"""The run parameters: one file (`parameters.yml`), validated before anything executes.

Global parameters have a fixed specification here (type, allowed values, help). A chapter may
add its own parameters in its `parameters` cell; a group in `parameters.yml` may set them,
restricted by an `allowed` list there. Every error names the file or option, the parameter,
the value and what was expected.
"""

from __future__ import annotations

import copy
import errno
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lederuddannelse import paths
from lederuddannelse.errors import ParameterError
from lederuddannelse.paths import project_root

PARAMETERS_FILE = "parameters.yml"


@dataclass(frozen=True)
class Spec:
    """What one global parameter may be."""

    kind: type | tuple[type, ...]
    help: str
    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    def check(self, name: str, value: Any, where: str) -> Any:
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        ok_type = isinstance(value, self.kind) and not (
            self.kind in (int, float) and isinstance(value, bool)
        )
        if not ok_type:
            expected = self.kind.__name__ if isinstance(self.kind, type) else "a value"
            raise ParameterError(
                f"{where}: parameter '{name}' = {value!r} has the wrong type; expected {expected}"
                + (f" (one of {', '.join(map(str, self.choices))})" if self.choices else "")
                + "."
            )
        if self.choices is not None and value not in self.choices:
            raise ParameterError(
                f"{where}: parameter '{name}' = {value!r} is not allowed; expected one of "
                f"{', '.join(map(str, self.choices))}."
            )
        if isinstance(value, float) and not math.isfinite(value):
            # NaN compares false with everything, so the range check below would let it pass.
            raise ParameterError(
                f"{where}: parameter '{name}' = {value!r} is not a number; expected a number "
                f"between {self.low} and {self.high}."
            )
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise ParameterError(
                f"{where}: parameter '{name}' = {value!r} is out of range; expected a number "
                f"between {self.low} and {self.high}."
            )
        return value


#: The definitions of training in the reader's words (the report's "samlet", "smal", "bred").
DEFINITION_WORDS = {"any": "samlet", "narrow": "smal", "broad": "bred"}


def parameter_words(params: dict[str, Any]) -> str:
    """A run's parameters as a reader says them, as a Danish list: 'samlet definition, vægtede
    tal, … og intet antal under 5': the notice of every page, the page footer and the citation
    note (never 'weighted = true', nor a chain of colons)."""
    from lederuddannelse.report.fmt import level_pct, number

    parts = []
    # in the order of parameters.yml (a page's metadata may hold them sorted by name)
    order = [k for k in GLOBAL_SPECS if k in params] + [k for k in params if k not in GLOBAL_SPECS]
    for key, value in ((k, params[k]) for k in order):
        if key == "data_file":
            parts.append(
                "det indbyggede datasæt" if value == "embedded" else f"datafil {Path(value).name}"
            )
        elif key == "data_mapping":
            if value != "none":
                parts.append(f"kortlægning {Path(value).name}")
        elif key == "definition":
            parts.append(f"{DEFINITION_WORDS.get(value, value)} definition")
        elif key == "weighted":
            parts.append("vægtede tal" if value else "uvægtede tal")
        elif key == "raking_se":
            parts.append(
                "standardfejl med vægtningens usikkerhed" if value else "vægtene som faste"
            )
        elif key == "conf_level":
            parts.append(f"konfidensniveau {level_pct(value)}")
        elif key == "min_n":
            parts.append(f"tal vises fra {number(value)} svar")
        elif key == "min_count":
            parts.append(f"intet antal under {number(value)}")
        elif key == "allow_small_cells":
            if value:  # the default (false) goes without saying
                parts.append("små celler tilladt (allow_small_cells)")
        elif key == "sector":
            parts.append(f"{value} sektor")
        else:
            parts.append(f"{key} {value}")
    return " og ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " og " + parts[-1]


def definition_pages(slug: str, root: Path | None = None) -> list[tuple[str, str]]:
    """The pages of chapter ``slug`` that differ only in the definition of training, as
    (page name, definition), in the order of parameters.yml; empty if the chapter is not
    published under more than one definition. The page switch and the ledger's links use it.

    Remembered per content of parameters.yml: a build asks once per chapter. Empty outside
    the book's project (an installed package runs a chapter anywhere): no other pages."""
    root = root or paths.find_project_root()
    if root is None:
        return []
    path = root / PARAMETERS_FILE
    try:
        key = (str(path), str(root), path.read_bytes(), slug)
    except OSError:  # load_parameters says so
        return _definition_pages(slug, path, root)
    if key not in _DEFINITION_PAGES:
        _DEFINITION_PAGES[key] = _definition_pages(slug, path, root)
    return list(_DEFINITION_PAGES[key])


_DEFINITION_PAGES: dict[Any, list[tuple[str, str]]] = {}


def _definition_pages(slug: str, path: Path, root: Path | None) -> list[tuple[str, str]]:
    runs = [r for r in load_parameters(path).runs(root)]
    mine = [r for r in runs if r.slug == slug]
    if len({r.params["definition"] for r in mine}) < 2:
        return []
    first = mine[0].params
    same = all(
        {k: v for k, v in r.params.items() if k != "definition"}
        == {k: v for k, v in first.items() if k != "definition"}
        for r in mine
    )
    return [(r.name, r.params["definition"]) for r in mine] if same else []


GLOBAL_SPECS: dict[str, Spec] = {
    "data_file": Spec(str, "'embedded' (the synthetic survey) or a CSV/Parquet/SPSS file"),
    "data_mapping": Spec(
        str,
        "'none', or a mapping file (YAML) from a survey-tool export to the codebook "
        "(docs/real-data.md)",
    ),
    "definition": Spec(
        str, "which training counts: narrow, broad or any", ("narrow", "broad", "any")
    ),
    "weighted": Spec(bool, "weight estimates to the population (false: unweighted)", (True, False)),
    "raking_se": Spec(bool, "standard errors that account for raking", (True, False)),
    "conf_level": Spec(float, "confidence level of every interval", low=0.5, high=0.999),
    "min_n": Spec(int, "suppress estimates with fewer respondents than this", low=1, high=10_000),
    "min_count": Spec(int, "show no count below this", low=1, high=1_000),
    "allow_small_cells": Spec(
        bool,
        "allow min_n/min_count below the defaults (30 and 5); every page then says so",
        (True, False),
    ),
}


def check_small_cells(params: dict[str, Any], where: str) -> None:
    """min_n/min_count below the defaults only with allow_small_cells (one clear message)."""
    from lederuddannelse.stats.limits import check_limits

    if not all(k in params for k in ("min_n", "min_count")):
        return
    try:
        check_limits(
            params["min_n"], params["min_count"], bool(params.get("allow_small_cells", False))
        )
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Run:
    """One execution of one chapter: the chapter, its group and the full parameter set."""

    slug: str
    group: str
    source: Path
    params: dict[str, Any]
    allowed: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.slug}-{self.group}"


@dataclass
class Parameters:
    globals: dict[str, Any]
    chapters: dict[str, dict[str, Any]]
    path: Path

    def runs(self, root: Path | None = None) -> list[Run]:
        """Every chapter × group to execute, in the order of `parameters.yml`."""
        root = root or self.path.parent
        out: list[Run] = []
        for slug, entry in self.chapters.items():
            source = chapter_source(slug, root)
            for group, overrides in entry["groups"].items():
                params = {**self.globals, **(overrides or {})}
                out.append(Run(slug, group, source, params, entry.get("allowed", {})))
        return out


def chapter_source(slug: str, root: Path | None = None) -> Path:
    """The chapter file for a slug: `chapters/NN_slug.md` (the number may change, the slug not)."""
    root = root or project_root()
    hits = sorted((root / "chapters").glob(f"[0-9][0-9]_{slug}.md"))
    if len(hits) != 1:
        raise ParameterError(
            f"{PARAMETERS_FILE}: chapter '{slug}' needs exactly one file chapters/NN_{slug}.md; "
            f"found {len(hits)}."
        )
    return hits[0]


def slug_of(source: Path) -> str:
    """`chapters/02_udbredelse.md` -> `udbredelse`."""
    m = re.match(r"^\d\d_([a-z0-9_]+)$", source.stem)
    if not m:
        raise ParameterError(
            f"{source}: chapter files are named NN_slug.md (e.g. 02_udbredelse.md)."
        )
    return m.group(1)


class _Mapping(dict):
    """A YAML mapping that remembers its line and each key's line (for error messages)."""

    line = 0
    key_lines: dict[Any, int]


class _Sequence(list):
    line = 0


class _DuplicateKey(Exception):
    pass


class _LineLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicated keys (YAML would keep the last silently)
    and records line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    lines: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in lines:
            raise _DuplicateKey(
                f"line {line}: key '{key}' occurs twice in the same mapping (first on line "
                f"{lines[key]}); YAML would silently keep the last one. Keep one."
            )
        lines[key] = line
    out = _Mapping(loader.construct_mapping(node, deep=True))
    out.line, out.key_lines = node.start_mark.line + 1, lines
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    out = _Sequence(loader.construct_sequence(node, deep=True))
    out.line = node.start_mark.line + 1
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _plain(value: Any) -> Any:
    """Ordinary dicts and lists again (after validation)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the value {value!r}"


def _line(container: Any, key: Any) -> str:
    """'line N' of ``key`` in a loaded mapping (or of the container itself)."""
    lines = getattr(container, "key_lines", {})
    n = lines.get(key) or getattr(container, "line", 0)
    return f"line {n}" if n else "line ?"


def _expect_mapping(value: Any, parent: Any, key: Any, what: str, path: Path) -> None:
    if not isinstance(value, dict):
        raise ParameterError(
            f"{path}, {_line(parent, key)}: {what} must be a mapping (name: value lines); "
            f"found {_kind(value)}."
        )


def load_parameters(path: Path | str | None = None) -> Parameters:
    """Read and validate `parameters.yml`; every problem names the file, the line and the key."""
    path = Path(path) if path else project_root() / PARAMETERS_FILE
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        check_yaml_booleans(path.read_text(encoding="utf-8"), path)
    except FileNotFoundError:
        raise ParameterError(f"{path}: parameters file not found.") from None
    except _DuplicateKey as exc:
        raise ParameterError(f"{path}, {exc}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML ({exc}).") from None
    if raw is None:
        raw = _Mapping()
        raw.key_lines = {}
    if not isinstance(raw, dict):
        raise ParameterError(
            f"{path}, line {getattr(raw, 'line', 1)}: the file must be a mapping with the keys "
            f"'global' and 'chapters'; found {_kind(raw)}."
        )
    unknown_top = set(raw) - {"global", "chapters"}
    if unknown_top:
        raise ParameterError(
            f"{path}: unknown top-level keys {sorted(unknown_top)}; expected 'global' and "
            "'chapters'."
        )
    g = raw.get("global") or {}
    _expect_mapping(g, raw, "global", "'global'", path)
    missing = set(GLOBAL_SPECS) - set(g)
    if missing:
        raise ParameterError(f"{path}: 'global' lacks {sorted(missing)}.")
    glob = {
        name: check_global(name, value, f"{path}, {_line(g, name)} (global)")
        for name, value in g.items()
    }
    check_small_cells(glob, f"{path} (global)")
    chapters = raw.get("chapters") or {}
    _expect_mapping(chapters, raw, "chapters", "'chapters' (chapter slug: its groups)", path)
    if not chapters:
        raise ParameterError(f"{path}: 'chapters' lists no chapter.")
    for slug, entry in chapters.items():
        where = f"{path}, {_line(chapters, slug)} (chapters.{slug})"
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("groups"), dict)
            or not entry["groups"]
        ):
            raise ParameterError(
                f"{where}: expected a mapping with at least one entry under 'groups'; found "
                + (_kind(entry) if not isinstance(entry, dict) else _kind(entry.get("groups")))
                + " there."
            )
        allowed = entry.get("allowed", {}) or {}
        _expect_mapping(allowed, entry, "allowed", f"chapters.{slug}.allowed", path)
        for name, values in allowed.items():
            if not isinstance(values, list):
                raise ParameterError(
                    f"{path}, {_line(allowed, name)}: chapters.{slug}.allowed.{name} must be a "
                    f"list of values; found {_kind(values)}."
                )
        for group, overrides in entry["groups"].items():
            if not _NAME.match(str(group)):
                raise ParameterError(
                    f"{where}: group name {group!r} must be lower case letters, digits and _."
                )
            if overrides is not None:
                _expect_mapping(
                    overrides,
                    entry["groups"],
                    group,
                    f"group 'chapters.{slug}.groups.{group}' (its parameters)",
                    path,
                )
            for name, value in (overrides or {}).items():
                at = f"{path}, {_line(overrides, name)} (chapters.{slug}.groups.{group})"
                if name in GLOBAL_SPECS:
                    check_global(name, value, at)
                else:
                    check_allowed(name, value, allowed, at)
            check_small_cells(
                {**glob, **(overrides or {})}, f"{path} (chapters.{slug}.groups.{group})"
            )
    return Parameters(glob, _plain(chapters), path)


def check_global(name: str, value: Any, where: str) -> Any:
    if name not in GLOBAL_SPECS:
        raise ParameterError(
            f"{where}: unknown parameter '{name}'; global parameters are {', '.join(GLOBAL_SPECS)}."
        )
    return GLOBAL_SPECS[name].check(name, value, where)


def check_allowed(name: str, value: Any, allowed: dict[str, list[Any]], where: str) -> Any:
    if name not in allowed:
        raise ParameterError(
            f"{where}: parameter '{name}' has no 'allowed' list in {PARAMETERS_FILE}; "
            f"global parameters are {', '.join(GLOBAL_SPECS)}."
        )
    if value not in allowed[name]:
        raise ParameterError(
            f"{where}: parameter '{name}' = {value!r} is not allowed; expected one of "
            f"{', '.join(map(str, allowed[name]))}."
        )
    return value


def parse_cli_value(text: str) -> Any:
    """`-p weighted false` -> False, `-p conf_level 0.9` -> 0.9, `-p sector privat` -> 'privat'."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def override_run(run: Run, overrides: dict[str, Any], chapter_params: dict[str, Any]) -> Run:
    """A copy of ``run`` with command-line overrides, each validated.

    A name must be a global parameter or one in the chapter's `parameters` cell; a chapter
    parameter with an `allowed` list in `parameters.yml` must take one of those values, and
    otherwise must keep the type of its default.
    """
    params = copy.deepcopy(run.params)
    where = f"command line ({run.source.name})"
    for name, value in overrides.items():
        if name in GLOBAL_SPECS:
            params[name] = check_global(name, value, where)
        elif name in chapter_params:
            if name in run.allowed:
                check_allowed(name, value, run.allowed, where)
            else:
                default = chapter_params[name]
                if default is not None and type(value) is not type(default):
                    raise ParameterError(
                        f"{where}: parameter '{name}' = {value!r} has the wrong type; expected "
                        f"{type(default).__name__} like its default {default!r}."
                    )
            params[name] = value
        else:
            known = sorted(set(GLOBAL_SPECS) | set(chapter_params))
            raise ParameterError(
                f"{where}: unknown parameter '{name}'; this chapter takes {', '.join(known)}."
            )
    check_small_cells(params, where)
    return Run(run.slug, run.group, run.source, params, run.allowed)


EMBEDDED = "embedded"


def resolve_data_file(value: str, root: Path | None = None) -> Path:
    """The file behind the `data_file` parameter: 'embedded' or a path (relative to the project,
    or outside a project, as an installed package runs anywhere, to the current folder)."""
    if value == EMBEDDED:
        return root / paths.EMBEDDED_DATA_PATH if root else paths.embedded_data_path()
    root = root or paths.find_project_root() or Path.cwd()
    path = Path(value).expanduser()
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        try:
            os.stat(path)
            what = "not a file"
        except OSError as exc:
            what = (
                "a symbolic link that loops (it points, directly or not, back to itself)"
                if exc.errno == errno.ELOOP
                else "no such file"
            )
        raise ParameterError(
            f"parameter 'data_file' = {value!r}: {what} ({path}); expected 'embedded' or "
            "the path of a CSV, Parquet or SPSS (.sav) file."
        )
    return path


def public_data_file(value: str) -> str:
    """The `data_file` parameter as a page may show it: 'embedded' or the file's name only.

    A path reveals the analyst's machine (user name, folders), so pages never print one.
    """
    return value if value in (EMBEDDED, "none") else Path(str(value)).name


NO_MAPPING = "none"


def resolve_mapping_file(value: str, root: Path | None = None) -> Path | None:
    """The file behind the `data_mapping` parameter, or None for 'none'."""
    if value in (NO_MAPPING, ""):
        return None
    root = root or paths.find_project_root() or Path.cwd()
    path = Path(value).expanduser()
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise ParameterError(
            f"parameter 'data_mapping' = {value!r}: no such file ({path}); expected 'none' or the "
            "path of a mapping file (YAML, see docs/real-data.md)."
        )
    return path


def resolve_data(data_file: str, data_mapping: str = NO_MAPPING, root: Path | None = None):
    """The `data_file` and `data_mapping` parameters -> what a run loads and its provenance
    (:class:`lederuddannelse.data.mapping_report.ResolvedData`): a mapped export is mapped here."""
    from lederuddannelse.data.mapping_report import resolve_mapped

    root = root or paths.find_project_root()
    return resolve_mapped(
        resolve_data_file(data_file, root),
        resolve_mapping_file(data_mapping, root),
        root or Path.cwd(),
    )


def describe_parameters(path: Path | None = None) -> str:
    """A plain-text listing of every parameter, its value and what it may be."""
    params = load_parameters(path)
    lines = ["Global parameters (parameters.yml: global):"]
    for name, spec in GLOBAL_SPECS.items():
        allowed = (
            ", ".join(map(str, spec.choices))
            if spec.choices
            else f"{spec.low} to {spec.high}"
            if spec.low is not None
            else "see help"
        )
        lines.append(f"  {name} = {params.globals[name]!r}\n      {spec.help}; allowed: {allowed}")
    lines.append("Chapters and their parameter groups (parameters.yml: chapters):")
    for slug, entry in params.chapters.items():
        for group, overrides in entry["groups"].items():
            extra = ", ".join(f"{k}={v!r}" for k, v in (overrides or {}).items()) or "global values"
            lines.append(f"  {slug}-{group}: {extra}")
        for name, values in entry.get("allowed", {}).items():
            lines.append(f"      {name} allowed: {', '.join(map(str, values))}")
    return "\n".join(lines)


#: YAML 1.1 words that PyYAML reads as booleans; the book's files accept only true/false.
_YAML11_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}


def check_yaml_booleans(text: str, path: Path | str) -> None:
    """Refuse a YAML 1.1 boolean word (``weighted: yes``, ``on``, ``off``, ...): PyYAML reads
    it as true/false while YAML 1.2 and most readers take it as text, so its meaning depends on
    the reader. One message with the file and line; write true or false (or quote the text)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # the loader reports invalid YAML itself
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.tag.endswith(":bool") and node.style is None:
                if node.value.lower() in _YAML11_BOOLEANS:
                    raise ParameterError(
                        f"{path}, line {node.start_mark.line + 1}: {node.value!r} is read as a "
                        "true/false value by some YAML readers and as text by others; write "
                        "true or false (or quote it if text is meant)."
                    )
        elif isinstance(node, yaml.MappingNode):
            todo += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value


def group_name_warnings(params: Parameters) -> list[str]:
    """A warning for each parameter group named like a chapter (a page): `udbredelse` as a
    group of `hvem` publishes `hvem-udbredelse`, which readers and links confuse with the
    chapter `udbredelse`."""
    return [
        f"WARNING: {params.path}: group '{group}' of chapter '{slug}' has the name of the "
        f"chapter '{group}' (its page is '{slug}-{group}'); rename the group."
        for slug, entry in params.chapters.items()
        for group in entry["groups"]
        if group in params.chapters
    ]


def apply_data_overrides(globals_: dict[str, Any], data_file: str | None, mapping: str | None):
    """Set `data_file`/`data_mapping` from the command line (checked like parameters.yml's)."""
    for name, value in (("data_file", data_file), ("data_mapping", mapping)):
        if value is not None:
            globals_[name] = check_global(name, value, "command line")
    if data_file is not None and mapping is None:
        globals_["data_mapping"] = "none"
