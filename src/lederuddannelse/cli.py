"""Command line: `python -m lederuddannelse COMMAND` (see `--help`)."""

from __future__ import annotations

import argparse
import sys

from lederuddannelse.errors import LederuddannelseError


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
    gen.add_argument("--n", type=int, default=6000, help="number of respondents (default 6000)")
    gen.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "data":
            return _data(args)
    except LederuddannelseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


def _data(args: argparse.Namespace) -> int:
    if args.data_command == "generate":
        from lederuddannelse.synthetic import generate_to_file

        path = generate_to_file(n=args.n, seed=args.seed, out=args.out)
        print(f"wrote {path} ({args.n} respondents, seed {args.seed})")
        return 0
    if args.data_command == "validate":
        from lederuddannelse.loader import validate_file

        print(validate_file(args.file))
        return 0
    if args.data_command == "ensure":
        from lederuddannelse.synthetic import ensure_embedded_data

        print(ensure_embedded_data())
        return 0
    raise AssertionError(args.data_command)
