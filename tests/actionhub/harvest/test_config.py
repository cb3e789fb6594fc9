"""HarvestConfig: grouped validation, option routing, the per-host rate default, and both CLI parsers agreeing
with the dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from actionhub import cli
from actionhub.harvest.config import GROUPS, REMOTE_RATE, HarvestConfig, Limits, Politeness, option_groups
from actionhub.pipeline import BuildConfig


def _subparser(name: str):
    action = next(a for a in cli.build_parser()._actions if a.dest == "command")
    return action.choices[name]


@pytest.mark.parametrize("changes, message", [
    ({"per_page": 0}, "per_page"), ({"concurrency": 0}, "concurrency"), ({"rate": -1}, "rate"),
    ({"people_number": 5}, "people_number"), ({"sort": "best"}, "sort"), ({"user_agent": " "}, "user_agent"),
    ({"retry_failed": True, "overwrite": True}, "exclude"), ({"max_response_bytes": 0}, "max_response_bytes"),
    ({"site": "shutterstock-web"}, "allow-web"),
    ({"timeout": 0}, "timeout"), ({"backoff_cap": -1}, "backoff_cap"), ({"max_pages": -2}, "max_pages"),
])
def test_invalid_configs_are_refused_naming_the_option(changes, message):
    with pytest.raises(ValueError, match=message):
        HarvestConfig.from_options(**changes)


def test_groups_refuse_bad_values_on_their_own():
    with pytest.raises(ValueError, match="burst"):
        Politeness(burst=0)
    with pytest.raises(ValueError, match="max_items"):
        Limits(max_items=0)


def test_options_are_routed_to_their_group_and_back():
    config = HarvestConfig.from_options(site="corpus", rate=0.5, max_retries=1, per_page=7, progress=False)
    assert config.access.site == "corpus" and config.politeness.rate == 0.5 and config.retries.max_retries == 1
    assert config.limits.per_page == 7 and config.output.progress is False
    assert HarvestConfig.from_options(**config.options()) == config
    with pytest.raises(TypeError, match="bogus"):
        HarvestConfig.from_options(bogus=1)


def test_every_option_name_is_in_exactly_one_group():
    names = [f.name for group in GROUPS.values() for f in dataclasses.fields(group)]
    assert len(names) == len(set(names)) == len(option_groups())


@pytest.mark.parametrize("base_url, expected", [
    ("http://127.0.0.1:8765", 0.0), ("http://localhost:9", 0.0), ("http://[::1]:80", 0.0),
    ("", REMOTE_RATE), ("https://api.shutterstock.com", REMOTE_RATE), ("http://10.0.0.5", REMOTE_RATE),
    ("/data/captions.parquet", REMOTE_RATE),
])
def test_rate_default_is_polite_to_remote_hosts_and_off_for_loopback(base_url, expected):
    assert HarvestConfig.from_options(base_url=base_url).request_rate == expected


def test_an_explicit_rate_applies_to_loopback_too():
    assert HarvestConfig.from_options(base_url="http://127.0.0.1:1", rate=3.0).request_rate == 3.0


@pytest.mark.parametrize("argv", [["harvest", "--queries", "q.parquet", "--out", "o"], ["build"]])
def test_parser_defaults_equal_dataclass_defaults(argv):
    args = cli.build_parser().parse_args(argv)
    for name, default in HarvestConfig().options().items():
        assert getattr(args, name) == default, name
    if argv == ["build"]:
        for f in dataclasses.fields(BuildConfig):
            if f.name != "harvest":
                assert getattr(args, f.name) == f.default, f.name
        assert cli.build_config_from_args(args) == BuildConfig()


def test_build_takes_every_harvest_option():
    harvest_options = {a.dest for a in _subparser("harvest")._actions} - {"help", "queries", "out"}
    assert harvest_options == set(option_groups())
    assert harvest_options <= {a.dest for a in _subparser("build")._actions}


def test_build_accepts_the_web_adapter_opt_in_and_a_user_agent():
    args = cli.build_parser().parse_args(["build", "--site", "shutterstock-web", "--allow-web",
                                          "--user-agent", "me (mailto:me@example.org)"])
    config = cli.build_config_from_args(args)
    assert config.harvest.access.site == "shutterstock-web" and config.harvest.access.allow_web
    assert config.harvest.access.user_agent == "me (mailto:me@example.org)"


def test_user_agent_names_the_project_and_version():
    from actionhub import __version__

    ua = HarvestConfig().access.user_agent
    assert ua.startswith("actionhub-harvest/") and __version__ in ua and "http" in ua


def test_site_names_are_the_registry_keys():
    from actionhub.harvest.config import SITE_NAMES
    from actionhub.harvest.sites import SITES

    assert set(SITE_NAMES) == set(SITES)
    with pytest.raises(ValueError, match="unknown site"):
        HarvestConfig.from_options(site="pexels")
