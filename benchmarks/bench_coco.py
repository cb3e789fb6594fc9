"""Seconds per CoCo training epoch and peak memory at Kinetics-ZSAR scale, on SYNTHETIC features.

Kinetics-ZSAR scale: 212,577 training videos x 2048-d frozen features, 620 classes (400 seen, 60 validation
and 160 test unseen), 384-d frozen text features (the bundled MiniLM's width). The features are SYNTHETIC
(``coco.synthetic``: random linear maps of shared latent concepts plus noise), written by a child process to a
``.npy`` on disk and memory-mapped by the trainer, exactly as real features are read. Nothing here is a
result on real videos.

Prints: generation time, seconds per training epoch (full CoCo loss: L^l + L^c + gamma L^cycle), test
evaluation seconds, peak resident memory of the training process (``ru_maxrss``, which also counts the
file-backed pages of the memory-mapped features it touched) and its anonymous memory at the end, and
the peak CUDA memory when run on a GPU (device ``auto``: CUDA when present, with bf16 autocast).
``--precision fp32|bf16`` sets the training arithmetic (``TrainConfig.precision``; bf16 autocast works on CPU).
Like the ``coco`` command, it waits passively for OpenMP threads (``OMP_WAIT_POLICY=PASSIVE`` unless set).

Usage: ``PYTHONPATH=packages/coco/src python benchmarks/bench_coco.py [--videos N] [--epochs E] [--dtype float16]
[--precision bf16] [--threads T]``
With ``--videos`` below 212,577 it also prints the epoch time extrapolated linearly to the full 212,577.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads its OpenMP runtime, as the CLI does

import numpy as np  # noqa: E402
import torch  # noqa: E402

from coco.config import PRECISIONS, TrainConfig  # noqa: E402
from coco.synthetic import SyntheticConfig, class_texts, make_world, video_features  # noqa: E402
from coco.task import Split, Task, VideoFeatures  # noqa: E402
from coco.train import train  # noqa: E402

FULL_VIDEOS, SEEN, VAL, TEST = 212_577, 400, 60, 160
WORLD = SyntheticConfig(seen=SEEN, unseen=TEST, val=VAL, concepts=64, concepts_per_class=3, video_dim=2048,
                        text_dim=384, noise=2.0, seed=0)
CHUNK = 16_384


def write_features(path: Path, videos: int, dtype: str) -> None:
    """Fills an (N, 2048) ``.npy`` with SYNTHETIC seen-class video features, chunk by chunk (child process)."""
    world = make_world(WORLD)
    rng = np.random.default_rng(1)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(videos, WORLD.video_dim))
    labels = np.arange(videos) % SEEN
    for start in range(0, videos, CHUNK):
        out[start:start + CHUNK] = video_features(world, labels[start:start + CHUNK], WORLD.noise, rng)
    out.flush()


def build_task(path: Path, videos: int) -> Task:
    """A task over the memory-mapped SYNTHETIC training features, with 10 in-memory test videos per class."""
    world = make_world(WORLD)
    rng = np.random.default_rng(2)
    names = world.names
    split = Split("synthetic-kinetics-zsar-scale", names[:SEEN], names[SEEN + VAL:], names[SEEN:SEEN + VAL])
    train_labels = (np.arange(videos) % SEEN).astype(np.int64)
    test_labels = np.repeat(np.arange(TEST), 10)
    return Task(
        split=split,
        texts=class_texts(world, WORLD.noise, rng),
        train=VideoFeatures(np.load(path, mmap_mode="r"), train_labels, split.seen,
                            tuple(f"synthetic-{i}" for i in range(videos))),
        test=VideoFeatures(video_features(world, test_labels + SEEN + VAL, WORLD.noise, rng), test_labels,
                           split.unseen, tuple(f"synthetic-test-{i}" for i in range(len(test_labels)))),
    )


def anonymous_memory_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=FULL_VIDEOS)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--dtype", choices=("float32", "float16"), default="float32")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--precision", choices=PRECISIONS, default="auto", help="auto: bf16 on CUDA, fp32 on CPU")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default torch's)")
    parser.add_argument("--workdir", default=None, help="where the .npy goes (default a temporary directory)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        path = Path(tmp) / "synthetic_features.npy"
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(target=write_features,
                                                              args=(path, args.videos, args.dtype))
        child.start()
        child.join()
        print(f"SYNTHETIC features: {args.videos} x {WORLD.video_dim} {args.dtype} "
              f"({path.stat().st_size / 2**30:.2f} GiB on disk) written in {time.perf_counter() - started:.1f} s")
        task = build_task(path, args.videos)
        config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, device=args.device, warmup_epochs=0.5,
                             precision=args.precision)
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        result = train(config, task)
        total = time.perf_counter() - started
        epochs = [row["seconds"] for row in result.history]
        device = "cuda" if torch.cuda.is_available() and args.device != "cpu" else "cpu"
        print(f"device {device}, precision {args.precision}, torch threads {torch.get_num_threads()} "
              f"(OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}), batch {args.batch_size}, "
              f"{len(task.split.seen)} seen / {len(task.split.unseen) + len(task.split.val)} unseen classes")
        for i, s in enumerate(epochs, 1):
            print(f"epoch {i}: {s:.1f} s ({args.videos / s:,.0f} videos/s)")
        if args.videos != FULL_VIDEOS:
            print(f"extrapolated to {FULL_VIDEOS} videos: {min(epochs) * FULL_VIDEOS / args.videos:.1f} s/epoch")
        print(f"test evaluation and set-up: {total - sum(epochs):.1f} s; SYNTHETIC test top-1 "
              f"{result.metrics['top1']:.1f} (chance {100 / TEST:.1f})")
        print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
              f"(includes touched memory-mapped feature pages); anonymous memory at end "
              f"{anonymous_memory_mib():.0f} MiB")
        if device == "cuda":
            print(f"peak CUDA memory {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
