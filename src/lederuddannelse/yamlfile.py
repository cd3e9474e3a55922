"""The book's YAML files (`parameters.yml`, mapping files) read with the line of every key and
item, and checked against a JSON schema, so that every problem names the file and the line.

One reader for both: :func:`load_yaml` parses with PyYAML's ``SafeLoader`` (its documented
constructor hooks record each mapping's key lines; the values are what ``yaml.safe_load``
gives), refuses nothing itself but lists what YAML would silently accept (a key given twice,
of which YAML keeps the last; a YAML 1.1 boolean word such as ``yes`` that other readers take
as text). :func:`schema_problems` validates the data with :mod:`jsonschema` and turns each
error into one sentence with the line of the key it concerns; a schema's ``description``
says, in a reader's words, what a value must be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

__all__ = ["YamlDoc", "YamlFileError", "load_schema", "load_yaml", "schema_problems"]

#: YAML 1.1 words that PyYAML reads as booleans but YAML 1.2 (and most readers) as text.
YAML11_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}
_MERGE = "tag:yaml.org,2002:merge"


class YamlFileError(Exception):
    """A file that cannot be read as YAML: its line (0 if unknown) and the problem."""

    def __init__(self, path: Path, line: int, problem: str):
        super().__init__(problem)
        self.path, self.line, self.problem = path, line, problem


@dataclass(frozen=True)
class Duplicate:
    """A key given twice in one mapping: where, and the line of its first occurrence."""

    key: tuple
    line: int
    first: int


@dataclass
class YamlDoc:
    """A YAML file as read: plain data, and the line of each key or item by its key path."""

    path: Path
    data: Any
    #: ``('chapters', 'hvem', 'groups')`` -> the line of that key; list items by index
    lines: dict[tuple, int] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)
    #: (line, word) of every unquoted YAML 1.1 boolean word (``yes``, ``off``, ...)
    yaml11_booleans: list[tuple[int, str]] = field(default_factory=list)

    def line(self, *key: Any) -> int:
        """The line of ``key`` (a key path), or of its deepest known parent; 0 if none."""
        for i in range(len(key), -1, -1):
            if key[:i] in self.lines:
                return self.lines[key[:i]]
        return 0


class _Mapping(dict):
    line = 0
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int, int]]


class _Sequence(list):
    line = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` whose mappings and sequences remember their lines."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.booleans: list[tuple[int, str]] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Mapping:
    lines: dict[Any, int] = {}
    duplicates = []
    for key_node, _ in node.value:
        if key_node.tag == _MERGE:  # '<<: *anchor' merges keys, it is not a key
            continue
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            if key in lines:
                duplicates.append((key, line, lines[key]))
                continue
        except TypeError:  # an unhashable key: construct_mapping below says so
            continue
        lines[key] = line
    out = _Mapping(loader.construct_mapping(node, deep=True))
    out.line, out.key_lines, out.duplicates = node.start_mark.line + 1, lines, duplicates
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _Sequence:
    out = _Sequence(loader.construct_sequence(node, deep=True))
    out.line = node.start_mark.line + 1
    out.item_lines = [item.start_mark.line + 1 for item in node.value]
    return out


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool:
    if node.style is None and node.value.lower() in YAML11_BOOLEANS:
        loader.booleans.append((node.start_mark.line + 1, node.value))
    return loader.construct_yaml_bool(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def load_yaml(path: str | Path) -> YamlDoc:
    """Read ``path``; raise :class:`YamlFileError` (with the line) if it is not valid YAML,
    ``FileNotFoundError`` if it does not exist."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        raw = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlFileError(path, mark.line + 1 if mark else 0, problem) from None
    finally:
        loader.dispose()
    doc = YamlDoc(path, None, yaml11_booleans=sorted(loader.booleans))
    doc.data = _plain(raw, (), doc)
    doc.duplicates.sort(key=lambda d: d.line)
    return doc


def _plain(value: Any, key: tuple, doc: YamlDoc) -> Any:
    """Ordinary dicts and lists, recording the lines of their keys and items in ``doc``."""
    if isinstance(value, _Mapping):
        doc.lines.setdefault(key, value.line)
        for k, first, again in value.duplicates:
            doc.duplicates.append(Duplicate(key + (k,), first, again))
        for k, line in value.key_lines.items():
            doc.lines[key + (k,)] = line
        return {k: _plain(v, key + (k,), doc) for k, v in value.items()}
    if isinstance(value, _Sequence):
        doc.lines.setdefault(key, value.line)
        for i, line in enumerate(value.item_lines):
            doc.lines[key + (i,)] = line
        return [_plain(v, key + (i,), doc) for i, v in enumerate(value)]
    return value


# --- the schema --------------------------------------------------------------------------------
@cache
def load_schema(package: str, name: str) -> dict:
    """A JSON schema shipped with the package (``files(package) / name``)."""
    return json.loads(files(package).joinpath(name).read_text(encoding="utf-8"))


def kind(value: Any) -> str:
    """What a value is, as a message says it: 'a mapping', 'a list', 'the value 3'."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"the value {value!r}"


def dotted(key: tuple) -> str:
    return ".".join(map(str, key))


def schema_problems(doc: YamlDoc, schema: dict) -> list[tuple[int, tuple, str]]:
    """Every way ``doc.data`` breaks ``schema``, as (line, key path, sentence), by line.

    A sentence names the key and what was expected (the schema's ``description``), e.g.
    ``'chapters' must be a mapping (chapter slug: its groups); found a list``.
    """
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    out = []
    for error in validator.iter_errors(doc.data):
        key = tuple(error.absolute_path)
        line, key, text = _sentence(error, key, doc)
        out.append((line, key, text))
    return sorted(out, key=lambda p: (p[0], len(p[1])))


def _sentence(error, key: tuple, doc: YamlDoc) -> tuple[int, tuple, str]:
    schema = error.schema
    what = schema.get("description", "")
    name = f"'{dotted(key)}'" if key else "the file"
    rule = error.validator
    if rule == "additionalProperties":
        allowed = schema.get("properties", {})
        extra = [k for k in error.instance if k not in allowed]
        at = key + (extra[0],)
        return (
            doc.line(*at),
            at,
            f"unknown key {extra[0]!r} in {name}; expected {', '.join(allowed)}",
        )
    if rule == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        sub = schema.get("properties", {}).get(missing[0], {}).get("description")
        return (
            doc.line(*key),
            key,
            f"{name} needs the key {missing[0]!r}" + (f": {sub}" if sub else ""),
        )
    if rule == "dependentRequired":  # a key that needs another
        given = next(
            k
            for k, needs in error.validator_value.items()
            if k in error.instance and any(n not in error.instance for n in needs)
        )
        need = next(n for n in error.validator_value[given] if n not in error.instance)
        at = key + (given,)
        return doc.line(*at), at, f"'{dotted(at)}' needs '{dotted(key + (need,))}'"
    if "propertyNames" in list(error.schema_path)[-2:-1]:  # a key's name (not its value)
        at = key + (error.instance,)
        return doc.line(*at), at, f"{name}: the name {error.instance!r} must be {what}"
    if rule == "maxItems":
        n = len(error.instance)
        return doc.line(*key), key, f"{name} has {n} entries; expected {what}"
    if rule in ("minItems", "minLength"):
        return doc.line(*key), key, f"{name} is empty; expected {what}"
    if rule == "minProperties":
        return doc.line(*key), key, f"{name} is empty; expected {what} with at least one entry"
    if rule in ("type", "const", "enum"):
        found = kind(error.instance)
        if rule == "enum":
            expected = what or "one of " + ", ".join(map(str, error.validator_value))
            return doc.line(*key), key, f"{name} = {error.instance!r} must be {expected}"
        return doc.line(*key), key, f"{name} must be {what or error.message}; found {found}"
    return doc.line(*key), key, f"{name}: {error.message}" + (f" (expected {what})" if what else "")
