"""Frozen text features of classes: a BERT encoder (transformers), an on-disk cache, and :func:`class_texts`.

Encoding: the tokenizer pads and truncates (``max_length``, default 128 tokens) a batch, the frozen model runs
under ``torch.no_grad`` in eval mode, and a text's feature is the mean of its last hidden states over real
(attention-mask) tokens: ``sum_t m_t h_t / sum_t m_t``. Mean pooling is what the bundled MiniLM was trained
with (sentence-transformers); ``pooling="cls"`` takes the first token's state instead. The device is CUDA when
available, else CPU. Features are float32.

Cache: ``CACHE/<sha1(encoder identity)[:16]>/`` holds ``features.npy`` (rows) and ``keys.txt`` (sha1 of each
row's text, one per line) plus ``identity.txt``. The identity is the encoder spec, pooling, max length, the
model's ``config.json`` and its weight files' names and sizes, so two encoders never share rows. Only texts
missing from the cache are encoded; new rows are appended and the files replaced atomically.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from actionhub.assets import DEFAULT_ENCODER, resolve_encoder
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


class TextEncoder:
    """A frozen Hugging Face encoder (default the bundled MiniLM BertModel), loaded on first use.

    Args:
        spec: Passed to :func:`actionhub.assets.resolve_encoder`: bundled name, local directory or hub name.
        pooling: ``"mean"`` (masked mean over tokens) or ``"cls"`` (first token).
        max_length: Tokens kept per text.
        batch_size: Texts per forward pass.
        device: ``"cuda"``/``"cpu"``; default CUDA when available.
    """

    def __init__(self, spec: str = DEFAULT_ENCODER, pooling: str = "mean", max_length: int = 128,
                 batch_size: int = 64, device: str | None = None) -> None:
        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', got {pooling!r}")
        self.spec, self.pooling, self.max_length, self.batch_size = spec, pooling, max_length, batch_size
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.path = resolve_encoder(spec)
        weights = sorted((p.name, p.stat().st_size) for p in self.path.iterdir()
                         if p.suffix in (".safetensors", ".bin", ".pt"))
        config = (self.path / "config.json").read_bytes() if (self.path / "config.json").is_file() else b""
        self.identity = f"{spec}|{pooling}|{max_length}|{hashlib.sha1(config).hexdigest()}|{weights}"
        self._model = None
        self._tokenizer = None

    def _load(self) -> None:
        from transformers import AutoModel, AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(self.path)
        self._model = AutoModel.from_pretrained(self.path).to(self.device).eval()

    @torch.no_grad()
    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), T) float32 pooled features."""
        if self._model is None:
            self._load()
        out = []
        for start in range(0, len(texts), self.batch_size):
            batch = self._tokenizer(texts[start:start + self.batch_size], padding=True, truncation=True,
                                    max_length=self.max_length, return_tensors="pt").to(self.device)
            hidden = self._model(**batch).last_hidden_state  # (B, L, T)
            if self.pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, L, 1)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
            out.append(pooled.float().cpu().numpy())
        width = self._model.config.hidden_size
        return np.concatenate(out) if out else np.zeros((0, width), np.float32)


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
        encoder: A spec for :class:`TextEncoder` or an encoder object.
        cache_dir: Feature cache directory, or None.
        k: Descriptions per class.
    """
    enc = TextEncoder(encoder) if isinstance(encoder, str) else encoder
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
