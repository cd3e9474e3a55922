"""The statistics peer: ours and svy agree (to 1e-8) on every estimate the bench compares,
under a stratified cluster design, and the bench reports time and ratio for each."""

from __future__ import annotations

import numpy as np

from lederuddannelse.dev.bench_svy import bench_stats_peer


def test_ours_and_svy_agree_under_a_stratified_cluster_design(capsys):
    table = bench_stats_peer(sizes=(1500,))
    out = capsys.readouterr().out
    assert "target ours/svy <= 0.5" in out and "largest difference from svy" in out
    est = table.dropna(subset=["max_diff_est"])
    assert set(est["estimate"]) == {
        "share",
        "share by industry (10 groups)",
        "mean",
        "mean by sector",
        "logistic regression",
    }
    assert float(np.nanmax(est[["max_diff_est", "max_diff_se"]].to_numpy())) < 1e-8
    assert (table["ours_s"] > 0).all() and (table["ratio"] > 0).all()
