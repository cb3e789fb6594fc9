"""DeViSE (Frome et al., "DeViSE: A Deep Visual-Semantic Embedding Model", NeurIPS 2013) on coco's inputs.

A linear map M takes a frozen video feature v into the frozen text space; a class j is its fixed unit text
vector t_j (the language model is not trained). The score of class j is t_j^T M v, and the loss is the hinge
rank loss with margin (Frome et al., Eq. 1)::

    loss(v, y) = sum_{j != y} max(0, margin - t_y^T M v + t_j^T M v)

summed over the seen classes j and averaged over the batch. Class vectors are the frozen fused class texts
t_j = alpha definition + (1 - alpha) content (coco's Eq. 10 before projection; alpha = ``config.mix``), L2-
normalised as DeViSE normalises its word vectors. Optimisation follows the harness (Adam, warm-up + cosine),
not the paper's SGD; prediction is argmax_j over the unseen classes.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from coco.config import TrainConfig
from coco.methods.loop import fit_model, fused_texts
from coco.task import Task
from coco.train import TrainResult

MARGIN = 0.1  # Frome et al.'s margin


def hinge_rank_loss(scores: torch.Tensor, labels: torch.Tensor, margin: float = MARGIN) -> torch.Tensor:
    """(B, C) scores, (B,) true classes -> mean over the batch of sum_{j != y} max(0, margin - s_y + s_j)."""
    true = scores.gather(1, labels[:, None])  # (B, 1)
    hinge = (margin - true + scores).clamp(min=0.0)  # (B, C); the j = y term is exactly the margin
    return (hinge.sum(dim=1) - margin).mean()


class DeViSE(nn.Module):
    """The linear map M and the fixed class vectors.

    Args:
        video_dim: Width F of the video features.
        names: Class names, rows of ``classes``.
        classes: (C, T) frozen class text features (normalised here).
        seen: The seen class names, in label order.
    """

    def __init__(self, video_dim: int, names: Sequence[str], classes: torch.Tensor, seen: Sequence[str]) -> None:
        super().__init__()
        self.index = {n: i for i, n in enumerate(names)}
        self.register_buffer("classes", F.normalize(classes.float(), dim=-1))  # (C, T)
        self.register_buffer("seen", torch.tensor([self.index[n] for n in seen]))  # (S,)
        self.map = nn.Linear(video_dim, classes.shape[1], bias=False)  # M

    def _scores(self, x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        return self.map(x) @ self.classes[rows].T  # (B, C) t_j^T M v

    def loss(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return hinge_rank_loss(self._scores(x, self.seen), labels)

    def scores(self, x: torch.Tensor, names: Sequence[str]) -> torch.Tensor:
        rows = torch.tensor([self.index[n] for n in names], device=x.device)
        return self._scores(x, rows)


def fit(config: TrainConfig, task: Task) -> TrainResult:
    """Trains DeViSE's map on ``task`` with the harness's optimisation settings; tests on ``task.test``."""
    torch.manual_seed(config.seed)
    names, classes = fused_texts(task, config.mix)
    model = DeViSE(task.train.features.shape[1], names, classes, task.split.seen)
    return fit_model(model, config, task)
