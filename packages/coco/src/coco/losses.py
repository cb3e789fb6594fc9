"""CoCo's losses as pure functions of tensors (paper section 4; equation numbers are the paper's).

Small pieces (logits, contrastive loss, attention, cycle features) compose into :func:`coco_losses`,
which returns only the terms a configuration switches on, and :func:`total_loss` (Eq. 15).
Inputs v, z^l and z^c are unit vectors (see ``coco.model``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from coco.config import TrainConfig
from coco.model import ClassEmbeddings

DEFINITION, CONTENT, CYCLE = "definition", "content", "cycle"


def logits(videos: torch.Tensor, classes: torch.Tensor, tau: float) -> torch.Tensor:
    """(B, d) videos and (C, d) class features -> (B, C) similarities over temperature."""
    return videos @ classes.T / tau


def contrastive(videos: torch.Tensor, classes: torch.Tensor, labels: torch.Tensor, tau: float) -> torch.Tensor:
    """Video-to-class contrastive loss (Eq. 3-4, 8, 14): mean over the batch of
    -log softmax_j(v_i . z_j / tau) at j = y_i, the softmax running over the given classes.

    Args:
        videos: (B, d) v.
        classes: (C, d) class features.
        labels: (B,) indices into ``classes``.
        tau: Temperature.
    """
    return F.cross_entropy(logits(videos, classes, tau).float(), labels)


def attend(queries: torch.Tensor, keys: torch.Tensor, temperature: float) -> torch.Tensor:
    """(Q, d) queries over (K, d) keys -> (Q, d) sum_k softmax_k(q . key_k / temperature) key_k."""
    weights = torch.softmax((queries @ keys.T).float() / temperature, dim=-1)  # (Q, K)
    return weights.to(keys.dtype) @ keys


def cycle_features(seen: torch.Tensor, unseen: torch.Tensor, temperature: float) -> torch.Tensor:
    """Cross-action cycle (Eq. 11-12): seen z reconstructed from unseen z, then sent back through seen z.

    Args:
        seen: (S, d) fused z of the seen classes (Eq. 10).
        unseen: (U, d) fused z of the unseen classes.
        temperature: Attention temperature.

    Returns:
        (S, d) cycle features z~ of the seen classes.
    """
    reconstructed = attend(seen, unseen, temperature)  # (S, d), Eq. 11
    return attend(reconstructed, seen, temperature)  # (S, d), Eq. 12


def cycle_loss(videos: torch.Tensor, seen: torch.Tensor, unseen: torch.Tensor, labels: torch.Tensor,
               tau: float, temperature: float) -> torch.Tensor:
    """L^cycle (Eq. 13-14): videos against the (renormalised) cycle features of the seen classes."""
    cycled = F.normalize(cycle_features(seen, unseen, temperature), dim=-1)  # (S, d)
    return contrastive(videos, cycled, labels, tau)


def coco_losses(videos: torch.Tensor, labels: torch.Tensor, seen: ClassEmbeddings,
                unseen: ClassEmbeddings | None, config: TrainConfig) -> dict[str, torch.Tensor]:
    """The loss terms a configuration switches on, keyed ``definition`` (L^l), ``content`` (L^c), ``cycle``.

    Args:
        videos: (B, d) unit v of seen-class videos.
        labels: (B,) indices into the seen classes.
        seen: Projected features of the S seen classes.
        unseen: Projected features of the U unseen classes; needed when ``config.use_cim``.
        config: Which terms, tau, alpha and the CIM temperature.
    """
    terms: dict[str, torch.Tensor] = {}
    if config.use_definitions:
        terms[DEFINITION] = contrastive(videos, seen.definition, labels, config.tau)  # Eq. 3-4
    if config.use_content:
        terms[CONTENT] = contrastive(videos, seen.content, labels, config.tau)  # Eq. 5-8
    if config.use_cim:
        if unseen is None:
            raise ValueError("use_cim needs the unseen classes' features")
        terms[CYCLE] = cycle_loss(videos, seen.fused(config.mix), unseen.fused(config.mix), labels,
                                  config.tau, config.cim_tau)  # Eq. 10-14
    return terms


def total_loss(terms: dict[str, torch.Tensor], gamma: float) -> torch.Tensor:
    """L = L^l + L^c + gamma L^cycle (Eq. 15), over the terms present."""
    return sum((gamma * t if name == CYCLE else t) for name, t in terms.items())
