"""Open-vocabulary ranking with a checkpoint (SYNTHETIC features and texts)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from coco.config import preset
from coco.predict import rank, rank_with_checkpoint
from coco.synthetic import SyntheticConfig, synthetic_task
from coco.task import ClassTexts, TaskError
from coco.train import train


def test_rankings_are_the_fused_scores_and_reload_with_the_checkpoints_alpha(tmp_path):
    task = synthetic_task(SyntheticConfig(seen=30, unseen=8, val=0, train_videos=20))
    alpha = 0.2
    result = train(preset("coco", alpha=alpha, epochs=4, batch_size=128, device="cpu", out_dir=str(tmp_path)), task)
    rows = task.texts.rows(task.split.unseen)
    texts = ClassTexts(task.split.unseen, task.texts.definition[rows], task.texts.content[rows])
    ids = [f"v{i}" for i in range(len(task.test.labels))]
    ranked = rank(result.model, alpha, texts, task.test.features, ids, top=3)
    assert [r.video_id for r in ranked] == ids and [len(r.actions) for r in ranked] == [3] * len(ids)
    # By hand: v . (alpha z^l + (1 - alpha) z^c) from the raw weights, sorted descending (Eq. 16-17).
    m = result.model
    with torch.no_grad():
        v = F.normalize(torch.from_numpy(task.test.features) @ m.visual.weight.T + m.visual.bias, dim=1)
        z_l = F.normalize(texts.definition @ m.semantic.weight.T + m.semantic.bias, dim=1)
        z_c = F.normalize(texts.content @ m.semantic.weight.T + m.semantic.bias, dim=1)
        scores = v @ (alpha * z_l + (1 - alpha) * z_c).T  # (N, C)
    for r, row in zip(ranked, scores, strict=True):
        order = row.argsort(descending=True)[:3].tolist()
        assert list(r.actions) == [texts.names[j] for j in order]
        assert list(r.scores) == pytest.approx(row[order].tolist(), abs=1e-5)
    reloaded = rank_with_checkpoint(result.checkpoint, texts, task.test.features, ids, top=3)
    assert [r.to_dict() for r in reloaded] == [r.to_dict() for r in ranked]
    at_half = rank(result.model, 0.5, texts, task.test.features, ids, top=3)
    assert [r.scores for r in at_half] != [r.scores for r in reloaded]  # the checkpoint's alpha, not a default
    everything = rank(result.model, alpha, texts, task.test.features, ids, top=50)
    assert all(sorted(r.actions) == sorted(texts.names) for r in everything)


def test_width_mismatch_is_a_clear_error():
    task = synthetic_task(SyntheticConfig(seen=10, unseen=3, val=0, train_videos=5))
    result = train(preset("ad", epochs=1, batch_size=64, device="cpu"), task)
    texts = ClassTexts(("x",), torch.zeros(1, 5), torch.zeros(1, 5))
    with pytest.raises(TaskError, match="same text encoder"):
        rank(result.model, 1.0, texts, task.test.features, [str(i) for i in range(len(task.test.labels))])
    with pytest.raises(TaskError, match="expects"):
        rank(result.model, 1.0, task.texts, np.zeros((2, 3), np.float32), ["a", "b"])
