"""What several chapter pages share: the definitions' words, the status words of the findings
and the design restricted to the trained.

A chapter module imports this module and :mod:`lederuddannelse.chapters.base`, never another
chapter's module: a run's cache key covers the package modules its page imports, so an edit
to one chapter's module re-executes that chapter's runs only (``tests/chapters/
test_chapter_modules.py``).
"""

from __future__ import annotations

import pandas as pd

from lederuddannelse.analysis.compare import (
    item_label,
    lower_first,
    restricted_columns,
    trained_mask,
)
from lederuddannelse.analysis.specs import barrier_items, reason_items
from lederuddannelse.data.codebook import Condition, load_codebook
from lederuddannelse.errors import EstimationError
from lederuddannelse.report import keyfigures
from lederuddannelse.stats.design import SurveyDesign
from lederuddannelse.stats.disclosure import DERIVED, DisclosureSpec, LinkedSet

#: The report's two definitions of 'has taken the training' (narrow, broad) and this
#: edition's union of them (any), widest first.
DEFINITIONS = ("any", "narrow", "broad")
#: The definitions in their definite form, for "den samlede definition".
DEFINITE = {"any": "samlede", "narrow": "smalle", "broad": "brede"}
#: The trained indicators of the definitions, whose breakdowns by the same group the pages of
#: the definitions publish side by side: any = narrow + broad, so a group hidden for one must
#: be hidden for all (``SurveyDesign.proportion_across``).
TRAINED_BY_DEFINITION = tuple(f"trained_{d}" for d in DEFINITIONS)
#: The verdict on a finding, in the words of the ledger and the front page.
STATUS_TEXT = {True: "Holder", False: "Holder ikke", None: "Kan ikke afgøres"}


def provenance(ch, indicator: str, domain: str | None = None) -> str:
    """The kind of a number the page computes for ``indicator`` (a key figure's ``kind``):
    "calibrated" on synthetic data calibrated to a level this edition assumed, else
    "computed" (:func:`lederuddannelse.data.targets.computed_kind`)."""
    from lederuddannelse.data.targets import computed_kind

    return computed_kind(indicator.split("__")[0], domain, ch.synthetic)


def estimate_with_kind(ch, finding) -> str:
    """A finding's estimate for the ledger and the front page's table, with its kind where the
    synthetic data were calibrated to a level this edition assumed for it (F4's payment, F11's
    industries, and the findings resting on the assumed reasons, barriers and desire levels:
    :data:`~lederuddannelse.data.targets.ASSUMED_LEVEL_FINDINGS`)."""
    from lederuddannelse.data.targets import assumed_findings

    if ch.synthetic and finding.id in assumed_findings():
        return f"{finding.estimate} ({ASSUMED_MARK})"
    return finding.estimate


#: The short mark of an estimate on synthetic data calibrated to an assumed level (tables and
#: running text), and its explanation, said once on a page: under the key figures
#: (:func:`lederuddannelse.report.keyfigures.legend`) or in the caption of the one table that
#: carries the mark on a page without them.
ASSUMED_MARK = keyfigures.ASSUMED_MARK
ASSUMED_MARK_NOTE = keyfigures.ASSUMED_MARK_NOTE


def assumed_levels_sentence(ch, indicator: str) -> str:
    """The prose's provenance of the shares of ``indicator`` (a reason, a barrier, desire):
    on synthetic data calibrated to a level this edition assumed, the sentence says so; on a
    data file, that the shares are computed on it."""
    if provenance(ch, indicator) == "calibrated":
        return f"Rapporten giver ingen andele her, så tallene hviler på et {ASSUMED_MARK}."
    return "Andelene er beregnet på datafilen."


def assumed_industries(indicator: str = "trained_broad") -> list[str]:
    """The industries whose share trained under ``indicator`` (the report names them for the
    broad definition) the synthetic data are calibrated to at a level this edition assumed
    (``data/targets.yml``), in the codebook's words; none for an indicator without such levels."""
    from lederuddannelse.data.targets import load_targets

    labels = load_codebook().value_labels("industry")
    conditions = [
        Condition.parse(t.domain)
        for t in load_targets().values()
        if not t.published and t.indicator == indicator and t.domain != "all"
    ]
    return [
        lower_first(labels[int(v)])
        for c in conditions
        if c.variable == "industry"
        for v in c.values
    ]


def _listed(names: list[str]) -> str:
    quoted = [f"»{n}«" for n in names]
    return ", ".join(quoted[:-1]) + " og " + quoted[-1] if len(quoted) > 1 else "".join(quoted)


def industry_assumed_note(ch) -> str:
    """What the industry figures are on synthetic data: the report gives no industry figures,
    and the levels of the industries it names by words are this edition's assumption for the
    broad definition. Under another definition (``ch.trained``) the page's figures are only
    computed on data calibrated to those levels, not assumed levels themselves."""
    if not ch.synthetic:
        return "Rapporten giver ingen tal for brancherne."
    if assumed_industries(ch.trained):
        return (
            "Rapporten giver ingen tal for brancherne, så tallene for "
            + _listed(assumed_industries(ch.trained))
            + f" (bred definition) hviler på et {ASSUMED_MARK}."
        )
    return (
        "Rapporten giver ingen tal for brancherne. Data er kalibreret til niveauer, denne udgave "
        "har antaget for " + _listed(assumed_industries()) + " under den brede definition; "
        f"tallene her, efter {the_definition(ch)}, er beregnet på de data og er ikke selv "
        "antaget."
    )


def industry_assumed_mark(ch) -> str:
    """The short mark for a table or chart of the industries whose full note
    (:func:`industry_assumed_note`) the page's text gives once: '' on a data file and under a
    definition (``ch.trained``) without assumed industry levels."""
    if ch.synthetic and assumed_industries(ch.trained):
        return f"({ASSUMED_MARK} for de brancher, rapporten nævner)"
    return ""


def condition_text(cond: Condition | None) -> str:
    """A routing condition in Danish from the codebook: 'Branche: Bygge og anlæg'."""
    cb = load_codebook()
    if cond is None:
        return "Alle"
    labels = cb.value_labels(cond.variable)

    # the answer's head ('Ja, psykisk arbejdsmiljø var …' -> 'Ja'), each once; a label whose
    # first part is more than one word is a name with a comma ('Offentlig administration,
    # undervisning og sundhed') and is kept whole
    def head(label: str) -> str:
        first = label.split(",")[0].strip()
        return first if " " not in first else label

    heads = dict.fromkeys(head(labels.get(v, str(v))) for v in cond.values)
    return f"{cb.label(cond.variable)}: {' eller '.join(heads)}"


def status(holds: bool | None) -> str:
    """'Holder', 'Holder ikke' or 'Kan ikke afgøres'."""
    return STATUS_TEXT[holds]


def short_label(label: str) -> str:
    """'Har taget … (smal definition)' -> 'Smal definition': the part that differs."""
    if label.endswith(")") and "(" in label:
        inner = label[label.rindex("(") + 1 : -1]
        return inner[:1].upper() + inner[1:]
    return label


def definition_phrase(ch) -> str:
    """The page's definition in words for prose: 'samlet', 'smal definition', ..."""
    return short_label(load_codebook().label(ch.trained)).lower()


def the_definition(ch) -> str:
    """The page's definition with its article, for prose: 'den samlede definition', ..."""
    return f"den {DEFINITE[ch.params['definition']]} definition"


#: Suffix of the columns :func:`among_trained` adds: ``paid_by`` -> ``paid_by__trained``.
TRAINED = "trained"


def among_trained(ch, *variables: str, definition: str | None = None) -> SurveyDesign:
    """The chapter's design with ``{var}__trained`` columns: each variable kept for the
    managers trained under the page's definition (``ch.trained``; or under ``definition``)
    and missing for the others, so that an estimate of ``{var}__trained`` is one for that
    domain (weights and raking shared,
    :meth:`~lederuddannelse.stats.design.SurveyDesign.with_columns`)."""
    mask = trained_mask(ch)
    if definition is not None:
        mask = (ch.data[f"trained_{definition}"] == 1).to_numpy(dtype=bool)
    return ch.design.with_columns(restricted_columns(ch.data, variables, mask, TRAINED))


def across_definitions(ch, estimate, *variables: str) -> pd.DataFrame:
    """``estimate(trained)`` on :func:`among_trained` ``(ch, *variables)``, with every row
    (item, category or the one estimate) that the same estimate hides among the managers
    trained under another definition hidden here too, with the complements that needs.

    Why: the any-trained are the narrow- and the broad-trained together, so the weighted totals
    add up, N_any p_any = N_narrow p_narrow + N_broad p_broad, and each page shows N; a row
    hidden on one definition's page and shown on the two others would follow from them (the
    site audit's relation R3). As ``SurveyDesign.proportion_across`` for the shares trained by
    group: a row hidden for one definition is hidden for all, until nothing changes."""
    tables = {d: estimate(among_trained(ch, *variables, definition=d)) for d in DEFINITIONS}
    own = tables[ch.params["definition"]]
    key = next((c for c in ("item", "category") if c in own.columns), "variable")
    spec = (
        DisclosureSpec(
            size=(),
            shown_counts=("n_category",),
            sets=(LinkedSet((), "n_category", "min_count"),),
            derived=DERIVED,
        )
        if key == "category"
        else DisclosureSpec(derived=DERIVED)
    )
    out, hidden = tables, set()
    for _ in range(len(own) + 1):
        now = set().union(*(set(t.loc[t["suppressed"].astype(bool), key]) for t in out.values()))
        if now <= hidden:
            break
        hidden |= now
        out = {d: _also_hidden(ch.design.policy, t, key, hidden, spec) for d, t in tables.items()}
    result = out[ch.params["definition"]]
    if "rank" in result.columns:  # a hidden item ranks last, as multi_response ranks it
        rank = result["estimate"].fillna(-1.0).rank(ascending=False, method="first")
        result = result.assign(rank=rank.astype(int)).sort_values("rank", kind="stable")
    return result.reset_index(drop=True)


def _also_hidden(policy, table: pd.DataFrame, key: str, hidden: set, spec) -> pd.DataFrame:
    """``table`` (as the statistics layer published it) with its rows whose ``key`` is in
    ``hidden`` suppressed too, by the policy (complements included); unchanged when it hides
    them already (the policy is not applied twice to a protected table for nothing: its hidden
    counts read as zero there)."""
    derived = table[key].isin(hidden).to_numpy(dtype=bool)
    if not (derived & ~table["suppressed"].to_numpy(dtype=bool)).any():
        return table
    return policy.apply(table.assign(**{DERIVED: derived}), spec)


def reason_labels() -> dict[str, str]:
    """The reasons for taking the training (asked of the trained) as columns of
    :func:`among_trained` (``reason_x__trained``) -> label (multiple responses)."""
    return {f"{v}__{TRAINED}": item_label(v) for v in reason_items()}


def barrier_labels() -> dict[str, str]:
    """The reasons for not taking it (asked of managers with no PWE training at all):
    column -> label (multiple responses)."""
    return {v: item_label(v) for v in barrier_items()}


def fitted(estimator, formula: str):
    """``estimator(formula)`` (``design.logistic``, ``design.ordinal`` …), or the
    :class:`~lederuddannelse.errors.EstimationError` that says why the model cannot be fitted
    on this data file (too few answers, separation): the page then says so instead of
    failing."""
    try:
        return estimator(formula)
    except EstimationError as exc:
        return exc
