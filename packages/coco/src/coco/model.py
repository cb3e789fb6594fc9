"""The CoCo network: learnable projections of frozen video and text features into one joint space.

Frozen parts (the video backbone, BERT) run outside this module; their features arrive as tensors.
The learnable parts are the visual FC (Eq. 1) and one semantic FC shared by action definitions and
descriptions (Eq. 2, 5). Outputs are L2-normalised, so every dot product below is a cosine similarity.
The model knows nothing of training: no optimiser, no losses, no paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class ClassEmbeddings:
    """Projected class features of one set of classes.

    Attributes:
        definition: (C, d) unit z^l (Eq. 2).
        content: (C, d) unit z^c, the projected mean of the top-k description features (Eq. 5-7).
    """

    definition: torch.Tensor
    content: torch.Tensor

    def fused(self, alpha: float) -> torch.Tensor:
        """(C, d) z = alpha z^l + (1 - alpha) z^c (Eq. 10; p of Eq. 17). Not renormalised, as in the paper."""
        return alpha * self.definition + (1.0 - alpha) * self.content


class CoCo(nn.Module):
    """Visual FC and semantic FC of CoCo.

    Args:
        video_dim: Width F of the frozen video features.
        text_dim: Width T of the frozen text features.
        embed_dim: Width d of the joint space.
    """

    def __init__(self, video_dim: int, text_dim: int, embed_dim: int = 512) -> None:
        super().__init__()
        self.video_dim, self.text_dim, self.embed_dim = video_dim, text_dim, embed_dim
        self.visual = nn.Linear(video_dim, embed_dim)  # Eq. 1
        self.semantic = nn.Linear(text_dim, embed_dim)  # Eq. 2 and 5, shared

    def encode_videos(self, features: torch.Tensor) -> torch.Tensor:
        """(B, F) frozen video features -> (B, d) unit v."""
        return F.normalize(self.visual(features), dim=-1)

    def encode_texts(self, features: torch.Tensor) -> torch.Tensor:
        """(C, T) frozen text features -> (C, d) unit text embeddings."""
        return F.normalize(self.semantic(features), dim=-1)

    def encode_classes(self, definition: torch.Tensor, content: torch.Tensor) -> ClassEmbeddings:
        """(C, T) definition and content features -> projected :class:`ClassEmbeddings`.

        The content input is already the mean of the top-k description features; the FC is linear, so
        projecting the mean equals averaging the projections (Eq. 7) before normalisation.
        """
        return ClassEmbeddings(self.encode_texts(definition), self.encode_texts(content))

    @torch.no_grad()
    def scores(self, video_features: torch.Tensor, classes: ClassEmbeddings, alpha: float) -> torch.Tensor:
        """(B, F) videos and C classes -> (B, C) scores v . p_j (Eq. 16-17)."""
        return self.encode_videos(video_features) @ classes.fused(alpha).T
