"""Command line: `python -m lederuddannelse COMMAND` (see `--help`)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import traceback
from pathlib import Path

from lederuddannelse.errors import LederuddannelseError, ParameterError
from lederuddannelse.paths import project_root

#: Every environment variable the package reads, with what it may be (README lists them).
ENVIRONMENT = {
    "SOURCE_DATE_EPOCH": "the build date the pages show, seconds since 1970-01-01 UTC "
    "(a whole number from 0 to 253402300799, i.e. up to the year 9999)",
    "LEDERUDDANNELSE_CELL_TIMEOUT": "seconds one notebook cell may run (a whole number above 0)",
    "LEDERUDDANNELSE_ROOT": "the project folder (one with _config.yml and chapters/)",
    "LEDERUDDANNELSE_DATA_FILE": "set by the build for the render: the data file",
    "LEDERUDDANNELSE_DATA_MAPPING": "set by the build for the render: the mapping file",
    "LEDERUDDANNELSE_KERNEL_DIR": "set by the build for each kernel: its socket folder",
    "LEDERUDDANNELSE_BUILD_TMP": "set by the build: its temporary folder",
    "LEDERUDDANNELSE_DATA_SNAPSHOT": "set by the build for each chapter run: its data's snapshot",
    "LEDERUDDANNELSE_CHARTS": "set by the build for each kernel: 'site' (charts for the site)",
    "XDG_CACHE_HOME": "the user's cache folder (default ~/.cache): an installed package run "
    "outside a project generates the synthetic survey in its lederuddannelse/ folder",
}

#: Folder (under the project) of the tracebacks of unexpected errors.
LOGS = Path("build") / "logs"


def check_environment() -> None:
    """Check every environment variable a user may set (see :data:`ENVIRONMENT`)."""
    from lederuddannelse.book.execute import cell_timeout
    from lederuddannelse.site.citation import source_date_epoch

    source_date_epoch()
    cell_timeout()
    root = os.environ.get("LEDERUDDANNELSE_ROOT", "").strip()
    if root and not (Path(root) / "_config.yml").is_file():
        raise ParameterError(
            f"LEDERUDDANNELSE_ROOT = {root!r}: expected the project folder (one with "
            "_config.yml and chapters/)."
        )


def check_count(option: str, value: int | None, low: int = 1) -> None:
    """A whole-number option (``--jobs``) at least ``low``."""
    if value is not None and value < low:
        raise ParameterError(f"{option} {value}: expected a whole number of at least {low}.")


def check_input_file(option: str, value: str | Path | None) -> None:
    """An input option naming a file (``--params``): it must exist and not be a folder."""
    if value is None:
        return
    path = Path(value)
    if path.is_dir():
        raise ParameterError(f"{option} {value}: is a folder; expected a file.")
    if not path.is_file():
        raise ParameterError(f"{option} {value}: no such file.")


def tracked(path: Path, root: Path) -> bool:
    """True if git tracks ``path`` in the project at ``root`` (a source: chapter, data, ...).

    Outside a git checkout the project's sources are recognised by their places instead.
    """
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--error-unmatch", "--", rel.as_posix()],
            capture_output=True,
            timeout=20,
        )
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        done = inside = None
    if inside is not None and inside.returncode == 0:
        return done.returncode == 0
    first = rel.parts[0] if rel.parts else ""
    if first in {"chapters", "src", "tests", "docs", "_static", "_templates", "locale"}:
        return True
    if first == "data":
        return "generated" not in rel.parts
    return len(rel.parts) == 1 and rel.suffix in {".yml", ".yaml", ".md", ".toml", ".bib", ".cff"}


def check_output(option: str, value: str | Path, root: Path, allowed: tuple[str, ...] = ()) -> Path:
    """Refuse, before any work, an output that would destroy something: a folder, a file the
    repository tracks (chapters, data, configuration; except the command's own product, given
    relative to ``root`` in ``allowed``), anything in the published site; and say so when the
    folder to write into does not exist. Returns the path."""
    from lederuddannelse.book import publishing
    from lederuddannelse.book.stamps import PUBLISHED

    path = Path(value)
    if path.is_dir():
        raise ParameterError(f"{option} {value}: is a folder; expected a file name.")
    if publishing.inside(path, root / PUBLISHED):
        raise ParameterError(
            f"{option} {value}: lies inside the published site ({PUBLISHED}/), which only the "
            "build writes; choose another file."
        )
    if not path.absolute().parent.is_dir():
        raise ParameterError(
            f"{option} {value}: the folder {path.absolute().parent} does not exist; "
            "create it first or choose another file."
        )
    own = {(root / name).resolve() for name in allowed}
    if path.resolve() not in own and tracked(path, root):
        raise ParameterError(
            f"{option} {value}: a file of the repository (a source git tracks); writing it "
            "would destroy it. Choose another file, e.g. under build/."
        )
    return path


def check_output_folder(option: str, value: str | Path, root: Path) -> Path:
    """An output folder (``archive --out``): it must exist, be a folder, lie outside the
    published site and hold no file the repository tracks (a source folder)."""
    from lederuddannelse.book import publishing
    from lederuddannelse.book.stamps import PUBLISHED

    path = Path(value)
    if publishing.inside(path, root / PUBLISHED):
        raise ParameterError(
            f"{option} {value}: lies inside the published site ({PUBLISHED}/), which only the "
            "build writes; choose another folder."
        )
    if not path.exists():
        raise ParameterError(f"{option} {value}: the folder does not exist; create it first.")
    if not path.is_dir():
        raise ParameterError(f"{option} {value}: is a file; expected a folder.")
    if any(tracked(f, root) for f in list(path.iterdir())[:50] if f.is_file()):
        raise ParameterError(
            f"{option} {value}: a folder of the repository's sources; choose another folder, "
            "e.g. build/archive."
        )
    return path


def write_crash_log(root: Path | None, doing: str, exc: BaseException) -> Path:
    """Write the traceback of an unexpected error to ``build/logs/`` (or the temporary folder
    when there is no project) and return the log's path."""
    import tempfile

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = (root / LOGS) if root is not None else Path(tempfile.gettempdir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    log = folder / f"error-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.write_text(f"while {doing}:\n{text}", encoding="utf-8")
    return log


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lederuddannelse",
        description=(
            "Build and re-run the book 'Lederuddannelse i psykisk arbejdsmiljø'. "
            "Chapters are MyST notebooks executed by papermill, then rendered by Jupyter Book."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    data = sub.add_parser("data", help="generate, check or validate survey data files")
    data_sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    gen = data_sub.add_parser(
        "generate",
        help="write a synthetic survey (CSV or Parquet by the file's extension)",
        description="Generate a synthetic population of Danish managers, survey it with "
        "differential response and write the sample. Same seed, same bytes.",
    )
    # Defaults (None) are the generator's own (data.synthetic.DEFAULT_N/DEFAULT_SEED), resolved
    # when the command runs so that the CLI starts without importing the generator.
    gen.add_argument(
        "--n", type=int, default=None, help="number of respondents (default: the embedded data's)"
    )
    gen.add_argument("--seed", type=int, default=None, help="random seed (default: as --n)")
    gen.add_argument("--out", required=True, help="output file, .csv or .parquet")
    val = data_sub.add_parser(
        "validate",
        help="check a data file against the codebook",
        description="Check a CSV (also ';' and decimal comma), Parquet or SPSS .sav file "
        "against the codebook. Exit 0 with a one-line summary, or 1 with every problem found.",
    )
    val.add_argument("file", help="the data file to check")
    val.add_argument(
        "--mapping",
        default=None,
        help="mapping file (YAML) from the export's columns and codes to the codebook; with it, "
        "the full validation report is printed and the mapped file written as Parquet",
    )
    val.add_argument(
        "-o",
        "--output",
        default=None,
        help="with --mapping: where to write the mapped Parquet (default build/mapped/)",
    )
    val.add_argument(
        "--all-distributions",
        action="store_true",
        help="with --mapping: show the distributions of variables without data as well",
    )
    mp = data_sub.add_parser("map", help="mapping files for survey-tool exports")
    mp_sub = mp.add_subparsers(dest="map_command", metavar="ACTION", required=True)
    mi = mp_sub.add_parser(
        "init",
        help="write a draft mapping from a file's columns and SPSS labels",
        description="Propose a source column per codebook variable (by name, variable label "
        "and value labels), a recode by value label, and list every value; every line is "
        "marked 'check'. Example: python -m lederuddannelse data map init export.sav -o "
        "mapping.yml",
    )
    mi.add_argument("file", help="the export (SPSS .sav, CSV or Parquet)")
    mi.add_argument("-o", "--output", default=None, help="write here instead of printing")
    mi.add_argument("--force", action="store_true", help="overwrite an existing output file")
    ex = data_sub.add_parser(
        "example-export",
        help="write the example survey-tool export (SPSS) made from the synthetic survey",
        description="Write data/examples/export.sav: the synthetic survey as a survey tool "
        "would export it (own names and codes, SPSS labels, option columns, register codes, "
        "partial completes). data/examples/export-mapping.yml maps it back. Same n and seed, "
        "same bytes.",
    )
    ex.add_argument("-o", "--output", default=None, help="default data/examples/export.sav")
    ex.add_argument(
        "--n", type=int, default=None, help="respondents (default: as the embedded survey)"
    )
    ex.add_argument("--seed", type=int, default=None, help="seed (default: as the embedded survey)")
    data_sub.add_parser(
        "ensure", help="generate the embedded synthetic survey if it is missing or stale"
    )

    b = sub.add_parser(
        "build",
        help="execute the chapters that changed and build the site into _build/html",
        description="Execute every chapter x parameter group of parameters.yml with papermill "
        "(cached: a run whose chapter, parameters, data, package and lock file are unchanged is "
        "skipped), then render the site with Jupyter Book (warnings are errors) and publish it "
        "to _build/html in one step. A failure leaves the published site as it was.",
    )
    b.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 2,
        help="chapters executed in parallel (default: number of cores)",
    )
    b.add_argument("--force", action="store_true", help="ignore the cache and execute everything")
    b.add_argument("--params", default=None, help="parameters file (default parameters.yml)")
    b.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    b.add_argument("--data", default=None, help="data file (overrides data_file of parameters.yml)")
    b.add_argument(
        "--mapping",
        default=None,
        help="mapping file for a survey-tool export (overrides data_mapping; docs/real-data.md)",
    )
    b.add_argument("--report-json", default=None, help=argparse.SUPPRESS)
    b.add_argument(
        "--stage-only",
        action="store_true",
        help="execute what changed and stage the book in build/book/, without rendering "
        "(the pre-build step of `make preview`)",
    )

    r = sub.add_parser(
        "run",
        help="re-execute one chapter with other parameters",
        description="Re-execute one chapter with papermill, with the parameters of one group "
        "of parameters.yml and the overrides given with -p. Parameter names and values are "
        "checked first. The executed notebook is written under build/runs/, with the same "
        "run as a standalone HTML page beside it (offline, readable in any browser); both "
        "paths are printed, and the published site is not touched. Example: "
        "python -m lederuddannelse run chapters/02_udbredelse.md -p definition narrow "
        "-p weighted false",
    )
    r.add_argument("chapter", help="chapter file, e.g. chapters/02_udbredelse.md")
    r.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter (repeatable)",
    )
    r.add_argument(
        "-g", "--group", default=None, help="parameter group to start from (default: the first)"
    )
    r.add_argument(
        "-o",
        "--output",
        default=None,
        help="where to write the executed notebook (.ipynb; the .html page goes beside it)",
    )

    pv = sub.add_parser(
        "preview",
        help="build, serve on localhost, rebuild on every edit and reload the page",
        description="Build the book, serve _build/html on 127.0.0.1 and watch chapters/, src/, "
        "data/, _static/, parameters.yml, _config.yml and the other book files. Every change "
        "rebuilds what it needs (a text-only edit re-executes nothing) and reloads the open "
        "page; one line per rebuild says what ran and how long it took. Ctrl-C stops.",
    )
    pv.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free)")
    pv.add_argument(
        "--jobs", "-j", type=int, default=os.cpu_count() or 2, help="chapters run in parallel"
    )

    sub.add_parser("params", help="list the parameters, their values and what they may be")

    aud = sub.add_parser(
        "audit",
        help="check a built site (or one page, notebook or CSV) for disclosive cells",
        description="Read every published table, CSV download and chart data set (also in the "
        "notebooks) and report any count below min_count, any estimate on fewer than min_n "
        "respondents, any single respondent's value, and any hidden count recoverable by "
        "differencing published totals and margins or shown in another table. Exit 0 when "
        "clean, 1 with the list of problems. Example: python -m lederuddannelse audit "
        "_build/html",
    )
    aud.add_argument("target", help="the site folder (e.g. _build/html), a page, notebook or CSV")
    aud.add_argument(
        "--min-n", type=int, default=None, help="default: min_n of parameters.yml (else 30)"
    )
    aud.add_argument(
        "--min-count", type=int, default=None, help="default: min_count of parameters.yml (else 5)"
    )

    cit = sub.add_parser("citation", help="citation files generated from citation.yml")
    cit_sub = cit.add_subparsers(dest="citation_command", metavar="ACTION", required=True)
    cff = cit_sub.add_parser(
        "cff",
        help="print CITATION.cff (or write it with -o)",
        description="Render CITATION.cff from citation.yml and the package version. "
        "Example: python -m lederuddannelse citation cff -o CITATION.cff",
    )
    cff.add_argument("-o", "--output", default=None, help="write to this file instead of printing")

    arc = sub.add_parser(
        "archive",
        help="write the built site as one dated zip (default into build/archive/)",
        description="Write _build/html as lederuddannelse-bog-VERSION-DATE.zip, a self-contained "
        "copy for a repository of record (the same site gives the same bytes).",
    )
    arc.add_argument("--out", default=None, help="folder to write the zip into")
    return parser


#: What each command does, for the one line an unexpected error prints.
DOING = {
    "data": "handling data",
    "build": "building the book",
    "run": "re-executing a chapter",
    "preview": "previewing the book",
    "params": "listing the parameters",
    "audit": "auditing",
    "citation": "writing the citation",
    "archive": "archiving the site",
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _main(parser, args)
    except LederuddannelseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        from lederuddannelse.book.processes import Terminated

        # One line, no traceback; the build's clean-up already ran while unwinding.
        stopped = "Terminated" if isinstance(exc, Terminated) else "Interrupted"
        print(f"{stopped}: stopped; the published site was left as it was.", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except Exception as exc:  # anything unforeseen: one line here, the traceback in a log
        try:
            root = project_root()
        except Exception:  # no project folder: the log goes to the temporary folder
            root = None
        doing = f"{DOING.get(args.command, args.command)} (`{args.command}`)"
        log = write_crash_log(root, doing, exc)
        print(
            f"error: unexpected {type(exc).__name__} while {doing}: {exc}; "
            f"the full traceback is in {log}",
            file=sys.stderr,
        )
        return 1


def _main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:

    check_environment()
    if args.command in ("build", "preview"):
        check_count("--jobs", args.jobs)
    if args.command == "preview" and not 0 <= args.port <= 65535:
        raise LederuddannelseError(f"--port {args.port}: expected a port from 0 to 65535.")
    if args.command == "build":
        check_input_file("--params", args.params)
    if args.command == "data":
        return _data(args)
    if args.command == "build":
        from lederuddannelse.book.stamps import PUBLISHED, quick_noop

        options = [str(Path(args.params)) if args.params else "None", args.data, args.mapping]
        report_json = Path(args.report_json) if args.report_json else None
        if args.stage_only:
            from lederuddannelse.book.preview import stage_step

            return stage_step(project_root(), args.jobs)
        if not args.force and quick_noop(project_root(), options, report_json):
            if not args.quiet:
                print(f"Nothing changed since the last build: {PUBLISHED}/", flush=True)
            return 0
        from lederuddannelse.book.build import build

        report = build(
            project_root(),
            jobs=args.jobs,
            force=args.force,
            quiet=args.quiet,
            params_file=Path(args.params) if args.params else None,
            data_file=args.data,
            data_mapping=args.mapping,
        )
        if args.report_json:
            report.write_json(Path(args.report_json))
        return 0
    if args.command == "run":
        from lederuddannelse.book.build import run_one
        from lederuddannelse.params import parse_cli_value

        overrides = {name: parse_cli_value(value) for name, value in args.parameter}
        if args.output:
            _check_output("-o", args.output)
        run_one(
            Path(args.chapter),
            overrides,
            project_root(),
            group=args.group,
            out=Path(args.output) if args.output else None,
        )
        return 0
    if args.command == "citation":
        from lederuddannelse.site.citation import cff_text, load_citation

        text = cff_text(load_citation(project_root() / "citation.yml"))
        if args.output:
            _check_output("-o", args.output, allowed=("CITATION.cff",))
            Path(args.output).write_text(text, encoding="utf-8")
            print(f"wrote {args.output}")
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "audit":
        return _audit(args)
    if args.command == "preview":
        from lederuddannelse.book.preview import preview

        return preview(project_root(), port=args.port, jobs=args.jobs)
    if args.command == "params":
        from lederuddannelse.params import group_name_warnings, load_parameters
        from lederuddannelse.variants import describe_parameters

        print(describe_parameters())
        for warning in group_name_warnings(load_parameters()):
            print(warning, file=sys.stderr)
        return 0
    if args.command == "archive":
        return _archive(args)
    parser.error(f"unknown command {args.command}")
    return 2


def _check_output(option: str, value: str, allowed: tuple[str, ...] = ()) -> Path:

    return check_output(option, value, project_root(), allowed)


def _archive(args: argparse.Namespace) -> int:
    from lederuddannelse.book.stamps import PUBLISHED
    from lederuddannelse.site.archive import make_archive

    root = project_root()
    out = Path(args.out) if args.out else root / "build" / "archive"
    if args.out:
        check_output_folder("--out", out, root)
    path = make_archive(root / PUBLISHED, out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from lederuddannelse.params import GLOBAL_SPECS
    from lederuddannelse.site.audit import audit, limits_of

    for option, name in (("--min-n", "min_n"), ("--min-count", "min_count")):
        value = getattr(args, name)
        if value is not None:
            GLOBAL_SPECS[name].check(name, value, option)
    target = Path(args.target)
    if not target.exists():
        print(f"error: audit: no such file or folder {target}", file=sys.stderr)
        return 1
    min_n, min_count = limits_of(project_root())
    try:
        report = audit(
            target,
            min_n=args.min_n if args.min_n is not None else min_n,
            min_count=args.min_count if args.min_count is not None else min_count,
        )
    except UnicodeDecodeError:
        raise LederuddannelseError(
            f"audit {target}: {'a file there' if target.is_dir() else 'the file'} is not UTF-8 "
            "text; expected the built site, an HTML page, a notebook or a CSV file."
        ) from None
    print(report.summary())
    return 0 if report.ok else 1


def _data(args: argparse.Namespace) -> int:
    if args.data_command == "generate":
        from lederuddannelse.data.synthetic import DEFAULT_N, DEFAULT_SEED, generate_to_file

        _check_output("--out", args.out)
        n = DEFAULT_N if args.n is None else args.n
        seed = DEFAULT_SEED if args.seed is None else args.seed
        path = generate_to_file(n=n, seed=seed, out=args.out)
        print(f"wrote {path} ({n} respondents, seed {seed})")
        return 0
    if args.data_command == "validate":
        if args.mapping:
            from lederuddannelse.data.mapping_report import validate

            if args.output:
                _check_output("-o", args.output)
            result = validate(
                args.file, args.mapping, args.output, all_distributions=args.all_distributions
            )
            print(result.report)
            return 0 if result.ok else 1
        from lederuddannelse.data.loader import validate_file

        print(validate_file(args.file))
        return 0
    if args.data_command == "map":
        from lederuddannelse.data.mapping_init import draft_mapping

        out = _check_output("-o", args.output) if args.output else None
        if out is not None and out.exists() and not args.force:
            raise LederuddannelseError(
                f"{out} exists; it may hold checked work. Use --force to overwrite it."
            )
        text = draft_mapping(args.file)
        if out is None:
            sys.stdout.write(text)
            return 0
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}: check every line marked 'check', then run data validate")
        return 0
    if args.data_command == "example-export":
        from lederuddannelse.data.example_export import EXAMPLE_FILE, write_example_export

        out = Path(args.output) if args.output else project_root() / EXAMPLE_FILE
        _check_output("-o", str(out))
        path = write_example_export(out, args.n, args.seed)
        print(f"wrote {path}")
        return 0
    if args.data_command == "ensure":
        from lederuddannelse.data.synthetic import ensure_embedded_data

        print(ensure_embedded_data())
        return 0
    raise AssertionError(args.data_command)
