"""A configuration run over every split of a protocol: train or evaluate each, then summarise.

Metrics JSON (what ``coco train`` and ``coco eval`` write)::

    {"protocol", "dataset", "synthetic": bool, "config": TrainConfig as dict, "data": DataConfig as dict,
     "summary": {"top1": {"mean", "std"}, "top5": {...}, "mean_class": {...}, "splits": n},
     "splits": {split name: {"top1", "top5", "mean_class", "per_class": {class: top1}, "videos", "classes",
                             "best_epoch"}}}

Each split's checkpoints go to ``out_dir/<split name with / as _>/{last,best}.pt``, with the data configuration
and identity (``coco.provenance``) inside, so ``run_evaluation(out_dir)`` rebuilds the same data and refuses
data that changed since. Training into an ``out_dir`` that already holds a run is refused unless the config
says ``resume`` (continue it) or ``overwrite`` (its checkpoints and metrics are deleted first).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from actionhub.atomic import write_text
from coco import checkpoint
from coco.config import ConfigError, DataConfig, TrainConfig, differences
from coco.evaluate import evaluate, summarize
from coco.provenance import DataRecord, for_split, identity_of, mismatches
from coco.synthetic import SyntheticConfig, synthetic_tasks
from coco.task import Task
from coco.train import BEST, LAST, pick_device, train

SYNTHETIC_SPLITS = 3


def split_dir(out_dir: str | Path, split: str) -> Path:
    """Directory of one split's checkpoints."""
    return Path(out_dir) / split.replace("/", "_")


def load_tasks(data: DataConfig, method: str = "coco") -> Iterator[Task]:
    """The tasks of ``data``'s protocol, one per split, built lazily (each is validated on construction).

    ``units`` gets each class's description features as well (``coco.methods.unitdata.with_units``).
    """
    if data.protocol == "synthetic":
        tasks = iter(synthetic_tasks(SyntheticConfig(), data.max_splits or SYNTHETIC_SPLITS))
    else:
        from coco.real import real_tasks

        tasks = real_tasks(data)
    if method == "units":
        from coco.methods.unitdata import with_units

        tasks = with_units(tasks, data)
    yield from tasks


def _report(data: DataConfig, config: TrainConfig, per_split: dict[str, dict]) -> dict:
    return {"protocol": data.protocol, "dataset": data.dataset, "synthetic": data.protocol == "synthetic",
            "config": config.to_dict(), "data": data.to_dict(), "summary": summarize(per_split), "splits": per_split}


# What a run leaves in its out_dir: per split directory, and at the top.
RUN_FILES, SPLIT_FILES, SPLIT_DIRS = ("metrics.json", "eval_metrics.json"), (LAST, BEST), ("tb",)


def run_checkpoints(out_dir: str | Path) -> list[Path]:
    """The ``best.pt``/``last.pt`` files of a run directory, sorted."""
    out = Path(out_dir)
    return sorted(p for name in SPLIT_FILES for p in out.glob(f"*/{name}")) if out.is_dir() else []


def prepare_out_dir(config: TrainConfig) -> None:
    """Refuses an ``out_dir`` holding a run unless ``resume``; with ``overwrite``, deletes that run's files first.

    Only files a run writes are deleted (checkpoints, their TensorBoard logs, the metrics JSON); anything else
    in ``out_dir`` stays.
    """
    if config.out_dir is None or config.resume:
        return
    out = Path(config.out_dir)
    found = run_checkpoints(out) + [out / name for name in RUN_FILES if (out / name).is_file()]
    if not found:
        return
    if not config.overwrite:
        state = "a finished run" if (out / "metrics.json").is_file() else "an unfinished run"
        raise ConfigError(f"{out} already holds {state} ({len(found)} files, e.g. {found[0].relative_to(out)}): "
                          "pass --resume to continue it or --overwrite to replace it")
    import shutil

    for path in found:
        path.unlink()
    for split in {p.parent for p in found if p.parent != out}:
        for name in SPLIT_DIRS:
            if (split / name).is_dir():
                shutil.rmtree(split / name)


def run_training(config: TrainConfig, data: DataConfig) -> dict:
    """Trains and tests ``config`` on every split of ``data``; returns the metrics report.

    The data identity (encoder, ActionHub fingerprint, feature recipe) is computed before any training, and an
    ``out_dir`` already holding a run is refused (see :func:`prepare_out_dir`) before anything is written.
    """
    identity = identity_of(data)
    tasks = load_tasks(data, config.method)
    first = next(tasks, None)  # builds (and validates) the first task: bad input fails before out_dir is touched
    prepare_out_dir(config)
    per_split, trained = {}, config
    for task in itertools.chain([first] if first is not None else [], tasks):
        run = replace(config, out_dir=str(split_dir(config.out_dir, task.split.name))) if config.out_dir else config
        result = train(run, task, data=DataRecord(data, for_split(identity, task.split.name)))
        per_split[task.split.name] = result.metrics | {"best_epoch": result.best_epoch}
        trained = replace(result.config, out_dir=config.out_dir)  # what trained (er applies its switches)
    return _report(data, trained, per_split)


def stored_record(out_dir: str | Path) -> DataRecord:
    """The data configuration and identity a run directory's (first) checkpoint was trained on."""
    found = run_checkpoints(out_dir)
    if not found:
        raise checkpoint.CheckpointError(checkpoint.without_checkpoints(out_dir)
                                         or f"{out_dir}: no checkpoints (*/best.pt); is it a coco train --out-dir?")
    record = checkpoint.data_record(checkpoint.load(found[0]))
    if record is None:
        raise checkpoint.CheckpointError(f"{found[0]} stores no data configuration (saved by train() directly)")
    return record


def stored_data(out_dir: str | Path) -> DataConfig:
    """The data configuration a run directory's checkpoints were trained on."""
    return stored_record(out_dir).config


def run_evaluation(out_dir: str | Path, data: DataConfig | None = None, device: str = "auto") -> dict:
    """Tests each split's selected checkpoint under ``out_dir`` (from :func:`run_training`).

    Args:
        out_dir: The training run's directory.
        data: The data to test on; None: the data the run was trained on (stored in its checkpoints).
        device: ``auto``, ``cpu`` or ``cuda``.

    Raises:
        CheckpointError: A split's checkpoint is missing, comes from another training configuration than the
            others, or was trained on other data than ``data`` (protocol, dataset, split, encoder, k, ActionHub
            fingerprint, features recipe; the message names both values).
    """
    stored_run = stored_record(out_dir)
    data = data if data is not None else stored_run.config
    # Other protocol or dataset means other split names: say so before looking for their checkpoints.
    diff = mismatches(stored_run.identity, {"protocol": data.protocol, "dataset": data.dataset})
    if diff:
        raise checkpoint.CheckpointError(f"{out_dir} was trained on other data ({diff})")
    identity = identity_of(data)
    # Everything but the split, before any text is encoded or feature read; each split is checked again below.
    diff = mismatches(stored_run.identity, {k: v for k, v in identity.to_dict().items() if k != "split"})
    if diff:
        raise checkpoint.CheckpointError(f"{out_dir} was trained on other data ({diff})")
    per_split, config = {}, None
    dev = pick_device(device)
    for task in load_tasks(data):
        where = split_dir(out_dir, task.split.name) / BEST
        payload = checkpoint.load(where)
        model, stored = checkpoint.restore_model(payload)
        if config is not None and differences(config, stored):
            shown = ", ".join(f"{k}: {a!r} vs {b!r}" for k, (a, b) in sorted(differences(config, stored).items()))
            raise checkpoint.CheckpointError(f"{where} comes from another training configuration than the run's "
                                             f"other splits ({shown})")
        config = stored
        checkpoint.check_compatible(payload, stored, task.test.features.shape[1], task.texts.definition.shape[1],
                                    task.split.name)
        checkpoint.check_data(payload, for_split(identity, task.split.name), where=str(where))
        metrics = evaluate(model.to(dev), task.texts, task.test, task.split.unseen, stored.mix, dev)
        per_split[task.split.name] = metrics | {"best_epoch": payload["epoch"]}
    if config is None:
        raise ValueError("no splits to evaluate")
    return _report(data, replace(config, out_dir=str(out_dir)), per_split)


def write_report(report: dict, path: str | Path) -> Path:
    """Writes a metrics report as indented JSON."""
    return write_text(path, json.dumps(report, indent=2, sort_keys=False) + "\n")

