"""Builds a :class:`~coco.task.Task` from a split, video features and class texts.

Videos of ``split.seen`` become the training set, of ``split.unseen`` the test set and of ``split.val`` the
validation set; each set is relabelled to index its own class tuple (``train.class_names == split.seen`` and so
on). Videos of classes outside the split are ignored. When the selected rows of a set are one contiguous run
(e.g. a feature directory holding only that set's videos, or one sorted by class group), the set is a slice of
the input and stays memory-mapped; otherwise its rows are copied into memory.
"""

from __future__ import annotations

import numpy as np

from coco.task import ClassTexts, Split, Task, TaskError, VideoFeatures


def _rows(features: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``features[rows]`` as a view when ``rows`` is a contiguous ascending run, else a copy."""
    if rows.size and rows[-1] - rows[0] + 1 == rows.size:
        return features[rows[0]:rows[-1] + 1]
    return features[rows]


def select(videos: VideoFeatures, classes: tuple[str, ...]) -> VideoFeatures:
    """Videos of ``classes``, labels re-indexed into ``classes``."""
    old_to_new = np.full(len(videos.class_names), -1, dtype=np.int64)
    position = {n: i for i, n in enumerate(classes)}
    for old, name in enumerate(videos.class_names):
        if name in position:
            old_to_new[old] = position[name]
    new_labels = old_to_new[videos.labels]  # (N,) -1 outside ``classes``
    rows = np.flatnonzero(new_labels >= 0)
    return VideoFeatures(_rows(videos.features, rows), new_labels[rows], classes,
                         tuple(videos.video_ids[i] for i in rows))


def _check_videos(split: Split, videos: VideoFeatures, classes: tuple[str, ...], group: str) -> None:
    present = {videos.class_names[i] for i in np.unique(videos.labels)}
    absent = [n for n in classes if n not in present]
    if absent:
        raise TaskError(f"split {split.name}: {len(absent)} {group} classes have no videos in the features, "
                        f"e.g. {absent[:5]}")


def build_task(split: Split, features: VideoFeatures, texts: ClassTexts,
               eval_features: VideoFeatures | None = None) -> Task:
    """The task of one split.

    Args:
        split: Seen, unseen (test) and validation classes.
        features: Videos covering the split's classes.
        texts: Class texts covering every class of the split.
        eval_features: Optional separate videos for the test and validation sets (e.g. ER's Kinetics-ZSAR
            features come as a training set and a test set); default ``features``.

    Raises:
        TaskError: A class of the split has no texts or no videos.
    """
    known = set(texts.names)
    missing_texts = [n for n in split.seen + split.unseen + split.val if n not in known]
    if missing_texts:
        raise TaskError(f"split {split.name}: {len(missing_texts)} classes have no texts, e.g. {missing_texts[:5]}")
    held_out = eval_features if eval_features is not None else features
    _check_videos(split, features, split.seen, "seen")
    _check_videos(split, held_out, split.unseen, "unseen")
    if split.val:
        _check_videos(split, held_out, split.val, "validation")
    train = select(features, split.seen)
    test = select(held_out, split.unseen)
    val = select(held_out, split.val) if split.val else None
    return Task(split, texts, train, test, val)
