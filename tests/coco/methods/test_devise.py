"""DeViSE's hinge rank loss against the loop of Frome et al. 2013, Eq. 1."""

from __future__ import annotations

import torch

from coco.methods.devise import DeViSE, hinge_rank_loss


def loop_loss(scores, labels, margin):
    total = 0.0
    for i in range(scores.shape[0]):
        y = int(labels[i])
        total += sum(max(0.0, margin - float(scores[i, y]) + float(scores[i, j]))
                     for j in range(scores.shape[1]) if j != y)
    return total / scores.shape[0]


def test_hinge_rank_loss_equals_the_loop():
    torch.manual_seed(0)
    scores, labels = torch.randn(7, 5) * 0.2, torch.randint(0, 5, (7,))
    for margin in (0.1, 0.5):
        assert abs(hinge_rank_loss(scores, labels, margin).item() - loop_loss(scores, labels, margin)) < 1e-5


def test_scores_are_class_vectors_times_the_mapped_video():
    torch.manual_seed(0)
    classes = torch.randn(4, 3)
    model = DeViSE(6, ["a", "b", "c", "d"], classes, ["a", "b"])
    x = torch.randn(2, 6)
    unit = classes / classes.norm(dim=1, keepdim=True)
    expected = torch.stack([torch.stack([unit[j] @ (model.map.weight @ x[i]) for j in (3, 1)]) for i in range(2)])
    torch.testing.assert_close(model.scores(x, ["d", "b"]), expected)
