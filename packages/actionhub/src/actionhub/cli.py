"""The ``actionhub`` command: a thin shell over the library. Each subcommand parses arguments into the
stage's config and calls one library function."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from actionhub import __version__


def _doctor(args: argparse.Namespace) -> int:
    from actionhub import doctor

    text, code = doctor.report(doctor.run_checks())
    print(text)
    return code


def _add_doctor(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="report which assets and optional components are available")
    p.set_defaults(func=_doctor)


def _queries(args: argparse.Namespace) -> int:
    from actionhub import queries
    from actionhub.assets import MissingAssetError

    try:
        config = queries.QueriesConfig(sources=args.sources, classes=args.classes)
        table, report = queries.build_queries(config)
        path = queries.write_queries(table, args.out, args.format)
    except (queries.QueriesError, MissingAssetError) as exc:
        print(f"actionhub queries: error: {exc}", file=sys.stderr)
        return 2
    print(report.format())
    print(f"wrote {table.num_rows} actions to {path}")
    return 0


def _add_queries(sub: argparse._SubParsersAction) -> None:
    from actionhub.queries import FORMATS, QueriesConfig, parse_sources
    from actionhub.sources import SOURCES

    p = sub.add_parser("queries", help="build the deduplicated action query table from class-name lists")
    p.add_argument("--sources", type=parse_sources, default=QueriesConfig.sources,
                   help=f"comma-separated, from: {', '.join(SOURCES)}; 'all' (default) = the paper's seven; "
                        "'' = none (with --classes)")
    p.add_argument("--classes", type=Path, default=QueriesConfig.classes,
                   help="a file of your own class names, one per line (# comments)")
    p.add_argument("--out", type=Path, required=True, help="output file")
    p.add_argument("--format", choices=FORMATS, default=None, help="default: csv for a .csv --out, else parquet")
    p.set_defaults(func=_queries)


def _harvest(args: argparse.Namespace) -> int:
    from actionhub.harvest.cli import run_harvest

    return run_harvest(args)


def _emulator(args: argparse.Namespace) -> int:
    from actionhub.harvest.cli import run_emulator

    return run_emulator(args)


def _add_harvest(sub: argparse._SubParsersAction) -> None:
    from actionhub.harvest.cli import add_emulator_arguments, add_harvest_arguments

    p = sub.add_parser("harvest", help="collect descriptions for every query from a footage site or a caption corpus")
    add_harvest_arguments(p)
    p.set_defaults(func=_harvest)
    e = sub.add_parser("emulator", help="serve the footage-site emulator (synthetic sample data) until Ctrl-C")
    add_emulator_arguments(e)
    e.set_defaults(func=_emulator)


# One registration function per subcommand; each adds its parser and sets `func`.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_doctor, _add_queries, _add_harvest]


def build_parser() -> argparse.ArgumentParser:
    """Returns the top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="actionhub", description=__doc__)
    parser.add_argument("--version", action="version", version=f"actionhub {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in SUBCOMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``actionhub`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
