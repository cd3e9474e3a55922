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
