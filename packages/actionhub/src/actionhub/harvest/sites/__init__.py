"""Site adapters by registry name. Each takes (base URL, polite client, config) and returns pages of hits."""

from __future__ import annotations

from actionhub.harvest.sites.base import Item, Page, Site
from actionhub.harvest.sites.corpus import CaptionCorpus
from actionhub.harvest.sites.shutterstock import ShutterstockApi
from actionhub.harvest.sites.shutterstock_web import ShutterstockWeb

SITES: dict[str, type[Site]] = {
    "shutterstock": ShutterstockApi,
    "shutterstock-web": ShutterstockWeb,
    "corpus": CaptionCorpus,
}

__all__ = ["SITES", "Item", "Page", "Site"]
