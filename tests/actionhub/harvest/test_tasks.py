"""The resume contract: stable task ids, shard then stats, half-written tasks redone, explicit overwrite."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from actionhub import schema
from actionhub.harvest.tasks import Task, TaskStore, tasks_for
from actionhub.process.shards import done_shards, read_shards


def read_raw(out_dir):
    """Every finished task's rows under ``out_dir`` (the process stage's reader), schema RAW."""
    return read_shards(done_shards(out_dir), out_dir)[0]


def _rows(task: Task, n: int) -> pa.Table:
    return pa.Table.from_pylist([{"action_id": task.action_id, "query": task.query, "site": task.site,
                                  "asset_id": f"a{i}", "status": "ok", "rank": i} for i in range(n)],
                                schema=schema.RAW)


def test_one_task_per_distinct_query_of_each_action(make_queries):
    tasks = tasks_for(make_queries({3: ["run", "running", "run"], 7: ["run"]}), "shutterstock")
    assert [(t.action_id, t.query) for t in tasks] == [(3, "run"), (3, "running"), (7, "run")]
    ids = [t.task_id for t in tasks]
    assert len(set(ids)) == 3 and ids[0].startswith("000003-")
    assert Task("shutterstock", 3, "run").task_id == ids[0]  # stable across runs


def test_commit_writes_shard_then_stats(tmp_path):
    store, task = TaskStore(tmp_path, "s"), Task("s", 1, "q")
    store.prepare([task])
    store.commit(task, _rows(task, 3), {"status": "ok", "items": 3})
    # Parquet has no seconds unit (fetched_at is stored in ms); read with the schema, the table is RAW again.
    assert pq.read_schema(store.raw_path(task)).names == schema.RAW.names
    assert pq.read_table(store.raw_path(task), schema=schema.RAW).schema == schema.RAW
    assert json.loads(store.stats_path(task).read_text())["items"] == 3
    assert store.status(task) == "ok" and read_raw(tmp_path).num_rows == 3
    with pytest.raises(ValueError, match="schema RAW"):
        store.commit(task, pa.table({"x": [1]}), {"status": "ok"})


def test_a_task_killed_between_its_two_writes_is_redone(tmp_path):
    store, task = TaskStore(tmp_path, "s"), Task("s", 1, "q")
    store.prepare([task])
    pq.write_table(_rows(task, 5), store.raw_path(task))  # shard renamed, then killed before the stats file
    (store.raw_dir / ".x.parquet.abc123.tmp").write_bytes(b"partial")  # and a temp file of another task
    assert read_raw(tmp_path).num_rows == 0  # a shard without stats is not a result
    assert store.prepare([task]) == [task]
    assert list(store.raw_dir.glob(".*.tmp")) == []
    store.commit(task, _rows(task, 2), {"status": "ok"})
    assert read_raw(tmp_path).column("asset_id").to_pylist() == ["a0", "a1"]  # replaced, not appended


def test_rerun_skips_done_and_retry_failed_or_overwrite_redo(tmp_path):
    store = TaskStore(tmp_path, "s")
    done, failed, todo = Task("s", 0, "a"), Task("s", 1, "b"), Task("s", 2, "c")
    store.prepare([done, failed, todo])
    store.commit(done, _rows(done, 1), {"status": "ok"})
    store.commit(failed, _rows(failed, 0), {"status": "failed"})
    assert store.prepare([done, failed, todo]) == [todo]
    assert store.prepare([done, failed, todo], retry_failed=True) == [failed, todo]
    assert store.prepare([done, failed, todo], overwrite=True) == [done, failed, todo]
    # overwrite unmarks first: an overwrite killed right away is resumed by a plain rerun.
    assert store.prepare([done, failed, todo]) == [done, failed, todo]
