"""coco's feature directory format and the ER-style per-video .npy loader."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coco.features import convert_npy_dir, load_features, load_npy_dir, write_features
from coco.task import TaskError


def _example(rng, n=6, f=4, dtype=np.float16):
    features = rng.standard_normal((n, f)).astype(dtype)
    ids = [f"vid,{i}" for i in range(n)]  # a comma survives the CSV index
    labels = ["b", "a", "c", "a", "b", "c"][:n]
    return features, ids, labels


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_round_trip_is_memory_mapped(tmp_path, dtype):
    features, ids, labels = _example(np.random.default_rng(0), dtype=dtype)
    write_features(tmp_path / "f", features, ids, labels, class_names=["c", "b", "a"])
    loaded = load_features(tmp_path / "f")
    assert isinstance(loaded.features, np.memmap) and loaded.features.dtype == dtype
    np.testing.assert_array_equal(np.asarray(loaded.features), features)
    assert loaded.class_names == ("c", "b", "a")
    assert [loaded.class_names[i] for i in loaded.labels] == labels
    assert loaded.video_ids == tuple(ids)
    meta = json.loads((tmp_path / "f" / "meta.json").read_text())
    assert (meta["count"], meta["dim"], meta["dtype"]) == (6, 4, np.dtype(dtype).name)


def test_parquet_index_is_read_when_present(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    features, ids, labels = _example(np.random.default_rng(1))
    write_features(tmp_path, features, ids, labels)
    (tmp_path / "index.csv").unlink()
    pq.write_table(pa.table({"video_id": ids, "label": labels}), tmp_path / "index.parquet")
    assert load_features(tmp_path).video_ids == tuple(ids)


def test_feature_index_mismatch_names_both_counts(tmp_path):
    features, ids, labels = _example(np.random.default_rng(2))
    write_features(tmp_path, features, ids, labels)
    np.save(tmp_path / "features.npy", features[:5])
    with pytest.raises(TaskError, match="5 rows but the index has 6 videos"):
        load_features(tmp_path)


def test_write_rejects_mismatch_and_unknown_labels(tmp_path):
    features, ids, labels = _example(np.random.default_rng(3))
    with pytest.raises(TaskError, match="6 feature rows but 5 video ids"):
        write_features(tmp_path, features, ids[:5], labels)
    with pytest.raises(TaskError, match="not among"):
        write_features(tmp_path, features, ids, labels, class_names=["a", "b"])


def _er_dir(tmp_path, rng):
    """Per-video files: two (F,) vectors and one (T, F) clip stack, plus a tab-separated label list."""
    root = tmp_path / "er"
    root.mkdir()
    rows = {"v1": rng.standard_normal(3), "v2": rng.standard_normal(3), "v3": rng.standard_normal((5, 3))}
    for vid, array in rows.items():
        np.save(root / f"{vid}.npy", array.astype(np.float32))
    (tmp_path / "labels.txt").write_text("v2\tjump\nv1\trun\n\nv3\tjump\n")
    return root, rows


def test_er_npy_dir_loader_and_converter_agree(tmp_path):
    root, rows = _er_dir(tmp_path, np.random.default_rng(4))
    loaded = load_npy_dir(root, tmp_path / "labels.txt")
    expected = np.stack([rows["v2"], rows["v1"], rows["v3"].mean(axis=0)]).astype(np.float32)
    np.testing.assert_allclose(loaded.features, expected, rtol=1e-6)
    assert loaded.video_ids == ("v2", "v1", "v3") and loaded.class_names == ("jump", "run")
    assert loaded.labels.tolist() == [0, 1, 0]
    converted = load_features(convert_npy_dir(root, tmp_path / "labels.txt", tmp_path / "out", dtype="float32"))
    np.testing.assert_allclose(np.asarray(converted.features), expected, rtol=1e-6)
    assert converted.labels.tolist() == [0, 1, 0]


def test_er_npy_dir_missing_file_is_named(tmp_path):
    root, _ = _er_dir(tmp_path, np.random.default_rng(5))
    (root / "v3.npy").unlink()
    with pytest.raises(TaskError, match=r"lists 3 videos but 1 have no .npy file .*\(2 files there\)"):
        load_npy_dir(root, tmp_path / "labels.txt")
