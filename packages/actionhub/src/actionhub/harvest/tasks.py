"""The resume contract: one task = one (site, query) of one action, and what marks it done.

Layout under the output directory::

    raw/<site>/<task_id>.parquet    items + failure rows, exactly ``actionhub.schema.RAW``
    stats/<site>/<task_id>.json     written last: marks the task finished (status "ok" or "failed")

Each file is written with ``actionhub.atomic`` (a unique temporary name in the same directory, then a rename),
so a file under its final name is always complete; the shard is also fsynced before the rename. The shard is
renamed first and the stats file last: a task killed at any point has no stats file and is redone from scratch
by the next run, its shard replaced, so a resumed run holds exactly the records of an uninterrupted one. A
rerun skips tasks whose stats say "ok"; ``retry_failed`` also redoes those that say "failed"; ``overwrite``
redoes everything (it removes the stats files of the run's tasks first, so an interrupted overwrite is resumed
by a plain rerun).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from actionhub import atomic, schema


@dataclass(frozen=True)
class Task:
    """One search: ``query`` (a search string of action ``action_id``) on ``site``."""

    site: str
    action_id: int
    query: str

    @property
    def task_id(self) -> str:
        """Stable file name: action id, then a hash of the query (queries may hold any character)."""
        digest = hashlib.sha1(self.query.encode("utf-8")).hexdigest()[:12]
        return f"{self.action_id:06d}-{digest}"


def tasks_for(queries: pa.Table, site: str) -> list[Task]:
    """One task per (action, distinct search string) of a ``schema.QUERIES`` table, in table order."""
    tasks = []
    for action_id, strings in zip(queries.column("action_id").to_pylist(), queries.column("queries").to_pylist(),
                                  strict=True):
        for query in dict.fromkeys(strings):
            tasks.append(Task(site, int(action_id), query))
    return tasks


class TaskStore:
    """Reads and writes the shards and stats files of one site under ``out_dir``."""

    def __init__(self, out_dir: Path, site: str) -> None:
        self.raw_dir = Path(out_dir) / "raw" / site
        self.stats_dir = Path(out_dir) / "stats" / site

    def raw_path(self, task: Task) -> Path:
        return self.raw_dir / f"{task.task_id}.parquet"

    def stats_path(self, task: Task) -> Path:
        return self.stats_dir / f"{task.task_id}.json"

    def status(self, task: Task) -> str | None:
        """``"ok"`` or ``"failed"`` for a finished task, None for one to do (including a half-written one)."""
        try:
            return json.loads(self.stats_path(task).read_text(encoding="utf-8"))["status"]
        except (FileNotFoundError, ValueError, KeyError):
            return None

    def prepare(self, tasks: list[Task], retry_failed: bool = False, overwrite: bool = False) -> list[Task]:
        """Creates the directories, removes leftovers of killed runs; returns the tasks to run."""
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        self.stats_dir.mkdir(parents=True, exist_ok=True)
        for directory in (self.raw_dir, self.stats_dir):
            atomic.remove_stale(directory)
        if overwrite:
            for task in tasks:
                self.stats_path(task).unlink(missing_ok=True)
            return list(tasks)
        redo = {None, "failed"} if retry_failed else {None}
        return [t for t in tasks if self.status(t) in redo]

    def commit(self, task: Task, rows: pa.Table, stats: dict) -> None:
        """Writes the shard, then the stats file that marks the task finished."""
        if rows.schema != schema.RAW:
            raise ValueError(f"shard of {task.task_id} does not have schema RAW: {rows.schema}")
        # The shard reaches the disk before the stats file exists. The stats file is not fsynced (it costs
        # ~6 ms a task): after a power cut it may read as empty, which counts as "not done" and redoes the task.
        with atomic.atomic_open(self.raw_path(task)) as fh:
            pq.write_table(rows, fh)
        atomic.write_text(self.stats_path(task), json.dumps(stats, indent=1, sort_keys=True), durable=False)

