"""The local engine of ``coco features``: decoding in worker processes, batched inference in this process.

Workers (``spawn``: no forked ONNX/torch state) decode videos into preset frames; results are consumed in
submission order, at most ``window`` in flight so memory stays bounded while the model runs. Batches are cut
from that fixed order, so the batches (and the features) do not depend on the number of workers.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from coco.video.decode import decode_or_reason
from coco.video.inputs import Video
from coco.video.presets import Preset

Result = tuple[Video, np.ndarray | None, str | None]


def embed_batch(backbone, batch: list[tuple[Video, np.ndarray]], timing: dict | None = None) -> Iterator[Result]:
    """Embeds one batch of decoded videos; a non-finite feature becomes a failure row.

    ``timing["model_s"]`` accumulates the seconds spent in the backbone.
    """
    start = time.perf_counter()
    features = backbone.embed(np.stack([frames for _, frames in batch]))  # (B, D) float32
    if timing is not None:
        timing["model_s"] = timing.get("model_s", 0.0) + time.perf_counter() - start
    for (video, _), feature in zip(batch, features, strict=True):
        if np.isfinite(feature).all():
            yield video, feature.astype(np.float32), None
        else:
            yield video, None, "non-finite features"


def _isolated(decode: Callable, video: Video, preset: Preset) -> tuple[np.ndarray | None, str | None]:
    """Decodes one video in a process of its own: a crash there names this video, and nothing else."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            return pool.submit(decode, video.source, preset).result()
        except BrokenProcessPool:
            return None, "decoder process crashed"


def decoded(videos: Sequence[Video], preset: Preset, workers: int, decode: Callable = decode_or_reason,
            ahead: int = 0) -> Iterator[tuple[Video, np.ndarray | None, str | None]]:
    """(video, frames or None, failure reason or None) in the order of ``videos``; ``workers`` 0: in process.

    At most ``max(ahead, 4 * workers)`` videos are in flight (decoded frames waiting count too): enough for the
    workers to keep decoding the next batch while the model runs on this one, bounded in memory.

    A worker that dies (a decoder crash kills the process, not just the call) breaks the pool: the video at the
    head is then decoded alone in a fresh process (a second crash makes it a failure row), the pool is rebuilt
    and the videos in flight are resubmitted.
    """
    if workers == 0:
        for video in videos:
            yield video, *decode(video.source, preset)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    window, queue, pending, pool = max(ahead, 4 * workers), iter(videos), deque(), new_pool()
    try:
        while True:
            while len(pending) < window and (video := next(queue, None)) is not None:
                pending.append((video, pool.submit(decode, video.source, preset)))
            if not pending:
                return
            video, future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                result = _isolated(decode, video, preset)
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                pending = deque((v, pool.submit(decode, v.source, preset)) for v, _ in pending)
            yield video, *result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_local(videos: Sequence[Video], backbone, workers: int, batch_size: int,
              timing: dict | None = None) -> Iterator[Result]:
    """(video, (D,) float32 feature or None, failure reason or None) for every video, decoded order.

    ``timing`` (optional) accumulates ``decode_wait_s`` (the model waiting for decoders) and ``model_s``.
    """
    timing = {} if timing is None else timing
    batch: list[tuple[Video, np.ndarray]] = []
    stream = decoded(videos, backbone.preset, workers, ahead=batch_size + 2 * workers)
    while True:
        start = time.perf_counter()
        item = next(stream, None)
        timing["decode_wait_s"] = timing.get("decode_wait_s", 0.0) + time.perf_counter() - start
        if item is None:
            break
        video, frames, reason = item
        if frames is None:
            yield video, None, reason
            continue
        batch.append((video, frames))
        if len(batch) == batch_size:
            yield from embed_batch(backbone, batch, timing)
            batch = []
    if batch:
        yield from embed_batch(backbone, batch, timing)
