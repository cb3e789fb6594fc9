"""A configuration run over every split of a protocol: train or evaluate each, then summarise.

Metrics JSON (what ``coco train`` and ``coco eval`` write)::

    {"protocol", "dataset", "synthetic": bool, "config": TrainConfig as dict,
     "summary": {"top1": {"mean", "std"}, "top5": {...}, "mean_class": {...}, "splits": n},
     "splits": {split name: {"top1", "top5", "mean_class", "per_class": {class: top1}, "videos", "classes",
                             "best_epoch"}}}

Each split's checkpoints go to ``out_dir/<split name with / as _>/{last,best}.pt``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from actionhub.atomic import write_text
from coco import checkpoint
from coco.config import DataConfig, TrainConfig
from coco.evaluate import evaluate, summarize
from coco.synthetic import SyntheticConfig, synthetic_tasks
from coco.task import Task
from coco.train import BEST, pick_device, train

SYNTHETIC_SPLITS = 3


def split_dir(out_dir: str | Path, split: str) -> Path:
    """Directory of one split's checkpoints."""
    return Path(out_dir) / split.replace("/", "_")


def load_tasks(data: DataConfig) -> Iterator[Task]:
    """The tasks of ``data``'s protocol, one per split, built lazily (each is validated on construction)."""
    if data.protocol == "synthetic":
        yield from synthetic_tasks(SyntheticConfig(), data.max_splits or SYNTHETIC_SPLITS)
        return
    from coco.real import real_tasks

    yield from real_tasks(data)


def _report(data: DataConfig, config: TrainConfig, per_split: dict[str, dict]) -> dict:
    return {"protocol": data.protocol, "dataset": data.dataset, "synthetic": data.protocol == "synthetic",
            "config": config.to_dict(), "summary": summarize(per_split), "splits": per_split}


def run_training(config: TrainConfig, data: DataConfig) -> dict:
    """Trains and tests ``config`` on every split of ``data``; returns the metrics report."""
    per_split = {}
    for task in load_tasks(data):
        run = replace(config, out_dir=str(split_dir(config.out_dir, task.split.name))) if config.out_dir else config
        result = train(run, task)
        per_split[task.split.name] = result.metrics | {"best_epoch": result.best_epoch}
    return _report(data, config, per_split)


def run_evaluation(out_dir: str | Path, data: DataConfig, device: str = "auto") -> dict:
    """Tests each split's selected checkpoint under ``out_dir`` (from ``run_training``) on ``data``."""
    per_split, config = {}, None
    for task in load_tasks(data):
        payload = checkpoint.load(split_dir(out_dir, task.split.name) / BEST)
        model, config = checkpoint.restore_model(payload)
        checkpoint.check_compatible(payload, config, task.test.features.shape[1], task.texts.definition.shape[1],
                                    task.split.name)
        dev = pick_device(device)
        metrics = evaluate(model.to(dev), task.texts, task.test, task.split.unseen, config.mix, dev)
        per_split[task.split.name] = metrics | {"best_epoch": payload["epoch"]}
    if config is None:
        raise ValueError("no splits to evaluate")
    return _report(data, replace(config, out_dir=str(out_dir)), per_split)


def write_report(report: dict, path: str | Path) -> Path:
    """Writes a metrics report as indented JSON."""
    return write_text(path, json.dumps(report, indent=2, sort_keys=False) + "\n")

