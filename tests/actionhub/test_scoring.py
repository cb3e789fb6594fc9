"""The streamed score stage: chunks of whole actions, and the same relevance and ranks as scoring all at once."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from actionhub import relevance, scoring
from actionhub.cascade import CascadeConfig
from actionhub.process import PROCESSED

WORDS = ["man", "woman", "child", "dog", "ball", "rope", "bike", "horse", "water", "snow", "kitchen", "field",
         "plays", "rides", "throws", "jumps", "cooks", "swims", "runs", "climbs", "slowly", "outside", "together"]
ACTIONS = {3: "riding a horse", 7: "playing with a dog", 11: "swimming", 12: "cooking", 20: "climbing a rope"}


def synthetic_processed(seed: int = 0, sizes: dict[int, int] | None = None) -> pa.Table:
    """SYNTHETIC processed descriptions, grouped by action as the process stage writes them."""
    rng = np.random.default_rng(seed)
    sizes = sizes or {a: int(rng.integers(1, 40)) for a in ACTIONS}
    rows = []
    for action, n in sizes.items():
        for j in range(n):
            text = " ".join(rng.choice(WORDS, size=int(rng.integers(3, 12))))
            rows.append({"description_id": f"site:{action}-{j:03d}:{action}", "action_id": action,
                         "action": ACTIONS[action], "site": "site", "asset_id": f"{action}-{j:03d}",
                         "queries": [ACTIONS[action]], "description": text, "keywords": None, "n_sentences": 1,
                         "site_rank": None if j % 7 == 3 else int(rng.integers(0, 500))})
    return pa.Table.from_pylist(rows, schema=PROCESSED)


def batches(table: pa.Table, size: int) -> list[pa.RecordBatch]:
    return table.to_batches(max_chunksize=size)


@pytest.mark.parametrize(("batch", "chunk"), [(1, 1), (4, 10), (7, 25), (1000, 5), (3, 1000)])
def test_chunks_hold_whole_actions_and_give_back_every_row_in_order(batch, chunk):
    table = synthetic_processed(1)
    chunks = list(scoring.action_chunks(batches(table, batch), chunk))
    assert pa.concat_tables(chunks).equals(table)
    seen: set[int] = set()
    for c in chunks:
        ids = set(c["action_id"].to_pylist())
        assert not ids & seen  # no action in two chunks
        seen |= ids
        assert c.num_rows <= chunk + batch or len(ids) == 1  # bounded unless one action alone is larger
    if chunk >= table.num_rows:
        assert len(chunks) == 1


def test_chunks_refuse_actions_that_are_not_contiguous():
    table = synthetic_processed(2)
    shuffled = table.take(pa.array(np.random.default_rng(0).permutation(table.num_rows)))
    with pytest.raises(ValueError, match="not grouped by action_id"):
        list(scoring.action_chunks(batches(shuffled, 5), 10))
    again = pa.concat_tables([table, table.slice(0, 1)])  # the first action comes back at the end
    with pytest.raises(ValueError, match="not grouped by action_id"):
        list(scoring.action_chunks(batches(again, 1000), 10_000))


@pytest.mark.parametrize(("name", "precision"), [("fusion", "fp32"), ("word-vectors", "fp32"),
                                                ("fusion-cascade", "fp32"), ("fusion-cascade", "int8")])
def test_streamed_scores_equal_scoring_the_whole_table(tmp_path, name, precision):
    table = synthetic_processed(3)
    pq.write_table(table, tmp_path / "processed.parquet", row_group_size=9)
    scorer = relevance.make_scorer(name, precision=precision, cascade=CascadeConfig(fraction=0.2, minimum=3))
    whole = relevance.score(table, scorer, ACTIONS)
    report = scoring.score_file(tmp_path / "processed.parquet", tmp_path / "scored.parquet", scorer, ACTIONS,
                                chunk_rows=12)
    streamed = pq.read_table(tmp_path / "scored.parquet")
    assert report.chunks > 2 and report.descriptions == table.num_rows
    assert streamed.schema.equals(whole.schema)
    assert streamed["description_id"].to_pylist() == whole["description_id"].to_pylist()
    np.testing.assert_allclose(streamed["relevance"].to_numpy(), whole["relevance"].to_numpy(), rtol=1e-5, atol=1e-6)
    assert streamed["rank"].to_pylist() == whole["rank"].to_pylist()
    assert report.mean_relevance == pytest.approx(float(np.mean(whole["relevance"].to_numpy())), rel=1e-5)


def test_action_names_are_embedded_once_per_scorer(tmp_path):
    table = synthetic_processed(4)
    pq.write_table(table, tmp_path / "processed.parquet")
    calls: list[int] = []
    static = relevance.static_embed()

    def counting(texts):
        calls.append(len(texts))
        return static(texts)

    scorer = relevance.semantic_scorer(counting)
    report = scoring.score_file(tmp_path / "processed.parquet", tmp_path / "scored.parquet", scorer, ACTIONS, 10)
    assert report.chunks >= 3
    assert calls.count(len(ACTIONS)) == 1  # the names once; every other call is one chunk's descriptions
    assert sum(calls) - len(ACTIONS) == table.num_rows


def test_an_empty_file_scores_to_an_empty_file(tmp_path):
    pq.write_table(PROCESSED.empty_table(), tmp_path / "processed.parquet")
    report = scoring.score_file(tmp_path / "processed.parquet", tmp_path / "scored.parquet",
                                relevance.make_scorer("fusion"), ACTIONS)
    assert (report.descriptions, report.chunks, report.mean_relevance) == (0, 0, 0.0)
    assert pq.read_table(tmp_path / "scored.parquet").num_rows == 0


def test_a_failed_score_leaves_no_scored_file(tmp_path):
    table = synthetic_processed(5)
    pq.write_table(table, tmp_path / "processed.parquet")

    def failing(t, actions):
        if int(t["action_id"][0].as_py()) != min(ACTIONS):
            raise RuntimeError("scorer broke on a later chunk")
        return np.zeros(t.num_rows, np.float32)

    with pytest.raises(RuntimeError, match="later chunk"):
        scoring.score_file(tmp_path / "processed.parquet", tmp_path / "scored.parquet", failing, ACTIONS, 5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed.parquet"]
