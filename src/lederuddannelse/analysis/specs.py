"""What the analyses are made of: model formulas, trait lists and item sets, in one place.

The claims ledger (:mod:`lederuddannelse.analysis.findings`) and the chapters that show the same
findings in detail must test the same thing; if each typed its own list of model terms, a page
and the ledger could drift apart. So the terms live here, and the item sets of the
multiple-response questions (reasons, barriers) are read from the codebook (``item_set``), the
only place that lists them.
"""

from __future__ import annotations

import re

from lederuddannelse.data.codebook import load_codebook

__all__ = [
    "ARCHETYPE",
    "DESIRE_FORMULA",
    "DESIRE_TERMS",
    "PROFILE_FORMULA",
    "PROFILE_TERMS",
    "TRAINED_FORMULA",
    "F3_TERMS",
    "F8_ITEMS",
    "F9_BARRIERS",
    "F9_RATINGS",
    "F11_HIGH",
    "F11_LOW",
    "F12_NEIGHBOURS",
    "F12_PROFILES",
    "agree_codes",
    "agree_text",
    "contrast_label",
    "f12_traits",
    "WHO_FACTORS",
    "WHO_ITEMS",
    "barrier_items",
    "reason_items",
    "who_formula",
]


def reason_items() -> list[str]:
    """The reasons for taking the training (asked of the trained), in questionnaire order."""
    return load_codebook().item_set("reasons")


def barrier_items() -> list[str]:
    """The reasons for not taking it (asked of the untrained), in questionnaire order."""
    return load_codebook().item_set("barriers")


#: Terms of the desire model used for F3 (desire part), F5, F6 and F7: one joint model, so the
#: effects are net of each other, as in the report's regression.
DESIRE_TERMS = (
    "self_efficacy",
    "expect_wellbeing",
    "expect_sickness",
    "conflicts",
    "stressed_employees",
    "employees_resources",
    "employees_thriving",
    "workplace_strategy",
    "workplace_tools",
    "interest_pwe",
    "has_time",
    "workplace_resources",
)
DESIRE_FORMULA = "desire ~ " + " + ".join(DESIRE_TERMS)

#: Background model of desire for F12 (profiles).
PROFILE_TERMS = (
    "gender",
    "age_group",
    "sector",
    "span_of_control",
    "experience",
    "education",
    "org_size",
)
PROFILE_FORMULA = "desire ~ " + " + ".join(f"C({t})" for t in PROFILE_TERMS)


#: Traits of the archetypal trained manager (F10): (label, variable, codes counting as the trait).
#: "Et større ledelsesspænd" is the top band (more than 100): the report calls 29-100
#: "mellemstort", so counting it would test a weaker claim than the report makes.
ARCHETYPE = (
    ("Kvinde", "gender", (2,)),
    ("Offentlig sektor", "sector", (1,)),
    ("Organisation med 250 ansatte eller flere", "org_size", (4,)),
    ("Mere end 25 års ledererfaring", "experience", (4,)),
    ("Leder af ledere", "manager_type", (2,)),
    ("Ledelsesspænd over 100 medarbejdere", "span_of_control", (4,)),
)

#: The report's words for the archetype's organisation size (F10).
REPORT_ORG_SIZE = "mere end 250 medarbejdere"


def org_size_note() -> str:
    """The report's "more than 250 employees" (F10) is tested with the questionnaire's top
    category of organisation size (this edition's reconstruction), which includes 250."""
    _, var, (code,) = ARCHETYPE[2]
    label = load_codebook().value_labels(var)[code]
    return (
        f"Rapportens »{REPORT_ORG_SIZE}« prøves med kategorien »{label}« fra denne udgaves "
        "rekonstruerede spørgeskema."
    )


#: The who-is-trained model of the "hvem" chapter: every grouping variable except industry
#: (it almost determines the sector: the two together are nearly collinear), plus the
#: three attitude items of F3 (interest, time, the workplace's resources) as numbers (one
#: step on the 5-point scale).
WHO_FACTORS = (
    "gender",
    "age_group",
    "education",
    "experience",
    "sector",
    "org_size",
    "manager_type",
    "span_of_control",
)
WHO_ITEMS = ("interest_pwe", "has_time", "workplace_resources")


def who_formula(outcome: str) -> str:
    """The who-is-trained model with ``outcome`` (the trained column of the run's definition)."""
    return (
        f"{outcome} ~ " + " + ".join(f"C({v})" for v in WHO_FACTORS) + " + " + " + ".join(WHO_ITEMS)
    )


#: The F3 terms: interest in the PWE, having time, and the workplace setting resources aside
#: (the report's heading: "Tid, ressourcer og interesse"), each expected to raise both the odds
#: of having taken the training and desire.
F3_TERMS = ("interest_pwe", "has_time", "workplace_resources")

#: The model of having taken the training (F3) is the "hvem" chapter's model, so the page and
#: the ledger show the same odds ratios; ``_tr`` is "trained" under the run's definition.
TRAINED_FORMULA = who_formula("_tr")

#: F8: the workplace items managers of managers agree with more often.
F8_ITEMS = ("workplace_priority", "workplace_resources")
#: F9: the reasons for not taking it, with the sign of the difference in the site's one order
#: (managers of managers minus managers of employees, compare.comparison_order) that this
#: edition's reading of the report gives: managers of employees more often lack time (so the
#: difference is negative), less often are "already competent" or think it "will make no
#: difference" (positive).
F9_BARRIERS = (("barrier_time", -1), ("barrier_competent", 1), ("barrier_no_difference", 1))
#: F9: ratings managers of employees agree with more often (a negative difference).
F9_RATINGS = ("relevance", "expect_wellbeing")

#: F11: the industry (DB07 code) the report says has just over half trained (broad), and the
#: three it names as having relatively few.
F11_HIGH = 9
F11_LOW = (3, 8, 7)

#: F12: the report's most- and least-desire profiles, variable -> (most, least) code; None where
#: the report names no value for that profile (the most common category is used).
F12_PROFILES = {
    "gender": (2, 1),
    "age_group": (1, 4),
    "sector": (1, 2),
    "span_of_control": (3, 1),
    "experience": (1, 4),
    "education": (None, 5),
    "org_size": (None, 1),
}


#: F12: a most-desire trait in the middle of an ordered scale is tested against both
#: neighbouring bands, not only against the least-desire end: "29-100" is the most desire only
#: if it beats 11-28 and more than 100 as well as 1-10.
F12_NEIGHBOURS = {"span_of_control": (2, 4)}
#: F12: the reference of a trait the report names only for the least-desire profile: the
#: mean (on the log-odds scale, each group counting once) of the variable's other groups.
F12_OTHERS = {"education": "uddannelsesgrupper", "org_size": "størrelsesgrupper"}


def contrast_label(group: str, label: str, reference: str | None = None) -> str:
    """'Privat sektor frem for offentlig sektor', 'Ledererfaring mere end 25 år frem for 0-8
    år': a category against its reference group in Danish words, not »Sektor: Privat sektor
    (ref. Offentlig sektor)«. A category named by a number takes its variable's name in front,
    so that it says what the number counts. Without ``reference``: the category alone
    ('Organisationens størrelse 1-9 ansatte')."""
    head = f"{group} {label[:1].lower()}{label[1:]}" if re.search(r"\d", label) else label
    if reference is None:
        return head
    return f"{head} frem for {reference[:1].lower()}{reference[1:]}"


def f12_traits() -> list[tuple[str, str, int, int | None]]:
    """Each trait the report names in F12, checked on its own: (Danish label naming the
    reference group, variable, code, other code or None). With another code the trait should
    give more desire than it; with None it is a least-desire trait that should give less desire
    than the other categories' mean. A trait in :data:`F12_NEIGHBOURS` gets one check per
    neighbouring band besides the one against the least-desire category."""
    cb = load_codebook()
    out = []
    for var, (most, least) in F12_PROFILES.items():
        labels = cb.value_labels(var)
        name = cb.label(var)
        if most is None:
            others = f"gennemsnittet af de øvrige {F12_OTHERS.get(var, 'grupper')}"
            label = f"{contrast_label(name, labels[least])} frem for {others}"
            out.append((label, var, least, None))
            continue
        others = dict.fromkeys((least, *F12_NEIGHBOURS.get(var, ())))
        for other in others:
            out.append((contrast_label(name, labels[most], labels[other]), var, most, other))
    return out


def agree_codes(var: str) -> list[int]:
    """The codes counting as agreeing on a five-point agree item: the scale's two highest
    (e.g. 'Delvist enig', 'Helt enig'), read from the codebook. The chapters and the ledger
    dichotomise the same way, so both show the same percentage points."""
    return sorted(load_codebook().value_labels(var))[-2:]


def agree_text(var: str) -> str:
    """'<codebook label> (enig)': the agree share of an item, as a short label."""
    return f"{load_codebook().label(var)} (enig)"
