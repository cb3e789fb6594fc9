"""ESZSL's closed form is the minimiser of its objective (Romera-Paredes & Torr 2015, Eq. 2 and 4)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coco.config import preset
from coco.methods import eszsl
from coco.synthetic import SyntheticConfig, synthetic_task


def objective(v, x, y, s, gamma, lam):
    """||X^T V S - Y||^2 + gamma ||V S||^2 + lambda ||X^T V||^2 + gamma lambda ||V||^2, written out."""
    return (((x.T @ v @ s - y) ** 2).sum() + gamma * ((v @ s) ** 2).sum() + lam * ((x.T @ v) ** 2).sum()
            + gamma * lam * (v ** 2).sum())


def test_closed_form_is_a_stationary_point_and_a_minimum():
    rng = np.random.default_rng(0)
    x, s = rng.normal(size=(6, 40)), rng.normal(size=(5, 4))
    y = eszsl.signed_labels(rng.integers(0, 4, 40), 4)
    gamma, lam = 0.3, 2.0
    v = torch.tensor(eszsl.closed_form(x, y, s, gamma, lam), requires_grad=True)
    xt, yt, st = (torch.tensor(a) for a in (x, y, s))
    value = objective(v, xt, yt, st, gamma, lam)
    (grad,) = torch.autograd.grad(value, v)
    assert grad.abs().max() < 1e-8 * max(1.0, value.item())
    for _ in range(5):  # any perturbation increases a strictly convex objective
        other = v.detach() + 1e-3 * torch.tensor(rng.normal(size=v.shape))
        assert objective(other, xt, yt, st, gamma, lam) > value


def test_signed_labels_are_plus_one_at_the_class_minus_one_elsewhere():
    y = eszsl.signed_labels(np.array([2, 0]), 3)
    np.testing.assert_array_equal(y, [[-1, -1, 1], [1, -1, -1]])


def test_grid_fits_equal_the_closed_form():
    task = synthetic_task(SyntheticConfig(seen=12, unseen=4, val=0, concepts=6, train_videos=5, test_videos=3))
    data = eszsl._Data(task, 0.5)
    fits = data.fit(task.split.seen, (0.1, 10.0), (1.0,))
    x, labels = data.seen_subset(task.split.seen)
    y, s = eszsl.signed_labels(labels, len(task.split.seen)), data.attributes(task.split.seen)
    np.testing.assert_allclose(fits[10.0, 1.0], eszsl.closed_form(x, y, s, 10.0, 1.0), rtol=1e-8, atol=1e-10)


def test_regularisers_are_chosen_on_validation_classes_when_present():
    task = synthetic_task(SyntheticConfig(seen=20, unseen=5, val=5, concepts=8, train_videos=10, test_videos=5))
    result = eszsl.fit(preset("ad+vc", device="cpu"), task)
    chosen = result.metrics["regularisers"]
    assert chosen["gamma"] in eszsl.GRID and chosen["lambda"] in eszsl.GRID


def _scaled(task, scale: float):
    """``task`` with every video feature multiplied by ``scale``."""
    from dataclasses import replace

    def scaled(videos):
        return None if videos is None else replace(videos, features=np.asarray(videos.features) * scale)

    return replace(task, train=scaled(task.train), test=scaled(task.test), val=scaled(task.val))


def test_the_choice_follows_the_scale_of_the_features_below_1e_minus_3(caplog):
    # V(sX, s^2 gamma) = V(X, gamma) / s: scaling the features by s scales the best gamma by s^2 and changes no
    # prediction. Features 100x smaller than at 1e-2 must choose a gamma 1e-4 times as large (SYNTHETIC task).
    task = synthetic_task(SyntheticConfig(seen=20, unseen=5, val=5, concepts=8, train_videos=10, test_videos=5))
    config = preset("ad+vc", device="cpu")
    big = eszsl.fit(config, _scaled(task, 1e-2))
    with caplog.at_level("INFO", logger="coco.methods.eszsl"):
        small = eszsl.fit(config, _scaled(task, 1e-4))
    got, want = small.metrics["regularisers"], big.metrics["regularisers"]
    assert got["gamma"] == pytest.approx(want["gamma"] * 1e-4) and got["gamma"] < 1e-3
    assert got["lambda"] == want["lambda"]
    assert small.metrics["top1"] == big.metrics["top1"]
    assert f"gamma {got['gamma']:g}, lambda {got['lambda']:g}" in caplog.text
