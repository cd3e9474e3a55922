"""The "[kilde]" pages' source comes from the package's files, without importing the modules."""

import subprocess
import sys
from pathlib import Path

import lederuddannelse
from lederuddannelse.site.codepages import module_source


def test_a_package_module_source_is_its_file_with_its_objects_line_ranges():
    code, tags = module_source(None, "lederuddannelse.chapters.hvem")
    path = Path(lederuddannelse.__file__).parent / "chapters" / "hvem.py"
    assert code == path.read_text(encoding="utf-8")
    kind, start, end = tags["Who"]
    assert kind == "class"
    assert code.splitlines()[start].startswith("class Who")
    assert start < end


def test_other_modules_are_left_to_viewcode():
    assert module_source(None, "pandas.core.frame") is None
    assert module_source(None, "lederuddannelsefoo.x") is None


def test_finding_the_source_does_not_import_the_module():
    # viewcode imports a module to find its source, on every Sphinx run: for the chapters'
    # modules that imports SciPy and statsmodels, seconds per build
    script = (
        "import sys; from lederuddannelse.site.codepages import module_source; "
        "module_source(None, 'lederuddannelse.chapters.hvem'); "
        "print('lederuddannelse.chapters.hvem' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"], out.stderr
