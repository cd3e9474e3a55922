"""The report's levels and this edition's assumed levels: the only reader of ``data/targets.yml``.

One fact, one place. A level the report publishes (the shares trained under each definition,
and the share of the trained who took it after 2020) is typed once, in ``data/targets.yml``
with ``kind: published``; the generator calibrates the synthetic data to it, the claims
ledger checks an estimate against it, and the chapters show it beside their own estimate
(a "Rapporten: ..." mark). Nothing else in src/ or tests/ may type it (a test checks).
Where the report gives only a direction ("langt størstedelen", "lidt over halvdelen",
"relativt få") the synthetic data still need a level; those are ``kind: assumed`` and a page
must never present them as the report's.

Every number on a page is therefore one of three kinds (:data:`KINDS` plus "computed"):
*published* by the report, *assumed* by this edition to calibrate the synthetic data, or
*computed* from the data file in use. :data:`KIND_LABELS` gives the Danish words for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lederuddannelse import paths
from lederuddannelse.errors import DataValidationError
from lederuddannelse.report.keyfigures import PROVENANCE

#: The kinds a level in targets.yml can have.
KINDS = ("published", "assumed")
#: How a page names each kind of number (the third kind, computed, is every estimate).
#: "assumed" and "calibrated" in the key figures' words (one wording, lower case here).
KIND_LABELS = {
    "published": "offentliggjort i rapporten",
    "assumed": PROVENANCE["assumed"][:1].lower() + PROVENANCE["assumed"][1:],
    "computed": "beregnet på datafilen",
    "calibrated": PROVENANCE["calibrated"][:1].lower() + PROVENANCE["calibrated"][1:],
}
#: The findings each group of ``assumed_levels`` stands behind (the reasons' ranking and the
#: sectors' reasons; the barriers by manager type and sector; desire and what goes with it).
ASSUMED_LEVEL_FINDINGS = {"reasons": "F3, F14", "barriers": "F9, F13", "desire": "F5–F7, F12"}
_FIELDS = ("id", "finding", "indicator", "domain", "share", "kind", "report_says", "note")


@dataclass(frozen=True)
class Target:
    """One level of ``data/targets.yml``.

    ``indicator`` is a 0/1 column after :func:`lederuddannelse.data.derive.add_derived` and
    ``domain`` who the share is among ("all" or a codebook condition such as
    ``training in [1, 2]``). ``report_says`` is the report's own Danish wording of the claim
    (a figure or a direction), ``note`` says what the level is and, for an assumed one, why
    this value was chosen.
    """

    id: str
    finding: str
    indicator: str
    domain: str
    share: float
    kind: str
    report_says: str
    note: str
    report_short: str = ""

    @property
    def published(self) -> bool:
        return self.kind == "published"


def targets_path() -> Path:
    return paths.data_dir() / "targets.yml"


def _check(spec: object, where: Path) -> list[str]:
    problems: list[str] = []
    if not isinstance(spec, dict) or not isinstance(spec.get("targets"), list):
        return ["needs a top-level list 'targets'"]
    seen: set[str] = set()
    for i, t in enumerate(spec["targets"], start=1):
        label = f"target {i}" + (f" ({t.get('id')})" if isinstance(t, dict) else "")
        if not isinstance(t, dict):
            problems.append(f"{label}: expected a mapping with {', '.join(_FIELDS)}")
            continue
        missing = [f for f in _FIELDS if f not in t]
        if missing:
            problems.append(f"{label}: missing {', '.join(missing)}")
            continue
        if t["kind"] not in KINDS:
            problems.append(f"{label}: kind {t['kind']!r}, expected one of {', '.join(KINDS)}")
        share = t["share"]
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share < 1:
            problems.append(f"{label}: share {share!r}, expected a number between 0 and 1")
        if t["id"] in seen:
            problems.append(f"{label}: id {t['id']!r} appears twice")
        seen.add(t["id"])
    levels = spec.get("assumed_levels", {})
    if not isinstance(levels, dict):
        problems.append("assumed_levels: expected a mapping")
    return problems


@lru_cache(maxsize=8)
def _load(path: str, stamp: tuple[int, int]) -> tuple[dict[str, Target], dict, dict]:
    p = Path(path)
    try:
        spec = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataValidationError(f"{p}: not valid YAML ({exc})") from None
    problems = _check(spec, p)
    if problems:
        raise DataValidationError(f"{p}: " + "; ".join(problems))
    targets = {
        t["id"]: Target(
            **{f: (float(t[f]) if f == "share" else str(t[f])) for f in _FIELDS},
            report_short=str(t.get("report_short", "")),
        )
        for t in spec["targets"]
    }
    return targets, dict(spec.get("assumed_levels") or {}), dict(spec.get("report") or {})


def _read(path: str | Path | None) -> tuple[dict[str, Target], dict, dict]:
    p = Path(path) if path is not None else targets_path()
    if not p.is_file():
        raise DataValidationError(f"{p}: file not found (the report's and the assumed levels)")
    st = p.stat()
    return _load(str(p.resolve()), (st.st_mtime_ns, st.st_size))


def load_targets(path: str | Path | None = None) -> dict[str, Target]:
    """Every level of targets.yml (published and assumed), keyed by id, in file order."""
    return dict(_read(path)[0])


def assumed_levels(path: str | Path | None = None) -> dict:
    """Levels the generator needs that the report does not give even as a direction (shares
    by reason and barrier, the desire distribution). All of kind assumed."""
    return dict(_read(path)[1])


def report_fact(name: str, path: str | Path | None = None):
    """What the report states about its own survey (``report:`` in targets.yml), e.g.
    ``respondents_over``: it was answered by over that many managers. Published."""
    facts = _read(path)[2]
    if name not in facts:
        raise DataValidationError(f"{path or targets_path()}: 'report' has no {name!r}")
    return facts[name]


def assumed_findings(path: str | Path | None = None) -> set[str]:
    """The findings whose numbers on the synthetic data rest on a level this edition assumed:
    the findings of the ``kind: assumed`` targets and those :data:`ASSUMED_LEVEL_FINDINGS`
    names (a range such as "F5–F7" spelled out)."""
    out = {t.finding for t in load_targets(path).values() if not t.published}
    for ids in ASSUMED_LEVEL_FINDINGS.values():
        for part in ids.split(", "):
            first, _, last = part.partition("–")
            if last:
                out |= {f"F{k}" for k in range(int(first[1:]), int(last[1:]) + 1)}
            else:
                out.add(first)
    return out


def assumed_indicators(path: str | Path | None = None) -> dict[str, set[str]]:
    """Every indicator whose level in the synthetic data is this edition's assumption, with
    the domains it holds in ("all", or a condition such as ``industry == 3``): the targets of
    ``kind: assumed``, and every reason, barrier and the desire scale of ``assumed_levels``.
    A share computed on the synthetic data for one of them is "calibrated" (see
    :func:`computed_kind`), never a finding about real managers."""
    out: dict[str, set[str]] = {}
    for t in load_targets(path).values():
        if not t.published:
            out.setdefault(t.indicator, set()).add(t.domain)
    levels = assumed_levels(path)
    for group in ("reasons", "barriers"):
        for name in levels.get(group) or {}:
            out.setdefault(str(name), set()).add("all")
    if levels.get("desire"):
        out.setdefault("desire", set()).add("all")
    # the answers an assumed indicator is derived from (derive.add_derived), and back
    for source, derived in _DERIVED_FROM.items():
        for ind in derived:
            if ind in out:
                out.setdefault(source, set()).update(out[ind])
        if source in out:
            for ind in derived:
                out.setdefault(ind, set()).update(out[source])
    return out


#: An answer variable and the 0/1 indicators derived from it (lederuddannelse.data.derive).
_DERIVED_FROM = {
    "paid_by": ("paid_by_workplace",),
    "pay_self": ("willing_to_pay", "unwilling_to_pay"),
    "desire": ("high_desire",),
}


def computed_kind(indicator: str, domain: str | None = None, synthetic: bool = True) -> str:
    """The provenance of a number computed for ``indicator`` (among ``domain``): "calibrated"
    when the synthetic data were calibrated to a level this edition assumed for it (the number
    then mostly returns the assumption), else "computed". ``domain`` None is the indicator's
    own population (all managers, or those asked: the trained, the untrained), not a subgroup
    such as an industry. A real data file is always "computed"."""
    domains = assumed_indicators().get(indicator, set())
    if domain is None:
        hit = any(d == "all" or d.startswith("training") for d in domains)
    else:
        hit = domain in domains
    return "calibrated" if synthetic and hit else "computed"


def published_levels(path: str | Path | None = None) -> dict[str, Target]:
    """The levels the report itself publishes (``kind: published``), keyed by id."""
    return {k: t for k, t in load_targets(path).items() if t.published}


def report_level(target_id: str) -> float:
    """The report's published share for ``target_id`` (e.g. ``"F1a"``).

    Raises if the target is only assumed: an assumed level must never be shown or tested as
    the report's figure.
    """
    t = load_targets()[target_id]
    if not t.published:
        raise ValueError(f"{target_id} is an assumed level (kind: {t.kind}), not the report's")
    return t.share


def report_figure(target_id: str) -> str:
    """What the report says for ``target_id``, for a "Rapporten: ..." mark: its published
    figure (in per cent) or, for an assumed level, only the report's own words ("langt
    størstedelen"), never the assumed number."""
    from lederuddannelse.report.fmt import pct

    t = load_targets()[target_id]
    if t.published:
        return pct(t.share)
    if not t.report_short:
        raise ValueError(f"{target_id}: the report gives neither a figure nor a word for it")
    return t.report_short
