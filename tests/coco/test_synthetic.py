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
    for videos, classes, per_class in ((task.train, task.split.seen, 2), (task.test, task.split.unseen, 3),
                                       (task.val, task.split.val, 3)):
        names = [videos.class_names[i] for i in videos.labels]
        assert {n: names.count(n) for n in set(names)} == dict.fromkeys(classes, per_class)


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
    assert np.allclose(task.texts.definition.numpy(), world.concepts @ world.definition_map, atol=1e-4)
    assert np.allclose(task.texts.content.numpy(), world.concepts @ world.content_map, atol=1e-4)


def test_classes_mix_a_few_concepts_that_seen_and_unseen_classes_share():
    config = SyntheticConfig()
    world = make_world(config)
    assert np.allclose(np.linalg.norm(world.concepts, axis=1), 1.0)
    assert ((world.concepts > 0).sum(axis=1) == config.concepts_per_class).all() and (world.concepts >= 0).all()
    used_by_seen = (world.concepts[: config.seen] > 0).any(axis=0)
    assert used_by_seen[(world.concepts[config.seen:] > 0).any(axis=0)].all()


def test_unseen_videos_are_recognisable_from_the_latent_structure_alone():
    # Decode each noisy test video's concept vector with the true map (least squares) and pick the unseen class
    # whose concept vector is closest: no model, only the structure. Well above chance means learnable.
    config = SyntheticConfig()
    world, task = make_world(config), synthetic_task(config)
    decoded, *_ = np.linalg.lstsq(world.video_map.T, np.asarray(task.test.features, np.float64).T, rcond=None)
    unseen = world.concepts[config.seen: config.seen + config.unseen]  # (U, K), rows follow split.unseen
    predicted = (decoded.T @ unseen.T).argmax(axis=1)
    truth = np.array([task.split.unseen.index(task.test.class_names[i]) for i in task.test.labels])
    assert (predicted == truth).mean() > 3 / config.unseen
