"""Reading top-k descriptions per class from a tiny hand-made ActionHub directory."""

from __future__ import annotations

import logging

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from coco.descriptions import load_descriptions, match_actions  # noqa: E402

ALIAS = pa.struct([("source", pa.string()), ("name", pa.string()), ("query", pa.string())])


def _write(root):
    (root / "data/actions").mkdir(parents=True)
    (root / "data/descriptions").mkdir(parents=True)
    actions = pa.table({
        "action_id": pa.array([0, 1, 2], pa.int32()),
        "action": ["apply eye makeup", "ride horse", "juggle"],
        "key": ["apply eye makeup", "horse ride", "juggle"],
        "queries": [["apply eye makeup"], ["riding horse", "horse riding"], ["juggling balls"]],
        "aliases": pa.array([[{"source": "ucf101", "name": "ApplyEyeMakeup", "query": "apply eye makeup"}],
                             [{"source": "kinetics700", "name": "riding or walking with horse",
                               "query": "riding horse"}],
                             []], pa.list_(ALIAS)),
        "sources": [["ucf101"], ["kinetics700"], []],
    })
    pq.write_table(actions, root / "data/actions/train-00000.parquet")
    rows = [(0, 3, "eyeliner tips"), (0, 1, "how to apply eye makeup"), (0, 2, "smoky eye"),
            (1, 2, "a trail ride"), (1, 1, "horse riding lesson"), (2, 1, "three ball cascade")]
    # Two shards, rows out of rank order: the reader must sort by rank across files.
    for shard, part in enumerate((rows[:3], rows[3:])):
        pq.write_table(pa.table({
            "description_id": [f"yt:{i}:{a}" for i, (a, _, _) in enumerate(part)],
            "action_id": pa.array([a for a, _, _ in part], pa.int32()),
            "action": ["x"] * len(part), "site": ["yt"] * len(part), "asset_id": ["id"] * len(part),
            "queries": [["q"]] * len(part), "description": [t for _, _, t in part],
            "keywords": [[]] * len(part), "n_sentences": pa.array([1] * len(part), pa.int32()),
            "relevance": pa.array([0.5] * len(part), pa.float32()),
            "rank": pa.array([r for _, r, _ in part], pa.int32()),
        }), root / f"data/descriptions/train-{shard:05d}.parquet")


def test_matching_order_alias_then_query_then_action_name(tmp_path):
    _write(tmp_path)
    names = ["applyeyemakeup", "Riding or walking with horse", "horse riding", "JUGGLE", "  ride   horse", "dance"]
    matches = match_actions(tmp_path, names)
    assert matches.action_of == {"applyeyemakeup": 0, "Riding or walking with horse": 1, "horse riding": 1,
                                 "JUGGLE": 2, "  ride   horse": 1}
    assert matches.unmatched == ("dance",)


def test_top_k_by_rank_and_unmatched_reported(tmp_path, caplog):
    _write(tmp_path)
    with caplog.at_level(logging.WARNING):
        got = load_descriptions(tmp_path, ["ApplyEyeMakeup", "horse riding", "juggling balls", "dance"], k=2)
    assert got == {"ApplyEyeMakeup": ["how to apply eye makeup", "smoky eye"],
                   "horse riding": ["horse riding lesson", "a trail ride"],
                   "juggling balls": ["three ball cascade"], "dance": []}
    assert "1 of 4 classes match no ActionHub action" in caplog.text and "dance" in caplog.text


def test_not_an_actionhub_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="ActionHub dataset directory"):
        load_descriptions(tmp_path, ["a"], k=3)
