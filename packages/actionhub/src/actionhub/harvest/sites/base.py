"""What a site adapter is: a class taking (base URL, client, config) that returns one page of hits."""

from __future__ import annotations

from dataclasses import dataclass

from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.http import PoliteClient


@dataclass(frozen=True)
class Item:
    """One video a site returned: its id, its description and its keywords (possibly empty)."""

    asset_id: str
    description: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    """One page of results in the site's order; ``has_more`` is False on the last page."""

    items: tuple[Item, ...]
    has_more: bool


class Site:
    """Base of every adapter.

    Subclasses set ``name`` and ``default_base_url`` and implement :meth:`search`. Adapters raise
    ``HarvestError`` (or ``ParseError``) for a failed page and ``AuthError`` for refused credentials.

    Args:
        base_url: Where the site lives (a local server in tests); empty uses ``default_base_url``.
        client: The polite client all requests go through.
        config: Harvest settings (per_page, filters...).
    """

    name = ""
    default_base_url = ""

    def __init__(self, base_url: str, client: PoliteClient, config: HarvestConfig) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.client = client
        self.config = config

    def search(self, query: str, page: int) -> Page:
        """Returns page ``page`` (1-based) of the site's results for ``query``."""
        raise NotImplementedError
