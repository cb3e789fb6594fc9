"""Every registered method trains in the harness on the SYNTHETIC benchmark and beats chance."""

from __future__ import annotations

import pytest

from coco.config import ConfigError, TrainConfig, preset
from coco.methods import METHODS
from coco.methods.unitdata import synthetic_units
from coco.synthetic import SyntheticConfig, synthetic_task
from coco.task import TaskError
from coco.train import train

SMALL = SyntheticConfig(seen=30, unseen=10, val=0, concepts=12, train_videos=20, test_videos=10)


@pytest.fixture(scope="module")
def task():
    return synthetic_units(synthetic_task(SMALL), SMALL, k=4)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_beats_chance_on_unseen_classes(task, method):
    result = train(preset("ad+vc", epochs=6, batch_size=64, device="cpu", method=method), task)
    chance = 100.0 / len(task.split.unseen)
    assert result.metrics["top1"] > 2 * chance
    assert set(result.metrics["per_class"]) == set(task.split.unseen)


def test_unknown_method_is_a_config_error():
    with pytest.raises(ConfigError, match="method"):
        TrainConfig(method="nope")


def test_tensorboard_is_refused_for_methods_that_write_no_logs(tmp_path):
    with pytest.raises(ConfigError, match="eszsl writes metrics.json only, no TensorBoard"):
        TrainConfig(method="eszsl", out_dir=str(tmp_path), tensorboard=True)
    TrainConfig(method="er", out_dir=str(tmp_path), tensorboard=True)  # CoCo's training loop: its logs


def test_units_needs_unit_texts():
    plain = synthetic_task(SMALL)
    with pytest.raises(TaskError, match="units"):
        train(preset("ad+vc", epochs=1, device="cpu", method="units"), plain)
