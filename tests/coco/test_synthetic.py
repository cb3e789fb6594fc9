"""The SYNTHETIC benchmark: shapes, determinism, and shared latent concepts between seen and unseen classes."""

from __future__ import annotations

import numpy as np
import torch

from coco.synthetic import SyntheticConfig, make_world, synthetic_task, synthetic_tasks


def test_task_shapes_and_names():
    config = SyntheticConfig(seen=6, unseen=4, val=2, concepts=5, video_dim=7, text_dim=3, train_videos=2,
                             test_videos=3)
    task = synthetic_task(config)
    assert task.train.features.shape == (12, 7) and task.test.features.shape == (12, 7)
    assert task.val.features.shape == (6, 7)
    assert task.texts.definition.shape == (12, 3)
    assert all(n.startswith("synthetic-") for n in task.texts.names)
    assert (len(task.split.seen), len(task.split.unseen), len(task.split.val)) == (6, 4, 2)


def test_same_seed_same_task_other_seed_other_task():
    a, b = synthetic_task(SyntheticConfig(seed=3)), synthetic_task(SyntheticConfig(seed=3))
    assert np.array_equal(a.train.features, b.train.features)
    assert torch.equal(a.texts.content, b.texts.content)
    c, d = synthetic_tasks(SyntheticConfig(), 2)
    assert not np.array_equal(c.train.features, d.train.features)
    assert (c.split.name, d.split.name) == ("synthetic/1", "synthetic/2")


def test_noiseless_videos_are_the_linear_map_of_class_concepts():
    config = SyntheticConfig(noise=0.0)
    world, task = make_world(config), synthetic_task(config)
    labels = task.train.labels
    assert np.allclose(task.train.features, world.concepts[labels] @ world.video_map, atol=1e-5)
    # Unseen classes mix the concepts seen classes use: their concept vectors lie in the seen classes' span.
    seen = world.concepts[: config.seen]
    unseen = world.concepts[config.seen: config.seen + config.unseen]
    coef, *_ = np.linalg.lstsq(seen.T, unseen.T, rcond=None)
    assert np.allclose(seen.T @ coef, unseen.T, atol=1e-6)
