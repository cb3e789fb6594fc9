"""``shutterstock-web``: the public search pages (``/video/search/<words>?page=N``). Opt-in only.

Obeys robots.txt (Protego) before every page. Parses the page's embedded JSON first (a
``<script type="application/json">`` such as Next.js's ``__NEXT_DATA__``: the first list under a key named
``assets``, ``results``, ``items`` or ``data`` whose entries carry ``id`` and ``description``), and the HTML
second (elements with a ``data-asset-id`` attribute; the description from ``data-description``, an element
with ``itemprop="description"`` or the thumbnail's ``alt``). Pages are a moving target: when neither finds
results and the page does not say it has none, the task ends with a ``parse_error`` row instead of a crash.
No people filter is applied: the pages' filter parameters are no stable interface; use the API for that.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from bs4 import BeautifulSoup

from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.errors import ItemError, ParseError
from actionhub.harvest.http import PoliteClient
from actionhub.harvest.robots import RobotsPolicy
from actionhub.harvest.sites.base import Page, Site, item_from, validate

LIST_KEYS = ("assets", "results", "items", "data")
PAGE_COUNT_KEYS = ("totalPages", "total_pages", "pageCount")


def search_slug(query: str) -> str:
    """``"playing tennis"`` -> ``"playing-tennis"`` (the site's path form), percent-encoded."""
    return quote("-".join(re.findall(r"\w+", query.lower())))


def _walk(node: object):
    """Yields every (key, value) pair of nested dicts and lists, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                yield key, value
                stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)


def _is_asset(entry: object) -> bool:
    return isinstance(entry, dict) and "id" in entry and "description" in entry


def _is_results(value: object) -> bool:
    """A list of objects at least one of which is an asset: a results list (its bad entries are rejected later)."""
    return isinstance(value, list) and any(_is_asset(e) for e in value) \
        and all(isinstance(e, dict) for e in value)


def parse_embedded_json(soup: BeautifulSoup, page: int) -> Page | None:
    """Results from the page's embedded JSON, or None when no script holds a results list."""
    for script in soup.find_all("script", attrs={"type": "application/json"}):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        assets = next((v for k, v in _walk(data) if k in LIST_KEYS and _is_results(v)), None)
        if assets is None:
            continue
        pages = next((v for k, v in _walk(data) if k in PAGE_COUNT_KEYS and isinstance(v, int)), None)
        items, rejected = validate(assets)
        return Page(items, has_more=page < pages if pages is not None else bool(assets), rejected=rejected)
    return None


def parse_html(soup: BeautifulSoup) -> Page | None:
    """Results from the page's markup, or None when it has neither result cards nor a no-results notice."""
    items, rejected = [], []
    for position, card in enumerate(soup.find_all(attrs={"data-asset-id": True})):
        text = card.get("data-description")
        if not text:
            node = card.find(attrs={"itemprop": "description"})
            img = card.find("img", alt=True)
            text = node.get_text(" ", strip=True) if node else (img["alt"] if img else "")
        try:
            text = text.strip()
            items.append(item_from({"id": card["data-asset-id"], **({"description": text} if text else {})}))
        except ItemError as exc:
            exc.message = f"card {position} of the page: {exc.message}"
            rejected.append(exc)
    if items or rejected:
        return Page(tuple(items), has_more=soup.find("a", rel="next") is not None, rejected=tuple(rejected))
    if soup.find(attrs={"data-testid": "no-results"}):
        return Page((), has_more=False)
    return None


class ShutterstockWeb(Site):
    """Video search through the public search pages (HTML)."""

    name = "shutterstock-web"
    default_base_url = "https://www.shutterstock.com"

    @classmethod
    def preflight(cls, base_url: str, config: HarvestConfig) -> None:
        if not config.access.allow_web:
            raise ValueError("shutterstock-web reads public pages and is opt-in: pass --allow-web (and prefer the "
                             "API: --site shutterstock)")

    def __init__(self, base_url: str, client: PoliteClient, config: HarvestConfig) -> None:
        self.preflight(base_url, config)
        super().__init__(base_url, client, config)
        self.robots = RobotsPolicy(client)

    def search(self, query: str, page: int) -> Page:
        url = f"{self.base_url}/video/search/{search_slug(query)}?page={page}"
        self.robots.check(url)
        soup = BeautifulSoup(self.client.get(url).escaped_text, "html.parser")
        result = parse_embedded_json(soup, page) or parse_html(soup)
        if result is None:
            raise ParseError(f"no results list in the embedded JSON or the HTML of {url}: the page layout changed")
        return result
