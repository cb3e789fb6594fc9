"""build_task: selection and relabelling of seen/unseen/val videos, memory-mapped slices, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coco.build import build_task
from coco.features import load_features, write_features
from coco.task import ClassTexts, Split, TaskError, VideoFeatures

CLASSES = ("a", "b", "c", "d", "e")


def _videos(labels, dim=3):
    n = len(labels)
    features = np.arange(n * dim, dtype=np.float32).reshape(n, dim)  # row i starts at i * dim
    return VideoFeatures(features, np.array([CLASSES.index(x) for x in labels]), CLASSES,
                         tuple(f"v{i}" for i in range(n)))


def _texts(names=CLASSES):
    return ClassTexts(tuple(names), torch.randn(len(names), 8), torch.randn(len(names), 8))


def test_videos_are_selected_and_relabelled_per_group():
    videos = _videos(["a", "c", "b", "d", "e", "a", "c"])
    task = build_task(Split("s/1", seen=("c", "a"), unseen=("e", "b"), val=("d",)), videos, _texts())
    assert task.train.class_names == ("c", "a") and task.test.class_names == ("e", "b")
    assert task.train.video_ids == ("v0", "v1", "v5", "v6")
    assert [task.train.class_names[i] for i in task.train.labels] == ["a", "c", "a", "c"]
    np.testing.assert_array_equal(task.train.features[:, 0], [0, 3, 15, 18])
    assert task.test.video_ids == ("v2", "v4") and task.test.labels.tolist() == [1, 0]
    assert task.val.video_ids == ("v3",) and task.val.labels.tolist() == [0]


def test_no_val_classes_gives_no_val_set():
    task = build_task(Split("s/1", seen=("a",), unseen=("b",)), _videos(["a", "b"]), _texts())
    assert task.val is None


def test_separate_eval_features_and_memory_mapped_slices(tmp_path):
    write_features(tmp_path / "train", np.ones((4, 2), np.float16), ["t0", "t1", "t2", "t3"], ["a", "a", "b", "b"])
    write_features(tmp_path / "test", np.zeros((2, 2), np.float16), ["u0", "u1"], ["c", "d"])
    train, test = load_features(tmp_path / "train"), load_features(tmp_path / "test")
    task = build_task(Split("k/1", seen=("a", "b"), unseen=("c", "d")), train, _texts(), eval_features=test)
    assert isinstance(task.train.features, np.memmap) and isinstance(task.test.features, np.memmap)
    assert task.test.video_ids == ("u0", "u1")


def test_class_without_texts_is_an_error():
    with pytest.raises(TaskError, match=r"1 classes have no texts, e.g. \['b'\]"):
        build_task(Split("s/1", seen=("a",), unseen=("b",)), _videos(["a", "b"]), _texts(("a", "c")))


def test_class_without_videos_is_an_error():
    with pytest.raises(TaskError, match=r"s/2: 1 unseen classes have no videos.*\['e'\]"):
        build_task(Split("s/2", seen=("a",), unseen=("b", "e")), _videos(["a", "b"]), _texts())
    with pytest.raises(TaskError, match="seen classes have no videos"):
        build_task(Split("s/3", seen=("zz",), unseen=("b",)), _videos(["a", "b"]), _texts(CLASSES + ("zz",)))
