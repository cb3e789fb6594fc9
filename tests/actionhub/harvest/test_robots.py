"""robots.txt through Protego: disallow obeyed (wildcards included), crawl delay applied, unreadable = disallowed."""

from __future__ import annotations

from actionhub.harvest.emulator import EmulatorConfig
from actionhub.harvest.http import PoliteClient, host_of
from actionhub.harvest.robots import RobotsPolicy
from actionhub.harvest.run import harvest
from actionhub.process.shards import done_shards, read_shards


def read_raw(out_dir):
    """Every finished task's rows under ``out_dir`` (the process stage's reader), schema RAW."""
    return read_shards(done_shards(out_dir), out_dir)[0]


def test_disallowed_search_pages_are_never_fetched(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(robots_txt="User-agent: *\nDisallow: /video/search/\n"))
    config = fast_config(emu.url, site="shutterstock-web", allow_web=True)
    summary = harvest(config, make_queries({0: ["play tennis"], 1: ["cook pasta"]}), tmp_path)
    assert summary.failed == 2 and summary.failures == {"robots_disallowed": 2}
    assert emu.requests_to("/video/search") == 0 and emu.requests_to("/robots.txt") == 1
    raw = read_raw(tmp_path)
    assert set(raw.column("status").to_pylist()) == {"robots_disallowed"}


def test_wildcard_rules_for_our_agent(emulator, fast_config):
    # The standard library's parser ignores "*" inside paths; Protego does not.
    rules = "User-agent: actionhub-harvest\nDisallow: /video/search/*tennis\n\nUser-agent: *\nDisallow: /\n"
    emu = emulator(EmulatorConfig(robots_txt=rules))
    robots = RobotsPolicy(PoliteClient(fast_config(emu.url)))
    assert not robots.allowed(f"{emu.url}/video/search/play-tennis?page=1")
    assert robots.allowed(f"{emu.url}/video/search/cook-pasta?page=1")


def test_crawl_delay_slows_the_host(emulator, fast_config):
    emu = emulator(EmulatorConfig(robots_txt="User-agent: *\nCrawl-delay: 4\n"))
    client = PoliteClient(fast_config(emu.url))
    assert RobotsPolicy(client).allowed(f"{emu.url}/video/search/x")
    assert client.limiter.bucket(host_of(emu.url)).rate == 0.25


def test_missing_robots_allows_and_unreachable_robots_disallows(emulator, fast_config):
    emu = emulator(EmulatorConfig(robots_txt=None))  # 404
    assert RobotsPolicy(PoliteClient(fast_config(emu.url))).allowed(f"{emu.url}/video/search/x")
    dead = f"http://127.0.0.1:{_free_port()}"  # nothing listens: connection refused after retries
    refused = RobotsPolicy(PoliteClient(fast_config(dead, max_retries=1, timeout=0.5)))
    assert not refused.allowed(f"{dead}/video/search/x")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
