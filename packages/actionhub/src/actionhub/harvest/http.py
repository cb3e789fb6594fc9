"""The polite HTTP client every site adapter goes through.

Per-host token bucket; retries with exponential backoff and jitter on 429, 5xx, timeouts and connection
resets, honouring Retry-After (host-wide); 401/403 raise :class:`AuthError` at once; bodies over a size
cap, on the wire or once decompressed, are refused while they stream (:mod:`actionhub.harvest.body`); each
attempt has an overall deadline (:mod:`actionhub.harvest.deadline`); redirects are followed only within the
same host; an honest User-Agent on every request.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from actionhub.harvest.body import ACCEPT_ENCODING, read_capped
from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.deadline import deadline_transport
from actionhub.harvest.errors import AuthError, HarvestError
from actionhub.harvest.ratelimit import HostLimiter

MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Response:
    """A complete response: status, headers (lower-case names), body and the final URL."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    def json(self) -> object:
        """The decoded JSON body; bytes that are not UTF-8 stay as lone surrogates, for per-item checks."""
        return json.loads(self.escaped_text)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def escaped_text(self) -> str:
        """The body as text, bytes that are not UTF-8 kept as lone surrogates (``surrogateescape``)."""
        return self.body.decode("utf-8", errors="surrogateescape")


@dataclass
class ClientStats:
    """Counts over the client's life (thread-safe through the client's lock)."""

    requests: int = 0
    bytes: int = 0
    retries: Counter = field(default_factory=Counter)  # by cause: "429", "503", "timeout", "connection"


def host_of(url: str) -> str:
    """``host[:port]`` of a URL, lower case: the unit of rate limiting and of allowed redirects."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def parse_retry_after(value: str | None, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date); None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


class PoliteClient:
    """GETs with politeness and retries; see the module docstring.

    Args:
        config: Limits, retries, timeout, size cap and User-Agent.
        transport: An ``httpx`` transport (tests may inject one); None uses the network.
        clock: Monotonic seconds, for the rate limiter.
        sleep: Blocks for seconds; injected so tests can record backoffs without waiting.
        rng: Source of backoff jitter.
    """

    def __init__(self, config: HarvestConfig, transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        self.config = config
        self.limiter = HostLimiter(config.request_rate, config.politeness.burst, clock, sleep)
        self.stats = ClientStats()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._local = threading.local()
        pool = httpx.Limits(max_connections=2 * config.politeness.concurrency,
                             max_keepalive_connections=config.politeness.concurrency)
        self._deadline = None  # an injected transport has its own notion of time
        if transport is None:
            transport, self._deadline = deadline_transport(pool)
        self._http = httpx.Client(timeout=config.retries.timeout, follow_redirects=False, transport=transport,
                                  headers={"User-Agent": config.access.user_agent, "Accept-Encoding": ACCEPT_ENCODING})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin_task(self) -> Counter:
        """Starts counting this thread's requests and retries (``requests``, ``retry_<cause>``) for one task."""
        self._local.task = Counter()
        return self._local.task

    def _count(self, key: str) -> None:
        task = getattr(self._local, "task", None)
        if task is not None:
            task[key] += 1

    def backoff(self, attempt: int) -> float:
        """Seconds before retry ``attempt`` (0-based): half fixed, half jitter, capped."""
        ceiling = min(self.config.retries.backoff_cap, self.config.retries.backoff_base * 2**attempt)
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def pause_before_retry(self, attempt: int, cause: str) -> None:
        """Counts a retry of ``cause`` and sleeps its backoff (for retries decided outside the client)."""
        with self._lock:
            self.stats.retries[cause] += 1
        self._count(f"retry_{cause}")
        self._sleep(self.backoff(attempt))

    def get(self, url: str, params: Mapping[str, object] | None = None, auth: httpx.Auth | None = None,
            ok_statuses: tuple[int, ...] = ()) -> Response:
        """GETs ``url``; returns a 2xx response (or one whose status is in ``ok_statuses``).

        Raises:
            AuthError: On 401 or 403, without retrying.
            HarvestError: After the last retry, or at once for other 4xx, oversize bodies and foreign redirects.
        """
        host = host_of(url)
        for attempt in range(self.config.retries.max_retries + 1):
            self.limiter.acquire(host)
            retry_after = None
            started = time.monotonic()
            try:
                response = self._fetch(url, params, auth, started)
            except httpx.TimeoutException as exc:
                detail = f"{type(exc).__name__} on {url}: {exc}".rstrip(": ")
                cause, failure = "timeout", HarvestError("timeout", detail)
            except httpx.TransportError as exc:
                cause, failure = "connection", HarvestError("connection", f"{type(exc).__name__} on {url}: {exc}")
            else:
                status = response.status
                if 200 <= status < 300 or status in ok_statuses:
                    return response
                if status in (401, 403):
                    raise AuthError(f"http_{status}", f"{host} answered {status} for {urlsplit(url).path}: "
                                    "credentials missing, wrong or not allowed here; stopping the run")
                if status != 429 and status < 500:
                    raise HarvestError(f"http_{status}", f"{host} answered {status} for {url}")
                cause, failure = str(status), HarvestError(f"http_{status}", f"{host} answered {status} for {url}")
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            if attempt == self.config.retries.max_retries:
                break
            delay = self.backoff(attempt)
            if retry_after is not None:
                if retry_after > self.config.retries.backoff_cap:
                    raise HarvestError(failure.kind, f"{failure.message}; Retry-After {retry_after:.0f}s exceeds "
                                       f"backoff_cap {self.config.retries.backoff_cap:.0f}s: retry this task later")
                delay = max(delay, retry_after)
                self.limiter.bucket(host).pause(retry_after)  # every thread on this host waits too
            with self._lock:
                self.stats.retries[cause] += 1
            self._count(f"retry_{cause}")
            self._sleep(delay)
        raise HarvestError(failure.kind, f"{failure.message} (after {self.config.retries.max_retries} retries)")

    def _fetch(self, url: str, params: Mapping[str, object] | None, auth: httpx.Auth | None,
               started: float) -> Response:
        if self._deadline is not None:
            self._deadline.set(self.config.retries.request_deadline)
        try:
            return self._follow(url, params, auth, started)
        finally:
            if self._deadline is not None:
                self._deadline.set(None)

    def _follow(self, url: str, params: Mapping[str, object] | None, auth: httpx.Auth | None,
                started: float) -> Response:
        origin = host_of(url)
        for _ in range(MAX_REDIRECTS + 1):
            with self._lock:
                self.stats.requests += 1
            self._count("requests")
            with self._http.stream("GET", url, params=params, auth=auth) as r:
                if r.is_redirect:
                    target = urljoin(str(r.url), r.headers.get("location", ""))
                    if host_of(target) != origin:
                        raise HarvestError("redirect_refused", f"{url} redirects to another host: {host_of(target)}")
                    url, params = target, None  # the Location carries its own query string
                    continue
                body = self._read_capped(r, url, started)
                with self._lock:
                    self.stats.bytes += len(body)
                return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, body, str(r.url))
        raise HarvestError("redirect_refused", f"more than {MAX_REDIRECTS} redirects from {url}")

    def _read_capped(self, r: httpx.Response, url: str, started: float) -> bytes:
        cap = self.config.limits.max_response_bytes
        declared = r.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise HarvestError("too_large", f"{url} declares {declared} bytes > max_response_bytes {cap}")

        def check() -> None:  # also for injected transports, which the socket-level deadline does not cover
            if time.monotonic() - started > self.config.retries.request_deadline:
                raise httpx.ReadTimeout(f"request deadline of {self.config.retries.request_deadline:g} s passed")

        body, _ = read_capped(r.iter_raw(), r.headers.get("content-encoding", ""), url, cap,
                              self.config.limits.max_decoded_bytes, check)
        return body
