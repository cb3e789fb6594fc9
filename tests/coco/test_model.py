"""CoCo's projections and its zero-shot prediction rule (Eq. 16-17)."""

from __future__ import annotations

import torch

from coco.model import CoCo


def test_prediction_is_argmax_of_v_dot_mixed_class_features():
    torch.manual_seed(0)
    model = CoCo(video_dim=7, text_dim=5, embed_dim=4)
    videos, definition, content = torch.randn(9, 7), torch.randn(6, 5), torch.randn(6, 5)
    alpha = 0.3
    classes = model.encode_classes(definition, content)
    scores = model.scores(videos, classes, alpha)
    with torch.no_grad():
        v = model.visual(videos)
        v = v / v.norm(dim=1, keepdim=True)
        zl = model.semantic(definition)
        zl = zl / zl.norm(dim=1, keepdim=True)
        zc = model.semantic(content)
        zc = zc / zc.norm(dim=1, keepdim=True)
        expected = torch.stack([torch.stack([v[i] @ (alpha * zl[j] + (1 - alpha) * zc[j]) for j in range(6)])
                                for i in range(9)])
    assert torch.allclose(scores, expected, atol=1e-6)
    assert torch.equal(scores.argmax(1), expected.argmax(1))


def test_one_semantic_projection_is_shared_by_definitions_and_descriptions():
    model = CoCo(video_dim=3, text_dim=4, embed_dim=2)
    same = torch.randn(5, 4)
    classes = model.encode_classes(same, same)
    assert torch.equal(classes.definition, classes.content)
    assert sum(p.numel() for p in model.parameters()) == (3 * 2 + 2) + (4 * 2 + 2)
