"""Counts out of a total in words, as an editor writes them ('ingen af de seks grunde')."""

from lederuddannelse.report.fmt import count_of


def test_count_of_reads_as_danish():
    assert count_of(0, 6, "grunde") == "ingen af de seks grunde"
    assert count_of(6, 6, "træk", neuter=True) == "alle seks træk"
    assert count_of(1, 6, "træk", neuter=True) == "ét af de seks træk"
    assert count_of(1, 6, "grunde") == "én af de seks grunde"
    assert count_of(2, 14, "grunde") == "to af de 14 grunde"
