"""``coco features``: the options of the stage, parsed into :class:`~coco.video.stage.FeaturesConfig`.

Registered in :mod:`coco.cli`; argparse ``dest`` names equal the config's field names.
"""

from __future__ import annotations

import argparse
import sys

from coco.video.presets import PRESETS
from coco.video.stage import DTYPES, ENGINES, FeaturesConfig


def add_features(sub) -> argparse.ArgumentParser:
    """Adds the ``features`` subcommand to ``sub`` (an argparse subparsers object)."""
    d = FeaturesConfig(videos="", preset="vits14", out="")
    p = sub.add_parser("features", help="videos -> coco feature directory (resumable; local or Ray engine)",
                       description="Decode videos, embed them with a preset's backbone, write coco's feature "
                                   "format plus failures.csv. Rerun the same command to resume.")
    p.add_argument("--videos", dest="videos", required=True,
                   help="folder (recursive; label = parent folder) or .csv/.parquet list with path,label[,split]")
    p.add_argument("--preset", dest="preset", required=True, choices=sorted(PRESETS), help="feature recipe")
    p.add_argument("--out", dest="out", required=True, help="output directory")
    p.add_argument("--weights", dest="weights", default=d.weights, help="weights file or hub name")
    p.add_argument("--random-init", dest="random_init", action="store_true",
                   help="random weights (plumbing tests only; stamped in meta.json)")
    p.add_argument("--workers", dest="workers", type=int, default=d.workers, help="decode processes (0: inline)")
    p.add_argument("--batch-size", dest="batch_size", type=int, default=d.batch_size, help="videos per model call")
    p.add_argument("--shard-size", dest="shard_size", type=int, default=d.shard_size, help="videos per shard")
    p.add_argument("--retry-failed", dest="retry_failed", action="store_true", help="rerun failed videos only")
    p.add_argument("--engine", dest="engine", choices=ENGINES, default=d.engine)
    p.add_argument("--ray-address", dest="ray_address", default=d.ray_address,
                   help="Ray cluster (auto or HOST:PORT); default: a local Ray instance")
    p.add_argument("--device", dest="device", default=d.device, help="auto, cpu, cuda or cuda:N")
    p.add_argument("--dtype", dest="dtype", choices=DTYPES, default=d.dtype, help="stored feature dtype")
    p.add_argument("--progress", dest="progress", action=argparse.BooleanOptionalAction, default=d.progress)
    p.set_defaults(func=run_features)
    return p


def run_features(args: argparse.Namespace) -> int:
    """Runs the stage and prints the summary line; a weights problem is a one-line error (exit 2)."""
    from dataclasses import fields

    from coco.video.backbones import WeightsError
    from coco.video.stage import extract_features, summary_line

    config = FeaturesConfig(**{f.name: getattr(args, f.name) for f in fields(FeaturesConfig)})
    try:
        summary = extract_features(config)
    except WeightsError as exc:
        print(f"coco features: error: {exc}", file=sys.stderr)
        return 2
    print(summary_line(summary))
    return 0
