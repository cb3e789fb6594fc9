"""Open-vocabulary use: rank any set of action names for each video with a trained checkpoint.

The actions need not be any dataset's classes: their frozen text features (name or definition, and
optionally the mean of descriptions) arrive as :class:`~coco.task.ClassTexts`, and the checkpoint's
projections score them with Eq. 16-17.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from coco import checkpoint
from coco.evaluate import embed_classes, score_videos
from coco.model import CoCo
from coco.task import ClassTexts, TaskError


@dataclass(frozen=True)
class Ranking:
    """Top actions of one video, best first.

    Attributes:
        video_id: The video.
        actions: Action names.
        scores: Their scores v . p_j.
    """

    video_id: str
    actions: tuple[str, ...]
    scores: tuple[float, ...]

    def to_dict(self) -> dict:
        return {"video_id": self.video_id, "actions": list(self.actions), "scores": list(self.scores)}


def rank(model: CoCo, alpha: float, texts: ClassTexts, features: np.ndarray, video_ids: Sequence[str],
         top: int = 5, device: torch.device | str = "cpu") -> list[Ranking]:
    """Ranks the actions of ``texts`` for each of the (N, F) ``features`` rows.

    Raises:
        TaskError: When feature or text widths do not match the model, or ids do not match rows.
    """
    if features.ndim != 2 or features.shape[1] != model.video_dim:
        raise TaskError(f"video features have shape {features.shape}, the model expects (N, {model.video_dim})")
    if texts.definition.shape[1] != model.text_dim:
        raise TaskError(f"text features are {texts.definition.shape[1]}-d, the model expects {model.text_dim}-d "
                        "(same text encoder as in training?)")
    if len(video_ids) != features.shape[0]:
        raise TaskError(f"{features.shape[0]} feature rows but {len(video_ids)} video ids")
    device = torch.device(device)
    model = model.to(device)
    classes = embed_classes(model, texts, texts.names, device)
    scores = score_videos(model, features, classes, alpha, device)  # (N, C)
    best = scores.topk(min(top, len(texts.names)), dim=1)
    return [Ranking(vid, tuple(texts.names[j] for j in idx.tolist()), tuple(round(s, 6) for s in val.tolist()))
            for vid, idx, val in zip(video_ids, best.indices, best.values, strict=True)]


def rank_with_checkpoint(path: str | os.PathLike, texts: ClassTexts, features: np.ndarray,
                         video_ids: Sequence[str], top: int = 5) -> list[Ranking]:
    """:func:`rank` with the model and alpha of a saved checkpoint."""
    model, config = checkpoint.restore_model(checkpoint.load(path))
    return rank(model, config.mix, texts, features, video_ids, top)


def checkpoint_recipe(payload: dict) -> dict | None:
    """The video-feature recipe a checkpoint was trained on, when it records one.

    Checkpoints store it in their data identity (``payload["data"]["identity"]["features_recipe"]``).
    """
    data = payload.get("data")
    identity = data.get("identity") if isinstance(data, dict) else None
    recipe = identity.get("features_recipe") if isinstance(identity, dict) else None
    return recipe if isinstance(recipe, dict) else None


def backbone_for(recipe: dict | None, preset: str | None, weights: str | None, device: str):
    """The backbone that makes features of ``recipe`` (a checkpoint's), or of ``preset`` when it records none.

    ``weights`` overrides where the weights file is (its sha256 must still be the recipe's).

    Raises:
        TaskError: No recipe and no preset, a preset other than the checkpoint's, or other weights.
    """
    from coco.features import check_same_recipe
    from coco.video.backbones import load_backbone
    from coco.video.presets import PRESETS
    from coco.video.stage import make_recipe, resolve_device

    if recipe is None and preset is None:
        raise TaskError("the checkpoint records no video-feature recipe: pass --preset NAME (and --weights) to say "
                        "which features it was trained on")
    if recipe is not None:
        name = (recipe.get("preset") or {}).get("name")
        if preset is not None and preset != name:
            raise TaskError(f"--preset {preset} but the checkpoint was trained on {name} features")
        preset = name
        stored = recipe.get("weights") or {}
        if weights is None and stored.get("kind") in ("file", "hub"):
            weights = stored.get("path") or stored.get("name")
    if preset not in PRESETS:
        raise TaskError(f"unknown feature preset {preset!r}")
    random_init = recipe is not None and (recipe.get("weights") or {}).get("kind") == "random-init"
    backbone = load_backbone(preset, weights, random_init, resolve_device(device))
    if recipe is not None:
        check_same_recipe({"the checkpoint": recipe, "this prediction": make_recipe(backbone, "float32")})
    return backbone


def video_features(paths: Sequence[str], backbone, batch_size: int = 8) -> tuple[np.ndarray, list[str], dict]:
    """(N_ok, D) features and ids of the videos that decode, and ``{path: reason}`` of those that do not."""
    from coco.video.decode import decode_or_reason

    decoded, failures = [], {}
    for path in paths:
        frames, reason = decode_or_reason(path, backbone.preset)
        if frames is None:
            failures[path] = reason
        else:
            decoded.append((path, frames))
    rows = [backbone.embed(np.stack([f for _, f in decoded[i:i + batch_size]]))
            for i in range(0, len(decoded), batch_size)]
    features = np.concatenate(rows) if rows else np.zeros((0, backbone.preset.dim), np.float32)
    return features, [p for p, _ in decoded], failures
