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
