"""Publish time, ``load_dataset`` time and memory at the paper's scale.

Input: the SYNTHETIC corpus of ``synthetic_corpus.py`` (default: 3.6M descriptions, ~3 sentences each),
split into sentences and scored with the word-vector scorer, then published with ``actionhub.publish``.
Loading runs in a fresh subprocess (HF_DATASETS_OFFLINE, a private cache dir) and reports its own time and
peak RSS for the first load (Parquet -> Arrow cache) and a second, cached load, then reads one column and
one row-range to show the data is memory-mapped: RSS stays far below the dataset's size, and what is resident
is mostly file pages of the mapping (RssFile, reclaimable), not heap (RssAnon).

    python benchmarks/bench_publish.py [--n 3600000] [--workdir /tmp/actionhub-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from synthetic_corpus import PAPER_DESCRIPTIONS, glove_vocabulary, peak_rss_mib, rss_mib, synthetic_corpus

LOADER = r"""
import json, sys, time
from pathlib import Path
import datasets, numpy as np, psutil
from actionhub import publish
datasets.disable_progress_bars()
def rss(): return psutil.Process().memory_info().rss / 2**20
def status(key):  # /proc/self/status in MiB: RssAnon = heap, RssFile = resident pages of mapped files
    return int(next(l for l in open("/proc/self/status") if l.startswith(key + ":")).split()[1]) / 1024
def timed(key, fn):
    t = time.perf_counter(); value = fn(); out[key] = time.perf_counter() - t
    return value
out = {"rss_start_mib": rss()}
ds = timed("first_load_s", lambda: publish.load(sys.argv[1], "descriptions"))
out["rss_after_first_mib"] = rss()
ds = timed("cached_load_s", lambda: publish.load(sys.argv[1], "descriptions"))
s = timed("sentences_first_load_s", lambda: publish.load(sys.argv[1], "sentences"))
out["rows"] = len(ds); out["sentence_rows"] = len(s)
out["arrow_cache_mib"] = sum(Path(c["filename"]).stat().st_size for c in ds.cache_files + s.cache_files) / 2**20
rel = timed("read_relevance_column_s", lambda: ds.data.column("relevance").to_numpy())  # the mmapped table
out["mean_relevance"] = float(rel.mean())
rows = ds[len(ds) // 2: len(ds) // 2 + 1000]
out["rss_end_mib"] = rss(); out["rss_anon_end_mib"] = status("RssAnon"); out["rss_file_end_mib"] = status("RssFile")
# VmHWM is this process's own high-water mark (ru_maxrss would include the parent's, inherited at fork).
out["peak_rss_mib"] = status("VmHWM")
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=PAPER_DESCRIPTIONS)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/actionhub-bench"))
    args = parser.parse_args()
    from actionhub import publish, relevance, schema
    from actionhub.assets import load_vectors
    from actionhub.process import PROCESSED
    from actionhub.process.sentences import split_column

    if args.workdir.exists():
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True)
    kv = load_vectors()
    texts, action_ids, actions = synthetic_corpus(args.n, glove_vocabulary(kv))
    split, counts = split_column(texts)
    ids = pc.binary_join_element_wise("synthetic", pa.array(np.arange(args.n)).cast(pa.string()),
                                      pa.array(action_ids).cast(pa.string()), ":")
    names = pa.array([actions[int(a)] for a in range(len(actions))]).take(pa.array(action_ids))
    processed = pa.table({"description_id": ids, "action_id": action_ids, "action": names,
                          "site": pa.array(["synthetic"] * args.n), "asset_id": ids,
                          "queries": pa.ListArray.from_arrays(pa.array(np.arange(args.n + 1, dtype=np.int32)), names),
                          "description": texts, "keywords": pa.nulls(args.n, pa.list_(pa.string())),
                          "n_sentences": counts}).cast(PROCESSED)
    desc = relevance.score(processed, relevance.word_vector_scorer(kv), actions)
    parent = pa.array(np.repeat(np.arange(args.n), counts))
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    sentences = pa.table({"description_id": ids.take(parent), "action_id": pa.array(action_ids).take(parent),
                          "action": names.take(parent),
                          "sentence_index": pa.array(np.arange(int(counts.sum())) - starts, pa.int32()),
                          "sentence": pa.array(split.flatten())}).cast(schema.SENTENCES)
    queries = pa.table({"action_id": pa.array(list(actions), pa.int32()), "action": list(actions.values()),
                        "key": list(actions.values()), "queries": [[v] for v in actions.values()],
                        "aliases": [[] for _ in actions], "sources": [["synthetic"] for _ in actions]}
                       ).cast(schema.QUERIES)
    print(f"SYNTHETIC input: {desc.num_rows:,} descriptions, {sentences.num_rows:,} sentences, "
          f"{len(actions)} actions; in-memory Arrow {(desc.nbytes + sentences.nbytes) / 2**20:,.0f} MiB; "
          f"builder RSS {rss_mib():,.0f} MiB")

    out = args.workdir / "dataset"
    t = time.perf_counter()
    publish.publish({"descriptions": desc, "sentences": sentences, "actions": queries}, out)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 2**20
    print(f"publish: {time.perf_counter() - t:.1f} s, {size:,.0f} MiB of Parquet (zstd); builder peak RSS "
          f"{peak_rss_mib():,.0f} MiB")
    del desc, sentences, processed, split, texts

    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_CACHE": str(args.workdir / "hf-cache")}
    result = subprocess.run([sys.executable, "-c", LOADER, str(out)], env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print("load_dataset (fresh process): " + ", ".join(
        f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
