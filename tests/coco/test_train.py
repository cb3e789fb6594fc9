"""Training on the SYNTHETIC benchmark: unseen-class accuracy, ablations, resume, checkpoints, bad input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from coco import checkpoint
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


def test_resume_equals_an_uninterrupted_run(tmp_path):
    task = synthetic_task(SMALL)
    full = fast(epochs=4, batch_size=64, out_dir=str(tmp_path / "full"))
    train(full, task)
    parted = fast(epochs=4, batch_size=64, out_dir=str(tmp_path / "parted"))
    first = train(parted, task, max_epochs=2)
    assert [h["epoch"] for h in first.history] == [1, 2]
    second = train(replace(parted, resume=True), task)
    assert [h["epoch"] for h in second.history] == [3, 4]
    a = checkpoint.load(tmp_path / "full" / "last.pt")
    b = checkpoint.load(tmp_path / "parted" / "last.pt")
    assert a["step"] == b["step"]
    for key in a["model"]:
        assert torch.equal(a["model"][key], b["model"][key]), key
    assert second.metrics["top1"] == pytest.approx(train(full, task).metrics["top1"])


def test_resume_from_another_configuration_fails_before_training(tmp_path):
    task = synthetic_task(SMALL)
    train(fast(epochs=1, batch_size=64, out_dir=str(tmp_path)), task)
    with pytest.raises(checkpoint.CheckpointError, match="gamma"):
        train(fast(epochs=1, batch_size=64, gamma=0.5, out_dir=str(tmp_path), resume=True), task)
    wider = synthetic_task(replace(SMALL, video_dim=32))
    with pytest.raises(checkpoint.CheckpointError, match="widths"):
        train(fast(epochs=1, batch_size=64, out_dir=str(tmp_path), resume=True), wider)


def test_checkpoint_round_trip_restores_the_model(tmp_path):
    task = synthetic_task(SMALL)
    result = train(fast(epochs=2, batch_size=64, out_dir=str(tmp_path)), task)
    model, config = checkpoint.restore_model(checkpoint.load(result.checkpoint))
    assert config == result.config
    for key, value in result.model.state_dict().items():
        assert torch.equal(model.state_dict()[key], value)


def test_not_a_checkpoint_is_a_clear_error(tmp_path):
    path = tmp_path / "x.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(checkpoint.CheckpointError, match="not a coco-checkpoint"):
        checkpoint.load(path)


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


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="no checkpoint at"):
        checkpoint.load(tmp_path / "best.pt")
