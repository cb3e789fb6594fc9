"""Open-vocabulary ranking with a checkpoint (SYNTHETIC features and texts)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coco.config import preset
from coco.predict import rank, rank_with_checkpoint
from coco.synthetic import SyntheticConfig, synthetic_task
from coco.task import ClassTexts, TaskError
from coco.train import train


def test_rankings_follow_the_model_scores_and_reload_from_the_checkpoint(tmp_path):
    task = synthetic_task(SyntheticConfig(seen=30, unseen=8, val=0, train_videos=20))
    result = train(preset("coco", epochs=4, batch_size=128, device="cpu", out_dir=str(tmp_path)), task)
    rows = task.texts.rows(task.split.unseen)
    texts = ClassTexts(task.split.unseen, task.texts.definition[rows], task.texts.content[rows])
    ids = [f"v{i}" for i in range(len(task.test.labels))]
    ranked = rank(result.model, 0.5, texts, task.test.features, ids, top=3)
    assert [len(r.actions) for r in ranked] == [3] * len(ids)
    scores = result.model.scores(torch.from_numpy(task.test.features), result.model.encode_classes(
        texts.definition, texts.content), 0.5)
    assert [r.actions[0] for r in ranked] == [texts.names[j] for j in scores.argmax(1).tolist()]
    assert all(r.scores[0] >= r.scores[1] >= r.scores[2] for r in ranked)
    reloaded = rank_with_checkpoint(result.checkpoint, texts, task.test.features, ids, top=3)
    assert [r.actions for r in reloaded] == [r.actions for r in ranked]


def test_width_mismatch_is_a_clear_error():
    task = synthetic_task(SyntheticConfig(seen=10, unseen=3, val=0, train_videos=5))
    result = train(preset("ad", epochs=1, batch_size=64, device="cpu"), task)
    texts = ClassTexts(("x",), torch.zeros(1, 5), torch.zeros(1, 5))
    with pytest.raises(TaskError, match="same text encoder"):
        rank(result.model, 1.0, texts, task.test.features, [str(i) for i in range(len(task.test.labels))])
    with pytest.raises(TaskError, match="expects"):
        rank(result.model, 1.0, task.texts, np.zeros((2, 3), np.float32), ["a", "b"])
