"""The harvest configuration: one frozen dataclass whose fields are also the CLI's option names."""

from __future__ import annotations

from dataclasses import dataclass

from actionhub import __version__

# The project has no web site of its own yet: the paper it implements says what the crawler is for.
PROJECT_URL = "https://arxiv.org/abs/2401.11654"
# Honest: names the tool, its version and what it is for. Add a contact with --user-agent on real runs.
USER_AGENT = f"actionhub-harvest/{__version__} (ActionHub dataset builder; +{PROJECT_URL})"


@dataclass(frozen=True)
class HarvestConfig:
    """What to harvest and how politely.

    Attributes:
        site: Registry name of the site adapter (a key of ``actionhub.harvest.sites.SITES``).
        base_url: Where the site lives; empty means the adapter's public default. For ``corpus`` it is the
            path of the caption file.
        max_pages: Pages fetched per query at most.
        max_items: Distinct items kept per query at most.
        per_page: Items requested per page.
        rate: Requests per second per host (token-bucket refill rate); 0 turns the limit off.
        burst: Requests a host may receive back to back (bucket size).
        concurrency: Tasks run at once (threads).
        timeout: Seconds before a connect or read gives up.
        max_retries: Retries of one request after a 429, 5xx, timeout or reset.
        backoff_base: Seconds of the first backoff; doubles per retry, with jitter.
        backoff_cap: Longest backoff in seconds; a Retry-After longer than this ends the task as failed.
        max_response_bytes: Larger responses are refused (``too_large``).
        retry_failed: Redo tasks whose stats say they failed.
        overwrite: Redo every task, even finished ones.
        user_agent: Sent with every request.
        people_number: ``shutterstock``: an exact number of people to ask for; 0 asks for model-released
            people instead (at least one person, see docs/actionhub.md).
        sort: ``shutterstock``: the API's sort order.
        allow_web: Required to use ``shutterstock-web`` (public pages are opt-in).
        text_column: ``corpus``: the column holding captions.
        id_column: ``corpus``: the column holding asset ids; empty uses ``id`` if present, else the row number.
        progress: Show a progress bar.
        request_deadline: Seconds one request attempt may take in all (headers and body), however the server
            trickles its bytes; past it the attempt is a retryable ``timeout``.
        max_decoded_bytes: A response body larger than this once decompressed is refused (``too_large``);
            checked while it is decoded, so a decompression bomb costs at most about this much memory.
    """

    site: str = "shutterstock"
    base_url: str = ""
    max_pages: int = 5
    max_items: int = 500
    per_page: int = 100
    rate: float = 2.0
    burst: int = 2
    concurrency: int = 4
    timeout: float = 30.0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 120.0
    max_response_bytes: int = 10_000_000
    retry_failed: bool = False
    overwrite: bool = False
    user_agent: str = USER_AGENT
    people_number: int = 0
    sort: str = "relevance"
    allow_web: bool = False
    text_column: str = "caption"
    id_column: str = ""
    progress: bool = True
    request_deadline: float = 90.0
    max_decoded_bytes: int = 5_000_000

    def __post_init__(self) -> None:
        positive = {"max_pages": self.max_pages, "max_items": self.max_items, "per_page": self.per_page,
                    "burst": self.burst, "concurrency": self.concurrency, "timeout": self.timeout,
                    "max_response_bytes": self.max_response_bytes, "request_deadline": self.request_deadline,
                    "max_decoded_bytes": self.max_decoded_bytes}
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        for name, value in {"rate": self.rate, "max_retries": self.max_retries,
                            "backoff_base": self.backoff_base, "backoff_cap": self.backoff_cap}.items():
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        if not 0 <= self.people_number <= 4:
            raise ValueError(f"people_number must be in 0..4 (the API's range), got {self.people_number}")
        if self.sort not in ("relevance", "popular", "newest", "random"):
            raise ValueError(f"sort must be relevance, popular, newest or random, got {self.sort!r}")
        if not self.user_agent.strip():
            raise ValueError("user_agent must name the tool")
        if self.retry_failed and self.overwrite:
            raise ValueError("retry_failed and overwrite exclude each other (overwrite already redoes all)")
