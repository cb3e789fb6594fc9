"""Command line of coco: ``coco-train``, ``coco-eval`` and ``python -m coco {train,eval}``.

A thin shell: arguments become a config, and one library function runs it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coco import __version__


def build_parser() -> argparse.ArgumentParser:
    """Returns the ``python -m coco`` parser with its subcommands."""
    parser = argparse.ArgumentParser(prog="coco", description="CoCo zero-shot action recognition")
    parser.add_argument("--version", action="version", version=f"coco {__version__}")
    parser.add_subparsers(dest="command", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m coco``; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.func(args)


def train_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``coco-train``."""
    return main(["train", *(sys.argv[1:] if argv is None else argv)])


def eval_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``coco-eval``."""
    return main(["eval", *(sys.argv[1:] if argv is None else argv)])
