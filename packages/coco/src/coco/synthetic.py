"""SYNTHETIC zero-shot benchmark: random features whose classes share latent concepts.

Each class is a sparse non-negative mix of K latent concepts (a "concept vector"). A video's frozen feature
is a fixed random linear map of its class's concept vector plus noise; a class's definition and content text
features are two other random maps of the same concept vector plus noise. Unseen classes mix the same
concepts as seen ones, so a model that learns to align the two maps transfers to unseen classes, and its
unseen-class accuracy rises well above chance. Nothing here resembles real videos or texts: class names
are ``synthetic-NNN`` and every output is labelled synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from coco.task import ClassTexts, Split, Task, VideoFeatures


@dataclass(frozen=True)
class SyntheticConfig:
    """Shape and difficulty of a synthetic benchmark.

    Attributes:
        seen: Seen (training) classes.
        unseen: Unseen test classes.
        val: Unseen validation classes (0 for none).
        concepts: K latent concepts.
        concepts_per_class: Concepts each class mixes.
        video_dim: Width of the synthetic "backbone" video features.
        text_dim: Width of the synthetic "BERT" text features.
        train_videos: Videos per seen class.
        test_videos: Videos per unseen (test or val) class.
        noise: Standard deviation of feature noise, relative to the unit-scale signal.
        seed: Seeds everything; split ``i`` of :func:`synthetic_tasks` uses ``seed + i``.
    """

    seen: int = 60
    unseen: int = 20
    val: int = 10
    concepts: int = 24
    concepts_per_class: int = 3
    video_dim: int = 64
    text_dim: int = 48
    train_videos: int = 30
    test_videos: int = 20
    noise: float = 2.0
    seed: int = 0

    def __post_init__(self) -> None:
        if min(self.seen, self.unseen, self.concepts, self.video_dim, self.text_dim, self.train_videos,
               self.test_videos) <= 0 or self.val < 0:
            raise ValueError("synthetic sizes must be positive (val may be 0)")
        if not 0 < self.concepts_per_class <= self.concepts:
            raise ValueError("concepts_per_class must be in [1, concepts]")
        if self.noise < 0:
            raise ValueError("noise must be >= 0")


@dataclass(frozen=True)
class SyntheticWorld:
    """The latent structure: class concept vectors and the three random maps.

    Attributes:
        names: Class names, ``synthetic-000`` ...
        concepts: (C, K) concept vector of each class (unit norm).
        video_map: (K, video_dim).
        definition_map: (K, text_dim).
        content_map: (K, text_dim).
    """

    names: tuple[str, ...]
    concepts: np.ndarray
    video_map: np.ndarray
    definition_map: np.ndarray
    content_map: np.ndarray


def make_world(config: SyntheticConfig, classes: int | None = None) -> SyntheticWorld:
    """Draws ``classes`` (default seen + unseen + val) synthetic classes and the maps."""
    rng = np.random.default_rng(config.seed)
    c = classes if classes is not None else config.seen + config.unseen + config.val
    mix = np.zeros((c, config.concepts))
    for row in mix:
        picked = rng.choice(config.concepts, size=config.concepts_per_class, replace=False)
        row[picked] = rng.uniform(0.5, 1.5, size=config.concepts_per_class)
    mix /= np.linalg.norm(mix, axis=1, keepdims=True)
    scale_v, scale_t = 1.0 / np.sqrt(config.concepts), 1.0 / np.sqrt(config.concepts)
    return SyntheticWorld(
        names=tuple(f"synthetic-{i:03d}" for i in range(c)),
        concepts=mix,
        video_map=rng.normal(size=(config.concepts, config.video_dim)) * scale_v * np.sqrt(config.video_dim),
        definition_map=rng.normal(size=(config.concepts, config.text_dim)) * scale_t * np.sqrt(config.text_dim),
        content_map=rng.normal(size=(config.concepts, config.text_dim)) * scale_t * np.sqrt(config.text_dim),
    )


def video_features(world: SyntheticWorld, labels: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """(N, video_dim) float32 synthetic features of videos with class indices ``labels`` (N,)."""
    signal = world.concepts[labels] @ world.video_map  # (N, F)
    return (signal + noise * rng.normal(size=signal.shape)).astype(np.float32)


def class_texts(world: SyntheticWorld, noise: float, rng: np.random.Generator) -> ClassTexts:
    """Synthetic frozen text features of every class of ``world``."""
    definition = world.concepts @ world.definition_map
    content = world.concepts @ world.content_map
    definition = definition + noise * rng.normal(size=definition.shape)
    content = content + 0.5 * noise * rng.normal(size=content.shape)  # a mean of k descriptions: less noisy
    return ClassTexts(world.names, torch.tensor(definition, dtype=torch.float32),
                      torch.tensor(content, dtype=torch.float32))


def _videos(world: SyntheticWorld, classes: range, per_class: int, noise: float,
            rng: np.random.Generator, tag: str) -> VideoFeatures:
    labels = np.repeat(np.arange(classes.start, classes.stop), per_class)
    return VideoFeatures(video_features(world, labels, noise, rng), labels.astype(np.int64), world.names,
                         tuple(f"synthetic-{tag}-{i}" for i in range(len(labels))))


def synthetic_task(config: SyntheticConfig = SyntheticConfig(), name: str | None = None) -> Task:
    """One synthetic :class:`Task`: classes 0..seen-1 seen, then unseen test, then unseen validation."""
    world = make_world(config)
    rng = np.random.default_rng(config.seed + 10_000)
    s, u, v = config.seen, config.unseen, config.val
    split = Split(name or f"synthetic/{config.seed}", world.names[:s], world.names[s:s + u], world.names[s + u:])
    return Task(
        split=split,
        texts=class_texts(world, config.noise, rng),
        train=_videos(world, range(0, s), config.train_videos, config.noise, rng, "train"),
        test=_videos(world, range(s, s + u), config.test_videos, config.noise, rng, "test"),
        val=_videos(world, range(s + u, s + u + v), config.test_videos, config.noise, rng, "val") if v else None,
    )


def synthetic_tasks(config: SyntheticConfig, splits: int) -> list[Task]:
    """``splits`` independent synthetic tasks (seeds ``config.seed`` .. ``config.seed + splits - 1``)."""
    return [synthetic_task(replace(config, seed=config.seed + i), name=f"synthetic/{i + 1}") for i in range(splits)]
