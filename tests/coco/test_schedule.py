"""Warm-up + cosine learning rate at hand-computed steps."""

from __future__ import annotations

import math

import pytest

from coco.schedule import learning_rate


def test_warmup_is_linear_from_the_first_step():
    assert learning_rate(0, 100, 10, 1e-3) == pytest.approx(1e-4)
    assert learning_rate(4, 100, 10, 1e-3) == pytest.approx(5e-4)
    assert learning_rate(9, 100, 10, 1e-3) == pytest.approx(1e-3)


def test_cosine_after_warmup():
    assert learning_rate(10, 100, 10, 1e-3) == pytest.approx(1e-3)
    assert learning_rate(55, 100, 10, 1e-3) == pytest.approx(5e-4)  # halfway through the 90 decay steps
    assert learning_rate(40, 100, 10, 1e-3) == pytest.approx(1e-3 * 0.5 * (1 + math.cos(math.pi / 3)))
    assert learning_rate(100, 100, 10, 1e-3) == pytest.approx(0.0, abs=1e-12)


def test_no_warmup_starts_at_peak():
    assert learning_rate(0, 10, 0, 2.0) == pytest.approx(2.0)
