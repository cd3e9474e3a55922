"""Shared fixtures: the project root and a throw-away copy of the project to build in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


def copy_project(dest: Path) -> Path:
    """Copy what a build reads (not .venv, build output or git) into ``dest``."""
    for name in ("_config.yml", "_toc.yml", "parameters.yml", "requirements.lock", "references.bib"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    for name in ("chapters", "data", "_static", "src"):
        if (ROOT / name).exists():
            shutil.copytree(
                ROOT / name, dest / name,
                ignore=shutil.ignore_patterns("generated", "real", "__pycache__", "*.ipynb"),
            )
    return dest


@pytest.fixture
def in_root(monkeypatch, tmp_path):
    """Point the package at a temporary project copy via LEDERUDDANNELSE_ROOT."""
    root = copy_project(tmp_path)
    monkeypatch.setenv("LEDERUDDANNELSE_ROOT", str(root))
    return root


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
