"""The codebook: names, Danish labels, codes and routing of every survey variable.

Everything that shows or checks a variable reads it from ``data/codebook.yml`` through this
module, so a label is typed once and a real file with other wording needs one edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lederuddannelse import paths
from lederuddannelse.errors import DataValidationError

TYPES = ("id", "categorical", "ordinal", "binary", "weight")
_CONDITION = re.compile(r"^\s*(\w+)\s*(==|in)\s*(.+?)\s*$")


@dataclass(frozen=True)
class Condition:
    """A routing condition ``VAR in [a, b]`` or ``VAR == a``.

    Kept deliberately tiny (one variable, a set of codes) so that it can be read in the YAML
    by anyone and evaluated the same way by the loader, the generator and the chapters.
    """

    variable: str
    values: tuple[int, ...]
    text: str

    @classmethod
    def parse(cls, text: str) -> Condition:
        m = _CONDITION.match(text)
        if not m:
            raise ValueError(
                f"cannot read routing condition {text!r}; use 'VAR in [a, b]' or 'VAR == a'"
            )
        var, op, rhs = m.groups()
        parsed = yaml.safe_load(rhs)
        values = tuple(parsed) if op == "in" else (parsed,)
        if not all(isinstance(v, int) for v in values):
            raise ValueError(f"routing condition {text!r} must compare with integer codes")
        return cls(var, values, text.strip())

    def mask(self, df: pd.DataFrame) -> pd.Series:
        """True where the condition holds; False where it fails or its variable is missing."""
        return df[self.variable].isin(self.values)


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    question: str
    type: str
    codes: dict[int, str] = field(default_factory=dict)
    applies_to: Condition | None = None
    missing_ok: bool = False
    required: bool = True
    weighting: bool = False
    groupable: bool = False
    item_set: str | None = None

    @property
    def coded(self) -> bool:
        return self.type in ("categorical", "ordinal", "binary")

    @property
    def may_be_missing(self) -> bool:
        """Whether empty values can legitimately occur (routing or item non-response)."""
        return self.applies_to is not None or self.missing_ok


class Codebook:
    """Read access to ``data/codebook.yml``; see that file's header for the fields."""

    def __init__(self, spec: dict, path: Path | None = None):
        self.path = path
        self.title: str = spec.get("title", "")
        self.id_variable: str = spec["id_variable"]
        self.weight_variable: str | None = spec.get("weight_variable")
        self._vars: dict[str, Variable] = {}
        for entry in spec["variables"]:
            var = _variable(entry)
            if var.name in self._vars:
                raise ValueError(f"codebook: variable {var.name!r} is defined twice")
            self._vars[var.name] = var
        for var in self._vars.values():
            if var.applies_to and var.applies_to.variable not in self._vars:
                raise ValueError(
                    f"codebook: routing of {var.name!r} refers to unknown variable "
                    f"{var.applies_to.variable!r}"
                )
        self._derived: dict[str, dict] = {}
        for name, entry in (spec.get("derived") or {}).items():
            cond = entry.get("applies_to")
            self._derived[name] = {
                "label": entry["label"],
                "applies_to": Condition.parse(cond) if cond else None,
            }

    # -- lists ---------------------------------------------------------------------------
    @property
    def variables(self) -> list[str]:
        """All questionnaire variables in codebook (questionnaire) order."""
        return list(self._vars)

    @property
    def weighting_variables(self) -> list[str]:
        return [v.name for v in self._vars.values() if v.weighting]

    @property
    def groupable_variables(self) -> list[str]:
        return [v.name for v in self._vars.values() if v.groupable]

    @property
    def derived_variables(self) -> list[str]:
        return list(self._derived)

    def item_set(self, name: str) -> list[str]:
        """The items of a multiple-response question (``item_set: name``), in questionnaire
        order; the codebook is the one place that lists them."""
        items = [v.name for v in self._vars.values() if v.item_set == name]
        if not items:
            known = sorted({v.item_set for v in self._vars.values() if v.item_set})
            raise KeyError(f"codebook: no item set {name!r}; the codebook has {known}")
        return items

    # -- per variable --------------------------------------------------------------------
    def __contains__(self, name: str) -> bool:
        return name in self._vars or name in self._derived

    def variable(self, name: str) -> Variable:
        try:
            return self._vars[name]
        except KeyError:
            raise KeyError(f"{name!r} is not a codebook variable") from None

    def label(self, name: str) -> str:
        if name in self._derived:
            return self._derived[name]["label"]
        return self.variable(name).label

    def question(self, name: str) -> str:
        return self.variable(name).question

    def type(self, name: str) -> str:
        return self.variable(name).type

    def value_labels(self, name: str) -> dict[int, str]:
        """Codes to Danish labels, in display order (empty for id and weight)."""
        return dict(self.variable(name).codes)

    def groupable(self, name: str) -> bool:
        """May this variable split estimates into shown groups? (disclosure rule, part one)"""
        return name in self._vars and self._vars[name].groupable

    def applies_to(self, name: str) -> Condition | None:
        if name in self._derived:
            return self._derived[name]["applies_to"]
        return self.variable(name).applies_to

    def asked(self, df: pd.DataFrame, name: str) -> pd.Series:
        """Boolean mask of the respondents the question was put to (routing)."""
        cond = self.applies_to(name)
        if cond is None:
            return pd.Series(True, index=df.index)
        return cond.mask(df)

    def labelled(self, df: pd.DataFrame, name: str) -> pd.Series:
        """The coded column as an ordered-by-codebook categorical of Danish labels.

        Missing values (not asked) stay missing; an unknown code raises rather than turning
        silently into a missing value.
        """
        labels = self.value_labels(name)
        values = df[name]
        present = values.dropna()
        unknown = sorted(set(present.astype(int)) - set(labels))
        if unknown:
            raise DataValidationError(f"column {name!r}: codes {unknown} are not in the codebook")
        mapped = values.map(lambda v: labels[int(v)] if pd.notna(v) else np.nan)
        return pd.Series(
            pd.Categorical(
                mapped, categories=list(labels.values()), ordered=self.type(name) == "ordinal"
            ),
            index=df.index,
            name=name,
        )


def _variable(entry: dict) -> Variable:
    name = entry["name"]
    vtype = entry["type"]
    if vtype not in TYPES:
        raise ValueError(
            f"codebook: variable {name!r} has unknown type {vtype!r}; use one of {TYPES}"
        )
    codes = {int(k): str(v) for k, v in (entry.get("codes") or {}).items()}
    if vtype in ("categorical", "ordinal", "binary") and not codes:
        raise ValueError(f"codebook: coded variable {name!r} has no codes")
    cond = entry.get("applies_to")
    return Variable(
        name=name,
        label=entry["label"],
        question=entry.get("question") or "",
        type=vtype,
        codes=codes,
        applies_to=Condition.parse(cond) if cond else None,
        missing_ok=bool(entry.get("missing_ok", False)),
        required=bool(entry.get("required", True)),
        weighting=bool(entry.get("weighting", False)),
        groupable=bool(entry.get("groupable", False)),
        item_set=entry.get("item_set"),
    )


_CACHE: dict[Path, tuple[float, Codebook]] = {}


def default_path() -> Path:
    return paths.data_dir() / "codebook.yml"


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read the codebook (default ``data/codebook.yml``); cached per file and mtime."""
    p = Path(path) if path is not None else default_path()
    p = p.resolve()
    mtime = p.stat().st_mtime
    hit = _CACHE.get(p)
    if hit and hit[0] == mtime:
        return hit[1]
    with open(p, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    book = Codebook(spec, path=p)
    _CACHE[p] = (mtime, book)
    return book
