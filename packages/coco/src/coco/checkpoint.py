"""Checkpoints: plain dicts of tensors and Python values, loadable with ``torch.load(weights_only=True)``.

Layout (``FORMAT`` version 2)::

    {"format": "coco-checkpoint/2", "config": TrainConfig as dict, "dims": {"video_dim", "text_dim", "embed_dim"},
     "split": split name, "data": {"config": DataConfig as dict, "identity": DataIdentity as dict} or None,
     "model": state dict, "optimizer": state dict or None,
     "epoch": epochs completed, "step": optimiser steps taken, "best": {"epoch", "score"} or None,
     "rng": torch CPU generator state}

``data`` (``coco.provenance``) is what the run was trained on; evaluation and prediction refuse other data.
Version 1 had no ``data`` and is refused with a message saying so.

Written to a temporary file and renamed, so a crash never leaves a half-written checkpoint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch

from actionhub.atomic import atomic_open
from coco.config import TrainConfig, differences
from coco.model import CoCo
from coco.provenance import DataIdentity, DataRecord, mismatches

FORMAT = "coco-checkpoint/2"


class CheckpointError(ValueError):
    """A checkpoint is unreadable or belongs to another configuration or data."""


def dims_of(model: CoCo) -> dict[str, int]:
    """The widths that fix a model's shape."""
    return {"video_dim": model.video_dim, "text_dim": model.text_dim, "embed_dim": model.embed_dim}


def save(path: str | os.PathLike, *, model: CoCo, config: TrainConfig, split: str,
         optimizer: torch.optim.Optimizer | None = None, epoch: int = 0, step: int = 0,
         best: dict[str, Any] | None = None, data: DataRecord | None = None) -> Path:
    """Writes a checkpoint atomically and returns its path (``data``: what the run was trained on)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "config": config.to_dict(),
        "dims": dims_of(model),
        "split": split,
        "data": data.to_dict() if data is not None else None,
        "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "epoch": epoch,
        "step": step,
        "best": best,
        "rng": torch.get_rng_state(),
    }
    with atomic_open(path) as fh:
        torch.save(payload, fh)
    return path


def load(path: str | os.PathLike) -> dict[str, Any]:
    """Reads a checkpoint with ``weights_only=True`` and checks its format."""
    if not Path(path).is_file():
        raise CheckpointError(without_checkpoints(path) or f"no checkpoint at {path}")
    try:
        payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling errors come in many types
        raise CheckpointError(f"{path}: not a readable coco checkpoint ({exc.__class__.__name__}: {exc})") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else None
        hint = " (an older format without the data identity: retrain, or evaluate with that version)" if (
            isinstance(found, str) and found.startswith("coco-checkpoint/")) else ""
        raise CheckpointError(f"{path}: not a {FORMAT} checkpoint{hint}")
    return payload


def without_checkpoints(path: str | os.PathLike) -> str | None:
    """Why ``path`` (a run's out_dir, or a checkpoint path in it) has no checkpoint, when the run's
    ``metrics.json`` says it was trained by a method that writes none (``coco.methods.CHECKPOINTED``); else None."""
    from coco.methods import CHECKPOINTED

    path = Path(path)
    for run in (path, path.parent, path.parent.parent):
        metrics = run / "metrics.json"
        if not metrics.is_file():
            continue
        try:
            method = json.loads(metrics.read_text(encoding="utf-8"))["config"]["method"]
        except (ValueError, KeyError, TypeError):
            return None
        if method in CHECKPOINTED:
            return None
        return (f"{run} holds a run of method {method!r}, which writes no checkpoints (only "
                f"{' and '.join(sorted(CHECKPOINTED))} do): coco eval and predict cannot use it; its test metrics "
                f"are in {metrics}")
    return None


def data_record(payload: dict[str, Any]) -> DataRecord | None:
    """The data a checkpoint was trained on, or None when it was saved without (``train`` called directly)."""
    return DataRecord.from_dict(payload["data"]) if payload.get("data") else None


def check_data(payload: dict[str, Any], now: DataIdentity | dict[str, Any], where: str = "checkpoint") -> None:
    """Raises :class:`CheckpointError` naming both values when ``now`` differs from the checkpoint's data.

    Args:
        payload: A loaded checkpoint.
        now: The identity of the data about to be used, or a dict of some of its fields (only those compared).
        where: How the message names the checkpoint.
    """
    stored = data_record(payload)
    if stored is None:
        raise CheckpointError(f"{where} stores no data identity (saved by train() without one): cannot check "
                              "that it matches this data")
    diff = mismatches(stored.identity, now)
    if diff:
        raise CheckpointError(f"{where} was trained on other data ({diff})")


def check_compatible(payload: dict[str, Any], config: TrainConfig, video_dim: int, text_dim: int,
                     split: str | None = None, data: DataIdentity | None = None) -> None:
    """Raises :class:`CheckpointError` when a checkpoint was made by another configuration, data or split.

    ``data`` (when given) is compared with the checkpoint's data identity field by field.
    """
    stored = TrainConfig.from_dict(payload["config"])
    diff = differences(stored, config)
    if diff:
        shown = ", ".join(f"{k}: checkpoint {a!r} vs now {b!r}" for k, (a, b) in sorted(diff.items()))
        raise CheckpointError(f"checkpoint comes from another configuration ({shown})")
    wanted = {"video_dim": video_dim, "text_dim": text_dim, "embed_dim": config.embed_dim}
    if payload["dims"] != wanted:
        raise CheckpointError(f"checkpoint widths {payload['dims']} do not match the data's {wanted}")
    if split is not None and payload["split"] != split:
        raise CheckpointError(f"checkpoint is for split {payload['split']!r}, not {split!r}")
    if data is not None:
        check_data(payload, data)


def restore_model(payload: dict[str, Any]) -> tuple[CoCo, TrainConfig]:
    """The model (weights loaded, eval mode) and the configuration stored in a checkpoint."""
    config = TrainConfig.from_dict(payload["config"])
    model = CoCo(**payload["dims"])
    model.load_state_dict(payload["model"])
    return model.eval(), config
