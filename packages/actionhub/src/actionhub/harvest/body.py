"""Reads a response body with caps that hold while it streams: bytes on the wire and bytes once decoded.

``Content-Encoding`` is decoded here, not by ``httpx``: its decoders inflate each received chunk in one call,
so a 1 KB ``gzip, gzip`` bomb becomes a gigabyte before any size check can run. Each layer here inflates at
most :data:`STEP` bytes at a time and hands them to the next layer, and the decoded total is checked after
every step, so memory stays within the cap plus a few steps whatever the compression ratio.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable

from actionhub.harvest.errors import BodyError, HarvestError

STEP = 64 * 1024  # most bytes one layer inflates per call
ACCEPT_ENCODING = "gzip, deflate"  # what we ask for; the server may still send anything
_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS | 32}


def codings(header: str) -> list[str]:
    """The content codings of a ``Content-Encoding`` header in the order they were applied, ``identity`` left out."""
    return [c for c in (part.strip().lower() for part in header.split(",")) if c and c != "identity"]


class _Layers:
    """A chain of inflaters, outermost coding first; :meth:`feed` pushes bytes through all of them in steps."""

    def __init__(self, applied: list[str], sink: Callable[[bytes], None], url: str) -> None:
        unknown = [c for c in applied if c not in _WBITS]
        if unknown:
            raise BodyError("bad_encoding", f"{url} uses Content-Encoding {', '.join(unknown)}; we accept "
                            f"{ACCEPT_ENCODING}")
        self._layers = [zlib.decompressobj(_WBITS[c]) for c in reversed(applied)]
        self._sink = sink
        self._url = url

    def feed(self, data: bytes, level: int = 0) -> None:
        if level == len(self._layers):
            self._sink(data)
            return
        layer = self._layers[level]
        try:
            while True:
                out = layer.decompress(data, STEP)
                data = layer.unconsumed_tail
                if out:
                    self.feed(out, level + 1)
                if not data and len(out) < STEP:
                    return
        except zlib.error as exc:
            raise BodyError("bad_encoding", f"{self._url}: body does not decode: {exc}") from exc

    def finish(self) -> None:
        for level, layer in enumerate(self._layers):
            if not layer.eof:
                raise BodyError("truncated", f"{self._url}: compressed body ends early (layer {level + 1})")


def read_capped(chunks: Iterable[bytes], content_encoding: str, url: str, max_wire: int, max_decoded: int,
                check: Callable[[], None] = lambda: None) -> tuple[bytes, int]:
    """Reads and decodes a body; returns (decoded body, bytes received).

    Args:
        chunks: The raw (still encoded) body, as it arrives.
        content_encoding: The response's ``Content-Encoding`` header ("" when none).
        url: For messages.
        max_wire: Most bytes received.
        max_decoded: Most bytes once decoded.
        check: Called after every chunk; raises to abandon the body (the request deadline).

    Raises:
        HarvestError: ``too_large`` past a cap; ``BodyError`` for an unknown coding or a broken stream.
    """
    body = bytearray()

    def sink(data: bytes) -> None:
        body.extend(data)
        if len(body) > max_decoded:
            raise HarvestError("too_large", f"{url} decodes to more than max_decoded_bytes {max_decoded}")

    layers = _Layers(codings(content_encoding), sink, url)
    received = 0
    for chunk in chunks:
        received += len(chunk)
        if received > max_wire:
            raise HarvestError("too_large", f"{url} sent more than max_response_bytes {max_wire}")
        layers.feed(chunk)
        check()
    layers.finish()
    return bytes(body), received
