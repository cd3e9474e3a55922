"""Every command given wrong arguments or a wrong environment answers with one clear line, no
traceback, fast, and leaves the repository's tracked files as they were (issue 25)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lederuddannelse import cli
from lederuddannelse import cli as inputs
from lederuddannelse.site import citation

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "chapters/02_udbredelse.md"
#: (arguments, extra environment, expected exit code, a piece of the expected message)
CASES = [
    # sources are never outputs (point 2)
    (["run", CHAPTER, "-o", CHAPTER], {}, 1, "a file of the repository"),
    (["run", CHAPTER, "-o", "chapters"], {}, 1, "is a folder"),
    (["run", CHAPTER, "-o", "/no-such-folder/x.ipynb"], {}, 1, "does not exist"),
    (["run", CHAPTER, "-o", "_build/html/x.ipynb"], {}, 1, "published site"),
    (["data", "generate", "--out", "data/margins.csv"], {}, 1, "a file of the repository"),
    (["data", "generate", "--out", "data"], {}, 1, "is a folder"),
    (["data", "generate", "--out", "/no-such-folder/x.csv"], {}, 1, "does not exist"),
    (["citation", "cff", "-o", "parameters.yml"], {}, 1, "a file of the repository"),
    (["citation", "cff", "-o", "chapters"], {}, 1, "is a folder"),
    (["data", "map", "init", "data/margins.csv", "-o", "_config.yml"], {}, 1, "repository"),
    (["data", "map", "init", "data/margins.csv", "-o", "data", "--force"], {}, 1, "folder"),
    (["data", "example-export", "-o", "data/codebook.yml"], {}, 1, "a file of the repository"),
    (["data", "validate", "x.csv", "--mapping", "m.yml", "-o", "parameters.yml"], {}, 1, "repo"),
    (["archive", "--out", "/no-such-folder"], {}, 1, "does not exist"),
    (["archive", "--out", "parameters.yml"], {}, 1, "expected a folder"),
    (["archive", "--out", "chapters"], {}, 1, "a folder of the repository's sources"),
    (["archive", "--out", "_build/html"], {}, 1, "published site"),
    # arguments and environment checked up front (point 3)
    (["build", "--jobs", "0"], {}, 1, "--jobs 0: expected a whole number of at least 1"),
    (["build", "--jobs", "-3"], {}, 1, "--jobs -3"),
    (["preview", "--jobs", "0"], {}, 1, "--jobs 0"),
    (["preview", "--port", "70000"], {}, 1, "--port 70000"),
    (["build", "--params", "chapters"], {}, 1, "--params chapters: is a folder"),
    (["build", "--params", "no-such.yml"], {}, 1, "--params no-such.yml: no such file"),
    (["audit", "_build/html", "--min-n", "-5"], {}, 1, "'min_n' = -5 is out of range"),
    (["audit", "_build/html", "--min-count", "0"], {}, 1, "'min_count' = 0 is out of range"),
    (["build"], {"SOURCE_DATE_EPOCH": "99999999999999"}, 1, "SOURCE_DATE_EPOCH = '9999"),
    (["build"], {"SOURCE_DATE_EPOCH": "abc"}, 1, "SOURCE_DATE_EPOCH = 'abc'"),
    (["params"], {"SOURCE_DATE_EPOCH": "-1"}, 1, "SOURCE_DATE_EPOCH = '-1'"),
    (["run", CHAPTER], {"LEDERUDDANNELSE_CELL_TIMEOUT": "0"}, 1, "LEDERUDDANNELSE_CELL_TIMEOUT"),
    (["params"], {"LEDERUDDANNELSE_ROOT": "/no-such-folder"}, 1, "LEDERUDDANNELSE_ROOT"),
    # other wrong input, each with its own message
    (["run", "chapters/99_nothing.md"], {}, 1, "no chapter file"),
    (["run", CHAPTER, "-p", "no_such_parameter", "1"], {}, 1, "no_such_parameter"),
    (["run", CHAPTER, "-g", "no_such_group"], {}, 1, "no parameter group"),
    (["data", "validate", "no-such.csv"], {}, 1, "no-such.csv"),
    (["data", "generate", "--out", "build/x.csv", "--n", "0"], {}, 1, "--n"),
    (["audit", "no-such-folder"], {}, 1, "no such file or folder"),
    (["audit", "build/sweep-binary.csv"], {}, 1, "not UTF-8 text"),
    (["citation"], {}, 2, "ACTION"),
    (["nonsense"], {}, 2, "invalid choice"),
]


def _run(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "lederuddannelse", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - start


def _status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_every_command_answers_wrong_input_with_one_line():
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "sweep-binary.csv").write_bytes(bytes(range(256)) * 4)
    before = _status()
    problems = []
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda case: _run(case[0], case[1]), CASES))
    for (args, env, code, message), (done, seconds) in zip(CASES, results):
        out = done.stdout + done.stderr
        where = f"{' '.join(args)} {env or ''}"
        if done.returncode != code:
            problems.append(f"{where}: exit {done.returncode}, expected {code}: {out[-300:]}")
        if message not in out:
            problems.append(f"{where}: no {message!r} in {out[-300:]!r}")
        if "Traceback" in out:
            problems.append(f"{where}: traceback on the terminal")
        if seconds > 30:
            problems.append(f"{where}: took {seconds:.0f} s")
    assert not problems, "\n".join(problems)
    assert _status() == before


def test_an_unexpected_error_prints_one_line_and_logs_the_traceback(monkeypatch, capsys):
    import lederuddannelse.variants as variants

    def broken():
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(variants, "describe_parameters", broken)
    assert cli.main(["params"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "unexpected RuntimeError while listing the parameters" in err
    log = Path(err.rsplit("traceback is in ", 1)[1].strip())
    assert log.parent == ROOT / "build" / "logs"
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "something nobody foresaw" in text
    log.unlink()


@pytest.mark.parametrize("value", ["abc", "-5", "99999999999999", "1.5"])
def test_source_date_epoch_outside_the_years_a_page_can_show(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(inputs.ParameterError, match="SOURCE_DATE_EPOCH"):
        citation.source_date_epoch()


def test_source_date_epoch_within_range(monkeypatch):
    from lederuddannelse.site.citation import build_date

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(citation.MAX_EPOCH))
    assert build_date() == "9999-12-31"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert build_date() == "1970-01-01"


def test_citation_may_regenerate_its_own_tracked_file():
    assert inputs.check_output("-o", ROOT / "CITATION.cff", ROOT, ("CITATION.cff",))
    with pytest.raises(inputs.ParameterError, match="repository"):
        inputs.check_output("-o", ROOT / "CITATION.cff", ROOT)


def test_sources_recognised_outside_a_git_checkout(tmp_path):
    (tmp_path / "_config.yml").write_text("title: x\n")
    (tmp_path / "chapters").mkdir()
    assert inputs.tracked(tmp_path / "chapters" / "02_udbredelse.md", tmp_path)
    assert inputs.tracked(tmp_path / "parameters.yml", tmp_path)
    assert not inputs.tracked(tmp_path / "data" / "generated" / "x.parquet", tmp_path)
    assert not inputs.tracked(tmp_path / "build" / "x.ipynb", tmp_path)


def test_every_environment_variable_the_package_reads_is_listed():
    import re

    src = ROOT / "src" / "lederuddannelse"
    read = set()
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"os\.environ(?:\.get\(|\[)\s*\"([A-Z_]+)\"", text))
        read |= set(re.findall(r"^ENV_[A-Z_]+ = \"([A-Z_]+)\"", text, re.M))
    assert read and read <= set(inputs.ENVIRONMENT), read - set(inputs.ENVIRONMENT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in inputs.ENVIRONMENT if name not in readme] == []
