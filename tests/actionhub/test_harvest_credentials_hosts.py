"""Credentials from the environment reach only the official API host and loopback hosts."""

from __future__ import annotations

import pytest

from actionhub.harvest.sites.shutterstock import ShutterstockApi, may_receive_credentials

OFFICIAL = ShutterstockApi.default_base_url


@pytest.mark.parametrize(("url", "allowed"), [
    (OFFICIAL, True),
    ("https://api.shutterstock.com/v2", True),
    ("http://127.0.0.1:8123", True),
    ("http://localhost:9000", True),
    ("http://[::1]:9000", True),
    ("https://api.shutterstock.com.evil.example", False),
    ("https://example.org", False),
    ("http://10.0.0.5:8000", False),
])
def test_credential_hosts(url, allowed):
    assert may_receive_credentials(url, OFFICIAL) is allowed
