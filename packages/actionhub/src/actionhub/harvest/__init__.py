"""Harvest: polite, resumable collection of video descriptions from footage sites or a caption corpus.

``harvest(config, queries, out_dir)`` (in :mod:`actionhub.harvest.run`) is the one entry point; see
docs/actionhub.md, section "Harvest", and docs/architecture.md for the modules.
"""

from __future__ import annotations

from actionhub.harvest.config import HarvestConfig

__all__ = ["HarvestConfig", "HarvestSummary", "harvest"]


def __getattr__(name: str):
    # The runner pulls in httpx, pyarrow and the site adapters: imported on first use, so that the CLI's
    # --help (which only needs the config) answers at once.
    if name in ("HarvestSummary", "harvest"):
        from actionhub.harvest import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
