"""The site check never passes unchecked: axe-core is found where the repository keeps it, and
a missing tool (axe, Chromium) is an error naming it and how to install it."""

from __future__ import annotations

import pytest

from lederuddannelse.dev import sitecheck


def test_axe_is_found_where_the_repository_keeps_it():
    assert sitecheck.AXE.is_file(), sitecheck.AXE
    assert "axe" in sitecheck.axe_source()[:2000]


def test_a_missing_axe_fails_the_check_instead_of_skipping_it(monkeypatch, tmp_path):
    monkeypatch.setattr(sitecheck, "AXE", tmp_path / "vendor" / "axe.min.js")
    (tmp_path / "index.html").write_text("<html></html>", encoding="utf-8")
    with pytest.raises(sitecheck.MissingTool, match="axe-core is missing.*tests/site/vendor"):
        sitecheck.check_site(tmp_path, pages=["index.html"])


def test_a_missing_chromium_is_an_error_naming_the_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sitecheck.shutil, "which", lambda name: None)
    with pytest.raises(sitecheck.MissingTool, match="Chromium is not installed.*system-deps"):
        with sitecheck.serve(tmp_path) as base, sitecheck.browser_context(base, []):
            pass
    (tmp_path / "index.html").write_text("<html></html>", encoding="utf-8")
    assert sitecheck.main(["check", "--site", str(tmp_path)]) == 2
    assert "make system-deps" in capsys.readouterr().err
