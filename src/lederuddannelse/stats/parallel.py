"""Two jobs at once, for the few steps of a large design that take milliseconds each.

numpy's ``bincount`` and pyarrow's and pandas' hashing release Python's lock while they run,
so a second thread does real work beside the first: where a second core is free, such a step
takes about half the time; where none is, a thread's start (a fraction of a millisecond) more.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["beside"]

A = TypeVar("A")
B = TypeVar("B")


def beside(there: Callable[[], A], here: Callable[[], B]) -> tuple[A, B]:
    """``there()`` in a second thread while ``here()`` runs in this one; both results.

    An error in either is raised here, once both have ended."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        job = pool.submit(there)
        done_here = here()
        return job.result(), done_here
