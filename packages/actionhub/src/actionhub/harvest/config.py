"""The harvest configuration, grouped by concern: which site and how to reach it, politeness, retries, limits
and output. Each group is a frozen dataclass validated on construction; option names are unique across the
groups, so the CLI's ``dest`` names equal the field names and :meth:`HarvestConfig.from_options` routes each
to its group.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field, fields, replace
from urllib.parse import urlsplit

from actionhub import __version__

# The project has no web site of its own yet: the paper it implements says what the crawler is for.
PROJECT_URL = "https://arxiv.org/abs/2401.11654"
# Honest: names the tool, its version and what it is for. Add a contact with --user-agent on real runs.
USER_AGENT = f"actionhub-harvest/{__version__} (ActionHub dataset builder; +{PROJECT_URL})"
# The keys of ``actionhub.harvest.sites.SITES`` (a test keeps them equal), named here so that parsing options
# and validating a config import no adapter (httpx, bs4, bm25s take a second to import).
SITE_NAMES = ("shutterstock", "shutterstock-web", "corpus")
# Requests per second per remote host when no rate is given; a loopback host (the emulator) gets no limit.
REMOTE_RATE = 2.0


def is_loopback(base_url: str) -> bool:
    """True when ``base_url`` names this machine (127.0.0.0/8, ::1, localhost)."""
    host = urlsplit(base_url).hostname if "://" in base_url else None
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SiteAccess:
    """Which site, where, and how to identify to it.

    Attributes:
        site: Registry name of the site adapter (a key of ``actionhub.harvest.sites.SITES``).
        base_url: Where the site lives; empty means the adapter's public default. For ``corpus`` it is the
            path of the caption file.
        user_agent: Sent with every request.
        allow_web: Required to use ``shutterstock-web`` (public pages are opt-in).
        people_number: ``shutterstock``: an exact number of people to ask for; 0 asks for model-released
            people instead (at least one person, see docs/actionhub.md).
        sort: ``shutterstock``: the API's sort order.
        text_column: ``corpus``: the column holding captions.
        id_column: ``corpus``: the column holding asset ids; empty uses ``id`` if present, else the row number.
    """

    site: str = "shutterstock"
    base_url: str = ""
    user_agent: str = USER_AGENT
    allow_web: bool = False
    people_number: int = 0
    sort: str = "relevance"
    text_column: str = "caption"
    id_column: str = ""

    def __post_init__(self) -> None:
        if self.site not in SITE_NAMES:
            raise ValueError(f"unknown site {self.site!r}; choose from {', '.join(SITE_NAMES)}")
        if self.site == "shutterstock-web" and not self.allow_web:  # refused before any stage runs
            raise ValueError("site shutterstock-web reads public pages and is opt-in: pass --allow-web "
                             "(and prefer the API: --site shutterstock)")
        if not 0 <= self.people_number <= 4:
            raise ValueError(f"people_number must be in 0..4 (the API's range), got {self.people_number}")
        if self.sort not in ("relevance", "popular", "newest", "random"):
            raise ValueError(f"sort must be relevance, popular, newest or random, got {self.sort!r}")
        if not self.user_agent.strip():
            raise ValueError("user_agent must name the tool")


@dataclass(frozen=True)
class Politeness:
    """How hard one host is asked.

    Attributes:
        rate: Requests per second per host (token-bucket refill rate); 0 turns the limit off. None: 2 for a
            remote host, no limit for a loopback one (the emulator).
        burst: Requests a host may receive back to back (bucket size).
        concurrency: Tasks run at once (threads).
    """

    rate: float | None = None
    burst: int = 2
    concurrency: int = 4

    def __post_init__(self) -> None:
        if self.rate is not None and self.rate < 0:
            raise ValueError(f"rate must be >= 0, got {self.rate}")
        for name in ("burst", "concurrency"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class Retries:
    """When a request is given up or tried again.

    Attributes:
        timeout: Seconds before a connect or read gives up.
        max_retries: Retries of one request after a 429, 5xx, timeout or reset.
        backoff_base: Seconds of the first backoff; doubles per retry, with jitter.
        backoff_cap: Longest backoff in seconds; a Retry-After longer than this ends the task as failed.
        request_deadline: Seconds one request attempt may take in all (headers and body), however the server
            trickles its bytes; past it the attempt is a retryable ``timeout``.
    """

    timeout: float = 30.0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 120.0
    request_deadline: float = 90.0

    def __post_init__(self) -> None:
        for name in ("timeout", "request_deadline"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        for name in ("max_retries", "backoff_base", "backoff_cap"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class Limits:
    """How much is fetched.

    Attributes:
        max_pages: Pages fetched per query at most.
        max_items: Distinct items kept per query at most.
        per_page: Items requested per page.
        max_response_bytes: Responses larger than this on the wire are refused (``too_large``).
        max_decoded_bytes: A body larger than this once decompressed is refused (``too_large``); checked while
            it is decoded, so a decompression bomb costs at most about this much memory.
    """

    max_pages: int = 5
    max_items: int = 500
    per_page: int = 100
    max_response_bytes: int = 10_000_000
    max_decoded_bytes: int = 5_000_000

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"{f.name} must be > 0, got {getattr(self, f.name)}")


@dataclass(frozen=True)
class Output:
    """What happens to earlier results, and what is shown.

    Attributes:
        retry_failed: Redo tasks whose stats say they failed.
        overwrite: Redo every task, even finished ones.
        progress: Show a progress bar.
    """

    retry_failed: bool = False
    overwrite: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if self.retry_failed and self.overwrite:
            raise ValueError("retry_failed and overwrite exclude each other (overwrite already redoes all)")


GROUPS: dict[str, type] = {"access": SiteAccess, "politeness": Politeness, "retries": Retries, "limits": Limits,
                           "output": Output}


@dataclass(frozen=True)
class HarvestConfig:
    """What to harvest and how politely: one frozen group per concern (see each group's attributes)."""

    access: SiteAccess = field(default_factory=SiteAccess)
    politeness: Politeness = field(default_factory=Politeness)
    retries: Retries = field(default_factory=Retries)
    limits: Limits = field(default_factory=Limits)
    output: Output = field(default_factory=Output)

    def __post_init__(self) -> None:
        for name, group in GROUPS.items():
            if not isinstance(getattr(self, name), group):
                raise TypeError(f"{name} must be a {group.__name__}, got {type(getattr(self, name)).__name__}")

    @classmethod
    def from_options(cls, **options) -> HarvestConfig:
        """Builds a config from option names (``rate=0, max_pages=2``), each routed to its group.

        Raises:
            TypeError: An unknown option name.
            ValueError: A value its group refuses.
        """
        return cls().with_options(**options)

    def with_options(self, **options) -> HarvestConfig:
        """A copy with the named options changed."""
        unknown = set(options) - set(option_groups())
        if unknown:
            raise TypeError(f"unknown harvest options: {sorted(unknown)}")
        changes = {}
        for group_name in GROUPS:
            mine = {k: v for k, v in options.items() if option_groups()[k] == group_name}
            if mine:
                changes[group_name] = replace(getattr(self, group_name), **mine)
        return replace(self, **changes)

    def options(self) -> dict[str, object]:
        """Every option by name, flat (the inverse of :meth:`from_options`)."""
        return {k: v for name in GROUPS for k, v in asdict(getattr(self, name)).items()}

    @property
    def request_rate(self) -> float:
        """The rate the client applies: ``politeness.rate``, or its default for the kind of host."""
        if self.politeness.rate is not None:
            return self.politeness.rate
        return 0.0 if is_loopback(self.access.base_url) else REMOTE_RATE


def option_groups() -> dict[str, str]:
    """Option name -> the group holding it."""
    return {f.name: name for name, group in GROUPS.items() for f in fields(group)}
