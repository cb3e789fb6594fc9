"""What a hostile footage site sends, for the emulator: bad items, giant or marked-up texts, bodies that are
cut, not JSON, an HTML page, a decompression bomb, or a response trickled a byte at a time (slowloris).

Item faults are chosen by the item's position in a query's ranking, so every request for the same page
gets the same items (a retry cannot make a bad item good); body faults are chosen by request number, so a
retry gets a good body, as from a flaky proxy.
"""

from __future__ import annotations

import functools
import gzip
import threading
import time
import zlib

# Item faults, in the order they cycle through the corrupted positions.
ITEM_FAULTS = ("bad_utf8", "missing_description", "missing_id", "null_description", "number_description",
               "list_description", "not_object")
# The reason the harvester must record for each item fault.
ITEM_FAULT_REASON = {"bad_utf8": "bad_utf8", "missing_description": "missing_field", "missing_id": "missing_field",
                     "null_description": "wrong_type", "number_description": "wrong_type",
                     "list_description": "wrong_type", "not_object": "wrong_type"}
BAD_UTF8_MARK = "@@not-utf8@@"  # replaced in the encoded body by bytes that are not UTF-8
BAD_UTF8_BYTES = b"Caf\xe9 cr\xe8me, \xff\xfe latin-1 bytes"
MARKUP = '<script>alert("owned")</script><style>p {color: red}</style><p><b>{text}</b> &amp; more</p>'


def item_fault(index: int, every: int) -> str | None:
    """The fault of the item at ``index`` (0-based) of a ranking when every ``every``-th item is bad."""
    if not every or index % every != every - 1:
        return None
    return ITEM_FAULTS[(index // every) % len(ITEM_FAULTS)]


def corrupt_item(item: dict, fault: str) -> object:
    """``item`` (an API entry) broken as ``fault`` says."""
    item = dict(item)
    if fault == "bad_utf8":
        item["description"] = BAD_UTF8_MARK
    elif fault == "missing_description":
        del item["description"]
    elif fault == "missing_id":
        del item["id"]
    elif fault == "null_description":
        item["description"] = None
    elif fault == "number_description":
        item["description"] = 12345
    elif fault == "list_description":
        item["description"] = ["a", "b"]
    elif fault == "not_object":
        return [item["id"], "not an object"]
    return item


def encode_json_body(text: str) -> bytes:
    """The UTF-8 body, with every :data:`BAD_UTF8_MARK` turned into bytes that are not UTF-8."""
    return text.encode("utf-8").replace(BAD_UTF8_MARK.encode(), BAD_UTF8_BYTES)


def markup_text(text: str) -> str:
    return MARKUP.replace("{text}", text)


def giant_text(text: str, size: int = 100_000) -> str:
    """``text`` repeated past ``size`` characters, as sentences."""
    return " ".join([text] * (size // max(len(text), 1) + 1))


@functools.cache
def gzip_bomb(decoded_bytes: int) -> bytes:
    """``decoded_bytes`` zeros, gzipped twice (``Content-Encoding: gzip, gzip``): a few KB on the wire."""
    inner = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    parts = [inner.compress(block) for _ in range(decoded_bytes >> 20)]
    parts.append(inner.compress(bytes(decoded_bytes & ((1 << 20) - 1))))
    parts.append(inner.flush())
    return gzip.compress(b"".join(parts), 9)


def trickle(write, data: bytes, interval: float, stop: threading.Event, limit_s: float = 600.0) -> None:
    """Writes ``data`` one byte every ``interval`` seconds, until done, the peer leaves, ``stop`` or ``limit_s``."""
    ends = time.monotonic() + limit_s
    for i in range(len(data)):
        if stop.is_set() or time.monotonic() > ends:
            return
        try:
            write(data[i:i + 1])
        except OSError:  # the client gave up: what a slowloris hopes never happens
            return
        stop.wait(interval)
