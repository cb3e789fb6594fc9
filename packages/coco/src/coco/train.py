"""Training of CoCo on one :class:`~coco.task.Task`: the one place where model, losses, data and evaluation meet.

``train(config, task)`` seeds, picks the device and precision (CUDA with bf16 autocast when present; bf16 on CPU
when asked), runs Adam with
warm-up + cosine over shuffled mini-batches of seen-class videos (read from memory-mapped features batch by
batch), validates on ``task.val`` after every epoch for model selection, checkpoints to ``out_dir`` and
resumes from it, then reports zero-shot metrics of the selected weights on ``task.test``.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from coco import checkpoint, losses
from coco.config import ConfigError, TrainConfig
from coco.evaluate import evaluate, targets_in
from coco.model import CoCo
from coco.provenance import DataRecord
from coco.schedule import learning_rate, set_learning_rate
from coco.task import Task, TaskError

log = logging.getLogger(__name__)

LAST, BEST = "last.pt", "best.pt"


@dataclass
class TrainResult:
    """What a run produced.

    Attributes:
        model: The selected weights (best validation epoch, else the last epoch), in eval mode.
        config: The configuration.
        split: The split's name.
        metrics: Zero-shot metrics on ``task.test`` (see ``coco.evaluate.accuracy_metrics``).
        best_epoch: The epoch (1-based) whose weights were selected.
        history: One dict per epoch run in this call: mean loss terms, learning rate, training seconds,
            validation top-1.
        checkpoint: Path of the selected checkpoint, or None without ``out_dir``.
    """

    model: CoCo
    config: TrainConfig
    split: str
    metrics: dict[str, Any]
    best_epoch: int
    history: list[dict[str, float]] = field(default_factory=list)
    checkpoint: Path | None = None


def pick_device(name: str) -> torch.device:
    """``auto`` -> CUDA when available, else CPU; ``cuda`` without a GPU raises."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device cuda requested but no CUDA device is available")
    return torch.device(name)


def cpu_has_bf16() -> bool | None:
    """Whether the CPU has bf16 arithmetic (AVX512-BF16 or AMX, from ``/proc/cpuinfo``); None when unknown."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    return "avx512_bf16" in flags or "amx_bf16" in flags


def autocast_for(precision: str, device: torch.device):
    """The autocast context of a training step: bf16 for ``bf16``, and for ``auto`` on CUDA; else none (fp32).

    On CPU, bf16 autocast runs the linear layers in bfloat16 (losses stay float32, see ``coco.losses``). It pays
    only on CPUs with bf16 arithmetic (AVX512-BF16, AMX); elsewhere torch emulates it, and an epoch of
    ``benchmarks/bench_coco.py`` took 27x longer than fp32 on an AVX2-only CPU, so ``auto`` is fp32 on CPU and
    ``train`` logs a warning for ``bf16`` on such a CPU.
    """
    if precision == "bf16" or (precision == "auto" and device.type == "cuda"):
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()


def cim_classes(task: Task) -> tuple[str, ...]:
    """Classes whose texts CIM reconstructs seen classes from: every unseen class of the split (test and val)."""
    return task.split.unseen + task.split.val


def check_trainable(task: Task) -> None:
    """Raises :class:`TaskError` for tasks that cannot train, before any work is done."""
    if task.train.features.shape[0] == 0:
        raise TaskError(f"split {task.split.name}: no training videos")
    if task.val is not None and task.val.features.shape[1] != task.train.features.shape[1]:
        raise TaskError("train and val video features differ in width")
    targets_in(task.train, task.split.seen)


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int) -> list[np.ndarray]:
    # The shuffle depends only on (seed, epoch), so a resumed run sees the same batches.
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch)).numpy()
    return [np.sort(order[i:i + batch_size]) for i in range(0, n, batch_size)]  # sorted: memmap locality


def _progress(iterable, enabled: bool, desc: str):
    if not enabled:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, leave=False)


def _writer(config: TrainConfig):
    if not config.tensorboard:
        return None
    from torch.utils.tensorboard import SummaryWriter  # needs the tensorboard package

    return SummaryWriter(str(Path(config.out_dir) / "tb"))


@dataclass
class _Progress:
    """Where a run stands: epochs done, optimiser steps taken, the selected epoch and its weights (CPU)."""

    epoch: int = 0
    step: int = 0
    best: dict[str, float] | None = None
    best_state: dict[str, torch.Tensor] | None = None


@dataclass(frozen=True)
class _ClassInputs:
    """Frozen text features on the device: seen classes (S, T) and the unseen classes CIM uses (U, T)."""

    seen_definition: torch.Tensor
    seen_content: torch.Tensor
    unseen_definition: torch.Tensor
    unseen_content: torch.Tensor

    @classmethod
    def of(cls, task: Task, device: torch.device) -> _ClassInputs:
        seen, unseen = task.texts.rows(task.split.seen), task.texts.rows(cim_classes(task))
        d, c = task.texts.definition, task.texts.content
        return cls(*(t.to(device, torch.float32) for t in (d[seen], c[seen], d[unseen], c[unseen])))


def _resume(config: TrainConfig, task: Task, model: CoCo, optimizer: torch.optim.Optimizer,
            data: DataRecord | None) -> _Progress:
    """Progress restored from ``out_dir/last.pt`` when resuming, else a fresh start."""
    out = Path(config.out_dir) if config.out_dir else None
    if not (config.resume and out is not None and (out / LAST).is_file()):
        return _Progress()
    payload = checkpoint.load(out / LAST)
    checkpoint.check_compatible(payload, config, model.video_dim, model.text_dim, task.split.name,
                                data.identity if data is not None else None)
    model.load_state_dict(payload["model"])
    optimizer.load_state_dict(payload["optimizer"])
    torch.set_rng_state(payload["rng"])
    best_state = checkpoint.load(out / BEST)["model"] if payload["best"] and (out / BEST).is_file() else None
    log.info("resumed %s at epoch %d", task.split.name, payload["epoch"])
    return _Progress(payload["epoch"], payload["step"], payload["best"], best_state)


def _train_epoch(model: CoCo, optimizer: torch.optim.Optimizer, task: Task, texts: _ClassInputs,
                 labels: torch.Tensor, config: TrainConfig, device: torch.device, progress: _Progress,
                 writer) -> dict[str, float]:
    """One pass over the training videos; returns mean loss terms, last learning rate and seconds."""
    model.train()
    n = task.train.features.shape[0]
    steps_per_epoch = math.ceil(n / config.batch_size)
    total_steps, warmup_steps = steps_per_epoch * config.epochs, round(config.warmup_epochs * steps_per_epoch)
    autocast = autocast_for(config.precision, device)
    sums: dict[str, torch.Tensor] = {}
    started, rate = time.perf_counter(), config.lr
    for idx in _progress(epoch_batches(n, config.batch_size, config.seed, progress.epoch), config.progress,
                         f"{task.split.name} epoch {progress.epoch + 1}/{config.epochs}"):
        rate = learning_rate(progress.step, total_steps, warmup_steps, config.lr)
        set_learning_rate(optimizer, rate)
        x = torch.from_numpy(np.asarray(task.train.features[idx], dtype=np.float32)).to(device)  # (B, F)
        y = labels[torch.from_numpy(idx)].to(device)  # (B,)
        with autocast:
            v = model.encode_videos(x)  # (B, d)
            seen = model.encode_classes(texts.seen_definition, texts.seen_content)  # (S, d) each
            unseen = (model.encode_classes(texts.unseen_definition, texts.unseen_content)  # (U, d) each
                      if config.use_cim else None)
            terms = losses.coco_losses(v, y, seen, unseen, config)
            loss = losses.total_loss(terms, config.gamma)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        progress.step += 1
        for name, value in {**terms, "total": loss}.items():  # summed on the device: no sync per step
            sums[name] = sums.get(name, 0.0) + value.detach() * len(idx)
        if writer is not None:
            writer.add_scalar("train/loss", loss.item(), progress.step)
            writer.add_scalar("train/lr", rate, progress.step)
    progress.epoch += 1
    return ({f"loss/{k}": v.item() / n for k, v in sums.items()}
            | {"epoch": progress.epoch, "lr": rate, "seconds": time.perf_counter() - started})


def _select_and_save(model: CoCo, optimizer: torch.optim.Optimizer, config: TrainConfig, task: Task,
                     progress: _Progress, score: float, data: DataRecord | None) -> None:
    """Keeps the best-scoring weights, and writes ``best.pt`` (when improved) and ``last.pt`` to ``out_dir``."""
    out = Path(config.out_dir) if config.out_dir else None
    common = {"model": model, "config": config, "split": task.split.name, "epoch": progress.epoch,
              "step": progress.step, "data": data}
    if progress.best is None or score > progress.best["score"]:
        progress.best = {"epoch": progress.epoch, "score": score}
        progress.best_state = copy.deepcopy({k: t.detach().cpu() for k, t in model.state_dict().items()})
        if out is not None:
            checkpoint.save(out / BEST, best=progress.best, **common)
    if out is not None:
        checkpoint.save(out / LAST, optimizer=optimizer, best=progress.best, **common)


def train(config: TrainConfig, task: Task, max_epochs: int | None = None,
          data: DataRecord | None = None) -> TrainResult:
    """Trains CoCo on ``task`` and evaluates the selected weights on ``task.test``.

    Args:
        config: Hyperparameters and bookkeeping.
        task: Split, class texts and video features (validated on construction).
        max_epochs: Stop after this many epochs in this call (the schedule still spans ``config.epochs``);
            a later call with ``resume=True`` continues. For time-boxed jobs and resume tests.
        data: What ``task`` was built from (``coco.experiment`` passes it): stored in the checkpoints, and a
            resumed checkpoint of other data is refused.
    """
    if config.method == "er":  # ER's objective is CoCo's AD loss: CoCo's model, checkpoints, eval and predict
        from coco.methods.er import er_config

        config = er_config(config)
    elif config.method != "coco":  # a baseline or peer of coco.methods, in the same harness
        from coco.methods import fit

        return fit(config, task)
    check_trainable(task)
    device = pick_device(config.device)
    if config.precision == "bf16" and device.type == "cpu" and cpu_has_bf16() is False:
        log.warning("precision bf16 on a CPU without bf16 instructions (avx512_bf16/amx_bf16): torch emulates "
                    "bf16, and training is much slower than in fp32")
    torch.manual_seed(config.seed)
    model = CoCo(task.train.features.shape[1], task.texts.definition.shape[1], config.embed_dim).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    progress = _resume(config, task, model, optimizer, data)
    texts = _ClassInputs.of(task, device)
    labels = targets_in(task.train, task.split.seen)  # (N,) index into seen
    writer = _writer(config)
    history = []
    stop = config.epochs if max_epochs is None else min(config.epochs, progress.epoch + max_epochs)
    while progress.epoch < stop:
        row = _train_epoch(model, optimizer, task, texts, labels, config, device, progress, writer)
        if task.val is not None:
            row["val/top1"] = evaluate(model, task.texts, task.val, task.split.val, config.mix, device)["top1"]
        # Model selection on validation top-1; without validation classes the last epoch is selected.
        _select_and_save(model, optimizer, config, task, progress, row.get("val/top1", float(progress.epoch)), data)
        if writer is not None:
            for k, value in row.items():
                writer.add_scalar(k, value, progress.epoch)
        log.info("%s %s", task.split.name, row)
        history.append(row)
    if writer is not None:
        writer.close()
    if progress.best_state is not None:
        model.load_state_dict(progress.best_state)
    metrics = evaluate(model, task.texts, task.test, task.split.unseen, config.mix, device)
    out = Path(config.out_dir) if config.out_dir else None
    return TrainResult(model=model.eval(), config=config, split=task.split.name, metrics=metrics,
                       best_epoch=progress.best["epoch"] if progress.best else 0, history=history,
                       checkpoint=(out / BEST) if out is not None and progress.best else None)
