"""The Ray engine of ``coco features``: the same decode -> embed stage as a Ray Data pipeline.

Rows are videos. ``map`` decodes each on any node's CPU (one CPU per task); ``map_batches`` embeds batches in a
pool of actors that each hold one backbone (one GPU each when the device is CUDA). Results stream back to the
driver, which writes the same shards and merged directory as the local engine (:mod:`coco.video.shards`), so a
run resumes at shard level whichever engine ran before, and both engines give the same bytes.

Without ``ray_address`` a local Ray instance is started (offline: no dashboard, no usage stats) and stopped at
the end; with ``--ray-address auto`` or ``HOST:PORT`` the run joins a cluster started with ``ray start``. Every
node needs coco installed (``pip install coco-zsar[video,ray]``) and must see the video paths (a shared file
system, or object-storage URIs in the input list).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import numpy as np

from coco.video.decode import decode_or_reason
from coco.video.inputs import Video
from coco.video.presets import Preset


def _decode_row(row: dict, preset: Preset) -> dict:
    frames, reason = decode_or_reason(row["source"], preset)
    if frames is None:  # a column of one shape: failures carry zeros and their reason
        frames = np.zeros((preset.sampling.count, preset.crop, preset.crop, 3), np.uint8)
    return {"video_id": row["video_id"], "frames": frames, "reason": reason or ""}


class _Embedder:
    """A Ray Data actor holding one backbone; embeds the rows that decoded."""

    def __init__(self, preset: Preset, weights: str | None, random_init: bool, device: str):
        from coco.video.backbones import build_backbone

        self.backbone = build_backbone(preset, weights, random_init, device)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        reasons = np.asarray(batch["reason"], dtype=object)
        ok = reasons == ""
        features = np.zeros((len(reasons), self.backbone.preset.dim), np.float32)
        if ok.any():
            features[ok] = self.backbone.embed(np.asarray(batch["frames"])[ok])  # (B_ok, D)
        bad = ok & ~np.isfinite(features).all(axis=1)
        reasons[bad] = "non-finite features"
        return {"video_id": batch["video_id"], "feature": features, "reason": reasons.astype(str)}


def _init(address: str | None, workers: int) -> bool:
    """Connects to Ray (or starts a local instance); True when this call started it."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if address:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(num_cpus=max(2, workers + 1), include_dashboard=False, log_to_driver=False)
    return True


def run_ray(videos: Sequence[Video], backbone, config, timing: dict | None = None) -> Iterator[
        tuple[Video, np.ndarray | None, str | None]]:
    """(video, (D,) float32 feature or None, failure reason or None) for every video, computed on Ray Data.

    Args:
        videos: What to run.
        backbone: The driver's backbone: its preset and weights identity are what the actors rebuild.
        config: The run's :class:`~coco.video.stage.FeaturesConfig` (workers, batch size, device, address).
        timing: Unused (Ray reports its own stage timings); kept for the engines' common signature.
    """
    if not videos:
        return
    import ray

    started = _init(config.ray_address, config.workers)
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        by_id = {v.video_id: v for v in videos}
        weights = None if backbone.weights.get("kind") == "random-init" else (
            backbone.weights.get("path") or backbone.weights.get("name"))
        use_gpu = str(backbone.device).startswith("cuda")
        rows = [{"video_id": v.video_id, "source": v.source} for v in videos]
        dataset = (ray.data.from_items(rows)
                   .map(_decode_row, fn_kwargs={"preset": backbone.preset}, num_cpus=1)
                   .map_batches(_Embedder, fn_constructor_kwargs={
                                    "preset": backbone.preset, "weights": weights,
                                    "random_init": backbone.weights.get("kind") == "random-init",
                                    "device": str(backbone.device)},
                                batch_size=config.batch_size, batch_format="numpy",
                                compute=ray.data.ActorPoolStrategy(size=1),
                                # other resources than the decode tasks: Ray does not fuse the two stages,
                                # so decoding runs in parallel tasks while the actor embeds
                                num_cpus=0.5, num_gpus=1 if use_gpu else 0))
        for row in dataset.iter_rows():
            video, reason = by_id[str(row["video_id"])], str(row["reason"])
            yield (video, None, reason) if reason else (video, np.asarray(row["feature"], np.float32), None)
    finally:
        if started:
            ray.shutdown()
