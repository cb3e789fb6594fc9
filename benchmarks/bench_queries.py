"""Times the query stage: loading WordNet (the NLTK reader the code used before versus the tables
``actionhub.normalize`` parses once and caches), then build_queries for the paper's seven sources.

Usage: ``python benchmarks/bench_queries.py [REPEATS]`` (default 5). Each load is timed in a fresh process
(imports included), REPEATS times; prints the median and the minimum.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

import pyarrow as pa

from actionhub import normalize
from actionhub.queries import QueriesConfig, build_queries

_NLTK_READER = ("import time; t = time.perf_counter(); from nltk.corpus import wordnet, stopwords; "
                "wordnet.ensure_loaded(); stopwords.words('english'); wordnet._morphy('riding', 'v'); "
                "print(time.perf_counter() - t)")
_OURS = ("import time; t = time.perf_counter(); from actionhub import normalize; normalize.load(); "
         "print(time.perf_counter() - t)")


def _fresh_process_seconds(code: str, env: dict[str, str] | None = None) -> float:
    import os

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    return float(out.stdout.strip())


def _report(label: str, seconds: list[float]) -> float:
    median = statistics.median(seconds)
    print(f"{label}: median {median:.2f} s, min {min(seconds):.2f} s over {len(seconds)} fresh processes")
    return median


def time_wordnet_loads(repeats: int) -> None:
    before = _report("WordNet via NLTK's reader (import nltk, ensure_loaded)",
                     [_fresh_process_seconds(_NLTK_READER) for _ in range(repeats)])
    cold, cached = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(_fresh_process_seconds(_OURS, {"ACTIONHUB_CACHE": cache}))  # parses and writes the cache
            cached.append(_fresh_process_seconds(_OURS, {"ACTIONHUB_CACHE": cache}))
    _report("actionhub.normalize.load(), empty cache (parse files, write cache)", cold)
    after = _report("actionhub.normalize.load(), cached tables", cached)
    print(f"speed-up of a cached load over NLTK's reader: {before / after:.1f}x")


def main(repeats: int = 5) -> None:
    time_wordnet_loads(repeats)
    normalize.load()
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
