"""Training on the SYNTHETIC benchmark: unseen-class accuracy, ablations, logging, bad input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from coco.config import preset
from coco.synthetic import SyntheticConfig, synthetic_task
from coco.task import TaskError, VideoFeatures
from coco.train import train

SMALL = SyntheticConfig(seen=30, unseen=10, val=5, concepts=12, train_videos=20, test_videos=10)


@pytest.fixture(scope="module")
def task():
    return synthetic_task(SyntheticConfig())


def fast(name: str = "coco", **kw):
    return preset(name, **({"epochs": 8, "batch_size": 128, "device": "cpu"} | kw))


def test_training_lifts_unseen_accuracy_well_above_chance(task):
    chance = 100.0 / len(task.split.unseen)
    untrained = train(fast(epochs=1, lr=1e-12, warmup_epochs=0), task).metrics["top1"]
    result = train(fast(), task)
    assert result.metrics["top1"] > 3 * chance
    assert result.metrics["top1"] > untrained + 20
    assert set(result.metrics["per_class"]) == set(task.split.unseen)
    assert 1 <= result.best_epoch <= 8


def test_every_ablation_trains_with_its_losses(task):
    for name, expected in (("ad", {"loss/definition"}), ("vc+cim", {"loss/content", "loss/cycle"})):
        row = train(fast(name, epochs=1), task).history[0]
        assert {k for k in row if k.startswith("loss/")} - {"loss/total"} == expected


def test_videos_of_classes_outside_the_seen_set_fail_before_training():
    task = synthetic_task(SMALL)
    stray = task.train.labels.copy()
    stray[0] = len(task.split.seen)  # an unseen class among the training videos
    bad = VideoFeatures(task.train.features, stray, task.train.class_names, task.train.video_ids)
    with pytest.raises(TaskError, match="outside the split"):
        replace(task, train=bad)


def test_feature_index_mismatch_is_rejected():
    with pytest.raises(TaskError, match="feature rows"):
        VideoFeatures(np.zeros((3, 4), np.float32), np.zeros(2, np.int64), ("a",), ("v1", "v2", "v3"))


def test_classes_without_texts_are_rejected():
    task = synthetic_task(SMALL)
    split = replace(task.split, unseen=task.split.unseen + ("synthetic-unknown",))
    with pytest.raises(TaskError, match="no texts"):
        replace(task, split=split)


def test_tensorboard_logs_and_progress_bar(tmp_path):
    pytest.importorskip("tensorboard")
    pytest.importorskip("tqdm")
    train(fast(epochs=1, batch_size=64, out_dir=str(tmp_path), tensorboard=True, progress=True), synthetic_task(SMALL))
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))
