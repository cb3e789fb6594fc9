"""Processing throughput: normalization, exact and near-duplicate removal, sentence splitting.

Input: the SYNTHETIC corpus of ``synthetic_corpus.py`` (default: the paper's 3.6M descriptions) with
injected duplicates: 1% exact copies (upper-cased) and 1% near copies (one word appended, word 3-shingle
Jaccard ~0.97) of other descriptions of the same action. Prints wall and CPU seconds per step, what was
found versus injected, and datasketch MinHash and pysbd on subsamples (EXTRAPOLATED, printed as such).

    python benchmarks/bench_dedup.py [--n 3600000] [--sub 20000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from synthetic_corpus import (
    PAPER_DESCRIPTIONS,
    glove_vocabulary,
    reset_peak_rss,
    rss_mib,
    synthetic_corpus,
    vm_hwm_mib,
)

from actionhub.assets import load_vectors
from actionhub.process import clean, dedup, sentences


def timed(label: str, n: int, fn, *args):
    """Runs fn(*args); prints wall and CPU time and the RSS high-water mark during the call (Linux)."""
    before = rss_mib()
    reset = reset_peak_rss()
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    peak = f"  RSS {before:,.0f} -> peak {vm_hwm_mib():,.0f} MiB" if reset else ""
    print(f"{label:<36} {wall:7.1f} s wall {cpu:7.1f} s CPU  {n / wall:>11,.0f} texts/s{peak}")
    return out, wall


def with_duplicates(n: int, rng: np.random.Generator) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    base_n = int(n / 1.02)
    texts, groups, _ = synthetic_corpus(base_n, glove_vocabulary(load_vectors()))
    k = (n - base_n) // 2
    exact_src, near_src = rng.choice(base_n, k, replace=False), rng.choice(base_n, k, replace=False)
    exact = pc.utf8_upper(texts.take(pa.array(exact_src)))
    near = pc.binary_join_element_wise(texts.take(pa.array(near_src)), "indeed", " ")
    all_texts = pa.concat_arrays([texts, exact, near])
    all_groups = np.concatenate([groups, groups[exact_src], groups[near_src]])
    kind = np.concatenate([np.zeros(base_n, np.int8), np.ones(k, np.int8), np.full(k, 2, np.int8)])
    return all_texts, all_groups, kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=PAPER_DESCRIPTIONS)
    parser.add_argument("--sub", type=int, default=20_000, help="subsample for datasketch and pysbd")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    texts, groups, kind = with_duplicates(args.n, rng)
    n = len(texts)
    print(f"SYNTHETIC corpus with injected duplicates: {n:,} texts "
          f"({int((kind == 1).sum()):,} exact copies, {int((kind == 2).sum()):,} near copies)")

    clean.clean_column(texts.slice(0, min(n, 1000)))  # warm the regexes
    norm, _ = timed("normalize (NFKC, boilerplate)", n, clean.clean_column, texts)
    exact, _ = timed("exact duplicates", n, dedup.exact_duplicates, groups, norm)
    keep = ~exact
    rest, rest_groups, rest_kind = norm.filter(pa.array(keep)), groups[keep], kind[keep]
    config = dedup.DedupConfig()
    sig, t_sig = timed(f"MinHash signatures ({config.num_perm} perm)", len(rest), dedup.minhash_signatures,
                       rest, config)
    near, t_lsh = timed(f"LSH ({config.bands} bands) + verify", len(rest), dedup.near_duplicates,
                        rest_groups, sig, config)
    print(f"found: exact {int(exact.sum()):,} (injected {int((kind == 1).sum()):,}), "
          f"near {int(near.sum()):,} (injected {int((rest_kind == 2).sum()):,}; "
          f"of those found {int((near & (rest_kind == 2)).sum()):,}); "
          f"originals flagged {int(near[rest_kind == 0].sum())}")

    m = min(args.sub, n)
    sub = rest.slice(0, m).to_pylist()
    from datasketch import MinHash

    t = time.perf_counter()
    for text in sub:
        mh = MinHash(num_perm=config.num_perm, seed=1)
        words = text.lower().split()
        mh.update_batch([" ".join(words[i:i + 3]).encode() for i in range(len(words) - 2)])
    ds = time.perf_counter() - t
    print(f"datasketch MinHash, subsample {m:,}: {m / ds:,.0f} texts/s; EXTRAPOLATED to {len(rest):,}: "
          f"{ds * len(rest) / m:.0f} s (numpy signatures: {t_sig:.0f} s)")

    _, t_split = timed("sentence split (regex, pyarrow)", n, sentences.split_column, norm)
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    t = time.perf_counter()
    for text in sub[: m // 10]:
        seg.segment(text)
    sb = time.perf_counter() - t
    print(f"pysbd, subsample {m // 10:,}: {m // 10 / sb:,.0f} texts/s; EXTRAPOLATED to {n:,}: "
          f"{sb * n / (m // 10) / 60:.0f} min (regex splitter: {t_split / 60:.1f} min)")


if __name__ == "__main__":
    main()
