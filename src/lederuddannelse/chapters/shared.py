"""What several chapter pages share: the definitions' words, the status words of the findings
and the design restricted to the trained.

A chapter module imports this module and :mod:`lederuddannelse.chapters.base`, never another
chapter's module: a run's cache key covers the package modules its page imports, so an edit
to one chapter's module re-executes that chapter's runs only (``tests/chapters/
test_chapter_modules.py``).
"""

from __future__ import annotations

from lederuddannelse.analysis.compare import restricted_columns, trained_mask
from lederuddannelse.data.codebook import load_codebook

#: The report's three definitions of 'has taken the training', widest first.
DEFINITIONS = ("any", "narrow", "broad")
#: The verdict on a finding, in the words of the ledger and the front page.
STATUS_TEXT = {True: "Holder", False: "Holder ikke", None: "Kan ikke afgøres"}


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


#: Suffix of the columns :func:`among_trained` adds: ``paid_by`` -> ``paid_by__trained``.
TRAINED = "trained"


def among_trained(ch, *variables: str):
    """The chapter's design with ``{var}__trained`` columns: each variable kept for the
    managers trained under the page's definition (``ch.trained``) and missing for the others,
    so that an estimate of ``{var}__trained`` is one for that domain (weights and raking
    shared, :meth:`SurveyDesign.with_columns`)."""
    return ch.design.with_columns(restricted_columns(ch.data, variables, trained_mask(ch), TRAINED))
