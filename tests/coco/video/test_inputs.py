"""Video inputs: folder layout (label = parent folder) and CSV/Parquet lists."""

from __future__ import annotations

import os

import pytest

from coco.task import TaskError
from coco.video.inputs import list_videos


def test_a_folder_gives_relative_ids_and_parent_labels(tmp_path):
    for rel in ("ApplyEyeMakeup/v_1.avi", "Archery/v_2.mp4", "Archery/sub/v_3.MP4", "notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    (tmp_path / "Archery" / "odd.mp4").mkdir()  # a directory named like a video is listed (it will fail)
    (tmp_path / "Archery" / "odd.mp4" / "inside.mp4").write_bytes(b"x")  # and not walked into
    os.symlink(tmp_path / "gone.mp4", tmp_path / "Archery" / "link.mp4")
    videos = list_videos(tmp_path)
    assert [(v.video_id, v.label) for v in videos] == [
        ("ApplyEyeMakeup/v_1.avi", "ApplyEyeMakeup"), ("Archery/link.mp4", "Archery"),
        ("Archery/odd.mp4", "Archery"), ("Archery/sub/v_3.MP4", "sub"), ("Archery/v_2.mp4", "Archery")]
    assert videos[0].source == str(tmp_path / "ApplyEyeMakeup" / "v_1.avi")


def test_linked_class_folders_are_walked_and_link_cycles_end(tmp_path):
    (tmp_path / "elsewhere" / "Surf").mkdir(parents=True)
    (tmp_path / "elsewhere" / "Surf" / "v.mp4").write_bytes(b"x")
    (tmp_path / "root").mkdir()
    os.symlink(tmp_path / "elsewhere" / "Surf", tmp_path / "root" / "Surf")
    os.symlink(tmp_path / "root", tmp_path / "root" / "Surf2")  # a cycle back to the root
    assert [(v.video_id, v.label) for v in list_videos(tmp_path / "root")] == [("Surf/v.mp4", "Surf")]


def test_a_csv_list_resolves_paths_against_its_folder(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "all.csv").write_text(
        f"path,label,split\nclips/b.mp4,run,eval\nclips/a.mp4,walk,train\n{tmp_path}/lists/c.mp4,jump,\n")
    videos = list_videos(tmp_path / "lists" / "all.csv")
    assert [(v.video_id, v.label, v.split) for v in videos] == [
        ("c.mp4", "jump", ""), ("clips/a.mp4", "walk", "train"), ("clips/b.mp4", "run", "eval")]
    assert videos[1].source == str(tmp_path / "lists" / "clips" / "a.mp4")


def test_a_parquet_list(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"path": ["x/1.mp4", "x/2.mp4"], "label": ["a", "b"]}), tmp_path / "l.parquet")
    assert [v.video_id for v in list_videos(tmp_path / "l.parquet")] == ["x/1.mp4", "x/2.mp4"]


@pytest.mark.parametrize("content, message", [
    ("file,label\na.mp4,x\n", "needs columns path,label"),
    ("path,label\na.mp4,\n", "empty path or label"),
    ("path,label\na.mp4,x\na.mp4,y\n", "listed twice"),
    ("path,label,split\na.mp4,x,../up\n", "plain folder name"),
    ("path,label\n", "no rows"),
])
def test_bad_lists_are_one_line_errors(tmp_path, content, message):
    (tmp_path / "l.csv").write_text(content)
    with pytest.raises(TaskError, match=message):
        list_videos(tmp_path / "l.csv")


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(TaskError, match="no such folder"):
        list_videos(tmp_path / "nope")
    with pytest.raises(TaskError, match="no videos"):
        list_videos(tmp_path)
