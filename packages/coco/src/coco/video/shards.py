"""The resume contract of ``coco features``: shards of N videos with done markers, and their merge.

Layout under ``OUT/shards/``::

    plan.json          which videos (digest of ids, labels, splits), shard size, recipe identity
    00000.npz          ids (n,), features (n, D) float32, failed ids (m,), reasons (m,)
    00000.done         {"done": n, "failed": m}; written last: a shard without it does not exist

Every file is written to a temporary name and renamed (``actionhub.atomic``), so a kill -9 at any instant leaves
either a whole shard with its marker or nothing that counts. Shards are cut from the id-sorted video list, so
shard ``k`` holds the same videos in every run; the merge sorts by video id, so its bytes do not depend on which
shard finished first.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actionhub.atomic import atomic_open, write_text
from coco.features import finish_features, open_features
from coco.task import TaskError
from coco.video.inputs import Video

FAILURES = "failures.csv"


@dataclass(frozen=True)
class ShardResult:
    """What one shard holds: (n, D) float32 ``features`` of ``ids``, and ``failed`` ids with their ``reasons``."""

    ids: tuple[str, ...]
    features: np.ndarray
    failed: tuple[str, ...]
    reasons: tuple[str, ...]


def _digest(videos: Sequence[Video]) -> str:
    h = hashlib.sha256()
    for v in videos:
        h.update(f"{v.video_id}\t{v.label}\t{v.split}\n".encode())
    return h.hexdigest()


class ShardStore:
    """The shards of one output directory.

    Args:
        out: The ``coco features --out`` directory.
        videos: All videos of the run, sorted by id.
        shard_size: Videos per shard.
        recipe: Recipe identity (``coco.features.recipe_identity``) the shards are made with.
        dim: Feature width D.

    Raises:
        TaskError: The directory holds shards of other videos, another shard size or another recipe.
    """

    def __init__(self, out: str | Path, videos: Sequence[Video], shard_size: int, recipe: dict, dim: int):
        self.dir, self.dim = Path(out) / "shards", dim
        self.videos = list(videos)
        self.shards = [self.videos[i:i + shard_size] for i in range(0, len(self.videos), shard_size)]
        plan = json.loads(json.dumps({"videos": len(self.videos), "digest": _digest(self.videos),
                                      "shard_size": shard_size, "recipe": recipe}))  # tuples -> lists, as stored
        path = self.dir / "plan.json"
        if path.is_file():
            old = json.loads(path.read_text(encoding="utf-8"))
            changed = [k for k in plan if old.get(k) != plan[k]]
            if changed:
                raise TaskError(f"{out} holds a run with other {', '.join(changed)} (videos {old.get('videos')}, "
                                f"shard size {old.get('shard_size')}); use another --out or delete it")
        else:
            self.dir.mkdir(parents=True, exist_ok=True)
            write_text(path, json.dumps(plan, indent=1) + "\n")

    def _path(self, k: int, suffix: str) -> Path:
        return self.dir / f"{k:05d}{suffix}"

    def is_done(self, k: int) -> bool:
        return self._path(k, ".done").is_file()

    def read(self, k: int) -> ShardResult:
        with np.load(self._path(k, ".npz"), allow_pickle=False) as z:
            return ShardResult(tuple(z["ids"].tolist()), z["features"], tuple(z["failed"].tolist()),
                               tuple(z["reasons"].tolist()))

    def write(self, k: int, result: ShardResult) -> None:
        """Writes shard ``k`` (data, then its done marker last)."""

        self._path(k, ".done").unlink(missing_ok=True)
        with atomic_open(self._path(k, ".npz")) as fh:
            np.savez(fh, ids=np.array(result.ids, dtype=str), features=result.features.astype(np.float32),
                     failed=np.array(result.failed, dtype=str), reasons=np.array(result.reasons, dtype=str))
        write_text(self._path(k, ".done"), json.dumps({"done": len(result.ids), "failed": len(result.failed)}) + "\n")

    def todo(self, retry_failed: bool) -> dict[int, list[Video]]:
        """``{shard: videos to (re)run}``: whole shards without a marker, and failed videos when ``retry_failed``."""
        work = {}
        for k, shard in enumerate(self.shards):
            if not self.is_done(k):
                work[k] = shard
            elif retry_failed:
                failed = set(self.read(k).failed)
                if failed:
                    work[k] = [v for v in shard if v.video_id in failed]
        return work

    def read_ids(self, k: int) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
        """(ids with features, [(failed id, reason)]) of shard ``k``, without loading its features."""
        with np.load(self._path(k, ".npz"), allow_pickle=False) as z:
            return tuple(z["ids"].tolist()), list(zip(z["failed"].tolist(), z["reasons"].tolist(), strict=True))

    def merge(self, out: str | Path, dtype: str, recipe: dict) -> dict[str, int]:
        """Writes the feature directory (one per split) and ``failures.csv`` from the done shards.

        Rows are streamed shard by shard into memory-mapped outputs at their id-sorted positions, so memory holds
        one shard, not the table. Every file goes to a staging name first. Returns ``{split or "": videos}``.
        """
        by_id = {v.video_id: v for v in self.videos}
        located: list[tuple[str, int, int]] = []  # (video id, shard, row in shard)
        failures: list[tuple[str, str]] = []
        for k in range(len(self.shards)):
            if not self.is_done(k):
                raise TaskError(f"shard {k} is not done; rerun to finish it")
            ids, failed = self.read_ids(k)
            located += [(video_id, k, row) for row, video_id in enumerate(ids)]
            failures += failed
        located.sort()
        failures.sort()
        out = Path(out)
        splits = sorted({by_id[i].split for i, _, _ in located})
        chosen = {s: [e for e in located if by_id[e[0]].split == s] for s in splits}
        staging = {s: out / f".{s or 'features'}.staging" for s in splits}
        tables = {}
        for split in splits:
            shutil.rmtree(staging[split], ignore_errors=True)
            tables[split] = open_features(staging[split], len(chosen[split]), self.dim, dtype)
        where = {(k, row): (by_id[i].split, pos) for s in splits for pos, (i, k, row) in enumerate(chosen[s])}
        for k in sorted({k for _, k, _ in located}):
            for row, feature in enumerate(self.read(k).features):  # one shard's (n, D) rows in memory
                split, pos = where[(k, row)]
                tables[split][pos] = feature
        for split in splits:
            tables[split].flush()
            del tables[split]
            ids = [i for i, _, _ in chosen[split]]
            finish_features(staging[split], ids, [by_id[i].label for i in ids], recipe=recipe)
            target = out / split if split else out
            target.mkdir(parents=True, exist_ok=True)
            for name in ("features.npy", "index.csv", "meta.json"):  # meta.json (with the count) last
                os.replace(staging[split] / name, target / name)
            staging[split].rmdir()
        counts = {s: len(chosen[s]) for s in splits}

        with atomic_open(out / FAILURES, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["video_id", "path", "label", "reason"])
            writer.writerows((i, by_id[i].source, by_id[i].label, r) for i, r in failures)
        return counts
