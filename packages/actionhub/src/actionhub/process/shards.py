"""Reads the raw shards of a harvest directory and merges their rows into one record per video per action.

A harvest directory holds ``raw/<site>/<task_id>.parquet`` (schema :data:`actionhub.schema.RAW`) and, written
last, the done marker ``stats/<site>/<task_id>.json``. Only shards with a marker are read; a shard that
cannot be read or does not have the RAW schema is reported by name and skipped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from actionhub import schema

MERGE_KEYS = ["action_id", "site", "asset_id"]
# One record per (action_id, site, asset_id): every query that returned it, and its best position.
MERGED = pa.schema([
    pa.field("action_id", pa.int32(), nullable=False),
    pa.field("site", pa.string(), nullable=False),
    pa.field("asset_id", pa.string(), nullable=False),
    pa.field("queries", pa.list_(pa.string()), nullable=False),  # sorted, distinct
    pa.field("description", pa.string()),
    pa.field("keywords", pa.list_(pa.string())),
    pa.field("best_rank", pa.int32()),  # smallest 0-based site rank over its queries
])


@dataclass
class ShardReport:
    """What reading the raw shards found."""

    shards_read: int = 0
    corrupted: dict[str, str] = field(default_factory=dict)  # shard path (relative) -> error
    rows_ok: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # status -> rows
    records: int = 0  # after merging on (action_id, site, asset_id)


def done_shards(harvest_dir: Path) -> list[Path]:
    """The raw shards that have a done marker, in a stable order."""
    shards = []
    for marker in sorted((harvest_dir / "stats").glob("*/*.json")):
        site, task = marker.parent.name, marker.stem
        shards.append(harvest_dir / "raw" / site / f"{task}.parquet")
    return shards


def read_shards(shards: list[Path], root: Path) -> tuple[pa.Table, ShardReport]:
    """Reads shards into one RAW table; unreadable ones go to the report under their path relative to root."""
    report = ShardReport()
    tables = []
    for path in shards:
        name = str(path.relative_to(root))
        try:
            table = pq.read_table(path)
            if not table.schema.equals(schema.RAW, check_metadata=False):
                table = table.select(schema.RAW.names).cast(schema.RAW)
        except Exception as exc:  # any read/cast error makes this one shard unusable, not the run
            report.corrupted[name] = f"{type(exc).__name__}: {exc}"
            continue
        tables.append(table)
        report.shards_read += 1
    raw = pa.concat_tables(tables) if tables else schema.RAW.empty_table()
    return raw, report


def merge_rows(raw: pa.Table, report: ShardReport) -> pa.Table:
    """Drops failure rows (counted by status) and merges the rest on (action_id, site, asset_id)."""
    ok_mask = pc.equal(raw["status"], "ok")
    report.failures = dict(sorted(Counter(raw.filter(pc.invert(ok_mask))["status"].to_pylist()).items()))
    ok = raw.filter(pc.and_(ok_mask, pc.is_valid(raw["asset_id"])))
    report.rows_ok = ok.num_rows
    # Sorted by query first: the single-threaded group_by keeps first-seen order, so "distinct" comes sorted;
    # text and keywords come from the first row (lists have no "first" kernel, hence the row index).
    ok = ok.sort_by([("query", "ascending"), ("rank", "ascending")])
    ok = ok.append_column("row", pa.array(range(ok.num_rows), pa.int64()))
    merged = ok.group_by(MERGE_KEYS, use_threads=False).aggregate([
        ("query", "distinct"), ("row", "min"), ("rank", "min")])
    first = merged["row_min"]
    merged = merged.rename_columns({"query_distinct": "queries", "rank_min": "best_rank"})
    merged = merged.append_column("description", ok["description"].take(first))
    merged = merged.append_column("keywords", ok["keywords"].take(first))
    merged = merged.select(MERGED.names).cast(MERGED)
    report.records = merged.num_rows
    return merged.sort_by([("action_id", "ascending"), ("best_rank", "ascending"), ("site", "ascending"),
                           ("asset_id", "ascending")])
