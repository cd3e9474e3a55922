"""One snapshot per build: validated once, keyed by the file's bytes, loaded without checks."""

from __future__ import annotations

import pandas as pd
import pytest

from lederuddannelse.data import snapshot as snap
from lederuddannelse.data.loader import load_survey
from lederuddannelse.data.synthetic import generate_to_file
from lederuddannelse.errors import DataValidationError
from lederuddannelse.hashing import sha256_file


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return generate_to_file(400, 5, tmp_path_factory.mktemp("src") / "survey.csv")


def test_a_snapshot_is_keyed_by_the_files_hash_and_loads_as_validated(source, tmp_path):
    taken = snap.take_snapshot(source, tmp_path)
    assert taken.path == tmp_path / f"{sha256_file(source)}.parquet"
    assert taken.summary.startswith("OK: ")
    df = snap.load_snapshot(taken.path)
    expected = load_survey(source)
    pd.testing.assert_frame_equal(df, expected, check_like=False)
    assert df.attrs["sha256"] == taken.sha256 and df.attrs["synthetic"] is True
    # a second call reuses the snapshot (same bytes, same key)
    mtime = taken.path.stat().st_mtime_ns
    assert snap.take_snapshot(source, tmp_path).path.stat().st_mtime_ns == mtime


def test_another_file_gets_another_snapshot_and_a_renamed_one_is_refused(source, tmp_path):
    first = snap.take_snapshot(source, tmp_path)
    other = generate_to_file(400, 6, tmp_path / "other.csv")
    second = snap.take_snapshot(other, tmp_path)
    assert second.sha256 != first.sha256 and second.path != first.path
    renamed = first.path.rename(tmp_path / f"{second.sha256[::-1]}.parquet")
    with pytest.raises(DataValidationError, match="not a data snapshot"):
        snap.load_snapshot(renamed)


def test_a_file_that_fails_validation_gets_no_snapshot(source, tmp_path):
    bad = tmp_path / "bad.csv"
    text = source.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([text[0], *text[1:3], text[2]]) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="duplicate ids"):
        snap.take_snapshot(bad, tmp_path / "snaps")
    assert not list(tmp_path.glob("snaps/*.parquet"))


def test_a_file_replaced_while_it_is_checked_is_named_and_gets_no_snapshot(
    source, tmp_path, monkeypatch
):
    from lederuddannelse.data import loader

    live = tmp_path / "live.csv"
    live.write_bytes(source.read_bytes())
    checked = loader.validated

    def swap_after_reading(path, *args):
        out = checked(path, *args)
        live.write_bytes(source.read_bytes().replace(b"\n1,", b"\n9999999,", 1))
        return out

    monkeypatch.setattr(loader, "validated", swap_after_reading)
    with pytest.raises(DataValidationError, match="the file changed while it was read"):
        snap.take_snapshot(live, tmp_path / "snaps")
    assert not list(tmp_path.glob("snaps/*.parquet"))


def test_a_pinned_run_reads_the_snapshot_and_a_changed_file_is_named(source, tmp_path, monkeypatch):
    from lederuddannelse.data.mapping_report import resolve_mapped

    live = tmp_path / "live.csv"
    live.write_bytes(source.read_bytes())
    monkeypatch.delenv(snap.ENV_PINNED, raising=False)
    assert snap.pinned(live, None) is None, "outside a build: the file itself"
    data, taken = snap.pin(resolve_mapped(live, None, tmp_path), tmp_path / "snaps")
    assert data.load_path == taken.path and data.source == live
    monkeypatch.setenv(snap.ENV_PINNED, snap.pinned_json(data))
    assert snap.pinned(live, None) == data
    with pytest.raises(DataValidationError, match="snapshot is of live.csv"):
        snap.pinned(tmp_path / "other.csv", None)
    assert snap.changed(data) is None
    live.write_text(live.read_text().replace("\n1,", "\n2,", 1))
    line = snap.changed(data)
    assert line.startswith(f"{live}: the file changed while the book was built")
    assert "nothing was published" in line and "\n" not in line
