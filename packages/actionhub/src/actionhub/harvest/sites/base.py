"""What a site adapter is: a class taking (base URL, client, config) that returns one page of hits.

Items are validated one by one (:func:`item_from`): an item with bad UTF-8, a missing field or a field of
the wrong type is rejected with its reason (``Page.rejected``) and the rest of its page is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.errors import ItemError
from actionhub.harvest.http import PoliteClient


@dataclass(frozen=True)
class Item:
    """One video a site returned: its id, its description and its keywords (possibly empty)."""

    asset_id: str
    description: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    """One page of results in the site's order; ``has_more`` is False on the last page.

    ``rejected`` holds the page's unusable items, each with its reason, in page order.
    """

    items: tuple[Item, ...]
    has_more: bool
    rejected: tuple[ItemError, ...] = ()


def _text(value: object, name: str, asset_id: str | None) -> str:
    if not isinstance(value, str):
        got = "null" if value is None else type(value).__name__
        raise ItemError("wrong_type", f"{name} is {got}, expected text", asset_id)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # undecodable bytes arrive as lone surrogates (surrogateescape)
        raise ItemError("bad_utf8", f"{name} is not valid UTF-8 (byte {exc.start})", asset_id) from None
    return value


def item_from(entry: object, id_key: str = "id", text_key: str = "description") -> Item:
    """An :class:`Item` from one decoded JSON entry, every field checked against its declared type.

    ``id`` may be text or an integer; ``description`` must be text; ``keywords`` a list of texts or absent.

    Raises:
        ItemError: ``wrong_type``, ``missing_field`` or ``bad_utf8``, with the item's id when it has one.
    """
    if not isinstance(entry, dict):
        raise ItemError("wrong_type", f"item is {type(entry).__name__}, expected an object")
    raw_id = entry.get(id_key)
    if raw_id is None or raw_id == "":
        raise ItemError("missing_field", f"item has no {id_key}")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        raise ItemError("wrong_type", f"{id_key} is {type(raw_id).__name__}, expected text or an integer")
    asset_id = _text(str(raw_id), id_key, None)
    if text_key not in entry:
        raise ItemError("missing_field", f"item has no {text_key}", asset_id)
    description = _text(entry[text_key], text_key, asset_id)
    keywords = entry.get("keywords")
    if keywords is None:
        keywords = []
    if not isinstance(keywords, list):
        raise ItemError("wrong_type", f"keywords is {type(keywords).__name__}, expected a list", asset_id)
    return Item(asset_id, description, tuple(_text(k, "keyword", asset_id) for k in keywords))


def validate(entries: list, keep=lambda entry: True) -> tuple[tuple[Item, ...], tuple[ItemError, ...]]:
    """Splits a page's entries into items and rejections; entries ``keep`` says no to are left out silently."""
    items, rejected = [], []
    for position, entry in enumerate(entries):
        if isinstance(entry, dict) and not keep(entry):
            continue
        try:
            items.append(item_from(entry))
        except ItemError as exc:
            exc.message = f"item {position} of the page: {exc.message}"
            rejected.append(exc)
    return tuple(items), tuple(rejected)


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

    @classmethod
    def preflight(cls, base_url: str, config: HarvestConfig) -> None:
        """Checks what a run needs before any work starts (credentials, opt-ins); raises on a problem."""

    def __init__(self, base_url: str, client: PoliteClient, config: HarvestConfig) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.client = client
        self.config = config

    def search(self, query: str, page: int) -> Page:
        """Returns page ``page`` (1-based) of the site's results for ``query``."""
        raise NotImplementedError
