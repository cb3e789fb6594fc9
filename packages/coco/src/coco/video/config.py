"""``FeaturesConfig``: the settings of one ``coco features`` run, validated on construction.

Light on purpose (no numpy, torch or av): ``coco --help`` builds the parser from these defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coco.config import ConfigError
from coco.video.presets import PRESETS

ENGINES = ("local", "ray")
DTYPES = ("float32", "float16")


@dataclass(frozen=True)
class FeaturesConfig:
    """One ``coco features`` run.

    Attributes:
        videos: Folder (label = parent folder) or CSV/Parquet list with ``path,label[,split]``.
        preset: A key of :data:`coco.video.presets.PRESETS`.
        out: Output directory (feature files, ``failures.csv``, ``shards/``).
        weights: Weights file or hub name; None: the preset's default.
        random_init: Random weights (plumbing only), stamped in the recipe.
        workers: Decode worker processes; 0 decodes in this process.
        batch_size: Videos per model call.
        shard_size: Videos per shard (the unit of resuming).
        retry_failed: Rerun only the videos that failed before.
        engine: ``local`` (worker processes) or ``ray`` (Ray Data; ``ray_address`` picks the cluster).
        device: ``auto`` (CUDA when present), ``cpu``, ``cuda`` or ``cuda:N``.
        dtype: Stored feature dtype.
        ray_address: Ray cluster address (``auto`` or ``HOST:PORT``); None: a local Ray instance.
        progress: tqdm progress bar (videos/s) when tqdm is installed.
    """

    videos: str
    preset: str
    out: str
    weights: str | None = None
    random_init: bool = False
    workers: int = 2
    batch_size: int = 16
    shard_size: int = 256
    retry_failed: bool = False
    engine: str = "local"
    device: str = "auto"
    dtype: str = "float32"
    ray_address: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ConfigError(f"unknown preset {self.preset!r}; known: {', '.join(sorted(PRESETS))}")
        if self.workers < 0 or self.batch_size < 1 or self.shard_size < 1:
            raise ConfigError("workers must be >= 0, batch_size and shard_size >= 1")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", self.device):
            raise ConfigError(f"device must be auto, cpu, cuda or cuda:N, got {self.device!r}")
        if self.dtype not in DTYPES:
            raise ConfigError(f"dtype must be one of {DTYPES}, got {self.dtype!r}")
        if self.random_init and self.weights:
            raise ConfigError("--random-init and --weights exclude each other")
