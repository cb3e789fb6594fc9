"""The caption/label join on a SYNTHETIC caption set in the real formats, and finding the shared data."""

from pathlib import Path

import pytest

from benchmarks.activitynet import data


def test_join_keeps_single_label_videos_with_stripped_sentences(synthetic_anet):
    train = data.load_split(synthetic_anet, "train")
    by_id = {v.video_id: v for v in train.videos}
    assert list(by_id) == ["v_aaa", "v_bbb", "v_ccc"]  # caption-file order
    assert by_id["v_aaa"].label == "Playing drums"  # two segments, one label: single-label
    assert by_id["v_aaa"].sentences == ("A man plays the drums.", "He hits the cymbal.")
    assert by_id["v_bbb"].paragraph == "A dog is bathed in a tub. The dog shakes."
    assert train.dropped_multilabel == ("v_ddd",)
    assert train.classes == ("Bathing dog", "Playing drums")


def test_blank_sentences_are_removed_and_no_action_rows_ignored(synthetic_anet):
    val = data.load_split(synthetic_anet, "val_1")
    assert {v.video_id: v.sentences for v in val.videos} == {
        "v_eee": ("A boy plays drums loudly.",), "v_fff": ("A puppy gets a bath with soap.",)}
    assert val.dropped_multilabel == ()


def test_a_caption_video_without_a_label_is_an_error():
    with pytest.raises(data.DataError, match="no label"):
        data.join("train", {"v_x": ("a",), "v_y": ("b",)}, {"v_x": {"Cumbia"}})


def test_missing_csv_columns_are_named(tmp_path):
    (tmp_path / "bad.csv").write_text("video-name,t-start\nabc,0\n")
    with pytest.raises(data.DataError, match="action-label"):
        data.read_labels(tmp_path / "bad.csv")


def test_find_data_dir_prefers_env_then_repo_sibling(tmp_path, synthetic_anet):
    repo = tmp_path / "repo"
    repo.mkdir()
    assert data.find_data_dir(repo, environ={}) is None
    assert data.find_data_dir(repo, environ={data.ENV_VAR: str(synthetic_anet)}) == synthetic_anet
    shared = tmp_path / "shared"
    sibling = shared / data.SUBDIR
    sibling.parent.mkdir(parents=True)
    synthetic_anet.rename(sibling)
    assert data.find_data_dir(repo, environ={}) == sibling
    assert data.find_data_dir(repo, environ={data.ENV_VAR: str(shared)}) == sibling
    assert data.find_data_dir(repo, environ={data.ENV_VAR: str(Path(tmp_path / "nowhere"))}) == sibling
