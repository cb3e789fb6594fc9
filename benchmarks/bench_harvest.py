"""Harvester overhead against the footage-site emulator, limits off, and memory held for a 1211-query run.

The emulator runs in a subprocess (so its CPU and memory are not counted) and serves SYNTHETIC SAMPLE DATA;
queries are synthetic too ("synthetic query 0001" ...), 1211 of them, the number of actions in the paper.
Prints: pages/s and requests/s end to end, ms to parse one API page and one search page, and the process's
peak resident memory before and after the run. Then the ``corpus`` site on 40k synthetic captions and the
same 1211 synthetic queries: index build time and queries/s.

    PYTHONPATH=packages/actionhub/src python benchmarks/bench_harvest.py [--queries 1211] [--pages 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyarrow as pa
from bs4 import BeautifulSoup

from actionhub import schema
from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.run import harvest
from actionhub.harvest.sites.shutterstock import parse_item
from actionhub.harvest.sites.shutterstock_web import parse_embedded_json, parse_html

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def synthetic_queries(n: int) -> pa.Table:
    rows = [{"action_id": i, "action": f"synthetic query {i:04d}", "key": f"synthetic {i:04d}",
             "queries": [f"synthetic query {i:04d}"], "aliases": [], "sources": ["synthetic"]} for i in range(n)]
    return pa.Table.from_pylist(rows, schema=schema.QUERIES)


def parse_ms(url: str, per_page: int, repeats: int = 50) -> list[float]:
    """Milliseconds to parse one API page (JSON), and one search page (embedded JSON; HTML cards)."""
    api = httpx.get(f"{url}/v2/videos/search", params={"query": "surf", "per_page": per_page, "view": "full"}).content
    web = httpx.get(f"{url}/video/search/surf").text
    parsers = [lambda: [parse_item(r) for r in json.loads(api)["data"]],
               lambda: parse_embedded_json(BeautifulSoup(web, "html.parser"), 1),
               lambda: parse_html(BeautifulSoup(web, "html.parser"))]
    timings = []
    for parse in parsers:
        t0 = time.perf_counter()
        for _ in range(repeats):
            parse()
        timings.append((time.perf_counter() - t0) / repeats * 1000)
    return timings


VERBS = ("playing", "riding", "cooking", "throwing", "climbing", "washing", "painting", "cutting", "carrying",
         "kicking", "pushing", "pulling", "lifting", "catching", "cleaning", "opening", "folding", "drinking",
         "eating", "holding", "juggling", "walking", "running", "swimming", "dancing", "jumping", "reading",
         "writing", "brushing", "fixing", "building", "driving", "feeding", "watering", "shooting", "skating",
         "skiing", "surfing", "rowing", "singing")
NOUNS = ("ball", "bike", "pasta", "rock", "car", "wall", "hair", "bread", "box", "door", "paper", "tea", "soup",
         "baby", "guitar", "tree", "horse", "dog", "boat", "rope", "kite", "cake", "glass", "fence", "tent", "snow",
         "wave", "table", "book", "shoe", "drum")


def bench_corpus(n_captions: int = 40_000, n_queries: int = 1211) -> None:
    """The corpus site on synthetic captions (from the emulator's generator) and synthetic verb-noun queries."""
    import random

    import pyarrow.parquet as pq

    from actionhub.harvest.sample import query_video
    from actionhub.harvest.sites.corpus import load_index

    pairs = [f"{v} {n}" for v in VERBS for n in NOUNS]
    rng = random.Random(0)
    captions = [query_video(0, rng.choice(pairs), i).description for i in range(n_captions)]
    queries = pa.Table.from_pylist([{"action_id": i, "action": q, "key": q, "queries": [q], "aliases": [],
                                     "sources": ["synthetic"]} for i, q in enumerate(pairs[:n_queries])],
                                   schema=schema.QUERIES)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "captions.parquet"
        pq.write_table(pa.table({"caption": captions}), path)
        t0 = time.perf_counter()
        load_index(path, "caption")
        index_s = time.perf_counter() - t0
        config = HarvestConfig.from_options(site="corpus", base_url=str(path), per_page=100, max_pages=1, concurrency=1,
                               progress=False)
        summary = harvest(config, queries, Path(tmp) / "out")
    print(f"corpus site: {n_captions} synthetic captions indexed in {index_s:.1f} s; {n_queries} synthetic "
          f"queries x 1 page of 100 in {summary.seconds:.1f} s ({n_queries / summary.seconds:.0f} queries/s, "
          f"{summary.items} items, shards written)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1211)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "actionhub", "emulator", "--port", str(port),
                               "--results-per-query", str(args.pages * args.per_page + 60)],
                              env={"PYTHONPATH": str(ROOT / "packages/actionhub/src")}, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/robots.txt")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        api_ms, web_json_ms, web_html_ms = parse_ms(url, args.per_page)
        rss_before = _peak_rss_mb()
        config = HarvestConfig.from_options(base_url=url, per_page=args.per_page, max_pages=args.pages, rate=0,
                               concurrency=args.concurrency, progress=False)
        with tempfile.TemporaryDirectory() as out:
            summary = harvest(config, synthetic_queries(args.queries), Path(out))
        rss_after = _peak_rss_mb()
    finally:
        server.terminate()
        server.wait()
    print(summary.format())
    print(f"queries: {args.queries} synthetic, {args.pages} pages x {args.per_page} items, "
          f"concurrency {args.concurrency}, rate limit off")
    print(f"throughput: {summary.pages / summary.seconds:.1f} pages/s, {summary.requests_per_s:.1f} requests/s, "
          f"{summary.items / summary.seconds:.0f} items/s (end to end, shards and stats written)")
    print(f"parse one page: API JSON ({args.per_page} items) {api_ms:.2f} ms; search page (20 items): "
          f"embedded JSON {web_json_ms:.2f} ms, HTML cards {web_html_ms:.2f} ms")
    print(f"peak RSS of the harvesting process: {rss_before:.0f} MB before, {rss_after:.0f} MB after the run "
          f"(+{rss_after - rss_before:.0f} MB)")
    bench_corpus(n_queries=args.queries)
    return 0 if summary.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
