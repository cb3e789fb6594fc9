"""Shared fixtures of the harvest tests: tiny query tables, fast configs and a running emulator."""

from __future__ import annotations

import pyarrow as pa
import pytest

from actionhub import schema
from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.emulator import Emulator, EmulatorConfig


@pytest.fixture
def make_queries():
    """Builds a QUERIES table from {action_id: [query, ...]}."""

    def make(actions: dict[int, list[str]]) -> pa.Table:
        rows = [{"action_id": a, "action": qs[0], "key": qs[0], "queries": qs, "aliases": [], "sources": ["user"]}
                for a, qs in actions.items()]
        return pa.Table.from_pylist(rows, schema=schema.QUERIES)

    return make


@pytest.fixture
def fast_config():
    """A HarvestConfig with limits off and tiny backoffs, for a server on 127.0.0.1."""

    def make(base_url: str, **changes) -> HarvestConfig:
        base = HarvestConfig.from_options(base_url=base_url, per_page=10, max_pages=10, rate=0, concurrency=1,
                                          timeout=2.0, backoff_base=0.005, backoff_cap=5.0, progress=False)
        return base.with_options(**changes)

    return make


@pytest.fixture
def emulator():
    """Starts an emulator with the given config; stopped after the test."""
    started = []

    def start(config: EmulatorConfig | None = None) -> Emulator:
        emu = Emulator(config or EmulatorConfig()).start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture(autouse=True)
def _no_real_credentials(monkeypatch):
    # Tests never see a developer's real credentials, and set their own where needed.
    monkeypatch.delenv("SHUTTERSTOCK_CLIENT_ID", raising=False)
    monkeypatch.delenv("SHUTTERSTOCK_CLIENT_SECRET", raising=False)
