"""Times the query stage: one-time loads, then build_queries for the paper's seven sources.

Usage: ``python benchmarks/bench_queries.py [REPEATS]`` (default 5). Prints seconds per step.
"""

from __future__ import annotations

import sys
import time

import pyarrow as pa

from actionhub import normalize
from actionhub.queries import QueriesConfig, build_queries


def main(repeats: int = 5) -> None:
    start = time.perf_counter()
    normalize.load()
    print(f"load stop words + WordNet: {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    pa.array([0])  # pyarrow imports pandas on its first conversion from Python objects, once per process
    print(f"pyarrow's first conversion (imports pandas): {time.perf_counter() - start:.2f} s")
    config = QueriesConfig()
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        table, report = build_queries(config)
        times.append(time.perf_counter() - start)
        if i == 0:
            print(f"first build_queries (cold lemma cache): {times[0] * 1000:.0f} ms")
    warm = sorted(times[1:]) or times
    print(f"build_queries, {','.join(config.sources)}: {report.names} names -> {table.num_rows} actions; "
          f"warm median {warm[len(warm) // 2] * 1000:.0f} ms over {len(warm)} runs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
