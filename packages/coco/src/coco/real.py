"""Real-data inputs of the CLI: a protocol's tasks, and open-vocabulary texts and videos, built from disk.

Composes the data modules (``protocols``, ``definitions``, ``textfeats``, ``features``, ``build``) and
:func:`actionhub.reader.top_descriptions`; needs pyarrow (descriptions) and transformers (encoder) only when
those are used.

``--features DIR`` is either one feature directory (``coco.features`` format) holding the videos of every
class of the protocol, or a directory with ``train/`` (seen-class videos) and ``eval/`` (unseen-class
videos) feature directories, as ER ships Kinetics-ZSAR features.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from coco.build import build_task
from coco.config import DataConfig
from coco.features import check_same_recipe, cross_dataset_warning, load_features, read_recipe
from coco.task import ClassTexts, Task, TaskError, VideoFeatures


def feature_sets(directory: str | Path) -> tuple[VideoFeatures, VideoFeatures | None]:
    """(training videos, separate evaluation videos or None) of a ``--features`` directory."""
    directory = Path(directory)
    if (directory / "train").is_dir() and (directory / "eval").is_dir():
        check_same_recipe({f"{directory}/train": read_recipe(directory / "train"),
                           f"{directory}/eval": read_recipe(directory / "eval")})
        return load_features(directory / "train"), load_features(directory / "eval")
    if not directory.is_dir():
        raise TaskError(f"features directory {directory} does not exist")
    return load_features(directory), None


def encode_classes(names: Sequence[str], definitions: dict[str, str], actionhub: str | None, k: int,
                   encoder, cache_dir: str | None) -> ClassTexts:
    """Frozen class texts: definitions (or names), and the top-k ActionHub descriptions when ``actionhub``.

    With ``actionhub``, prints how many class names matched an ActionHub action, and which did not, to stderr.
    """
    from coco.textfeats import class_texts

    descriptions = {}
    if actionhub:
        from actionhub.reader import top_descriptions

        found = top_descriptions(actionhub, list(names), k)
        print(f"ActionHub {actionhub}: {found.matches.summary()}", file=sys.stderr)
        descriptions = found.descriptions
    return class_texts(list(names), definitions, descriptions, encoder, cache_dir, k)


def real_tasks(data: DataConfig, encoder=None) -> Iterator[Task]:
    """Tasks of ``data.protocol``/``data.dataset``, one per split (the first ``max_splits``).

    Features and class texts are loaded once for all splits; every split is checked (classes with texts and
    videos) before the first is yielded, so bad input fails before any training starts.

    Args:
        data: Protocol, dataset, features, ActionHub directory, encoder, k, cache.
        encoder: An encoder object overriding ``data.encoder`` (tests inject a small one).
    """
    from coco import protocols

    splits = protocols.get(data.protocol, data.dataset)[: data.max_splits]
    train_videos, eval_videos = feature_sets(data.features)
    if data.protocol == "cross":
        sub = Path(data.features) / "train"
        print(cross_dataset_warning(read_recipe(sub if sub.is_dir() else data.features)), file=sys.stderr)
    names = tuple(dict.fromkeys(n for s in splits for n in s.seen + s.unseen + s.val))
    texts = encode_classes(names, protocols.definitions_for(data.protocol, data.dataset), data.actionhub, data.k,
                           encoder if encoder is not None else data.encoder, data.cache_dir)
    tasks = [build_task(split, train_videos, texts, eval_videos) for split in splits]
    yield from tasks


def predict_texts(names: Sequence[str], definitions: dict[str, str], actionhub: str | None, k: int,
                  encoder, cache_dir: str | None) -> ClassTexts:
    """Class texts of arbitrary action names for :mod:`coco.predict` (definitions optional)."""
    if not names:
        raise TaskError("no action names given (--actions or --actions-file)")
    duplicated = sorted({n for n in names if list(names).count(n) > 1})
    if duplicated:
        raise TaskError(f"action names given twice: {duplicated[:5]}")
    unknown = sorted(set(definitions) - set(names))
    if unknown:
        raise TaskError(f"definitions of actions not in the list: {unknown[:5]}")
    return encode_classes(names, definitions, actionhub, k, encoder, cache_dir)


def read_videos(path: str | Path) -> tuple[np.ndarray, tuple[str, ...]]:
    """(N, F) features and video ids from a feature directory, or an (N, F) ``.npy`` (ids = row numbers)."""
    path = Path(path)
    if path.suffix == ".npy":
        features = np.load(path, mmap_mode="r")
        if features.ndim != 2:
            raise TaskError(f"{path}: expected an (N, F) array, got shape {features.shape}")
        return features, tuple(str(i) for i in range(features.shape[0]))
    videos = load_features(path)
    return videos.features, videos.video_ids
