"""Times actionhub.reader.top_descriptions on a synthetic ActionHub directory (synthetic texts, real layout).

Writes N_ACTIONS actions x PER_ACTION descriptions (default 1,500 x 1,000 = 1.5 M rows, in 8 Parquet shards,
rows shuffled) to a temporary directory, then reads the top-100 of 700 classes and prints seconds and rows.

Usage: ``PYTHONPATH=packages/actionhub/src python benchmarks/bench_reader.py [N_ACTIONS] [PER_ACTION]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from actionhub.publish import MARKER
from actionhub.reader import top_descriptions

SHARDS = 8


def write_synthetic(root: Path, n_actions: int, per_action: int) -> None:
    (root / "data/actions").mkdir(parents=True)
    (root / "data/descriptions").mkdir(parents=True)
    alias = pa.struct([("source", pa.string()), ("name", pa.string()), ("query", pa.string())])
    names = [f"synthetic action {i}" for i in range(n_actions)]
    pq.write_table(pa.table({
        "action_id": pa.array(range(n_actions), pa.int32()), "action": names, "key": names,
        "queries": [[n] for n in names],
        "aliases": pa.array([[{"source": "synthetic", "name": n, "query": n}] for n in names], pa.list_(alias)),
        "sources": [["synthetic"]] * n_actions,
    }), root / "data/actions/train-00000.parquet")
    rng = np.random.default_rng(0)
    order = rng.permutation(n_actions * per_action)
    action_id = (order // per_action).astype(np.int32)
    rank = (order % per_action + 1).astype(np.int32)
    for s, part in enumerate(np.array_split(np.arange(order.size), SHARDS)):
        n = part.size
        pq.write_table(pa.table({
            "description_id": pa.array([f"syn:{i}" for i in part]), "action_id": action_id[part],
            "action": pa.array(["synthetic"] * n), "site": pa.array(["synthetic"] * n),
            "asset_id": pa.array([str(i) for i in part]), "queries": pa.array([["q"]] * n),
            "description": pa.array([f"synthetic description number {i} of some action" for i in part]),
            "keywords": pa.array([[]] * n, pa.list_(pa.string())), "n_sentences": pa.array(np.ones(n, np.int32)),
            "relevance": pa.array(rng.random(n, np.float32)), "rank": rank[part],
        }), root / f"data/descriptions/train-{s:05d}.parquet")
    (root / MARKER).write_text("{}")  # complete, as publish() would mark it


def main(argv: list[str]) -> int:
    n_actions = int(argv[0]) if argv else 1500
    per_action = int(argv[1]) if len(argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        write_synthetic(Path(tmp), n_actions, per_action)
        classes = [f"Synthetic Action {i}" for i in range(0, n_actions, max(1, n_actions // 700))][:700]
        start = time.perf_counter()
        got = top_descriptions(tmp, classes, k=100).descriptions
        seconds = time.perf_counter() - start
    print(f"synthetic ActionHub dir: {n_actions * per_action:,} description rows; "
          f"top_descriptions of {len(classes)} classes, k=100: {seconds:.2f} s, "
          f"{sum(map(len, got.values())):,} descriptions returned")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
