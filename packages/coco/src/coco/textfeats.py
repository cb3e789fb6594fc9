"""Frozen text features of classes: actionhub's sentence encoder, an on-disk cache, and :func:`class_texts`.

Encoding is :mod:`actionhub.encoder` (all-MiniLM-L6-v2 through onnxruntime: mean pooling, L2 normalization,
truncation at 256 tokens), the same encoder that scores relevance in actionhub, so one text has one feature
everywhere. A spec string names the model (``actionhub.assets.resolve_encoder``); ``"<spec>:int8"`` selects the
int8-quantized graph. Features are float32 unit rows.

Cache: ``CACHE/<sha1(encoder identity)[:16]>/`` holds ``features.npy`` (rows) and ``keys.txt`` (sha1 of each
row's text, one per line) plus ``identity.txt``. The identity is the encoder's own (model bytes' sha256,
precision, length, pooling), so two encoders never share rows. Only texts missing from the cache are
encoded; new rows are appended and the files replaced atomically.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from actionhub.assets import DEFAULT_ENCODER
from actionhub.atomic import atomic_open, write_text
from coco.task import ClassTexts

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """What the cache needs of an encoder: a stable identity and a batch encode."""

    identity: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), T) float32 features."""
        ...


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _config(spec: str):
    from actionhub.encoder import EncoderConfig

    model, _, precision = spec.rpartition(":") if spec.endswith((":int8", ":fp32")) else (spec, "", "fp32")
    return EncoderConfig(model=model, precision=precision)


def load_encoder(spec: str = DEFAULT_ENCODER) -> Encoder:
    """actionhub's sentence encoder for a spec: a model (bundled name, directory, hub name), ``:int8`` optional."""
    from actionhub.encoder import Encoder as SentenceEncoder

    return SentenceEncoder.load(_config(spec))


def encoder_identity(spec: str = DEFAULT_ENCODER) -> str:
    """The identity :func:`load_encoder` gives for ``spec``, without loading the encoder."""
    from actionhub.encoder import identity

    return identity(_config(spec))


def _atomic_write(path: Path, data: bytes | np.ndarray) -> None:
    with atomic_open(path) as fh:
        if isinstance(data, np.ndarray):
            np.save(fh, data)
        else:
            fh.write(data)


def encode_cached(texts: Sequence[str], encoder: Encoder, cache_dir: str | Path | None) -> np.ndarray:
    """(len(texts), T) features, encoding only texts not yet in ``cache_dir`` for this encoder (None: no cache)."""
    unique = list(dict.fromkeys(texts))
    if cache_dir is None:
        table = encoder.encode(unique) if unique else np.zeros((0, 0), np.float32)
        row = {t: i for i, t in enumerate(unique)}
        return table[[row[t] for t in texts]] if texts else table
    folder = Path(cache_dir) / _sha1(encoder.identity)[:16]
    folder.mkdir(parents=True, exist_ok=True)
    keys: list[str] = []
    table = None
    if (folder / "keys.txt").is_file() and (folder / "features.npy").is_file():
        keys = (folder / "keys.txt").read_text(encoding="utf-8").split()
        table = np.load(folder / "features.npy")
        if table.shape[0] != len(keys):
            log.warning("text cache %s is inconsistent (%d rows, %d keys); rebuilding", folder, table.shape[0],
                        len(keys))
            keys, table = [], None
    row = {k: i for i, k in enumerate(keys)}
    missing = [t for t in unique if _sha1(t) not in row]
    if missing:
        new = np.asarray(encoder.encode(missing), dtype=np.float32)
        table = new if table is None else np.concatenate([table, new])
        for t in missing:
            row[_sha1(t)] = len(keys)
            keys.append(_sha1(t))
        _atomic_write(folder / "features.npy", table)
        _atomic_write(folder / "keys.txt", ("\n".join(keys) + "\n").encode("utf-8"))
        write_text(folder / "identity.txt", encoder.identity + "\n")
    if table is None:
        return np.zeros((0, 0), np.float32)
    return table[[row[_sha1(t)] for t in texts]]


def class_texts(names: Sequence[str], definitions: dict[str, str], descriptions: dict[str, list[str]],
                encoder: str | Encoder = DEFAULT_ENCODER, cache_dir: str | Path | None = None,
                k: int = 100) -> ClassTexts:
    """Frozen definition and content features of classes.

    Args:
        names: Class names, one row each.
        definitions: Name -> definition; a class without one uses its name.
        descriptions: Name -> descriptions, most relevant first; the first ``k`` are averaged (content, Eq. 7).
            A class with none uses its definition feature as content; such classes are counted and warned.
        encoder: A spec for :func:`load_encoder` or an encoder object.
        cache_dir: Feature cache directory, or None.
        k: Descriptions per class.
    """
    enc = load_encoder(encoder) if isinstance(encoder, str) else encoder
    names = tuple(names)
    definition_texts = [definitions.get(n) or n for n in names]
    chosen = [list(descriptions.get(n, []))[:k] for n in names]
    all_texts = definition_texts + [t for texts in chosen for t in texts]
    table = encode_cached(all_texts, enc, cache_dir)  # (C + sum of counts, T)
    definition = table[:len(names)]
    content = np.empty_like(definition)
    start, fallback = len(names), []
    for i, texts in enumerate(chosen):
        if texts:
            content[i] = table[start:start + len(texts)].mean(axis=0)
            start += len(texts)
        else:
            content[i] = definition[i]
            fallback.append(names[i])
    if fallback:
        log.warning("%d of %d classes have no descriptions; their content feature is their definition feature: %s",
                    len(fallback), len(names), fallback)
    return ClassTexts(names, torch.from_numpy(np.ascontiguousarray(definition)),
                      torch.from_numpy(np.ascontiguousarray(content)))
