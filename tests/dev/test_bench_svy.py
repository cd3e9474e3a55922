"""The statistics peer: ours and svy agree (to 1e-8) on every estimate the bench compares,
under each design both support (simple weighted, stratified cluster, bootstrap replicates),
and the bench reports time and ratio for each."""

from __future__ import annotations

import numpy as np

from lederuddannelse.dev.bench_svy import DESIGNS, ESTIMATES, bench_stats_peer


def test_ours_and_svy_agree_under_each_design(capsys):
    table = bench_stats_peer(sizes=(1500,), budget=0.0)
    out = capsys.readouterr().out
    assert "target ours/svy <= 0.5" in out and "largest difference from svy" in out
    assert "load average" in out
    assert set(table["design"]) == set(DESIGNS)
    for design in DESIGNS:
        est = table[table["design"] == design].dropna(subset=["max_diff_est"])
        assert set(est["estimate"]) == set(ESTIMATES) - {"design set-up"}, design
        assert float(np.nanmax(est[["max_diff_est", "max_diff_se"]].to_numpy())) < 1e-8, design
    assert (table["ours_s"] > 0).all() and (table["ratio"] > 0).all()


def test_the_two_sides_run_in_turn_and_each_keeps_its_best():
    """Runs alternate (ours, theirs, ours, ...), so a slow spell of the machine falls on both
    sides; each side's best time and last result come back, at least three runs each and no
    more once one side has used its budget."""
    import time

    from lederuddannelse.dev.bench_svy import _best_pair

    calls: list[str] = []
    pauses = iter([0.02, 0.001, 0.001, 0.02, 0.001, 0.001] + [0.001] * 100)

    def side(name):
        def run():
            calls.append(name)
            time.sleep(next(pauses))
            return len(calls)

        return run

    (t_a, a), (t_b, b) = _best_pair(side("a"), side("b"), budget=0.0)
    assert calls == ["a", "b"] * 3  # the least: three runs each, in turn
    assert t_a < 0.015 and t_b < 0.015  # the slow first run of each is not the best
    assert (a, b) == (5, 6)  # the last run's result
    calls.clear()
    _best_pair(side("a"), side("b"), budget=10.0, most=5)
    assert calls == ["a", "b"] * 5
