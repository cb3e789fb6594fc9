"""Harvest: polite, resumable collection of video descriptions from footage sites or a caption corpus.

``harvest(config, queries, out_dir)`` (in :mod:`actionhub.harvest.run`) is the one entry point; see
docs/actionhub.md, section "Harvest", and docs/architecture.md for the modules.
"""

from __future__ import annotations

from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.run import HarvestSummary, harvest

__all__ = ["HarvestConfig", "HarvestSummary", "harvest"]
