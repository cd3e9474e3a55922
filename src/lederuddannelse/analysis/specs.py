"""What the analyses are made of: model formulas, trait lists and item sets, in one place.

The claims ledger (:mod:`lederuddannelse.analysis.findings`) and the chapters that show the same
findings in detail must test the same thing; if each typed its own list of model terms, a page
and the ledger could drift apart. So the terms live here, and the item sets of the
multiple-response questions (reasons, barriers) are read from the codebook (``item_set``), the
only place that lists them.
"""

from __future__ import annotations

from lederuddannelse.data.codebook import load_codebook

__all__ = [
    "ARCHETYPE",
    "DESIRE_FORMULA",
    "DESIRE_TERMS",
    "PROFILE_FORMULA",
    "PROFILE_TERMS",
    "TRAINED_FORMULA",
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

#: Logistic model of having taken the training (F3) on interest and time, with sector and
#: manager type as controls; ``_tr`` is "trained" under the run's definition.
TRAINED_FORMULA = "_tr ~ interest_pwe + has_time + C(sector) + C(manager_type)"

#: Traits of the archetypal trained manager (F10): (label, variable, codes counting as the trait)
ARCHETYPE = (
    ("Kvinde", "gender", (2,)),
    ("Offentlig sektor", "sector", (1,)),
    ("Organisation med 250 ansatte eller flere", "org_size", (4,)),
    ("Mere end 25 års ledererfaring", "experience", (4,)),
    ("Leder af ledere", "manager_type", (2,)),
    ("Ledelsesspænd over 28 medarbejdere", "span_of_control", (3, 4)),
)

#: The who-is-trained model of the "hvem" chapter: every grouping variable except industry
#: (it almost determines the sector: the two together are nearly collinear), plus the two
#: attitude items of F3 as numbers (one step on the 5-point scale).
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
WHO_ITEMS = ("interest_pwe", "has_time")


def who_formula(outcome: str) -> str:
    """The who-is-trained model with ``outcome`` (the trained column of the run's definition)."""
    return (
        f"{outcome} ~ " + " + ".join(f"C({v})" for v in WHO_FACTORS) + " + " + " + ".join(WHO_ITEMS)
    )
