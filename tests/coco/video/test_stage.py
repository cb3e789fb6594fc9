"""The stage on SYNTHETIC videos with a test-double backbone: failure rows, byte-identical merges whatever the
worker count or the shard finishing order, kill -9 and resume, --retry-failed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from videofakes import TINY, MeanColour, write_video

from coco.features import load_features
from coco.task import TaskError
from coco.video.decode import read_frames
from coco.video.inputs import list_videos
from coco.video.presets import PRESETS
from coco.video.shards import ShardStore
from coco.video.stage import FeaturesConfig, extract_features, make_recipe

OUTPUTS = ("features.npy", "index.csv", "meta.json", "failures.csv")
N_FAULTS = 8  # make_faults: index only, empty, text, audio-only, too short, directory, dangling link, cut


def run(videos, out, backbone=None, **kw):
    config = FeaturesConfig(videos=str(videos), preset="vits14", out=str(out), progress=False,
                            **{"workers": 0, **kw})
    return extract_features(config, backbone or MeanColour())


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_broken_videos_are_rows_and_features_follow_the_videos(synthetic_folder, tmp_path):
    summary = run(synthetic_folder, tmp_path / "out", batch_size=2)
    assert (summary["done"], summary["failed"], summary["skipped"]) == (3, N_FAULTS, 0)
    feats = load_features(tmp_path / "out")
    assert feats.video_ids == ("dark/a.mp4", "dark/b.mkv", "light/c.mp4")
    assert [feats.class_names[i] for i in feats.labels] == ["dark", "dark", "light"]
    for video_id, row in zip(feats.video_ids, feats.features, strict=True):
        frames = read_frames(str(synthetic_folder / video_id), TINY)[None]
        np.testing.assert_array_equal(row, MeanColour().embed(frames)[0])
    failures = (tmp_path / "out" / "failures.csv").read_text().splitlines()
    assert len(failures) == 1 + N_FAULTS and all(line.startswith("broken/") for line in failures[1:])
    assert "broken/audio.mp4" in failures[1] and "no video stream" in failures[1]


def test_meta_records_the_recipe(synthetic_folder, tmp_path):
    run(synthetic_folder, tmp_path / "out")
    recipe = json.loads((tmp_path / "out" / "meta.json").read_text())["recipe"]
    assert recipe["preset"]["name"] == "tiny-test" and recipe["frames"] == 4
    assert recipe["weights"] == {"kind": "random-init", "seed": 0} and recipe["random_init"] is True
    assert recipe["resolution"]["crop"] == 16 and recipe["normalisation"]["mean"] == list(TINY.mean)
    assert recipe["dtype"] == "float32" and {"numpy", "av"} <= set(recipe["libraries"])


def test_worker_count_does_not_change_a_byte(synthetic_folder, tmp_path):
    results = [outputs(Path(run(synthetic_folder, tmp_path / f"w{w}", workers=w, batch_size=2)["out"]))
               for w in (0, 1, 2)]
    assert results[0] == results[1] == results[2]


def test_shards_finished_in_any_order_merge_to_the_same_bytes(synthetic_folder, tmp_path):
    run(synthetic_folder, tmp_path / "first", shard_size=2)
    videos = list_videos(synthetic_folder)
    recipe = json.loads((tmp_path / "first" / "meta.json").read_text())["recipe"]
    identity = json.loads((tmp_path / "first" / "shards" / "plan.json").read_text())["recipe"]
    source = ShardStore(tmp_path / "first", videos, 2, identity, TINY.dim)
    order = list(range(len(source.shards)))
    random.Random(0).shuffle(order)
    assert order != sorted(order)
    target = ShardStore(tmp_path / "shuffled", videos, 2, identity, TINY.dim)
    for k in order:
        target.write(k, source.read(k))
    target.merge(tmp_path / "shuffled", "float32", recipe)
    assert outputs(tmp_path / "shuffled") == outputs(tmp_path / "first")


KILLED_RUN = """
import sys
sys.path.insert(0, {here!r})
from videofakes import MeanColour
from coco.video.stage import FeaturesConfig, extract_features
extract_features(FeaturesConfig(videos={videos!r}, preset="vits14", out={out!r}, workers=0, batch_size=1,
                                shard_size=1, progress=False), MeanColour(delay=0.5))
"""


def test_kill_9_then_rerun_finishes_every_video_exactly_once(synthetic_folder, tmp_path):
    out = tmp_path / "killed"
    script = KILLED_RUN.format(here=str(Path(__file__).parent), videos=str(synthetic_folder), out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", script], env=os.environ.copy())
    deadline = time.monotonic() + 120
    while len(list((out / "shards").glob("*.done"))) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / "shards").glob("*.done")))
    assert 2 <= done_before < 3 + N_FAULTS, "the run should be killed part-way"
    summary = run(synthetic_folder, out, shard_size=1, batch_size=1)
    assert summary["skipped"] == done_before and summary["done"] + summary["failed"] == 3 + N_FAULTS - done_before
    ids = load_features(out).video_ids
    failed = [line.split(",")[0] for line in (out / "failures.csv").read_text().splitlines()[1:]]
    assert sorted(ids + tuple(failed)) == sorted(v.video_id for v in list_videos(synthetic_folder))
    run(synthetic_folder, tmp_path / "clean", shard_size=1, batch_size=1)
    assert outputs(out) == outputs(tmp_path / "clean")


def test_retry_failed_reruns_only_the_failures(synthetic_folder, tmp_path):
    out = tmp_path / "out"
    run(synthetic_folder, out)
    write_video(synthetic_folder / "broken" / "short.mp4", list(range(0, 200, 10)))  # repaired
    again = MeanColour()
    assert run(synthetic_folder, out, backbone=again)["skipped"] == 3 + N_FAULTS and again.calls == []
    retry = MeanColour()
    summary = run(synthetic_folder, out, backbone=retry, retry_failed=True)
    assert (summary["done"], summary["failed"], summary["skipped"]) == (1, N_FAULTS - 1, 3)
    assert sum(retry.calls) == 1
    assert "broken/short.mp4" in load_features(out).video_ids


def test_splits_become_sub_directories(tmp_path):
    for name, level in (("a", 10), ("b", 90), ("c", 170)):
        write_video(tmp_path / f"{name}.mp4", [level] * 12)
    (tmp_path / "list.csv").write_text("path,label,split\na.mp4,x,train\nb.mp4,y,train\nc.mp4,z,eval\n")
    run(tmp_path / "list.csv", tmp_path / "out")
    assert load_features(tmp_path / "out" / "train").video_ids == ("a.mp4", "b.mp4")
    assert load_features(tmp_path / "out" / "eval").class_names == ("z",)


def test_an_unrelated_or_other_run_directory_is_refused_untouched(synthetic_folder, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.tex").write_text("x")
    with pytest.raises(TaskError, match="not a coco features run"):
        run(synthetic_folder, tmp_path / "busy")
    assert os.listdir(tmp_path / "busy") == ["thesis.tex"]
    run(synthetic_folder, tmp_path / "out", shard_size=4)
    with pytest.raises(TaskError, match="shard_size"):
        run(synthetic_folder, tmp_path / "out", shard_size=3)


def test_make_recipe_names_what_the_weights_were_trained_on():
    assert make_recipe(MeanColour(), "float16")["pretrained_on"] == "nothing: random initialisation"


def test_a_decoder_crash_is_a_failure_row_and_the_others_still_decode(tmp_path):
    from videofakes import crash_on_crash

    from coco.video.inputs import Video
    from coco.video.local import decoded

    for name in ("a", "crash", "b", "c"):
        write_video(tmp_path / f"{name}.mp4", [40] * 6)
    videos = [Video(f"{n}.mp4", str(tmp_path / f"{n}.mp4"), "x") for n in ("a", "crash", "b", "c")]
    results = {v.video_id: reason for v, frames, reason in decoded(videos, TINY, 2, crash_on_crash)}
    assert results == {"a.mp4": None, "crash.mp4": "decoder process crashed", "b.mp4": None, "c.mp4": None}


def test_a_list_on_a_filesystem_uri_with_uri_videos(tmp_path):
    pytest.importorskip("pyarrow")
    write_video(tmp_path / "a.mp4", [30] * 8)
    (tmp_path / "list.csv").write_text(f"path,label\nfile://{tmp_path}/a.mp4,x\nb.mp4,y\n")
    summary = run(f"file://{tmp_path}/list.csv", tmp_path / "out")
    assert (summary["done"], summary["failed"]) == (1, 1)  # b.mp4 (file://.../b.mp4) does not exist
    assert load_features(tmp_path / "out").video_ids == ("a.mp4",)  # ids are relative to the list's folder
    failure = (tmp_path / "out" / "failures.csv").read_text().splitlines()[1]
    assert failure == f"b.mp4,file://{tmp_path}/b.mp4,y,file not found"


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["tsm8", "bit8", "r21d16", "clip8"])
def test_every_torch_preset_runs_through_the_stage_with_random_weights(preset, tmp_path):
    pytest.importorskip("torch")
    (tmp_path / "v" / "x").mkdir(parents=True)
    write_video(tmp_path / "v" / "x" / "a.mp4", [(7 * i) % 250 for i in range(40)], size=(160, 120))
    config = FeaturesConfig(videos=str(tmp_path / "v"), preset=preset, out=str(tmp_path / "out"), workers=0,
                            random_init=True, device="cpu", progress=False)
    assert extract_features(config)["done"] == 1
    feats = load_features(tmp_path / "out")
    recipe = json.loads((tmp_path / "out" / "meta.json").read_text())["recipe"]
    assert feats.features.shape == (1, PRESETS[preset].dim) and np.isfinite(feats.features).all()
    assert recipe["random_init"] is True and recipe["preset"]["name"] == preset
