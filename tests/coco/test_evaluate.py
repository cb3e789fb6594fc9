"""Accuracy metrics against hand-counted examples, and the mean +- std summary over splits."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coco.evaluate import accuracy_metrics, summarize, targets_in
from coco.task import TaskError, VideoFeatures


def test_top1_top5_and_per_class_by_hand():
    names = ("a", "b", "c", "d", "e", "f")
    scores = torch.tensor([
        [9, 1, 2, 3, 4, 5.0],  # target a: rank 1
        [9, 1, 2, 3, 4, 5.0],  # target b: rank 6 -> miss top-5
        [1, 9, 2, 3, 4, 5.0],  # target c: rank 5 -> top-5 hit
        [1, 2, 9, 3, 4, 5.0],  # target c: rank 1
    ])
    targets = torch.tensor([0, 1, 2, 2])
    m = accuracy_metrics(scores, targets, names)
    assert m["top1"] == pytest.approx(50.0)
    assert m["top5"] == pytest.approx(75.0)
    assert m["per_class"] == pytest.approx({"a": 100.0, "b": 0.0, "c": 50.0})
    assert m["mean_class"] == pytest.approx(50.0)


def test_summary_is_mean_and_sample_std():
    per_split = {f"s{i}": {"top1": v, "top5": v + 10, "mean_class": v} for i, v in enumerate([10.0, 20.0, 30.0])}
    s = summarize(per_split)
    assert s["top1"] == pytest.approx({"mean": 20.0, "std": 10.0})
    assert s["top5"]["mean"] == pytest.approx(30.0)
    assert s["splits"] == 3


def test_targets_follow_the_evaluated_class_order():
    videos = VideoFeatures(np.zeros((3, 2), np.float32), np.array([2, 0, 2]), ("x", "y", "z"), ("1", "2", "3"))
    assert targets_in(videos, ("z", "x")).tolist() == [0, 1, 0]
    with pytest.raises(TaskError, match="outside the evaluated set"):
        targets_in(videos, ("z",))
