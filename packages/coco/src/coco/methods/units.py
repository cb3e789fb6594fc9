"""Semantic units: a class is the *set* of its top-k description features, and each video attends over it.

Beyond the ActionHub paper, in the spirit of ASU (zero-shot action recognition with action semantic units:
a class as several semantic units, matched to the video by attention; not a reproduction). CoCo projects the mean of a
class's top-k descriptions (Eq. 6-7); here each description feature stays a unit u_ck (unit-normalised after
the shared semantic FC), and video v scores class c by attention pooling over the class's units::

    a_ck = softmax_k(v . u_ck / t)            (masked to the class's real units)
    s^u(v, c) = v . sum_k a_ck u_ck = sum_k a_ck (v . u_ck)

with t fixed (``UnitsOptions.temperature``) or learned (log t a parameter). The content term of CoCo is
replaced by s^u: the loss is L^l (definitions, when on) + CE(s^u / tau) + gamma L^cycle (when CIM is on;
the cycle runs on the fused class vectors alpha z^l + (1 - alpha) normalise(mean_k u_ck)), and the prediction
is alpha v . z^l + (1 - alpha) s^u(v, c). The task's texts must be :class:`~coco.methods.unitdata.UnitTexts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from coco import losses
from coco.config import ConfigError, TrainConfig
from coco.methods.loop import fit_model
from coco.methods.unitdata import UnitTexts
from coco.task import Task, TaskError
from coco.train import TrainResult, cim_classes


@dataclass(frozen=True)
class UnitsOptions:
    """Settings of the units method beyond ``TrainConfig``.

    Attributes:
        temperature: Attention temperature t over a class's units (initial value when learned).
        learn_temperature: Learn log t with the model.
    """

    temperature: float = 0.1
    learn_temperature: bool = True

    def __post_init__(self) -> None:
        if self.temperature <= 0:
            raise ConfigError(f"units temperature must be positive, got {self.temperature}")


def attention_pool(videos: torch.Tensor, units: torch.Tensor, mask: torch.Tensor,
                   temperature: torch.Tensor | float) -> torch.Tensor:
    """(B, d) videos, (C, K, d) units, (C, K) mask -> (B, C) s^u = sum_k softmax_k(v . u_ck / t) (v . u_ck)."""
    sims = torch.einsum("bd,ckd->bck", videos, units)  # (B, C, K)
    logits = (sims / temperature).masked_fill(~mask[None], float("-inf"))
    return (torch.softmax(logits.float(), dim=-1).to(sims.dtype) * sims.masked_fill(~mask[None], 0.0)).sum(-1)


class Units(nn.Module):
    """Visual FC, shared semantic FC, and the attention temperature.

    Args:
        video_dim: Width F of the video features.
        texts: The task's unit texts (frozen features of every class).
        config: d, tau, alpha, gamma, CIM switches.
        seen: Seen class names in label order; ``cim``: the classes CIM reconstructs from.
        options: Attention temperature settings.
    """

    def __init__(self, video_dim: int, texts: UnitTexts, config: TrainConfig, seen: Sequence[str],
                 cim: Sequence[str], options: UnitsOptions) -> None:
        super().__init__()
        self.config, self.index = config, {n: i for i, n in enumerate(texts.names)}
        self.visual = nn.Linear(video_dim, config.embed_dim)
        self.semantic = nn.Linear(texts.definition.shape[1], config.embed_dim)
        log_t = torch.tensor(math.log(options.temperature))
        self.log_t = nn.Parameter(log_t) if options.learn_temperature else None
        self.register_buffer("fixed_log_t", log_t)
        self.register_buffer("definition", texts.definition.float())  # (C, T)
        self.register_buffer("units", texts.units.float())  # (C, K, T)
        self.register_buffer("mask", texts.mask)  # (C, K)
        self.register_buffer("seen", self.rows(seen))
        self.register_buffer("cim", self.rows(cim))

    def rows(self, names: Sequence[str]) -> torch.Tensor:
        return torch.tensor([self.index[n] for n in names], dtype=torch.long)

    @property
    def temperature(self) -> torch.Tensor:
        return (self.log_t if self.log_t is not None else self.fixed_log_t).exp()

    def classes(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Projected unit z^l (C, d), units (C, K, d) and mask (C, K) of ``rows``."""
        units = F.normalize(self.semantic(self.units[rows]), dim=-1)
        return F.normalize(self.semantic(self.definition[rows]), dim=-1), units, self.mask[rows]

    def _fused(self, rows: torch.Tensor) -> torch.Tensor:
        z, units, mask = self.classes(rows)
        mean = (units * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)  # (C, d)
        return self.config.mix * z + (1.0 - self.config.mix) * F.normalize(mean, dim=-1)

    def loss(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        v = F.normalize(self.visual(x), dim=-1)  # (B, d)
        z, units, mask = self.classes(self.seen)
        c = self.config
        total = losses.contrastive(v, z, labels, c.tau) if c.use_definitions else 0.0  # L^l
        total = total + F.cross_entropy(attention_pool(v, units, mask, self.temperature).float() / c.tau, labels)
        if c.use_cim:
            total = total + c.gamma * losses.cycle_loss(v, self._fused(self.seen), self._fused(self.cim), labels,
                                                        c.tau, c.cim_tau)
        return total

    def scores(self, x: torch.Tensor, names: Sequence[str]) -> torch.Tensor:
        v = F.normalize(self.visual(x), dim=-1)
        z, units, mask = self.classes(self.rows(names).to(x.device))
        mix = self.config.mix
        return mix * v @ z.T + (1.0 - mix) * attention_pool(v, units, mask, self.temperature)


def fit(config: TrainConfig, task: Task, options: UnitsOptions = UnitsOptions()) -> TrainResult:
    """Trains the units model on ``task`` (whose texts must carry units) and tests it on ``task.test``."""
    if not isinstance(task.texts, UnitTexts):
        raise TaskError("method units needs per-class description features (coco.methods.unitdata.UnitTexts); "
                        "build the task's texts with unit_texts() or synthetic_units()")
    if not config.use_content:
        raise ConfigError("method units replaces the content term: it needs use_content")
    torch.manual_seed(config.seed)
    model = Units(task.train.features.shape[1], task.texts, config, task.split.seen, cim_classes(task), options)
    result = fit_model(model, config, task)
    result.metrics["temperature"] = float(model.temperature.detach())
    return result
