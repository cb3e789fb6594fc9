"""``extract_features(config)``: videos -> coco's feature directory, resumable, on the local or the Ray engine.

One function knows the order: list the videos -> check the output directory -> build the backbone -> plan the
shards -> run the engine over what is not done (a shard is written as soon as its last video is in) -> merge
the done shards into ``OUT/{features.npy,index.csv,meta.json}`` (or ``OUT/<split>/...``) and ``OUT/failures.csv``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import numpy as np

from coco.features import recipe_identity
from coco.task import TaskError
from coco.video.config import FeaturesConfig
from coco.video.inputs import Video, list_videos
from coco.video.shards import ShardResult, ShardStore

__all__ = ["FeaturesConfig", "extract_features", "make_recipe", "resolve_device", "summary_line"]
LIBRARIES = ("numpy", "av", "onnxruntime", "torch", "torchvision", "timm", "open_clip_torch")


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``."""
    if device != "auto":
        return device
    try:
        import torch
    except ImportError:
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a feature can depend on (absent ones left out)."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def make_recipe(backbone, dtype: str) -> dict:
    """What ``meta.json`` records under ``recipe``: how to make these features again."""
    preset = backbone.preset
    random = backbone.weights.get("kind") == "random-init"
    recipe = {
        "preset": preset.to_dict(),
        "backbone": preset.backbone,
        "weights": backbone.weights,
        "random_init": random,
        "pretrained_on": "nothing: random initialisation" if random else preset.pretrained_on,
        "frames": preset.sampling.count,
        "sampling": asdict(preset.sampling),
        "resolution": {"resize": preset.resize, "short_side": preset.short_side, "crop": preset.crop,
                       "interpolation": preset.interpolation},
        "normalisation": {"mean": list(preset.mean), "std": list(preset.std)},
        "dtype": dtype,
        "libraries": library_versions(),
    }
    extras = getattr(backbone, "recipe", None)
    if callable(extras):
        recipe["backbone_details"] = extras()
    return recipe


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise TaskError(f"--out {out} is a file")
    if out.is_dir() and any(out.iterdir()) and not (out / "shards" / "plan.json").is_file():
        raise TaskError(f"--out {out} is a non-empty directory that is not a coco features run; use a new one")


def _engine(config: FeaturesConfig, backbone, videos: list[Video], timing: dict):
    if config.engine == "ray":
        from coco.video.rayengine import run_ray

        return run_ray(videos, backbone, config, timing)
    from coco.video.local import run_local

    return run_local(videos, backbone, config.workers, config.batch_size, timing)


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="video", desc="features", file=sys.stderr, smoothing=0.1)


def extract_features(config: FeaturesConfig, backbone=None) -> dict:
    """Runs the stage; returns the summary (``done``, ``failed``, ``skipped``, ``seconds``, ``counts``...).

    Args:
        config: The run.
        backbone: An already built backbone (tests inject doubles); its ``preset`` is the recipe used.

    Raises:
        TaskError: Bad input (no videos, a list without columns, an output directory of another run).
        WeightsError: The backbone's weights are missing or do not fit.
    """
    start = time.perf_counter()
    videos = list_videos(config.videos)
    out = Path(config.out)
    _check_out(out)
    if backbone is None:
        from coco.video.backbones import load_backbone

        backbone = load_backbone(config.preset, config.weights, config.random_init, resolve_device(config.device))
    recipe = make_recipe(backbone, config.dtype)
    store = ShardStore(out, videos, config.shard_size, recipe_identity(recipe), backbone.preset.dim)
    work = store.todo(config.retry_failed)
    shard_of = {v.video_id: k for k, vs in work.items() for v in vs}
    pending = {k: {v.video_id for v in vs} for k, vs in work.items()}
    got: dict[int, dict[str, tuple[np.ndarray | None, str | None]]] = {k: {} for k in work}
    todo = [v for k in sorted(work) for v in work[k]]
    bar, timing, done, failed = _progress(len(todo), config.progress), {}, 0, 0
    for video, feature, reason in _engine(config, backbone, todo, timing):
        k = shard_of[video.video_id]
        got[k][video.video_id] = (feature, reason)
        done, failed = done + (feature is not None), failed + (feature is None)
        pending[k].discard(video.video_id)
        if not pending[k]:
            store.write(k, _shard_result(store, k, got.pop(k), config.retry_failed, backbone.preset.dim))
        if bar is not None:
            bar.update(1)
            bar.set_postfix(failed=failed, refresh=False)
    if bar is not None:
        bar.close()
    counts = store.merge(out, config.dtype, recipe)
    seconds = time.perf_counter() - start
    return {"done": done, "failed": failed, "skipped": len(videos) - len(todo), "seconds": round(seconds, 2),
            "videos": len(videos), "features": sum(counts.values()), "counts": counts,
            "failures_total": len(videos) - sum(counts.values()), "out": str(out),
            "timing": {k: round(v, 2) for k, v in timing.items()}, "frames_per_video": backbone.preset.sampling.count}


def _shard_result(store: ShardStore, k: int, got: dict, retry: bool, dim: int) -> ShardResult:
    """The new content of shard ``k``: this run's results, plus the earlier successes when retrying failures."""
    if retry and store.is_done(k):
        old = store.read(k)
        for video_id, feature in zip(old.ids, old.features, strict=True):
            got.setdefault(video_id, (feature, None))
        for video_id, reason in zip(old.failed, old.reasons, strict=True):
            got.setdefault(video_id, (None, reason))
    ids = sorted(i for i, (f, _) in got.items() if f is not None)
    failed = sorted(i for i, (f, _) in got.items() if f is None)
    features = np.stack([got[i][0] for i in ids]) if ids else np.zeros((0, dim), np.float32)
    return ShardResult(tuple(ids), features, tuple(failed), tuple(got[i][1] for i in failed))


def summary_line(summary: dict) -> str:
    """``features: 3 done, 1 failed, 0 skipped in 12.3 s (0.3 videos/s) -> OUT (4 failures in failures.csv)``."""
    rate = summary["done"] / summary["seconds"] if summary["seconds"] else 0.0
    return (f"features: {summary['done']} done, {summary['failed']} failed, {summary['skipped']} skipped in "
            f"{summary['seconds']:.1f} s ({rate:.2f} videos/s) -> {summary['out']} "
            f"({summary['features']} videos with features, {summary['failures_total']} in failures.csv)")
