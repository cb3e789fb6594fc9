"""Recipes: runs refuse features of two recipes; the cross-dataset protocol warns about pre-training."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from coco.features import check_same_recipe, cross_dataset_warning, recipe_identity, write_features
from coco.predict import backbone_for, checkpoint_recipe
from coco.real import feature_sets
from coco.task import TaskError
from coco.video.presets import PRESETS

RECIPE = {"preset": PRESETS["r21d16"].to_dict(), "weights": {"kind": "file", "path": "/a/w.pth", "sha256": "ab" * 32},
          "pretrained_on": PRESETS["r21d16"].pretrained_on, "libraries": {"torch": "2.14.1"}}


def write(directory, recipe):
    rows = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)  # SYNTHETIC features
    write_features(directory, rows, ["v1", "v2"], ["a", "b"], recipe=recipe)


def test_identity_ignores_where_the_weights_lie_and_library_versions():
    moved = copy.deepcopy(RECIPE)
    moved["weights"]["path"], moved["libraries"] = "/elsewhere/w.pth", {"torch": "2.15"}
    assert recipe_identity(moved) == recipe_identity(RECIPE)
    stored = json.loads(json.dumps(RECIPE))  # as read back from meta.json or a checkpoint: tuples became lists
    assert recipe_identity(stored) == recipe_identity(RECIPE)
    other = copy.deepcopy(RECIPE)
    other["weights"]["sha256"] = "cd" * 32
    with pytest.raises(TaskError, match="different recipes.*r21d16 \\(file abababab\\).*r21d16 \\(file cdcdcdcd\\)"):
        check_same_recipe({"train": RECIPE, "eval": other})


def test_train_and_eval_features_of_different_recipes_are_refused(tmp_path):
    write(tmp_path / "f" / "train", RECIPE)
    write(tmp_path / "f" / "eval", None)
    with pytest.raises(TaskError, match="no recorded recipe"):
        feature_sets(tmp_path / "f")
    write(tmp_path / "f" / "eval", RECIPE)
    train, test = feature_sets(tmp_path / "f")
    assert train.video_ids == test.video_ids == ("v1", "v2")


def test_cross_warning_names_the_pretraining_set():
    text = cross_dataset_warning(RECIPE)
    assert "Kinetics-400" in text and "not unseen" in text
    assert "ImageNet-21k" in cross_dataset_warning({**RECIPE, "pretrained_on": "ImageNet-21k"})
    assert "record no recipe" in cross_dataset_warning(None)


def test_prediction_needs_a_recipe_or_a_preset():
    assert checkpoint_recipe({"data": {"identity": {"features_recipe": RECIPE}}}) is RECIPE
    assert checkpoint_recipe({"data": None}) is None
    with pytest.raises(TaskError, match="pass --preset"):
        backbone_for(None, None, None, "cpu")
    with pytest.raises(TaskError, match="trained on r21d16"):
        backbone_for(RECIPE, "vits14", None, "cpu")


class HashEncoder:
    """A fake frozen encoder: a fixed random vector per distinct text (no model, no transformers)."""

    identity = "test-hash-encoder"

    def encode(self, texts):
        return np.stack([np.random.default_rng(abs(hash(t)) % 2**32).normal(size=8) for t in texts]).astype(
            np.float32)


def test_cross_protocol_runs_warn_with_the_features_pretraining_set(tmp_path, capsys):
    from coco import protocols
    from coco.config import DataConfig
    from coco.real import real_tasks

    split = protocols.get("cross", "ucf101")[0]
    names = sorted(set(split.seen + split.unseen))
    rows = np.random.default_rng(0).normal(size=(len(names), 4)).astype(np.float32)  # SYNTHETIC features
    write_features(tmp_path / "f", rows, [f"v{i}" for i in range(len(names))], names, recipe=RECIPE)
    data = DataConfig(protocol="cross", dataset="ucf101", features=str(tmp_path / "f"), max_splits=1)
    assert len(list(real_tasks(data, encoder=HashEncoder()))) == 1
    assert "pre-trained on Kinetics-400" in capsys.readouterr().err
