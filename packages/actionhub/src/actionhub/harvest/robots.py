"""robots.txt, read with Protego (the standard library's parser mishandles ``*`` and ``$`` wildcards).

Fetched once per host through the polite client. As RFC 9309 says: a 4xx robots.txt ("unavailable")
means everything is allowed; an unreachable one (5xx or network failure after retries) means nothing is,
so a site whose rules we cannot read is not crawled. A ``Crawl-delay`` slows the host's bucket.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from protego import Protego

from actionhub.harvest.errors import AuthError, HarvestError
from actionhub.harvest.http import PoliteClient, host_of

# The product token robots.txt groups are matched against (the User-Agent's first word, without version).
ROBOTS_AGENT = "actionhub-harvest"


class RobotsPolicy:
    """Answers whether a URL may be fetched, fetching and caching each host's robots.txt on first use."""

    def __init__(self, client: PoliteClient, agent: str = ROBOTS_AGENT) -> None:
        self._client = client
        self._agent = agent
        self._rules: dict[str, Protego | None] = {}  # None: everything disallowed
        self._lock = threading.Lock()

    def _load(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            response = self._client.get(robots_url, ok_statuses=tuple(range(400, 500)))
        except (AuthError, HarvestError):
            return None
        if response.status >= 400:
            return Protego.parse("")
        rules = Protego.parse(response.text)
        delay = rules.crawl_delay(self._agent)
        if delay:
            self._client.limiter.bucket(host_of(url)).slow_to(1.0 / float(delay))
        return rules

    def rules(self, url: str) -> Protego | None:
        host = host_of(url)
        with self._lock:
            if host not in self._rules:
                self._rules[host] = self._load(url)
            return self._rules[host]

    def allowed(self, url: str) -> bool:
        rules = self.rules(url)
        return rules is not None and rules.can_fetch(url, self._agent)

    def check(self, url: str) -> None:
        """Raises ``HarvestError('robots_disallowed')`` unless robots.txt allows ``url``."""
        if not self.allowed(url):
            raise HarvestError("robots_disallowed", f"robots.txt of {host_of(url)} disallows {urlsplit(url).path}")
