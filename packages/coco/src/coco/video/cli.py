"""``coco features``: the options of the stage, parsed into :class:`~coco.video.stage.FeaturesConfig`.

Registered in :mod:`coco.cli`; argparse ``dest`` names equal the config's field names.
"""

from __future__ import annotations

import argparse
import sys

from coco.video.config import DTYPES, ENGINES, FeaturesConfig
from coco.video.presets import PRESETS


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
    """Runs the stage and prints the summary line."""
    from dataclasses import fields

    from coco.video.stage import extract_features, summary_line

    config = FeaturesConfig(**{f.name: getattr(args, f.name) for f in fields(FeaturesConfig)})
    print(summary_line(extract_features(config)))  # a WeightsError is bad input: coco.cli makes it one line
    return 0


def run_predict_videos(args: argparse.Namespace) -> int:
    """``coco predict --video FILE ...``: checkpoint, actions and files are checked before any model loads.

    Prints one JSON line per video: its ranking, or ``{"video_id", "error"}`` when it cannot be decoded.
    """
    import json
    from pathlib import Path

    from coco import checkpoint, provenance
    from coco.predict import backbone_for, checkpoint_recipe, rank_with_checkpoint, video_features
    from coco.real import predict_texts
    from coco.task import TaskError

    if args.video and args.features:
        raise TaskError("give --features or --video, not both")
    if not args.video:
        raise TaskError("nothing to predict: give --features DIR or --video FILE")
    payload = checkpoint.load(args.checkpoint)
    # the class texts must be what the model was trained on; the features' recipe is checked on the backbone
    checkpoint.check_data(payload, provenance.texts_identity(args.encoder, args.k, args.actionhub),
                          where=args.checkpoint)
    recipe = checkpoint_recipe(payload)
    missing = [v for v in args.video if not Path(v).is_file()]
    if missing:
        raise TaskError(f"no video file at {', '.join(missing[:3])}")
    names = [n.strip() for n in args.actions.split(",") if n.strip()] if args.actions else []
    if args.actions_file:
        names += [n.strip() for n in Path(args.actions_file).read_text().splitlines() if n.strip()]
    if not names:
        raise TaskError("no action names given (--actions or --actions-file)")
    definitions = json.loads(Path(args.definitions).read_text()) if args.definitions else {}
    backbone = backbone_for(recipe, args.preset, args.weights, args.device)
    features, ids, failures = video_features(args.video, backbone)
    if not ids:
        raise TaskError(f"no video could be decoded: {'; '.join(f'{k}: {v}' for k, v in failures.items())}")
    texts = predict_texts(names, definitions, args.actionhub, args.k, args.encoder, args.cache_dir)
    rankings = {r.video_id: r.to_dict() for r in rank_with_checkpoint(args.checkpoint, texts, features, ids,
                                                                        args.top)}
    lines = "".join(json.dumps(rankings.get(v) or {"video_id": v, "error": failures[v]}) + "\n" for v in args.video)
    if args.output:
        Path(args.output).write_text(lines)
    else:
        sys.stdout.write(lines)
    return 0
