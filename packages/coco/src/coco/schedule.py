"""Learning-rate schedule: linear warm-up, then cosine decay to zero (paper: "warm-up and cosine").

A pure function of the step, so a resumed run recomputes the same rate with no scheduler state to save.
"""

from __future__ import annotations

import math

import torch


def learning_rate(step: int, total_steps: int, warmup_steps: int, peak: float) -> float:
    """Rate for optimiser step ``step`` (0-based).

    Warm-up: ``peak * (step + 1) / warmup_steps`` for ``step < warmup_steps`` (never 0 at the first step).
    Cosine: ``peak * (1 + cos(pi * t)) / 2`` with ``t = (step - warmup_steps) / (total_steps - warmup_steps)``,
    so the rate is ``peak`` right after warm-up and reaches 0 at ``step == total_steps``.
    """
    if total_steps <= 0:
        raise ValueError("total_steps must be positive")
    warmup_steps = min(warmup_steps, total_steps)
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    decay = total_steps - warmup_steps
    t = min(max(step - warmup_steps, 0) / decay, 1.0) if decay else 1.0
    return peak * 0.5 * (1.0 + math.cos(math.pi * t))


def set_learning_rate(optimizer: torch.optim.Optimizer, rate: float) -> None:
    """Sets ``rate`` on every parameter group."""
    for group in optimizer.param_groups:
        group["lr"] = rate
