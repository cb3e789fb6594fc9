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
    return code or coco_synthetic()


def coco_synthetic() -> int:
    """Short CoCo train + eval on the SYNTHETIC benchmark (random features, not videos)."""
    print("== coco: train + eval on the SYNTHETIC benchmark (random features with shared concepts, NOT real videos)")
    run = str(OUT / "coco-synthetic")
    # Batch 128, not the default 512: 5 epochs of 512 are only 20 steps (docs/coco.md quotes both results).
    # --overwrite: a rerun of the demo replaces its previous run.
    return (coco_cli.main(["train", "--protocol", "synthetic", "--epochs", "5", "--batch-size", "128",
                           "--out-dir", run, "--overwrite"])
            or coco_cli.main(["eval", "--protocol", "synthetic", "--out-dir", run]))


if __name__ == "__main__":
    sys.exit(main())
