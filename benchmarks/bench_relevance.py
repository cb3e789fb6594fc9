"""Relevance scoring throughput: vectorized (actionhub.relevance) versus a naive per-description gensim loop.

Input: the SYNTHETIC corpus of ``synthetic_corpus.py`` (default: the paper's 3.6M descriptions of ~3
sentences), bundled GloVe 6B 50-d, NLTK English stop words. The naive loop runs on a subsample of
``--naive-n`` descriptions and is extrapolated to ``--n`` (printed as such); both agree on that subsample.

    python benchmarks/bench_relevance.py [--n 3600000] [--naive-n 20000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from synthetic_corpus import (
    PAPER_DESCRIPTIONS,
    glove_vocabulary,
    peak_rss_mib,
    reset_peak_rss,
    rss_mib,
    synthetic_corpus,
    vm_hwm_mib,
)

from actionhub import normalize, relevance
from actionhub.assets import load_vectors


def naive(kv, texts: list[str], action_ids: np.ndarray, actions: dict[int, str], stop: frozenset) -> np.ndarray:
    """One description at a time: tokenize, look words up in gensim, mean, cosine."""
    import regex

    def mean(text: str):
        words = [w for w in regex.split(r"[^\p{L}\p{N}]+", text.lower()) if w and w not in stop and w in kv]
        return kv.get_mean_vector(words, pre_normalize=False) if words else None

    out = np.zeros(len(texts), dtype=np.float32)
    for i, (text, a) in enumerate(zip(texts, action_ids, strict=True)):
        u, v = mean(text), mean(actions[int(a)])
        if u is not None and v is not None:
            out[i] = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=PAPER_DESCRIPTIONS)
    parser.add_argument("--naive-n", type=int, default=20_000)
    args = parser.parse_args()

    kv = load_vectors()
    t0 = time.perf_counter()
    texts, action_ids, actions = synthetic_corpus(args.n, glove_vocabulary(kv))
    print(f"SYNTHETIC corpus: {args.n:,} descriptions, {len(actions)} actions, "
          f"{np.mean(pc_words(texts[:10000])):.1f} words/description, generated in {time.perf_counter() - t0:.1f} s")

    stop = normalize.stop_words()
    before = rss_mib()
    reset = reset_peak_rss()
    t0, c0 = time.perf_counter(), time.process_time()
    vectors = relevance.WordVectors(kv, stop)
    prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores = relevance.word_vector_relevance(texts, action_ids, actions, vectors)
    ranks = relevance.ranks(action_ids, scores)
    fast = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"vectorized: {fast:.1f} s wall, {cpu:.1f} s CPU for {args.n:,} (+{prep:.1f} s vocabulary set-up) = "
          f"{args.n / fast:,.0f} descriptions/s; ranks included; max rank {ranks.max()}")
    if reset:
        print(f"scoring memory: RSS {before:,.0f} MiB with the corpus loaded, peak during scoring "
              f"{vm_hwm_mib():,.0f} MiB")

    m = min(args.naive_n, args.n)
    sub = texts[:m].to_pylist()
    t0, c0 = time.perf_counter(), time.process_time()
    reference = naive(kv, sub, action_ids[:m], actions, stop)
    slow, slow_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"naive gensim loop: {slow:.1f} s wall, {slow_cpu:.1f} s CPU for a subsample of {m:,} = "
          f"{m / slow:,.0f} descriptions/s; EXTRAPOLATED to {args.n:,}: {slow * args.n / m / 60:.1f} min wall, "
          f"{slow_cpu * args.n / m / 60:.1f} min CPU")
    print(f"speed-up {slow * args.n / m / fast:.0f}x wall, {slow_cpu * args.n / m / cpu:.0f}x CPU; "
          f"max |vectorized - naive| on the subsample: {np.abs(scores[:m] - reference).max():.2e}")
    print(f"peak RSS since scoring started (naive loop included) {peak_rss_mib():,.0f} MiB")


def pc_words(texts) -> np.ndarray:
    import pyarrow.compute as pc

    return np.asarray(pc.list_value_length(pc.split_pattern(texts, " ")))


if __name__ == "__main__":
    main()
