"""A content-addressed on-disk cache of numpy arrays, so reruns skip encoding work.

The key is a SHA-256 of everything the array depends on (encoder name and settings, the exact input texts),
so a change in any input is a new entry, never a stale hit. Entries are written to a temporary name and
renamed, so an interrupted run never leaves a half-written entry behind.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np


def text_digest(texts: Iterable[str]) -> str:
    """SHA-256 of texts in order (length-prefixed, so ``["ab", "c"]`` and ``["a", "bc"]`` differ)."""
    h = hashlib.sha256()
    for t in texts:
        b = t.encode("utf-8")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def cache_key(**parts: object) -> str:
    """Stable short key of JSON-serialisable parts (texts should be passed as a :func:`text_digest`)."""
    blob = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:24]


def cached_array(cache_dir: Path | None, name: str, key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """Returns ``compute()``, stored under ``cache_dir/<name>-<key>.npy``; reads the file on later calls.

    Args:
        cache_dir: Cache directory; None disables caching.
        name: Readable prefix of the file, e.g. ``"scores-bm25"``.
        key: From :func:`cache_key`.
        compute: Produces the array on a miss.
    """
    if cache_dir is None:
        return compute()
    path = Path(cache_dir) / f"{name}-{key}.npy"
    if path.is_file():
        return np.load(path)
    array = np.asarray(compute())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npy")
    np.save(tmp, array)
    os.replace(tmp, path)
    return array
