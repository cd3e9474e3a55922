"""Command line: `python -m lederuddannelse COMMAND` (see `--help`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lederuddannelse.errors import LederuddannelseError
from lederuddannelse.paths import project_root


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
    b.add_argument("--report-json", default=None, help=argparse.SUPPRESS)  # for `preview`

    r = sub.add_parser(
        "run",
        help="re-execute one chapter with other parameters",
        description="Re-execute one chapter with papermill, with the parameters of one group "
        "of parameters.yml and the overrides given with -p. Parameter names and values are "
        "checked first. The executed notebook is written under build/runs/ (the published "
        "site is not touched). Example: python -m lederuddannelse run "
        "chapters/02_udbredelse.md -p definition narrow -p weighted false",
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
    r.add_argument("-o", "--output", default=None, help="where to write the executed notebook")

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

    cit = sub.add_parser("citation", help="citation files generated from citation.yml")
    cit_sub = cit.add_subparsers(dest="citation_command", metavar="ACTION", required=True)
    cff = cit_sub.add_parser(
        "cff",
        help="print CITATION.cff (or write it with -o)",
        description="Render CITATION.cff from citation.yml and the package version. "
        "Example: python -m lederuddannelse citation cff -o CITATION.cff",
    )
    cff.add_argument("-o", "--output", default=None, help="write to this file instead of printing")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "data":
            return _data(args)
        if args.command == "build":
            from lederuddannelse.book.build import build

            report = build(
                project_root(),
                jobs=args.jobs,
                force=args.force,
                quiet=args.quiet,
                params_file=Path(args.params) if args.params else None,
            )
            if args.report_json:
                report.write_json(Path(args.report_json))
            return 0
        if args.command == "run":
            from lederuddannelse.book.build import run_one
            from lederuddannelse.params import parse_cli_value

            overrides = {name: parse_cli_value(value) for name, value in args.parameter}
            run_one(
                Path(args.chapter),
                overrides,
                project_root(),
                group=args.group,
                out=Path(args.output) if args.output else None,
            )
            return 0
        if args.command == "citation":
            from lederuddannelse.book.citation import cff_text, load_citation

            text = cff_text(load_citation(project_root() / "citation.yml"))
            if args.output:
                Path(args.output).write_text(text, encoding="utf-8")
                print(f"wrote {args.output}")
            else:
                sys.stdout.write(text)
            return 0
        if args.command == "preview":
            from lederuddannelse.book.preview import preview

            return preview(project_root(), port=args.port, jobs=args.jobs)
        if args.command == "params":
            from lederuddannelse.params import describe_parameters

            print(describe_parameters())
            return 0
    except LederuddannelseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


def _data(args: argparse.Namespace) -> int:
    if args.data_command == "generate":
        from lederuddannelse.data.synthetic import DEFAULT_N, DEFAULT_SEED, generate_to_file

        n = DEFAULT_N if args.n is None else args.n
        seed = DEFAULT_SEED if args.seed is None else args.seed
        path = generate_to_file(n=n, seed=seed, out=args.out)
        print(f"wrote {path} ({n} respondents, seed {seed})")
        return 0
    if args.data_command == "validate":
        from lederuddannelse.data.loader import validate_file

        print(validate_file(args.file))
        return 0
    if args.data_command == "ensure":
        from lederuddannelse.data.synthetic import ensure_embedded_data

        print(ensure_embedded_data())
        return 0
    raise AssertionError(args.data_command)
