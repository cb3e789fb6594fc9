"""Body reading: content codings decoded in steps, caps on the wire and once decoded, broken streams named."""

from __future__ import annotations

import gzip
import zlib

import pytest

from actionhub.harvest.body import STEP, codings, read_capped
from actionhub.harvest.errors import BodyError, HarvestError

TEXT = b'{"data": [' + b'{"id": "1", "description": "A man surfing."},' * 2000 + b'{}]}'


def _chunks(data: bytes, size: int = 1000) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(("header", "encode"), [
    ("", lambda b: b),
    ("identity", lambda b: b),
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
    ("deflate, gzip", lambda b: gzip.compress(zlib.compress(b))),
])
def test_every_accepted_coding_decodes_to_the_original(header, encode):
    encoded = encode(TEXT)
    body, received = read_capped(_chunks(encoded), header, "u", 10**7, 10**7)
    assert body == TEXT and received == len(encoded)


def test_codings_are_listed_in_the_order_applied():
    assert codings("gzip, identity ,Deflate") == ["gzip", "deflate"] and codings("") == []


def test_the_decoded_cap_holds_for_any_ratio():
    bomb = gzip.compress(gzip.compress(bytes(50 * STEP)))
    with pytest.raises(HarvestError, match="max_decoded_bytes 100000") as info:
        read_capped([bomb], "gzip, gzip", "u", 10**7, 100_000)
    assert info.value.kind == "too_large"
    body, _ = read_capped([bomb], "gzip, gzip", "u", 10**7, 50 * STEP)
    assert body == bytes(50 * STEP)


def test_the_wire_cap_holds():
    with pytest.raises(HarvestError, match="max_response_bytes 5000"):
        read_capped(_chunks(TEXT), "", "u", 5000, 10**7)


@pytest.mark.parametrize(("header", "data", "kind"), [
    ("br", b"anything", "bad_encoding"),
    ("gzip", gzip.compress(TEXT)[:-40], "truncated"),
    ("gzip", b"this is not gzip at all", "bad_encoding"),
])
def test_broken_or_unknown_streams_are_retryable_body_errors(header, data, kind):
    with pytest.raises(BodyError) as info:
        read_capped([data], header, "u", 10**7, 10**7)
    assert info.value.kind == kind and info.value.retryable
