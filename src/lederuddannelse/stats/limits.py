"""The small-cell limits and their check, free of pandas.

Kept apart from :mod:`lederuddannelse.stats.disclosure` so that reading ``parameters.yml``
(every build, the no-op one included) can check the limits without importing pandas.
"""

from __future__ import annotations

import numbers

from lederuddannelse.errors import ParameterError

#: The defaults of the policy; going below them needs ``allow_small_cells``.
DEFAULT_MIN_N = 30
DEFAULT_MIN_COUNT = 5


def below_defaults(min_n: int, min_count: int) -> bool:
    """Are the minimums below the defaults?"""
    return min_n < DEFAULT_MIN_N or min_count < DEFAULT_MIN_COUNT


def check_limits(min_n, min_count, allow_small_cells: bool) -> None:
    """Whole numbers >= 0, and not below the defaults unless ``allow_small_cells``."""
    for name, value in (("min_n", min_n), ("min_count", min_count)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ParameterError(
                f"Suppression parameter {name} must be a whole number >= 0, got {value!r}."
            )
    if below_defaults(min_n, min_count) and not allow_small_cells:
        raise ParameterError(
            f"parameter 'min_n' = {min_n}, 'min_count' = {min_count}: below the "
            f"defaults ({DEFAULT_MIN_N} and {DEFAULT_MIN_COUNT}) these publish cells small "
            "enough to identify respondents; set 'allow_small_cells: true' to build such "
            "pages anyway (each page then says so in its notice)."
        )
