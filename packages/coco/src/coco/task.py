"""What one zero-shot training run consumes: a class split, frozen class-text features and video features.

Protocols and loaders build a :class:`Task`; the synthetic generator builds one too; ``train`` consumes it.
Validation happens on construction, so bad input fails before any training starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


class TaskError(ValueError):
    """The inputs of a run are inconsistent; the message says what and where."""


@dataclass(frozen=True)
class Split:
    """A seen/unseen partition of class names.

    Attributes:
        name: E.g. ``"kinetics-zsar/1"`` or ``"ucf101/17"``.
        seen: Training classes.
        unseen: Evaluation (test) classes, disjoint from ``seen``.
        val: Unseen validation classes for model selection (may be empty), disjoint from both.
    """

    name: str
    seen: tuple[str, ...]
    unseen: tuple[str, ...]
    val: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        groups = {"seen": self.seen, "unseen": self.unseen, "val": self.val}
        for label, names in groups.items():
            if len(set(names)) != len(names):
                raise TaskError(f"split {self.name}: duplicate class names in {label}")
        if not self.seen or not self.unseen:
            raise TaskError(f"split {self.name}: needs seen and unseen classes")
        for a, b in (("seen", "unseen"), ("seen", "val"), ("unseen", "val")):
            common = set(groups[a]) & set(groups[b])
            if common:
                raise TaskError(f"split {self.name}: {a} and {b} share {sorted(common)[:5]}")


@dataclass(frozen=True)
class ClassTexts:
    """Frozen text features of classes (outputs of the frozen encoder, before any learnable layer).

    Attributes:
        names: Class names, one per row.
        definition: (C, T) features of each class's action definition (or its name), z^l before projection.
        content: (C, T) mean features of each class's top-k ActionHub descriptions, z^c before projection.
            The projection is linear, so projecting the mean equals the mean of the projections (Eq. 7).
    """

    names: tuple[str, ...]
    definition: torch.Tensor
    content: torch.Tensor

    def __post_init__(self) -> None:
        c = len(self.names)
        for label, t in (("definition", self.definition), ("content", self.content)):
            if t.ndim != 2 or t.shape[0] != c:
                raise TaskError(f"class texts: {label} features have shape {tuple(t.shape)}, expected ({c}, T)")
        if self.definition.shape[1] != self.content.shape[1]:
            raise TaskError("class texts: definition and content features differ in width")

    def rows(self, names: tuple[str, ...]) -> torch.Tensor:
        """Indices of ``names`` in this table, (len(names),) long; raises if one has no texts."""
        index = {n: i for i, n in enumerate(self.names)}
        missing = [n for n in names if n not in index]
        if missing:
            raise TaskError(f"{len(missing)} classes have no texts, e.g. {missing[:5]}")
        return torch.tensor([index[n] for n in names], dtype=torch.long)


@dataclass(frozen=True)
class VideoFeatures:
    """Frozen visual features of videos (memory-mapped on disk in real use).

    Attributes:
        features: (N, F) float array.
        labels: (N,) int64 indices into ``class_names``.
        class_names: Names the labels index.
        video_ids: N video ids.
    """

    features: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    video_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        n = self.features.shape[0]
        if self.features.ndim != 2:
            raise TaskError(f"video features must be (N, F), got shape {self.features.shape}")
        if self.labels.shape != (n,) or len(self.video_ids) != n:
            raise TaskError(f"{n} feature rows but {self.labels.shape[0]} labels and {len(self.video_ids)} video ids")
        if n and (self.labels.min() < 0 or self.labels.max() >= len(self.class_names)):
            raise TaskError(f"labels must index the {len(self.class_names)} class names")


@dataclass(frozen=True)
class Task:
    """Everything one run needs.

    Attributes:
        split: The class split.
        texts: Class texts covering every class of the split.
        train: Videos of seen classes.
        test: Videos of ``split.unseen`` classes.
        val: Videos of ``split.val`` classes, or None.
    """

    split: Split
    texts: ClassTexts
    train: VideoFeatures
    test: VideoFeatures
    val: VideoFeatures | None = None

    def __post_init__(self) -> None:
        self.texts.rows(self.split.seen + self.split.unseen + self.split.val)
        for label, videos, allowed in (("train", self.train, self.split.seen), ("test", self.test, self.split.unseen),
                                       ("val", self.val, self.split.val)):
            if videos is None:
                continue
            used = {videos.class_names[i] for i in np.unique(videos.labels)}
            stray = used - set(allowed)
            if stray:
                raise TaskError(f"{label} videos of classes outside the split's {label} set: {sorted(stray)[:5]}")
        if self.train.features.shape[1] != self.test.features.shape[1]:
            raise TaskError("train and test video features differ in width")
