"""The real-data path of the CLI on tiny SYNTHETIC on-disk features with real class names (HMDB51)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coco import cli
from coco.config import DataConfig
from coco.definitions import class_names
from coco.features import write_features
from coco.real import predict_texts, read_videos, real_tasks
from coco.task import TaskError


class HashEncoder:
    """A fake frozen encoder: a fixed random vector per distinct text (no model download, no transformers)."""

    identity = "test-hash-encoder"

    def encode(self, texts):
        return np.stack([np.random.default_rng(abs(hash(t)) % 2**32).normal(size=8) for t in texts]).astype(
            np.float32)


def synthetic_features(directory, names, per_class=3, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    labels = [n for n in names for _ in range(per_class)]
    feats = rng.normal(size=(len(labels), dim)).astype(np.float32)
    return write_features(directory, feats, [f"synthetic-{i}" for i in range(len(labels))], labels, names)


def test_real_tasks_cover_each_split(tmp_path):
    synthetic_features(tmp_path / "f", class_names("hmdb51"))
    data = DataConfig(protocol="intra", dataset="hmdb51", features=str(tmp_path / "f"), max_splits=2)
    tasks = list(real_tasks(data, encoder=HashEncoder()))
    assert [t.split.name for t in tasks] == ["hmdb51/1", "hmdb51/2"]
    for t in tasks:
        assert t.train.class_names == t.split.seen and len(t.test.labels) == 3 * len(t.split.unseen)
        assert t.texts.definition.shape[1] == 8


def test_features_missing_a_class_fail_before_training(tmp_path):
    synthetic_features(tmp_path / "f", class_names("hmdb51")[:-1])
    data = DataConfig(protocol="intra", dataset="hmdb51", features=str(tmp_path / "f"), max_splits=1)
    with pytest.raises(TaskError, match="no videos"):
        list(real_tasks(data, encoder=HashEncoder()))


def test_unknown_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(KeyError, match="no dataset"):
        list(real_tasks(DataConfig(protocol="intra", dataset="nope", features=str(tmp_path)), HashEncoder()))


def test_predict_inputs_are_checked(tmp_path):
    with pytest.raises(TaskError, match="no action names"):
        predict_texts([], {}, None, 5, HashEncoder(), None)
    with pytest.raises(TaskError, match="twice"):
        predict_texts(["a", "a"], {}, None, 5, HashEncoder(), None)
    np.save(tmp_path / "v.npy", np.zeros((2, 3), np.float32))
    feats, ids = read_videos(tmp_path / "v.npy")
    assert feats.shape == (2, 3) and ids == ("0", "1")


@pytest.mark.slow
def test_cli_intra_hmdb51_train_eval_predict_with_the_bundled_encoder(tmp_path, capsys):
    pytest.importorskip("transformers")
    from actionhub.assets import MissingAssetError, resolve_encoder

    try:
        resolve_encoder()
    except MissingAssetError:
        pytest.skip("bundled encoder not installed")
    synthetic_features(tmp_path / "f", class_names("hmdb51"))
    common = ["--protocol", "intra", "--dataset", "hmdb51", "--features", str(tmp_path / "f"), "--max-splits", "1",
              "--cache-dir", str(tmp_path / "cache")]
    out = tmp_path / "run"
    assert cli.main(["train", *common, "--epochs", "1", "--device", "cpu", "--out-dir", str(out)]) == 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["synthetic"] is False and list(report["splits"]) == ["hmdb51/1"]
    assert cli.main(["eval", *common, "--out-dir", str(out), "--device", "cpu"]) == 0
    assert json.loads((out / "eval_metrics.json").read_text())["splits"]["hmdb51/1"]["top1"] == pytest.approx(
        report["splits"]["hmdb51/1"]["top1"])
    np.save(tmp_path / "videos.npy", np.random.default_rng(1).normal(size=(4, 16)).astype(np.float32))
    capsys.readouterr()
    assert cli.main(["predict", "--checkpoint", str(out / "hmdb51_1" / "best.pt"), "--features",
                     str(tmp_path / "videos.npy"), "--actions", "brush hair,juggling three balls",
                     "--cache-dir", str(tmp_path / "cache"), "--top", "2"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["video_id"] for r in rows] == ["0", "1", "2", "3"]
    assert all(sorted(r["actions"]) == ["brush hair", "juggling three balls"] for r in rows)


def test_ucf101_class_names_find_their_actions_in_a_build_of_the_real_list(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    from actionhub import publish, schema
    from actionhub.queries import QueriesConfig, build_queries
    from actionhub.reader import top_descriptions
    from coco.definitions import label_aliases
    from coco.real import encode_classes

    actions, _ = build_queries(QueriesConfig(sources="ucf101"))  # the real UCF101 list, offline
    desc = [{"description_id": f"synthetic:{a}", "action_id": a, "action": n, "site": "synthetic", "asset_id": str(a),
             "queries": [n], "description": f"SYNTHETIC description of action {a}", "keywords": None,
             "n_sentences": 1, "relevance": 1.0, "rank": 1}
            for a, n in zip(actions.column("action_id").to_pylist(), actions.column("action").to_pylist(), strict=True)]
    sentences = [{"description_id": d["description_id"], "action_id": d["action_id"], "action": d["action"],
                  "sentence_index": 0, "sentence": d["description"]} for d in desc]
    root = tmp_path / "ah"
    publish.publish({"descriptions": pa.Table.from_pylist(desc, schema=schema.DESCRIPTIONS),
                     "sentences": pa.Table.from_pylist(sentences, schema=schema.SENTENCES), "actions": actions}, root)
    # Expected: coco's ER-spelled name ("apply eye makeup") gets the action holding its original label
    # ("ApplyEyeMakeup"), through coco's own label map, independent of the reader's matching.
    action_of_label = {alias["name"]: a for a, aliases in zip(actions.column("action_id").to_pylist(),
                                                              actions.column("aliases").to_pylist(), strict=True)
                       for alias in aliases}
    expected = {name: [f"SYNTHETIC description of action {action_of_label[label]}"]
                for label, name in label_aliases("ucf101").items() if label in action_of_label}
    names = class_names("ucf101")
    assert len(expected) == len(names) == 101
    assert top_descriptions(root, names, k=5).descriptions == expected
    encode_classes(names, {}, str(root), 5, HashEncoder(), None)
    assert "matched 101/101 classes to ActionHub actions" in capsys.readouterr().err
