"""Zero-shot evaluation: score videos against a set of classes and report accuracies.

Accuracies are percentages. Top-1/top-5 are over videos; ``mean_class`` is the mean of per-class top-1.
:func:`summarize` reports mean and sample standard deviation over splits (the paper's "mean +- std").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from coco.model import ClassEmbeddings, CoCo
from coco.task import ClassTexts, TaskError, VideoFeatures

SUMMARY_KEYS = ("top1", "top5", "mean_class")


def embed_classes(model: CoCo, texts: ClassTexts, names: Sequence[str], device: torch.device) -> ClassEmbeddings:
    """Projected features of ``names`` (rows of ``texts``)."""
    rows = texts.rows(tuple(names))
    return model.encode_classes(texts.definition[rows].to(device, torch.float32),
                                texts.content[rows].to(device, torch.float32))


@torch.no_grad()
def score_videos(model: CoCo, features: np.ndarray, classes: ClassEmbeddings, alpha: float, device: torch.device,
                 batch_size: int = 4096) -> torch.Tensor:
    """(N, F) video features (memory-mapped is fine) -> (N, C) scores v . p_j (Eq. 16-17), on CPU."""
    model.eval()
    out = []
    for start in range(0, features.shape[0], batch_size):
        rows = np.array(features[start:start + batch_size], dtype=np.float32)  # a copy: memmaps are read-only
        chunk = torch.from_numpy(rows)
        out.append(model.scores(chunk.to(device), classes, alpha).float().cpu())
    return torch.cat(out) if out else torch.zeros(0, len(classes.definition))


def targets_in(videos: VideoFeatures, names: Sequence[str]) -> torch.Tensor:
    """(N,) index of each video's class within ``names``; raises if a video's class is not among them."""
    position = {n: i for i, n in enumerate(names)}
    missing = sorted({videos.class_names[i] for i in np.unique(videos.labels)} - set(position))
    if missing:
        raise TaskError(f"videos of classes outside the evaluated set: {missing[:5]}")
    lookup = np.array([position.get(n, -1) for n in videos.class_names], dtype=np.int64)
    return torch.from_numpy(lookup[np.asarray(videos.labels)])


def accuracy_metrics(scores: torch.Tensor, targets: torch.Tensor, names: Sequence[str]) -> dict:
    """Top-1, top-5 (over videos), per-class top-1 and their mean, from (N, C) scores and (N,) targets."""
    k = min(5, scores.shape[1])
    ranked = scores.topk(k, dim=1).indices  # (N, k)
    hit1 = ranked[:, 0] == targets
    hit5 = (ranked == targets[:, None]).any(dim=1)
    per_class = {}
    for c, name in enumerate(names):
        mask = targets == c
        if mask.any():
            per_class[name] = 100.0 * hit1[mask].float().mean().item()
    return {
        "top1": 100.0 * hit1.float().mean().item(),
        "top5": 100.0 * hit5.float().mean().item(),
        "mean_class": float(np.mean(list(per_class.values()))) if per_class else math.nan,
        "per_class": per_class,
        "videos": int(targets.numel()),
        "classes": len(names),
    }


def evaluate(model: CoCo, texts: ClassTexts, videos: VideoFeatures, names: Sequence[str], alpha: float,
             device: torch.device) -> dict:
    """Zero-shot metrics of ``videos`` classified among ``names`` (the argmax of Eq. 16 over them)."""
    classes = embed_classes(model, texts, names, device)
    scores = score_videos(model, videos.features, classes, alpha, device)
    return accuracy_metrics(scores, targets_in(videos, names), names)


def summarize(per_split: dict[str, dict]) -> dict:
    """Mean and sample std (0 for one split) of the summary accuracies over splits."""
    summary = {}
    for key in SUMMARY_KEYS:
        values = np.array([m[key] for m in per_split.values()], dtype=np.float64)
        summary[key] = {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0}
    summary["splits"] = len(per_split)
    return summary
