"""Attention pooling over a class's semantic units, against the loop written out."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch

from coco.config import preset
from coco.methods import er
from coco.methods.units import attention_pool
from coco.synthetic import SyntheticConfig, synthetic_task
from coco.task import ClassTexts
from coco.train import train


def test_attention_pool_equals_the_loop():
    torch.manual_seed(0)
    v, u = torch.randn(3, 5), torch.randn(4, 6, 5)
    mask = torch.rand(4, 6) > 0.4
    mask[:, 0] = True
    t = 0.3
    got = attention_pool(v, u, mask, t)
    for b in range(3):
        for c in range(4):
            ks = [k for k in range(6) if mask[c, k]]
            sims = [float(v[b] @ u[c, k]) for k in ks]
            weights = [math.exp(s / t) for s in sims]
            expected = sum(w * s for w, s in zip(weights, sims, strict=True)) / sum(weights)
            assert got[b, c].item() == pytest.approx(expected, rel=1e-5, abs=1e-6)


def test_attention_pool_with_one_unit_is_the_plain_cosine():
    v, u = torch.randn(2, 4), torch.randn(3, 1, 4)
    torch.testing.assert_close(attention_pool(v, u, torch.ones(3, 1, dtype=torch.bool), 0.1), v @ u[:, 0].T)


def test_er_is_the_definition_only_objective_and_ignores_content():
    task = synthetic_task(SyntheticConfig(seen=20, unseen=6, val=0, concepts=8, train_videos=10, test_videos=5))
    config = preset("coco", epochs=2, batch_size=64, device="cpu")
    got = er.fit(config, task).metrics["per_class"]
    assert got == train(preset("ad", epochs=2, batch_size=64, device="cpu"), task).metrics["per_class"]
    texts = task.texts
    other = ClassTexts(texts.names, texts.definition, torch.randn_like(texts.content))
    assert er.fit(config, replace(task, texts=other)).metrics["per_class"] == got
