"""``shutterstock``: the official REST API, ``GET /v2/videos/search``.

Credentials: HTTP Basic auth with ``SHUTTERSTOCK_CLIENT_ID`` / ``SHUTTERSTOCK_CLIENT_SECRET`` from the
environment, read when the adapter is built and kept only inside the ``httpx`` auth object (never logged,
never written). They are sent only to the official API host or to a loopback host (the emulator), never to
another ``base_url``, so a mistyped or hostile URL cannot collect them. Against the emulator they are
optional; the emulator decides.

"At least one person": the API's ``people_number`` is an *exact* count (0..4), so one request cannot ask for
"one or more". By default we send ``people_model_released=true`` (only videos of people with a signed model
release, which implies at least one person) and also drop any returned item whose ``has_model_release`` is
not true (the API returns that field in every view), so the rule holds even if the filter is ignored.
With ``people_number=N`` (1..4) the request asks for exactly N people instead (and the item check stays).
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

import httpx

from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.errors import AuthError, ParseError
from actionhub.harvest.http import PoliteClient
from actionhub.harvest.sites.base import Item, Page, Site, item_from, validate

CREDENTIAL_VARS = ("SHUTTERSTOCK_CLIENT_ID", "SHUTTERSTOCK_CLIENT_SECRET")
MAX_PER_PAGE = 500  # the API's limit on per_page


def credentials_from_env() -> httpx.BasicAuth | None:
    """Basic auth from the environment, or None when either variable is unset."""
    client_id, secret = (os.environ.get(name, "") for name in CREDENTIAL_VARS)
    return httpx.BasicAuth(client_id, secret) if client_id and secret else None


def may_receive_credentials(base_url: str, official: str) -> bool:
    """True for the official API host and loopback hosts (the emulator); credentials go nowhere else."""
    host = urlsplit(base_url).hostname or ""
    if host == urlsplit(official).hostname or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ShutterstockApi(Site):
    """Video search through the official API (JSON)."""

    name = "shutterstock"
    default_base_url = "https://api.shutterstock.com"

    def __init__(self, base_url: str, client: PoliteClient, config: HarvestConfig) -> None:
        super().__init__(base_url, client, config)
        self._auth = credentials_from_env() if may_receive_credentials(self.base_url, self.default_base_url) else None
        if self._auth is None and self.base_url == self.default_base_url:
            raise AuthError("missing_credentials", f"set {' and '.join(CREDENTIAL_VARS)} to use the Shutterstock "
                            "API (see `actionhub doctor`)")

    def params(self, query: str, page: int) -> dict[str, object]:
        params: dict[str, object] = {"query": query, "page": page,
                                     "per_page": min(self.config.limits.per_page, MAX_PER_PAGE),
                                     "sort": self.config.access.sort, "view": "full"}
        if self.config.access.people_number:
            params["people_number"] = self.config.access.people_number
        else:
            params["people_model_released"] = "true"
        return params

    @classmethod
    def preflight(cls, base_url: str, config: HarvestConfig) -> None:
        base_url = (base_url or cls.default_base_url).rstrip("/")
        if base_url == cls.default_base_url and credentials_from_env() is None:
            raise AuthError("missing_credentials", f"set {' and '.join(CREDENTIAL_VARS)} to use the Shutterstock "
                            "API (see `actionhub doctor`)")

    def search(self, query: str, page: int) -> Page:
        response = self.client.get(f"{self.base_url}/v2/videos/search", self.params(query, page), auth=self._auth)
        try:
            payload = response.json()
        except ValueError as exc:
            kind = response.headers.get("content-type", "?").split(";")[0]
            raise ParseError(f"/v2/videos/search answered {kind} that is not JSON: {exc}") from exc
        rows = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(rows, list):
            raise ParseError("/v2/videos/search response has no data list")
        try:
            total = int(payload.get("total_count", 0))
            per_page = int(payload.get("per_page", self.config.limits.per_page))
        except (TypeError, ValueError) as exc:
            raise ParseError(f"/v2/videos/search response has a bad total_count or per_page: {exc}") from exc
        items, rejected = validate(rows, keep=lambda row: row.get("has_model_release") is True)
        return Page(items, has_more=bool(rows) and page * per_page < total, rejected=rejected)


def parse_item(row: dict) -> Item:
    """An :class:`Item` from one entry of the API's ``data`` list (raises ``ItemError`` for a bad entry)."""
    return item_from(row)
