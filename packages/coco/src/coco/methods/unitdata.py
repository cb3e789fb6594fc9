"""Per-class sets of description features ("semantic units") for :mod:`coco.methods.units`.

``coco.textfeats.class_texts`` keeps only the mean of a class's top-k description features; the units method
needs the features themselves. :class:`UnitTexts` is a :class:`~coco.task.ClassTexts` (so a ``Task`` holds it
unchanged) with a padded (C, K, T) tensor of each class's top-K description features and a (C, K) mask.
:func:`unit_texts` builds it from the same texts and the same cached frozen encoder as ``class_texts``;
:func:`synthetic_units` builds SYNTHETIC units for the synthetic benchmark; :func:`with_units` gives the tasks
of a protocol (``coco.experiment.load_tasks``) their units, so ``coco train --method units`` runs on any protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from actionhub.assets import DEFAULT_ENCODER
from coco.config import DataConfig
from coco.synthetic import SyntheticConfig, make_world
from coco.task import ClassTexts, Task, TaskError


@dataclass(frozen=True)
class UnitTexts(ClassTexts):
    """Class texts plus each class's set of description features.

    Attributes:
        units: (C, K, T) frozen features of each class's top-K descriptions, zero-padded.
        mask: (C, K) bool, True on real units; every class has at least one (its definition when it has no
            descriptions).
    """

    units: torch.Tensor = None
    mask: torch.Tensor = None

    def __post_init__(self) -> None:
        super().__post_init__()
        c, t = self.definition.shape
        if self.units is None or self.units.ndim != 3 or self.units.shape[0] != c or self.units.shape[2] != t:
            raise TaskError(f"unit texts: units must be ({c}, K, {t})")
        if self.mask is None or tuple(self.mask.shape) != tuple(self.units.shape[:2]) or not self.mask.any(1).all():
            raise TaskError("unit texts: mask must be (C, K) with at least one unit per class")


def add_units(texts: ClassTexts, sets: Sequence[np.ndarray]) -> UnitTexts:
    """``texts`` plus units: ``sets[i]`` is the (k_i, T) description features of class i (k_i may be 0)."""
    width = texts.definition.shape[1]
    k = max(1, max(len(s) for s in sets))
    units = torch.zeros(len(sets), k, width)
    mask = torch.zeros(len(sets), k, dtype=torch.bool)
    for i, s in enumerate(sets):
        if len(s):
            units[i, :len(s)] = torch.as_tensor(np.asarray(s), dtype=torch.float32)
            mask[i, :len(s)] = True
        else:  # no descriptions: the definition is the class's only unit, as class_texts falls back
            units[i, 0], mask[i, 0] = texts.definition[i], True
    return UnitTexts(texts.names, texts.definition, texts.content, units, mask)


def unit_texts(texts: ClassTexts, descriptions: dict[str, list[str]], k: int, encoder=DEFAULT_ENCODER,
               cache_dir: str | Path | None = None) -> UnitTexts:
    """``texts`` plus the features of each class's first ``k`` descriptions (most relevant first).

    Encodes through ``coco.textfeats.encode_cached`` with the same encoder and cache as ``class_texts``, so
    the descriptions behind the content features are read from the cache, not encoded again.
    """
    from coco.textfeats import encode_cached, load_encoder

    enc = load_encoder(encoder) if isinstance(encoder, str) else encoder
    chosen = [list(descriptions.get(n, []))[:k] for n in texts.names]
    flat = [t for c in chosen for t in c]
    table = encode_cached(flat, enc, cache_dir) if flat else np.zeros((0, texts.definition.shape[1]), np.float32)
    sets, start = [], 0
    for c in chosen:
        sets.append(table[start:start + len(c)])
        start += len(c)
    return add_units(texts, sets)


def synthetic_units(task: Task, config: SyntheticConfig, k: int = 8) -> Task:
    """``task`` (from ``coco.synthetic.synthetic_task(config)``) with SYNTHETIC units.

    Unit j of a class is the content map of its concept vector with each concept reweighted by a random
    factor in [0, 2] (a description stresses some of the class's concepts), plus noise; the units' mean is
    close to the class's content feature.
    """
    world = make_world(config)
    rng = np.random.default_rng(config.seed + 20_000)
    c = len(world.names)
    weights = rng.uniform(0.0, 2.0, size=(c, k, world.concepts.shape[1]))  # (C, K, concepts)
    mixes = world.concepts[:, None, :] * weights
    mixes /= np.maximum(np.linalg.norm(mixes, axis=2, keepdims=True), 1e-12)
    units = mixes @ world.content_map + config.noise * rng.normal(size=(c, k, world.content_map.shape[1]))
    return replace(task, texts=add_units(task.texts, list(units.astype(np.float32))))


def with_units(tasks: Iterable[Task], data: DataConfig, encoder=None) -> Iterator[Task]:
    """``tasks`` (``coco.experiment.load_tasks`` of ``data``) with units in their class texts.

    SYNTHETIC tasks get :func:`synthetic_units` (task i was made with seed ``SyntheticConfig().seed + i``). Real
    tasks get the features of each class's top-``data.k`` ActionHub descriptions
    (:func:`actionhub.reader.top_descriptions`, the descriptions behind the content features) through the same
    encoder and cache (``data.encoder``, ``data.cache_dir``); without ``data.actionhub`` a class's one unit is its
    definition. The splits of a protocol share one class-text table, so it is extended once.

    Args:
        tasks: The protocol's tasks, in split order.
        data: The data configuration they were built from.
        encoder: An encoder object overriding ``data.encoder``.
    """
    if data.protocol == "synthetic":
        base = SyntheticConfig()
        for i, task in enumerate(tasks):
            yield synthetic_units(task, replace(base, seed=base.seed + i))
        return
    done: dict[int, UnitTexts] = {}
    for task in tasks:
        if id(task.texts) not in done:
            done[id(task.texts)] = _real_units(task.texts, data, encoder)
        yield replace(task, texts=done[id(task.texts)])


def _real_units(texts: ClassTexts, data: DataConfig, encoder) -> UnitTexts:
    descriptions: dict[str, list[str]] = {}
    if data.actionhub:
        from actionhub.reader import top_descriptions

        descriptions = top_descriptions(data.actionhub, list(texts.names), data.k).descriptions
    return unit_texts(texts, descriptions, data.k, encoder if encoder is not None else data.encoder, data.cache_dir)
