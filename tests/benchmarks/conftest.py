"""Makes the repository root importable, so ``benchmarks`` is this repo's package (pytest runs in importlib mode,
which leaves sys.path alone; pysbd also installs an unrelated top-level ``benchmarks`` package)."""

import csv
import json
import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
if "benchmarks" in sys.modules and not str(getattr(sys.modules["benchmarks"], "__file__", "")).startswith(ROOT):
    del sys.modules["benchmarks"]

# A tiny SYNTHETIC ActivityNet Captions look-alike in the real file formats (caption JSON + TSP CSV).

HEADER = ["video-name", "t-start", "t-end", "action-label", "video-duration", "filename", "fps", "video-frames",
          "temporal-region-label"]

# video id (without "v_") -> (sentences, labels of its Action segments)
TRAIN = {
    "aaa": ([" A man plays the drums.", "  He hits the cymbal."], ["Playing drums", "Playing drums"]),
    "bbb": (["A dog is bathed in a tub.", " The dog shakes."], ["Bathing dog"]),
    "ccc": (["A woman plays drums in a band."], ["Playing drums"]),
    "ddd": (["Someone bathes and plays."], ["Bathing dog", "Playing drums"]),  # multi-label: dropped
}
VAL = {
    "eee": (["A boy plays drums loudly.", " "], ["Playing drums"]),  # the blank sentence is removed
    "fff": (["A puppy gets a bath with soap."], ["Bathing dog"]),
}


def _write(folder: Path, captions: str, labels: str, videos: dict) -> None:
    (folder / captions).write_text(json.dumps({f"v_{vid}": {"duration": 10.0, "timestamps": [[0, 1]] * len(s),
                                                            "sentences": s} for vid, (s, _) in videos.items()}))
    with open(folder / labels, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for vid, (_, labs) in videos.items():
            for i, lab in enumerate(labs):
                w.writerow([vid, i, i + 1, lab, 10.0, f"v_{vid}.mp4", 30.0, 300, "Action"])
            w.writerow([vid, 8, 9, "", 10.0, f"v_{vid}.mp4", 30.0, 300, "No action"])


def write_dataset(folder: Path) -> Path:
    """Writes train_modified.json, val_1.json and both TSP CSVs into ``folder``; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder, "train_modified.json", "activitynet_v1-3_train_tsp_groundtruth.csv", TRAIN)
    _write(folder, "val_1.json", "activitynet_v1-3_valid_tsp_groundtruth.csv", VAL)
    return folder


@pytest.fixture
def synthetic_anet(tmp_path: Path) -> Path:
    """A directory holding the SYNTHETIC caption and label files."""
    return write_dataset(tmp_path / "activitynet_captions")
