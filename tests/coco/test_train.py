"""Training on the SYNTHETIC benchmark: unseen-class accuracy, what CIM attends over, model selection, alpha at
test time, precision, ablations, logging, bad input."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import coco.train
from coco import checkpoint, losses
from coco.config import preset
from coco.evaluate import targets_in
from coco.model import CoCo
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
    val = [row["val/top1"] for row in result.history]
    assert result.best_epoch == 1 + val.index(max(val))


def _first_step_cycle_loss(task, config, cim_over):
    """L^cycle of the first step, by hand: the initial weights (same seed), all training videos in one batch."""
    torch.manual_seed(config.seed)
    model = CoCo(task.train.features.shape[1], task.texts.definition.shape[1], config.embed_dim)

    def fused(names):
        rows = task.texts.rows(tuple(names))
        return model.encode_classes(task.texts.definition[rows], task.texts.content[rows]).fused(config.mix)

    with torch.no_grad():
        videos = model.encode_videos(torch.from_numpy(np.asarray(task.train.features, np.float32)))
        return losses.cycle_loss(videos, fused(task.split.seen), fused(cim_over), targets_in(task.train,
                                 task.split.seen), config.tau, config.cim_tau).item()


def test_cim_attends_over_the_test_and_validation_class_texts():
    task = synthetic_task(SMALL)
    config = fast(epochs=1, batch_size=len(task.train.labels), warmup_epochs=0)  # one step: its loss is the mean
    got = train(config, task).history[0]["loss/cycle"]
    split = task.split
    expected = _first_step_cycle_loss(task, config, split.unseen + split.val)
    assert got == pytest.approx(expected, rel=1e-5)
    for wrong in (split.seen, split.unseen, split.val, split.seen + split.unseen + split.val):
        assert abs(_first_step_cycle_loss(task, config, wrong) - expected) > 1e-3  # each is told apart


def test_training_never_reads_test_videos():
    task = synthetic_task(SMALL)
    test = task.test
    poisoned = replace(task, test=VideoFeatures(np.full_like(test.features, np.nan), test.labels, test.class_names,
                                                test.video_ids))
    result = train(fast(epochs=2, batch_size=64), poisoned)
    assert all(math.isfinite(v) for row in result.history for v in row.values())
    assert all(torch.isfinite(p).all() for p in result.model.parameters())


def test_the_best_validation_epoch_is_selected_not_the_last(tmp_path, monkeypatch):
    task = synthetic_task(SMALL)
    scripted = iter([10.0, 50.0, 20.0, 30.0])  # validation top-1 per epoch: the best is epoch 2
    real = coco.train.evaluate

    def scripted_validation(model, texts, videos, names, alpha, device):
        metrics = real(model, texts, videos, names, alpha, device)
        return metrics | {"top1": next(scripted)} if tuple(names) == task.split.val else metrics

    monkeypatch.setattr(coco.train, "evaluate", scripted_validation)
    config = fast(epochs=4, batch_size=64)
    result = train(replace(config, out_dir=str(tmp_path / "full")), task)
    monkeypatch.undo()
    assert [row["val/top1"] for row in result.history] == [10.0, 50.0, 20.0, 30.0]
    assert result.best_epoch == 2 and checkpoint.load(tmp_path / "full" / "best.pt")["epoch"] == 2
    # Independently: the weights after two epochs of the same four-epoch schedule.
    two = train(replace(config, out_dir=str(tmp_path / "two")), task, max_epochs=2)
    after_two = checkpoint.load(tmp_path / "two" / "last.pt")["model"]
    for key, value in result.model.state_dict().items():
        assert torch.equal(value, after_two[key]), key
    assert result.metrics["per_class"] == pytest.approx(two.metrics["per_class"])
    last = checkpoint.load(tmp_path / "full" / "last.pt")["model"]
    assert not all(torch.equal(last[k], after_two[k]) for k in last)  # the last epoch is really another model


def _per_class_by_hand(model, task, alpha):
    """Per-class top-1 of argmax_j v . (alpha z^l_j + (1 - alpha) z^c_j) (Eq. 16-17), from the raw weights."""
    w_v, b_v, w_s, b_s = (t.detach() for t in (model.visual.weight, model.visual.bias, model.semantic.weight,
                                               model.semantic.bias))
    rows = task.texts.rows(task.split.unseen)
    v = F.normalize(torch.from_numpy(np.asarray(task.test.features, np.float32)) @ w_v.T + b_v, dim=1)
    z_l = F.normalize(task.texts.definition[rows] @ w_s.T + b_s, dim=1)
    z_c = F.normalize(task.texts.content[rows] @ w_s.T + b_s, dim=1)
    predicted = np.array(task.split.unseen)[(v @ (alpha * z_l + (1 - alpha) * z_c).T).argmax(1).numpy()]
    truth = np.array(task.test.class_names)[np.asarray(task.test.labels)]
    return {name: 100.0 * float(np.mean(predicted[truth == name] == name)) for name in task.split.unseen}


@pytest.mark.parametrize(("name", "alpha", "used"), [("coco", 0.1, 0.1), ("coco", 0.9, 0.9), ("ad+vc", 0.3, 0.3),
                                                     ("ad", 0.3, 1.0), ("vc", 0.3, 0.0)])
def test_test_time_scores_fuse_the_two_texts_with_alpha(task, name, alpha, used):
    result = train(fast(name, alpha=alpha, epochs=3), task)
    expected = _per_class_by_hand(result.model, task, used)
    assert result.metrics["per_class"] == pytest.approx(expected)
    others = [a for a in (0.0, 0.5, 1.0) if a != used]
    assert all(_per_class_by_hand(result.model, task, a) != expected for a in others)  # alpha matters here


def test_bf16_training_reaches_the_accuracy_of_fp32(task):
    fp32 = train(fast(precision="fp32"), task)
    bf16 = train(fast(precision="bf16"), task)
    assert bf16.history[0]["loss/total"] != fp32.history[0]["loss/total"]  # bf16 arithmetic really ran
    assert bf16.history[0]["loss/total"] == pytest.approx(fp32.history[0]["loss/total"], rel=0.02)
    assert abs(bf16.metrics["top1"] - fp32.metrics["top1"]) <= 5.0  # percentage points, 400 test videos
    assert bf16.metrics["top1"] > 3 * 100.0 / len(task.split.unseen)


EXPECTED_LOSSES = {"coco": {"definition", "content", "cycle"}, "ad": {"definition"}, "vc": {"content"},
                   "ad+vc": {"definition", "content"}, "ad+cim": {"definition", "cycle"},
                   "vc+cim": {"content", "cycle"}}


@pytest.mark.parametrize("name", sorted(EXPECTED_LOSSES))
def test_every_ablation_trains_with_its_losses(name):
    task = synthetic_task(SMALL)
    config = fast(name, epochs=1, gamma=0.3)
    row = train(config, task).history[0]
    terms = {k.removeprefix("loss/"): v for k, v in row.items() if k.startswith("loss/") and k != "loss/total"}
    assert set(terms) == EXPECTED_LOSSES[name]
    assert all(v > 0 for v in terms.values())
    expected_total = sum(0.3 * v if k == "cycle" else v for k, v in terms.items())  # Eq. 15
    assert row["loss/total"] == pytest.approx(expected_total, rel=1e-5)


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


def test_tensorboard_logs_and_progress_bar(tmp_path, capsys):
    pytest.importorskip("tensorboard")
    pytest.importorskip("tqdm")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    task = synthetic_task(SMALL)
    train(fast(epochs=2, batch_size=64, out_dir=str(tmp_path), tensorboard=True, progress=True), task)
    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    steps = 2 * math.ceil(len(task.train.labels) / 64)
    assert [e.step for e in events.Scalars("train/loss")] == list(range(1, steps + 1))
    assert [e.step for e in events.Scalars("val/top1")] == [1, 2]
    assert "epoch 2/2" in capsys.readouterr().err  # the tqdm bar's description
