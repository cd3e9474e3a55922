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


def test_the_two_sides_run_in_turns_and_each_keeps_its_best(monkeypatch):
    """The sides take turns (ours, theirs, ours, ...), so a slow spell of the machine falls on
    both; a turn lasts about ``turn`` seconds or ``turn_runs`` runs (at least one run); each
    side's best time and last result come back, at least three runs each and no more once a
    side has used its budget."""
    import types

    from lederuddannelse.dev import bench_svy

    clock = [0.0]  # a clock that only the runs move: the test does not depend on the machine
    monkeypatch.setattr(bench_svy, "time", types.SimpleNamespace(perf_counter=lambda: clock[0]))
    calls: list[str] = []
    pauses = iter([20, 1, 1, 20, 1, 1] + [1] * 100)

    def side(name):
        def run():
            calls.append(name)
            clock[0] += next(pauses)
            return len(calls)

        return run

    (t_a, a), (t_b, b) = bench_svy._best_pair(side("a"), side("b"), budget=0.0, turn=0.0)
    assert calls == ["a", "b"] * 3  # the least: three runs each, one per turn
    assert (t_a, t_b) == (1, 1)  # the slow run of each (a slow spell) is not the best
    assert (a, b) == (5, 6)  # the last run's result
    calls.clear()
    bench_svy._best_pair(side("a"), side("b"), budget=1000, most=5, turn=0.0)
    assert calls == ["a", "b"] * 5
    calls.clear()  # turns of several runs: a side runs on until its turn's time is used
    bench_svy._best_pair(side("a"), side("b"), budget=1000, most=6, turn=2.5)
    assert calls == ["a"] * 3 + ["b"] * 3 + ["a"] * 3 + ["b"] * 3
    calls.clear()  # ... or its turn's runs
    bench_svy._best_pair(side("a"), side("b"), budget=1000, most=6, turn=100, turn_runs=2)
    assert calls == ["a"] * 2 + ["b"] * 2 + ["a"] * 2 + ["b"] * 2 + ["a"] * 2 + ["b"] * 2
    calls.clear()  # the budget ends a side's runs: the run that uses it up is the last
    bench_svy._best_pair(side("a"), side("b"), budget=3.5, most=25, turn=0.0)
    assert calls == ["a", "b"] * 4
