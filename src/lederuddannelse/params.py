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
from lederuddannelse.yamlfile import YamlDoc, YamlFileError, load_schema, load_yaml, schema_problems

PARAMETERS_FILE = "parameters.yml"
#: The shape of parameters.yml (package data, JSON schema)
SCHEMA_FILE = "parameters.schema.json"


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
    """A run's parameters as a reader says them, as a Danish list of what was chosen, then the
    rules of what is shown as their own clause: 'samlet definition, vægtede tal, … og offentlig
    sektor; tal vises fra 30 svar, og antal under 5 vises ikke': the notice of every page, the
    page footer and the citation note (never 'weighted = true', nor a chain of colons, nor a
    rule listed as if it were one more thing chosen)."""
    from lederuddannelse.report.fmt import level_pct, number

    parts = []
    rules = []  # what is shown: clauses, not noun phrases, so not part of the list
    # in the order of parameters.yml (a page's metadata may hold them sorted by name)
    # a chapter's own parameter (the sector) right after the definition, so that it is not
    # read as part of the last item (»intet antal under 5 og offentlig sektor«)
    own = [k for k in params if k not in GLOBAL_SPECS]
    order = [k for k in GLOBAL_SPECS if k in params]
    at = order.index("definition") + 1 if "definition" in order else len(order)
    order = order[:at] + own + order[at:]
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
            # unweighted, there is no raking whose uncertainty a standard error could carry
            parts.append(
                "standardfejl uden vægte"
                if not params.get("weighted", True)
                else "standardfejl med vægtningens usikkerhed"
                if value
                else "standardfejl med vægtene som faste"
            )
        elif key == "conf_level":
            parts.append(f"konfidensniveau {level_pct(value)}")
        elif key == "min_n":
            rules.append(f"tal vises fra {number(value)} svar")
        elif key == "min_count":
            rules.append(f"antal under {number(value)} vises ikke")
        elif key == "allow_small_cells":
            if value:  # the default (false) goes without saying
                parts.append("små celler tilladt (allow_small_cells)")
        elif key == "sector":
            parts.append(f"{value} sektor")
        else:
            parts.append(f"{key} {value}")
    chosen = " og ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " og " + parts[-1]
    shown = ", og ".join(rules)
    return "; ".join(t for t in (chosen, shown) if t)


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


def _line(doc: YamlDoc, *key: Any) -> str:
    """'line N' of a key path in parameters.yml."""
    n = doc.line(*key)
    return f"line {n}" if n else "line ?"


def load_parameters(path: Path | str | None = None) -> Parameters:
    """Read and validate `parameters.yml`; every problem names the file, the line and the key.

    The file's shape is checked against ``parameters.schema.json`` (shipped with the package);
    the values against :data:`GLOBAL_SPECS` and the chapters' `allowed` lists.
    """
    path = Path(path) if path else project_root() / PARAMETERS_FILE
    try:
        doc = load_yaml(path)
    except FileNotFoundError:
        raise ParameterError(f"{path}: parameters file not found.") from None
    except YamlFileError as exc:
        where = f"{path}, line {exc.line}" if exc.line else f"{path}"
        raise ParameterError(f"{where}: not valid YAML ({exc.problem}).") from None
    # one message: the first problem in the file
    if doc.duplicates:
        dup = doc.duplicates[0]
        raise ParameterError(
            f"{path}, line {dup.line}: key '{dup.key[-1]}' occurs twice in the same mapping "
            f"(first on line {dup.first}); YAML would silently keep the last one. Keep one."
        )
    if doc.yaml11_booleans:
        line, word = doc.yaml11_booleans[0]
        raise ParameterError(
            f"{path}, line {line}: {word!r} is read as a true/false value by some YAML readers "
            "and as text by others; write true or false (or quote it if text is meant)."
        )
    shape = schema_problems(doc, load_schema("lederuddannelse", SCHEMA_FILE))
    if shape:
        line, _, text = shape[0]
        raise ParameterError(f"{path}, line {line or '?'}: {text}.")
    raw = {} if doc.data is None else doc.data
    g = raw.get("global") or {}
    missing = set(GLOBAL_SPECS) - set(g)
    if missing:
        raise ParameterError(f"{path}: 'global' lacks {sorted(missing)}.")
    glob = {
        name: check_global(name, value, f"{path}, {_line(doc, 'global', name)} (global)")
        for name, value in g.items()
    }
    check_small_cells(glob, f"{path} (global)")
    chapters = raw.get("chapters") or {}
    if not chapters:
        raise ParameterError(f"{path}: 'chapters' lists no chapter.")
    for slug, entry in chapters.items():
        allowed = entry.get("allowed") or {}
        for group, overrides in entry["groups"].items():
            for name, value in (overrides or {}).items():
                key = ("chapters", slug, "groups", group, name)
                at = f"{path}, {_line(doc, *key)} (chapters.{slug}.groups.{group})"
                if name in GLOBAL_SPECS:
                    check_global(name, value, at)
                else:
                    check_allowed(name, value, allowed, at)
            check_small_cells(
                {**glob, **(overrides or {})}, f"{path} (chapters.{slug}.groups.{group})"
            )
        if "switch" in entry:
            check_switch(
                slug,
                entry,
                glob,
                f"{path}, {_line(doc, 'chapters', slug, 'switch')} (chapters.{slug})",
            )
    return Parameters(glob, chapters, path)


def switch_members(groups: list[tuple[str, dict[str, Any]]], switch: str | None) -> list[str]:
    """The groups (name, full parameters) that join a chapter's switch on ``switch``: the
    first, and each later one that differs from it in ``switch`` alone, with a value no earlier
    page of the switch has (:mod:`lederuddannelse.variants`)."""
    if switch is None:
        return []

    def rest(p: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in p.items() if k != switch}

    first = rest(groups[0][1])
    members, seen = [], []
    for group, p in groups:
        if rest(p) == first and p.get(switch) not in seen:
            members.append(group)
            seen.append(p.get(switch))
    return members


def check_switch(slug: str, entry: dict[str, Any], globals_: dict[str, Any], where: str) -> None:
    """A chapter's ``switch`` names one of its parameters, and at least two of its groups join
    it; else one message naming the file and line (``where``)."""
    name = entry["switch"]
    allowed = entry.get("allowed") or {}
    if not isinstance(name, str) or not (name in GLOBAL_SPECS or name in allowed):
        raise ParameterError(
            f"{where}: switch {name!r} is not a parameter of chapter '{slug}'; a switch names "
            f"one parameter: a global one ({', '.join(GLOBAL_SPECS)}) or one under 'allowed'."
        )
    groups = [(g, {**globals_, **(o or {})}) for g, o in entry["groups"].items()]
    if len(switch_members(groups, name)) < 2:
        raise ParameterError(
            f"{where}: no group of chapter '{slug}' differs from its first group "
            f"'{groups[0][0]}' in '{name}' alone, so the switch on '{name}' would have one page. "
            f"Give each page of the switch its own value of '{name}' and no other difference, "
            "or remove the switch."
        )


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
