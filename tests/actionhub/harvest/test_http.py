"""The polite client against the emulator: Retry-After, backoff, fail-fast auth, redirects, size cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from actionhub.harvest.emulator import EmulatorConfig, Faults
from actionhub.harvest.errors import AuthError, HarvestError
from actionhub.harvest.http import PoliteClient, host_of, parse_retry_after

SEARCH = {"query": "play tennis", "page": 1, "per_page": 5}


class RecordingSleep:
    """A fake clock whose sleep returns at once, advancing the clock and recording the wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 0.0

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def test_parse_retry_after_seconds_and_dates():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    http_date = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(http_date, now=lambda: now) == 30.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


def test_backoff_doubles_with_jitter_and_is_capped(fast_config):
    client = PoliteClient(fast_config("http://x", backoff_base=1.0, backoff_cap=10.0))
    for attempt, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (5, 10.0)]:
        delays = [client.backoff(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 10  # jittered, not fixed


def test_retry_after_is_honoured(emulator, fast_config):
    emu = emulator(EmulatorConfig(faults=Faults(rate_limit_every=2, retry_after=4)))
    sleep = RecordingSleep()
    client = PoliteClient(fast_config(emu.url, backoff_cap=10.0), sleep=sleep, clock=sleep.clock)
    for _ in range(3):
        assert client.get(f"{emu.url}/v2/videos/search", SEARCH).status == 200
    # Requests 2 and 4 got 429: each was retried once, after at least the 4 s asked for.
    assert client.stats.retries == {"429": 2}
    assert len([s for s in sleep.calls if s >= 4.0]) == 2
    assert sleep.now >= 8.0


def test_retry_after_beyond_the_cap_fails_the_request(emulator, fast_config):
    emu = emulator(EmulatorConfig(faults=Faults(rate_limit_every=1, retry_after=3600)))
    client = PoliteClient(fast_config(emu.url, backoff_cap=60.0), sleep=RecordingSleep())
    with pytest.raises(HarvestError, match="Retry-After 3600s exceeds") as info:
        client.get(f"{emu.url}/v2/videos/search", SEARCH)
    assert info.value.kind == "http_429" and emu.requests_to("/v2") == 1


def test_5xx_is_retried_then_fails_with_its_status(emulator, fast_config):
    emu = emulator(EmulatorConfig(faults=Faults(error_every=10, error_burst=10, error_status=502)))
    client = PoliteClient(fast_config(emu.url, max_retries=3), sleep=RecordingSleep())
    with pytest.raises(HarvestError) as info:
        client.get(f"{emu.url}/v2/videos/search", SEARCH)
    assert info.value.kind == "http_502" and emu.requests_to("/v2") == 4


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_are_not_retried(emulator, fast_config, status):
    emu = emulator(EmulatorConfig(auth=("id", "secret"), faults=Faults(error_status=status, error_every=1,
                                                                        error_burst=1 if status == 403 else 0)))
    client = PoliteClient(fast_config(emu.url), sleep=RecordingSleep())
    with pytest.raises(AuthError, match=f"answered {status}.*credentials"):
        client.get(f"{emu.url}/v2/videos/search", SEARCH)
    assert emu.requests_to("/v2") == 1


def test_redirect_to_another_host_is_refused(emulator, fast_config):
    emu = emulator()
    other = emu.url.replace("127.0.0.1", "localhost")
    emu2 = emulator(EmulatorConfig(faults=Faults(redirect_to=other)))
    client = PoliteClient(fast_config(emu2.url))
    with pytest.raises(HarvestError) as info:
        client.get(f"{emu2.url}/v2/videos/search", SEARCH)
    assert info.value.kind == "redirect_refused" and "localhost" in info.value.message
    assert emu.log == []  # the other host was never contacted


def test_redirect_within_the_host_is_followed(emulator, fast_config):
    emu = emulator()
    client = PoliteClient(fast_config(emu.url))
    response = client.get(f"{emu.url}/moved/v2/videos/search", SEARCH)
    assert response.status == 200 and response.url.startswith(f"{emu.url}/v2/videos/search?")
    assert len(response.json()["data"]) == 5


def test_response_size_cap(emulator, fast_config):
    emu = emulator()
    client = PoliteClient(fast_config(emu.url, max_response_bytes=300))
    with pytest.raises(HarvestError) as info:
        client.get(f"{emu.url}/v2/videos/search", SEARCH)
    assert info.value.kind == "too_large"
    assert PoliteClient(fast_config(emu.url)).get(f"{emu.url}/v2/videos/search", SEARCH).status == 200


def test_size_cap_without_a_declared_length(fast_config):
    # A chunked body (no Content-Length) is cut off while streaming, not after reading it all.
    sent = []

    def chunks():
        for _ in range(100):
            sent.append(1)
            yield b"x" * 1000

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=chunks()))
    client = PoliteClient(fast_config("http://site.test", max_response_bytes=5000), transport=transport)
    with pytest.raises(HarvestError) as info:
        client.get("http://site.test/v2/videos/search")
    assert info.value.kind == "too_large" and len(sent) <= 6


def test_every_request_carries_the_user_agent(emulator, fast_config):
    emu = emulator()
    config = fast_config(emu.url)
    PoliteClient(config).get(f"{emu.url}/v2/videos/search", SEARCH)
    assert [ua for _, _, ua in emu.log] == [config.access.user_agent]


def test_host_of_includes_the_port():
    assert host_of("http://127.0.0.1:8000/a") == "127.0.0.1:8000"
    assert host_of("https://API.example.com/x") == "api.example.com"
