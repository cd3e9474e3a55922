"""Group comparisons shared by the chapters on motives, manager type and sector.

Why a module of its own: three chapters compare two groups (managers of managers vs managers
of employees, private vs public sector) on the same kinds of items (reasons, barriers,
attitudes). Each comparison needs the same three pieces, computed one way only:

- the share in each group, with its CI and n (``SurveyDesign.proportion`` by group);
- the difference between the groups with its CI and design-based t test
  (``SurveyDesign.difference``);
- glued Danish text for the prose, including a phrase for the direction of the difference
  that follows the test, so that the prose never asserts a direction the data do not show.

Domains are made explicit as derived columns (NaN = outside the domain), since the statistics
layer treats NaN as "not in the domain" and keeps the full sample for the variance (R's domain
estimation). The helpers here return the columns' values; a chapter adds them to a new design
with :meth:`~lederuddannelse.stats.design.SurveyDesign.with_columns`, so the chapter's data
frame stays as loaded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lederuddannelse.analysis.specs import agree_codes, agree_text
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.data.derive import code_indicator
from lederuddannelse.report.fmt import (
    NO_ESTIMATE,
    SUPPRESSED,
    ci_plural,
    count_of,
    n_by_group,
    n_is,
    pct,
    points,
    pvalue,
    share,
    share_ci,
)

# -------------------------------------------------------------------- labels and columns


def item_label(var: str) -> str:
    """The codebook label without its question prefix: 'Grund: Karrieremuligheder' ->
    'Karrieremuligheder' (the table or chart title says whether it is a reason or a barrier)."""
    label = load_codebook().label(var)
    return label.split(": ", 1)[1] if ": " in label else label


def group_codes(var: str) -> list[int]:
    """The codes of a grouping variable in codebook order (never typed in a chapter)."""
    return list(load_codebook().value_labels(var))


def group_label(var: str, code) -> str:
    return load_codebook().value_labels(var)[int(code)]


def comparison_order(var: str) -> tuple[int, int]:
    """The one order of a two-group comparison everywhere on the site (pages, ledger, CSVs):
    the codebook's second category minus its first (ledere af ledere minus ledere af
    medarbejdere; privat minus offentlig sektor), so a difference has the same sign on every
    page that shows it, and :func:`order_text` names the order beside it."""
    first, second = group_codes(var)[:2]
    return second, first


def order_text(var: str, a=None, b=None) -> str:
    """'ledere af ledere minus ledere af medarbejdere': the order of a difference, in words."""
    if a is None:
        a, b = comparison_order(var)
    return f"{lower_first(group_label(var, a))} minus {lower_first(group_label(var, b))}"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def restricted(data: pd.DataFrame, var: str, mask) -> np.ndarray:
    """``var`` within a domain (``mask`` True), NaN elsewhere: e.g. the reasons among those
    trained under the page's definition, not among everybody who was asked."""
    x = pd.to_numeric(data[var], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.asarray(mask, dtype=bool), x, np.nan)


def restricted_columns(data: pd.DataFrame, variables, mask, suffix: str) -> dict[str, np.ndarray]:
    """``{"{var}__{suffix}": restricted(var)}`` for each variable, in order: the columns to add
    to a design with :meth:`SurveyDesign.with_columns` (the chapter's data stay as loaded)."""
    return {f"{v}__{suffix}": restricted(data, v, mask) for v in variables}


def trained_mask(ch) -> np.ndarray:
    """Respondents trained under the page's definition (``ch.trained``)."""
    return (ch.data[ch.trained] == 1).to_numpy(dtype=bool)


def agreement(data: pd.DataFrame, var: str) -> np.ndarray:
    """Dichotomise a five-point agree scale: 1 = the two highest codes ('Delvist enig',
    'Helt enig'), 0 = any other answer, NaN = no answer.

    Why the top two: the report states these items as "vurderer i højere grad", i.e. the share
    who agree; a share with a CI reads more plainly than a mean of a 1-5 scale. The codes come
    from the codebook's scale, in order, so a file with other codes needs a codebook edit only.
    """
    return code_indicator(data[var], agree_codes(var))  # one rule, shared with the ledger


def agree_label(var: str) -> str:
    """'<codebook label> (enig)': short enough for a chart axis; :func:`agree_note` says what
    'enig' means, from the codebook's value labels."""
    return agree_text(var)


def agree_answers(var: str) -> str:
    """'delvist enig eller helt enig': the scale's two top value labels, for prose."""
    labels = load_codebook().value_labels(var)
    top = [lower_first(labels[c]) for c in sorted(labels)[-2:]]
    return f"{top[0]} eller {top[1]}"


def agree_note(var: str) -> str:
    """'enig = delvist enig eller helt enig', for a chart's subtitle."""
    return f"enig = {agree_answers(var)}"


# -------------------------------------------------------------------- comparisons


def compare(design, items: dict[str, str], by: str, a, b) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare groups ``by == a`` and ``by == b`` on each 0/1 item of ``design``.

    ``items`` maps a column (possibly a derived domain column, see
    :meth:`SurveyDesign.with_columns`) to its Danish label. Returns
    ``(shares, tests)``: ``shares`` has one row per item and group (``item, label, group,
    estimate, ci_low, ci_high, n, suppressed``), in item order then ``a``, ``b``; ``tests`` has
    one row per item with the difference ``a - b``, its CI and p-value
    (``SurveyDesign.difference``).
    """
    shares, tests = [], []
    name_a, name_b = group_label(by, a), group_label(by, b)
    for var, label in items.items():
        t = design.proportion(var, by=by)
        for code, name in ((a, name_a), (b, name_b)):
            row = t[t[by] == code]
            if row.empty:  # no respondent of this group in the item's domain
                row = pd.DataFrame(
                    [
                        {
                            by: code,
                            "estimate": np.nan,
                            "ci_low": np.nan,
                            "ci_high": np.nan,
                            "n": 0,
                            "suppressed": True,
                        }
                    ]
                )
            row = row.iloc[[0]].assign(item=var, label=label, group=name)
            shares.append(
                row[["item", "label", "group", "estimate", "ci_low", "ci_high", "n", "suppressed"]]
            )
        d = design.difference(var, by, a, b)
        d.insert(0, "label", label)
        d.insert(0, "item", var)
        tests.append(d)
    shares_df = pd.concat(shares, ignore_index=True)
    tests_df = pd.concat(tests, ignore_index=True)
    tests_df["group_a"], tests_df["group_b"] = name_a, name_b
    return shares_df, tests_df


def significant(row, conf_level: float) -> bool:
    p = row.get("p_value", np.nan)
    return bool(not row.get("suppressed", False) and pd.notna(p) and p < 1 - conf_level)


# -------------------------------------------------------------------- text for glue


def glue_share(ch, name: str, row) -> None:
    """Glue ``name`` ('27 pct.') and ``{name}_ci`` ('95 %-KI: 25–29 pct., n = 1.234')."""
    ch.glue(name, share(row))
    ch.glue(f"{name}_ci", share_ci(row, ch.params["conf_level"]))


#: How a compared item reads in a sentence: ``verb`` (»svarer«), ``lead`` (what follows
#: »oftere«, e.g. »enige i,«) and ``clause`` (»at de mangler tid«), so that
#: »{group} {verb} oftere end {other}{lead} {clause}« is Danish. Keyed by the item's codebook
#: variable; an item without an entry reads as the answer category in quotes.
PHRASES = {
    "trained": ("har", "", "taget uddannelsen"),
    "workplace_priority": (
        "er",
        " enige i,",
        "at arbejdspladsen prioriterer det psykiske arbejdsmiljø",
    ),
    "workplace_resources": (
        "er",
        " enige i,",
        "at arbejdspladsen afsætter penge og tid til uddannelse",
    ),
    "relevance": ("er", " enige i,", "at uddannelsen vil være relevant for dem"),
    "expect_wellbeing": ("er", " enige i,", "at uddannelsen vil forbedre medarbejdernes trivsel"),
    "expect_sickness": ("er", " enige i,", "at uddannelsen vil mindske sygefraværet"),
    "self_efficacy": ("er", " enige i,", "at de kan løse deres opgaver som leder"),
    "interest_pwe": ("er", " enige i,", "at de interesserer sig for psykisk arbejdsmiljø"),
    "has_time": ("er", " enige i,", "at de har tid til at tage en lederuddannelse"),
    "conflicts": ("er", " enige i,", "at der ofte er konflikter blandt medarbejderne"),
    "stressed_employees": ("er", " enige i,", "at de har medarbejdere, der er stressede"),
    "employees_resources": (
        "er",
        " enige i,",
        "at medarbejderne har de ressourcer, de har brug for",
    ),
    "employees_thriving": ("er", " enige i,", "at medarbejderne trives i deres arbejde"),
    "workplace_strategy": (
        "er",
        " enige i,",
        "at arbejdspladsen har en klar strategi for det psykiske arbejdsmiljø",
    ),
    "workplace_tools": (
        "er",
        " enige i,",
        "at arbejdspladsen har værktøjer til at håndtere det psykiske arbejdsmiljø",
    ),
    "barrier_time": ("svarer", ",", "at de mangler tid"),
    "barrier_competent": ("svarer", ",", "at de allerede har kompetencerne"),
    "barrier_no_difference": (
        "svarer",
        ",",
        "at uddannelsen ikke vil gøre en forskel for medarbejderne",
    ),
    "barrier_not_relevant": ("svarer", ",", "at uddannelsen ikke er relevant for deres arbejde"),
    "barrier_cost": ("svarer", ",", "at uddannelsen er for dyr"),
    "barrier_unaware": ("svarer", ",", "at de ikke kender tilbuddene"),
    "reason_career": ("nævner", "", "karrieremuligheder som grund"),
}


def phrase(item: str, label: str = "") -> tuple[str, str, str]:
    """The :data:`PHRASES` entry of an analysed column (``reason_career__trained``,
    ``relevance_agree``, ``trained_any``), or a plain one for an item without an entry."""
    var = str(item).split("__")[0].removesuffix("_agree")
    var = "trained" if var.startswith("trained_") else var
    if var in PHRASES:
        return PHRASES[var]
    kind = "grunden" if var.startswith("reason_") else "svaret"
    return ("nævner", "", f"{kind} »{lower_first(item_label(var) if not label else label)}«")


def definite(label: str) -> str:
    """'Offentlig sektor' -> 'den offentlige sektor': a sector's name in running text takes
    the definite article (»i den offentlige sektor«, never without it)."""
    adjective, noun = label.lower().split(maxsplit=1)
    return f"den {adjective if adjective.endswith('e') else adjective + 'e'} {noun}"


def group_subject(var: str, name: str) -> str:
    """A compared group as the subject of a sentence: 'ledere af ledere', 'ledere i den
    private sektor' (from the group's codebook label ``name``)."""
    return f"ledere i {definite(name)}" if var == "sector" else lower_first(name)


def join_list(parts: list[str], word: str = "og") -> str:
    """A Danish list; coordinated at-clauses take a comma before the conjunction (»at A, og at
    B«)."""
    if len(parts) == 1:
        return parts[0]
    comma = "," if parts[-1].startswith("at ") else ""
    return f"{', '.join(parts[:-1])}{comma} {word} {parts[-1]}"


def _by_phrase(rows: list, clause) -> list[tuple[str, str, str]]:
    """Rows grouped by verb and lead, in order: ``(verb, lead, 'clause1 og clause2')``; a
    clause repeating the previous one's subject takes a pronoun (»at uddannelsen …, og at den
    …«)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        verb, lead, text = phrase(r["item"], r["label"])
        texts = groups.setdefault((verb, lead), [])
        before = texts[-1].split()[:2] if texts else []
        words = text.split()
        if before and words[0] == "at" and words[:2] == before and len(words) > 2:
            text = " ".join(["at", "den", *words[2:]])
        texts.append(clause(r, text))
    return [(verb, lead, join_list(texts)) for (verb, lead), texts in groups.items()]


def describe(tests: pd.DataFrame, by: str, conf_level: float, among: str = "") -> str:
    """What a comparison shows, in plain Danish for the prose: which group answers what more
    often (largest difference first, with both shares), whether the differences are
    statistically significant, and the items where they are not. The direction is only said
    where the test supports it; the table beside the figure holds each item's CI, n and test.

    ``tests`` is :func:`compare`'s second frame (the items the prose names); ``among`` opens
    the first sentence with its domain ('Blandt lederne uden uddannelsen')."""
    rows = [r for _, r in tests.iterrows()]
    hidden = [r for r in rows if bool(r.get("suppressed", False)) or pd.isna(r["estimate"])]
    shown = [r for r in rows if not any(r is h for h in hidden)]
    sig = sorted(
        (r for r in shown if significant(r, conf_level)), key=lambda r: -abs(r["estimate"])
    )
    same = [r for r in shown if not significant(r, conf_level)]
    a = group_subject(by, rows[0]["group_a"])
    b = group_subject(by, rows[0]["group_b"])
    sentences = []
    first = True
    for sign in [np.sign(sig[0]["estimate"]), -np.sign(sig[0]["estimate"])] if sig else []:
        side = [r for r in sig if np.sign(r["estimate"]) == sign]
        if not side:
            continue
        hi, lo = (a, b) if sign > 0 else (b, a)

        def clause(r, text, sign=sign):
            x, y = (r["estimate_a"], r["estimate_b"])[:: int(sign)]
            gap = f", en forskel på {points(abs(r['estimate']))}" if r is sig[0] else ""
            return f"{text} ({pct(x)} mod {pct(y)}{gap})"

        for k, (verb, lead, text) in enumerate(_by_phrase(side, clause)):
            if k:
                sentences.append(f"De {verb} også oftere{lead} {text}.")
            elif first and among:
                sentences.append(f"{among} {verb} {hi} oftere end {lo}{lead} {text}.")
            elif first:
                sentences.append(f"{hi[:1].upper()}{hi[1:]} {verb} oftere end {lo}{lead} {text}.")
            else:
                sentences.append(f"Omvendt {verb} {hi} oftere{lead} {text}.")
        first = False

    def both(r, text):
        return f"{text} (henholdsvis {pct(r['estimate_a'])} og {pct(r['estimate_b'])})"

    if sig:
        sentences.append(
            "Forskellen er statistisk signifikant."
            if len(sig) == 1
            else "Disse forskelle er statistisk signifikante."
            if same
            else "Begge forskelle er statistisk signifikante."
            if len(sig) == 2
            else f"{count_of(len(sig), len(sig), 'forskelle').capitalize()} er statistisk "
            "signifikante."
        )
    if same:
        parts = [f"{verb}{lead} {text}" for verb, lead, text in _by_phrase(same, both)]
        sentences.append(
            f"{'Derimod er der' if sig else 'Der er'} ingen statistisk signifikant forskel på, "
            f"hvor ofte {a} og {b}{' ' + lower_first(among) if among and not sig else ''} "
            f"{join_list(parts, 'eller')}."
        )
    if hidden:
        parts = [f"{verb}{lead} {text}" for verb, lead, text in _by_phrase(hidden, lambda r, t: t)]
        sentences.append(
            f"Der er for få svar til at sammenligne, hvor ofte de to grupper "
            f"{join_list(parts, 'eller')}."
        )
    return " ".join(sentences)


def barrier_domain_note(definition: str) -> str:
    """Who »ledere uden uddannelsen« are where the barriers are shown: the question was asked
    only of managers with neither training, so the barriers are the same under every
    definition; under the narrow (broad) one, managers trained under the other are in neither
    group."""
    text = (
        "Spørgsmålet om årsager blev kun stillet til ledere, der ikke har taget nogen af "
        "uddannelserne, så tallene er de samme under alle tre definitioner."
    )
    other = {"narrow": "brede", "broad": "smalle"}.get(definition)
    if other:
        text += (
            f" Ledere, hvis uddannelse hører under den {other} definition, tæller derfor "
            "hverken med blandt lederne med eller uden uddannelsen her."
        )
    return text


def describe_rest(tests: pd.DataFrame, noun: str, conf_level: float, rest: bool = True) -> str:
    """One sentence on the items of a comparison the prose does not describe one by one
    (``noun``: 'årsager', 'grunde'): which of them differ significantly between the groups. With
    ``rest`` they are »de øvrige« after :func:`describe`; without, all items of the table."""

    def quoted(r):
        return f"»{lower_first(str(r['label']))}«"

    gone = [r for _, r in tests.iterrows() if bool(r.get("suppressed", False))]
    rows = [r for _, r in tests.iterrows() if not bool(r.get("suppressed", False))]
    few = (
        f"For {join_list([quoted(r) for r in gone])} er der for få svar til at sammenligne."
        if gone
        else ""
    )
    if not rows:
        return few if gone else ""
    sig = [quoted(r) for r in rows if significant(r, conf_level)]
    same = [quoted(r) for r in rows if not significant(r, conf_level)]
    if not sig and len(same) == 1:
        text = f"For {same[0]} er forskellen ikke statistisk signifikant."
    elif not sig and gone:
        text = f"For {join_list(same)} i tabellen er forskellene ikke statistisk signifikante."
    elif not sig and rest:
        text = f"For de øvrige {noun} i tabellen er forskellene ikke statistisk signifikante."
    elif not sig:
        text = f"For {count_of(0, len(same), noun)} er forskellen statistisk signifikant."
    else:
        tail = f", men ikke for {join_list(same, 'eller')}" if same else ""
        where = f"Blandt de øvrige {noun} i tabellen" if rest else "I tabellen"
        text = f"{where} er forskellen statistisk signifikant for {join_list(sig)}{tail}."
    return f"{text} {few}" if gone else text


def glue_ranked(ch, name: str, ranked: pd.DataFrame, top: int = 2) -> None:
    """Glue the labels of the ``top`` highest-ranked items of a multiple-response table (in
    lower case, for prose) as ``{name}_top1``, ``{name}_top2``, ... with their shares."""
    shown = ranked[~ranked["suppressed"].astype(bool)].sort_values("rank")
    for k in range(top):
        if k < len(shown):
            r = shown.iloc[k]
            ch.glue(f"{name}_top{k + 1}", lower_first(str(r["label"])))
            glue_share(ch, f"{name}_top{k + 1}_share", r)
        else:
            ch.glue(f"{name}_top{k + 1}", SUPPRESSED)
            ch.glue(f"{name}_top{k + 1}_share", SUPPRESSED)
            ch.glue(f"{name}_top{k + 1}_share_ci", NO_ESTIMATE)


def for_download(shares: pd.DataFrame, tests: pd.DataFrame) -> pd.DataFrame:
    """One CSV of a comparison: each item's shares in both groups and the test of the difference."""
    wide = tests[
        [
            "label",
            "group_a",
            "estimate_a",
            "n_a",
            "group_b",
            "estimate_b",
            "n_b",
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "suppressed",
        ]
    ].copy()
    return wide.rename(
        columns={
            "label": "tekst",
            "group_a": "gruppe_a",
            "group_b": "gruppe_b",
            "estimate": "forskel_a_minus_b",
            "ci_low": "forskel_ki_nedre",
            "ci_high": "forskel_ki_oevre",
        }
    )


# -------------------------------------------------------------------- figures and tables


#: The short mark of a table or chart whose numbers are computed on synthetic data calibrated
#: to levels this edition assumed; what the mark means is said once on the page (under its key
#: figures: :data:`lederuddannelse.report.keyfigures.ASSUMED_MARK_NOTE`).
ASSUMED_LEVELS_NOTE = "Antaget niveau."


def calibrated_to_assumed(ch, indicators=(), domain: str | None = None) -> bool:
    """True if the page runs on synthetic data and one of ``indicators`` (columns such as
    ``reason_tools`` or ``reason_tools__trained``) has a level this edition assumed there
    (:func:`lederuddannelse.data.targets.computed_kind`)."""
    from lederuddannelse.data.targets import computed_kind

    return any(
        computed_kind(str(i).split("__")[0], domain, ch.synthetic) == "calibrated"
        for i in indicators
    )


def provenance_caption(ch, caption: str, indicators=()) -> str:
    """A table's caption, marked "(antaget niveau)" when the levels of ``indicators`` are
    this edition's assumption on synthetic data; the mark's explanation follows the first
    time the page uses it (:meth:`lederuddannelse.chapters.base.Chapter.first_time`: not when
    the key figures above have explained it)."""
    from lederuddannelse.report.keyfigures import ASSUMED_MARK, ASSUMED_MARK_NOTE

    if not calibrated_to_assumed(ch, indicators):
        return caption
    marked = f"{caption.rstrip('.')} ({ASSUMED_MARK})"
    return f"{marked}. {ASSUMED_MARK_NOTE}" if ch.first_time(ASSUMED_MARK) else marked


def subtitle(ch, what: str, n, n_text: str | None = None, indicators=()) -> list[str]:
    """The subtitle of every comparison figure: what is shown; weighting, CI level and n (or
    ``n_text``, e.g. each group's n); whether the levels of ``indicators`` are this edition's
    assumption (:data:`ASSUMED_LEVELS_NOTE`); the source. Lines are wrapped so that the figure
    keeps to the page's text width."""
    assumed = wrap(ASSUMED_LEVELS_NOTE) if calibrated_to_assumed(ch, indicators) else []
    return (
        wrap(what)
        + wrap(
            f"{'Vægtet' if ch.params['weighted'] else 'Uvægtet'}, med "
            f"{ci_plural(ch.params['conf_level'])}. {n_text or n_is(n)}."
        )
        + assumed
        + [f"Kilde: {ch.source_line}"]
    )


def wrap(text: str, width: int = 70) -> list[str]:
    """Split a chart title or subtitle into lines: Vega-Lite does not wrap titles itself."""
    import textwrap

    return textwrap.wrap(text, width=width, break_long_words=False) or [text]


def comparison_title(tests: pd.DataFrame, conf_level: float) -> str | list[str]:
    """A title that states the finding: the largest significant difference (two lines: the
    item, then both shares and the p-value), or that there is none."""
    sig = tests[[significant(r, conf_level) for _, r in tests.iterrows()]]
    a, b = tests["group_a"].iloc[0], tests["group_b"].iloc[0]
    if sig.empty:
        return wrap(f"Ingen signifikante forskelle mellem {lower_first(a)} og {lower_first(b)}", 55)
    r = sig.loc[sig["estimate"].abs().idxmax()]
    label = str(r["label"])
    if ": " in label:  # "Årsag: Ikke relevant" -> "ikke relevant (årsag)": one colon per title
        kind, item = label.split(": ", 1)
        label = f"{item} ({kind.lower()})"
    return wrap(f"Største forskel: {lower_first(label)}", 55) + wrap(
        f"{pct(r['estimate_a'])} ({lower_first(a)}) mod {pct(r['estimate_b'])} "
        f"({lower_first(b)}), {pvalue(r['p_value'])}",
        55,
    )


def comparison_chart(ch, shares: pd.DataFrame, tests: pd.DataFrame, what: str):
    """A grouped bar chart of a comparison (:func:`compare`'s ``shares, tests``), with the
    difference's test in its title; ``what`` is the subtitle's description."""
    from lederuddannelse.report.charts import grouped_proportion_chart

    # each group's own n (a range over the items): a pooled n would be no group's n
    shown = tests[~tests["suppressed"].astype(bool)] if "suppressed" in tests else tests
    shown = shown if len(shown) else tests
    groups = [
        (lower_first(str(tests[g].iloc[0])), shown[c].min(), shown[c].max())
        for g, c in (("group_a", "n_a"), ("group_b", "n_b"))
    ]
    return grouped_proportion_chart(
        shares,
        label="label",
        group="group",
        title=comparison_title(tests, ch.params["conf_level"]),
        subtitle=subtitle(ch, what, None, n_by_group(groups), indicators=shares["item"]),
        conf_level=ch.params["conf_level"],
    )


def ranked_title(ranked: pd.DataFrame, lead: str) -> list[str]:
    """'<lead>: <first> (x pct.) og <second> (y pct.)' from a ranked multiple-response table."""
    shown = ranked[~ranked["suppressed"].astype(bool)].sort_values("rank")
    if shown.empty:
        return lead
    parts = [
        f"{lower_first(str(r['label']))} ({pct(r['estimate'])})"
        for _, r in shown.head(2).iterrows()
    ]
    return wrap(f"{lead}: {' og '.join(parts)}", 55)


def ranked_chart(ch, ranked: pd.DataFrame, lead: str, what: str):
    """A bar chart of a ranked multiple-response table (largest share first), titled with
    ``lead`` and the two largest shares."""
    from lederuddannelse.report.charts import proportion_chart

    return proportion_chart(
        ranked,
        label="label",
        title=ranked_title(ranked, lead),
        subtitle=subtitle(ch, what, ranked["n"].max(), indicators=ranked["item"]),
        conf_level=ch.params["conf_level"],
    )
