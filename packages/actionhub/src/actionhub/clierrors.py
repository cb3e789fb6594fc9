"""How every command meets a person's mistake: one line on stderr and a non-zero exit, never a traceback.

:func:`run_main` wraps a command's ``main``: a :class:`UserError` or another known error (bad values,
missing or unreadable files, refused credentials) prints ``<prog>: error: <what>`` and exits 2; Ctrl-C
prints ``<prog>: interrupted; rerun the same command to resume`` and exits 130 (every stage resumes from its
done markers); anything else is a bug and prints one line asking for ``--debug``, exit 1. ``--debug``
anywhere on the command line, or ``ACTIONHUB_DEBUG=1``, lets the traceback through instead. Parsers built
from :class:`OneLineParser` report argument errors in one line too, not with the whole usage text.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

DEBUG_FLAG = "--debug"
DEBUG_ENV = "ACTIONHUB_DEBUG"
EXIT_USER, EXIT_BUG, EXIT_INTERRUPTED = 2, 1, 130
MAX_MESSAGE = 400  # characters of one error line


class UserError(Exception):
    """A mistake a person can fix (the message says what and how); never a bug."""


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line naming the problem, with a pointer to ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def one_line(exc: BaseException) -> str:
    """The exception's message on one line, shortened to :data:`MAX_MESSAGE` characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        text = str(exc.args[0])
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


def known_errors() -> tuple[type[BaseException], ...]:
    """Errors that come from the input, not from a bug: bad values, files, refused credentials."""
    errors: list[type[BaseException]] = [UserError, ValueError, OSError]
    harvest = sys.modules.get("actionhub.harvest.errors")  # not imported: nothing can have raised its errors
    if harvest is not None:
        errors.append(harvest.HarvestError)
    return tuple(errors)


def run_main(main: Callable[[list[str]], int], argv: Sequence[str] | None, prog: str,
             known: tuple[type[BaseException], ...] | Callable[[], tuple[type[BaseException], ...]] = (),
             parser_has_debug: bool = False) -> int:
    """Runs ``main(argv)`` and turns its errors into one line and an exit code.

    Args:
        main: The command; returns its exit code.
        argv: Arguments; None reads ``sys.argv[1:]``. ``--debug`` may stand anywhere in them.
        prog: The command's name, the first word of every message.
        known: More exception types that mean bad input (besides :func:`known_errors`), or a function
            returning them (called only after a failure, so that importing them costs nothing otherwise).
        parser_has_debug: The command's top-level parser has a ``--debug`` option of its own (more logging):
            it is passed on, first (also when only ``ACTIONHUB_DEBUG`` asks for it); otherwise it is removed.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in args or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    args = [a for a in args if a != DEBUG_FLAG]
    if parser_has_debug and debug:  # the environment variable counts as the flag
        args.insert(0, DEBUG_FLAG)
    try:
        return main(args)
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        print(f"{prog}: interrupted; rerun the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if debug:
            raise
        if isinstance(exc, (*known_errors(), *(known() if callable(known) else known))):
            print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)
            return EXIT_USER
        print(f"{prog}: internal error: {type(exc).__name__}: {one_line(exc)} (rerun with {DEBUG_FLAG} for the "
              "traceback)", file=sys.stderr)
        return EXIT_BUG


def check_out_dir(path: Path, option: str = "--out") -> None:
    """Raises :class:`UserError` when an output directory ``path`` exists as something other than a directory."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} {path} is an existing file; give a directory")


def check_dataset_dir(path: Path) -> None:
    """Raises :class:`UserError` unless ``path`` is a completely published dataset whose Parquet files all open.

    Each file's footer is read (cheap), so a corrupted file is named before any work starts.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from actionhub.publish import MARKER, is_complete

    if not Path(path).is_dir():
        raise UserError(f"{path} is not a directory")
    if not is_complete(path):
        raise UserError(f"{path} is not a published actionhub dataset (no {MARKER}); build one with actionhub build")
    for file in sorted(Path(path).glob("data/*/*.parquet")):
        try:
            pq.ParquetFile(file).metadata  # noqa: B018 (reading the footer is the check)
        except (pa.ArrowException, OSError) as exc:
            raise UserError(f"{file} is not a readable Parquet file ({one_line(exc)}); publish the dataset again"
                            ) from exc


def push_or_explain(path: Path, repo_id: str, private: bool) -> str:
    """``actionhub.publish.push_to_hub``, with a missing token or an unreachable Hub as one-line errors."""
    from huggingface_hub import get_token

    from actionhub.publish import push_to_hub

    if not get_token():
        raise UserError("no Hugging Face token: run `hf auth login` or set HF_TOKEN, then push again")
    try:
        return push_to_hub(path, repo_id, private=private)
    except Exception as exc:
        if _is_network_error(exc):
            raise UserError(f"cannot reach the Hugging Face Hub ({type(exc).__name__}); check the network and "
                            "push again") from exc
        raise


def _is_network_error(exc: BaseException) -> bool:
    """True when ``exc`` or one of its causes is a connection or timeout error of any HTTP stack."""
    while exc is not None:
        name = type(exc).__name__
        if isinstance(exc, (ConnectionError, TimeoutError)) or "Connect" in name or "Timeout" in name \
                or name == "OfflineModeIsEnabled":
            return True
        exc = exc.__cause__ or exc.__context__
    return False
