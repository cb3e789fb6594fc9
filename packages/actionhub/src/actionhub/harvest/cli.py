"""Arguments of ``actionhub harvest`` and ``actionhub emulator``: option ``dest`` names equal config fields."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from pathlib import Path

from actionhub.harvest.config import GROUPS, REMOTE_RATE, SITE_NAMES, HarvestConfig, option_groups

_HELP = {
    "site": "site adapter", "base_url": "site URL (emulator: http://127.0.0.1:PORT) or, for corpus, the caption file",
    "max_pages": "pages per query at most", "max_items": "distinct items per query at most",
    "per_page": "items requested per page",
    "rate": f"requests/s per host (0: no limit; default: {REMOTE_RATE:g} for remote hosts, none for loopback)",
    "burst": "requests a host may get back to back", "concurrency": "tasks at once",
    "timeout": "seconds per connect/read", "max_retries": "retries per request (429, 5xx, timeouts, resets)",
    "backoff_base": "first backoff in seconds (doubles, with jitter)", "backoff_cap": "longest backoff in seconds",
    "max_response_bytes": "refuse larger responses", "user_agent": "User-Agent header (add your contact)",
    "people_number": "shutterstock: exact number of people (0: model-released people, i.e. at least one)",
    "sort": "shutterstock: sort order", "text_column": "corpus: caption column",
    "id_column": "corpus: id column (default: id, else row number)",
    "request_deadline": "seconds one request may take in all (then retried)",
    "max_decoded_bytes": "refuse bodies larger than this once decompressed",
}
_FLAGS = {"retry_failed": "redo failed tasks", "overwrite": "redo every task, even finished ones",
          "allow_web": "allow shutterstock-web (public pages; opt-in)"}


def add_harvest_options(p: argparse.ArgumentParser) -> None:
    """One option per :class:`HarvestConfig` option (defaults from the dataclasses), grouped as the config is.

    The one definition of the harvest options: ``actionhub harvest`` and ``actionhub build`` both use it.
    """
    for group_name, group in GROUPS.items():
        g = p.add_argument_group(f"harvest: {group_name}")
        for f in dataclasses.fields(group):
            option = "--" + f.name.replace("_", "-")
            if f.name == "progress":
                g.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
            elif f.name in _FLAGS:
                g.add_argument(option, dest=f.name, action="store_true", help=_FLAGS[f.name])
            elif f.name == "site":
                g.add_argument(option, dest=f.name, default=f.default, choices=SITE_NAMES, help=_HELP[f.name])
            elif f.name == "rate":
                g.add_argument(option, dest=f.name, type=float, default=f.default, help=_HELP[f.name])
            else:
                g.add_argument(option, dest=f.name, type=type(f.default), default=f.default,
                               help=f"{_HELP[f.name]} (default: {f.default})")


def add_harvest_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``actionhub harvest``: input and output, then the shared harvest options."""
    p.add_argument("--queries", type=Path, required=True, help="query table (Parquet, schema QUERIES)")
    p.add_argument("--out", type=Path, required=True, help="output directory (raw/ and stats/ go under it)")
    add_harvest_options(p)


def config_from_args(args: argparse.Namespace) -> HarvestConfig:
    """The :class:`HarvestConfig` of parsed arguments (raises ValueError for a refused value)."""
    return HarvestConfig.from_options(**{name: getattr(args, name) for name in option_groups()})


def run_harvest(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from actionhub import schema
    from actionhub.harvest.errors import AuthError
    from actionhub.harvest.run import harvest

    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"actionhub harvest: {exc}", file=sys.stderr)
        return 2
    queries = pq.read_table(args.queries, schema=schema.QUERIES)
    try:
        summary = harvest(config, queries, args.out)
    except AuthError as exc:
        print(f"actionhub harvest: stopped: {exc}", file=sys.stderr)
        return 3
    except ValueError as exc:
        print(f"actionhub harvest: {exc}", file=sys.stderr)
        return 2
    print(summary.format())
    return 0 if summary.failed == 0 else 1


def add_emulator_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic descriptions")
    p.add_argument("--results-per-query", dest="results_per_query", type=int, default=45)
    p.add_argument("--web-layout", dest="web_layout", default="json", choices=["json", "html", "changed"])


def run_emulator(args: argparse.Namespace) -> int:
    from actionhub.harvest.emulator import Emulator, EmulatorConfig

    emulator = Emulator(EmulatorConfig(seed=args.seed, results_per_query=args.results_per_query,
                                       web_layout=args.web_layout), port=args.port)
    print(f"footage-site emulator (SYNTHETIC SAMPLE DATA) on {emulator.url}; Ctrl-C stops it", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        emulator.serve_forever()
    return 0
