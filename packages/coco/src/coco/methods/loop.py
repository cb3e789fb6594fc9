"""The training loop the gradient-trained peers share (``devise``, ``units``), mirroring ``coco.train``.

Same harness as CoCo: Adam with ``config.lr`` / ``weight_decay``, warm-up + cosine per step, the same seeded
shuffle of seen-class videos, ``config.epochs`` passes, validation top-1 after each epoch for model selection
when the task has validation classes (else the last epoch), and coco's metrics on ``task.test``. Checkpoints
are not written: these methods are compared, not deployed.

A model given to :func:`fit_model` is an ``nn.Module`` with ``loss(x, labels) -> scalar`` over the seen classes
and ``scores(x, names) -> (B, C)`` over any classes of the task's texts.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import torch

from coco.config import TrainConfig
from coco.evaluate import accuracy_metrics, targets_in
from coco.schedule import learning_rate, set_learning_rate
from coco.task import Task, VideoFeatures
from coco.train import TrainResult, check_trainable, epoch_batches, pick_device


class Scorer(Protocol):
    """What the loop needs of a model (an ``nn.Module``)."""

    def loss(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """(B, F) seen-class videos and (B,) indices into the seen classes -> scalar loss."""
        ...

    def scores(self, x: torch.Tensor, names: Sequence[str]) -> torch.Tensor:
        """(B, F) videos -> (B, C) scores over ``names``."""
        ...


@torch.no_grad()
def evaluate_scorer(model, videos: VideoFeatures, names: Sequence[str], device: torch.device,
                    batch_size: int = 1024) -> dict:
    """coco's zero-shot metrics of ``videos`` classified among ``names`` by ``model.scores``."""
    model.eval()
    out = []
    for start in range(0, videos.features.shape[0], batch_size):
        x = torch.from_numpy(np.array(videos.features[start:start + batch_size], dtype=np.float32)).to(device)
        out.append(model.scores(x, names).float().cpu())
    return accuracy_metrics(torch.cat(out), targets_in(videos, names), names)


def fit_model(model, config: TrainConfig, task: Task) -> TrainResult:
    """Trains ``model`` (a :class:`Scorer` module, already seeded and built) on ``task``; tests the selection."""
    check_trainable(task)
    device = pick_device(config.device)
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    labels = targets_in(task.train, task.split.seen)  # (N,) index into seen
    n = task.train.features.shape[0]
    steps_per_epoch = math.ceil(n / config.batch_size)
    total, warmup = steps_per_epoch * config.epochs, round(config.warmup_epochs * steps_per_epoch)
    step, best, best_state, history = 0, None, None, []
    for epoch in range(config.epochs):
        model.train()
        started, summed = time.perf_counter(), torch.zeros(())
        for idx in epoch_batches(n, config.batch_size, config.seed, epoch):
            set_learning_rate(optimizer, learning_rate(step, total, warmup, config.lr))
            x = torch.from_numpy(np.asarray(task.train.features[idx], dtype=np.float32)).to(device)  # (B, F)
            loss = model.loss(x, labels[torch.from_numpy(idx)].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            summed = summed + loss.detach().cpu() * len(idx)
        row = {"epoch": epoch + 1, "loss/total": summed.item() / n, "seconds": time.perf_counter() - started}
        if task.val is not None:
            row["val/top1"] = evaluate_scorer(model, task.val, task.split.val, device)["top1"]
        score = row.get("val/top1", float(epoch + 1))  # without validation classes: the last epoch
        if best is None or score > best[1]:
            best = (epoch + 1, score)
            best_state = copy.deepcopy({k: t.detach().cpu() for k, t in model.state_dict().items()})
        history.append(row)
    if best_state is not None:
        model.load_state_dict(best_state)
    metrics = evaluate_scorer(model, task.test, task.split.unseen, device)
    return TrainResult(model=model.eval(), config=config, split=task.split.name, metrics=metrics,
                       best_epoch=best[0] if best else 0, history=history)


def fused_texts(task: Task, mix: float) -> tuple[tuple[str, ...], torch.Tensor]:
    """(names, (C, T) alpha definition + (1 - alpha) content frozen features) of every class of ``task``."""
    t = task.texts
    return t.names, (mix * t.definition + (1.0 - mix) * t.content).float()
