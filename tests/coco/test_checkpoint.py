"""Checkpoints: round trip, resume equal to an uninterrupted run, and rejection of foreign checkpoints."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from coco import checkpoint
from coco.config import preset
from coco.synthetic import SyntheticConfig, synthetic_task
from coco.train import train

SMALL = SyntheticConfig(seen=30, unseen=10, val=5, concepts=12, train_videos=20, test_videos=10)


def fast(**kw):
    return preset("coco", **({"epochs": 8, "batch_size": 128, "device": "cpu"} | kw))


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


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="no checkpoint at"):
        checkpoint.load(tmp_path / "best.pt")
