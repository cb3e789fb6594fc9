"""HarvestConfig validation, and the CLI parser agreeing with it."""

from __future__ import annotations

import dataclasses

import pytest

from actionhub import cli
from actionhub.harvest.config import HarvestConfig


@pytest.mark.parametrize("changes", [{"per_page": 0}, {"concurrency": 0}, {"rate": -1}, {"people_number": 5},
                                     {"sort": "best"}, {"user_agent": " "}, {"retry_failed": True, "overwrite": True},
                                     {"max_response_bytes": 0}])
def test_invalid_configs_are_refused(changes):
    with pytest.raises(ValueError):
        HarvestConfig(**changes)


def test_parser_defaults_equal_dataclass_defaults():
    args = cli.build_parser().parse_args(["harvest", "--queries", "q.parquet", "--out", "o"])
    for f in dataclasses.fields(HarvestConfig):
        assert getattr(args, f.name) == f.default, f.name


def test_user_agent_names_the_project_and_version():
    from actionhub import __version__

    ua = HarvestConfig().user_agent
    assert ua.startswith("actionhub-harvest/") and __version__ in ua and "http" in ua
