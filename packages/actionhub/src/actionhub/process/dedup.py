"""Exact and near-duplicate removal among the descriptions of one action.

Exact duplicates: equal normalized text ignoring case. Near duplicates: MinHash over word shingles with
LSH banding, verified on the signatures, vectorized in numpy (no per-text Python loop):

1. texts are split into lower-case words (:mod:`actionhub.tokens`), each distinct word gets a stable
   64-bit hash (keyed blake2b), and each run of ``shingle`` consecutive words one combined hash (a text
   shorter than ``shingle`` words uses its words as shingles); texts are processed in chunks;
2. ``num_perm`` multiply-shift hash functions ``(a * h + b) >> 32`` give per-shingle values whose minimum
   per text (``np.minimum.reduceat``) is the signature, shape ``(n_texts, num_perm)``;
3. ``bands`` bands of ``num_perm // bands`` rows bucket texts of the same action; a bucket member is a
   near duplicate of the bucket's first member when their signatures agree on at least ``threshold`` of
   the positions (estimated Jaccard similarity of shingle sets);
4. verified pairs form a graph; of each connected component the first text (in input order, so callers put
   the preferred text first) is kept.

``datasketch`` implements the same scheme one text at a time; ``benchmarks/bench_dedup.py`` compares them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from actionhub import tokens


@dataclass(frozen=True)
class DedupConfig:
    """Near-duplicate detection parameters.

    Attributes:
        num_perm: MinHash signature length.
        bands: LSH bands; ``num_perm`` must be a multiple. Candidates are found with high probability above a
            Jaccard similarity of about ``(1 / bands) ** (bands / num_perm)`` (0.77 for 64 / 8).
        shingle: words per shingle.
        threshold: estimated Jaccard similarity at or above which two texts of one action are near duplicates.
        seed: seed of the hash functions.
    """

    num_perm: int = 64
    bands: int = 8
    shingle: int = 3
    threshold: float = 0.8
    seed: int = 0

    def __post_init__(self) -> None:
        if self.num_perm < 1 or self.bands < 1 or self.num_perm % self.bands:
            raise ValueError(f"num_perm ({self.num_perm}) must be a positive multiple of bands ({self.bands})")
        if self.shingle < 1:
            raise ValueError(f"shingle must be >= 1, got {self.shingle}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")


def _first_of_group(keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the first occurrence of each key, keys of shape (n,) int64."""
    first = np.zeros(len(keys), dtype=bool)
    first[np.unique(keys, return_index=True)[1]] = True
    return first


def exact_duplicates(groups: np.ndarray, texts: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True for each text that repeats an earlier one of the same group (case-insensitive)."""
    codes = pc.dictionary_encode(pc.utf8_lower(texts))
    codes = (codes.combine_chunks() if isinstance(codes, pa.ChunkedArray) else codes).indices
    text_id = np.asarray(codes, dtype=np.int64)
    return ~_first_of_group(np.asarray(groups, dtype=np.int64) * (int(text_id.max(initial=0)) + 1) + text_id)


def _word_hashes(words: pa.Array, seed: int) -> np.ndarray:
    """A stable 64-bit hash of each word (m,) uint64: blake2b of each distinct word, keyed by the seed.

    Stable across chunks and runs, so signatures do not depend on which texts are processed together; the
    Python loop runs once per distinct word of a chunk, not per text.
    """
    encoded = pc.dictionary_encode(words)
    key = seed.to_bytes(8, "little")
    table = np.array([int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8, key=key).digest(), "little")
                      for w in encoded.dictionary.to_pylist()], dtype=np.uint64)
    return table[np.asarray(encoded.indices, dtype=np.int64)] if len(table) else np.zeros(0, np.uint64)


def _shingle_hashes(texts: pa.Array, config: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    """Returns (shingle hashes (m,) uint64, text index of each (m,) int64), grouped by text in order."""
    flat, row = tokens.explode_words(texts)
    word_hash = _word_hashes(flat, config.seed)
    rng = np.random.default_rng(config.seed)
    mults = rng.integers(1, 2**63, size=config.shingle, dtype=np.uint64) | np.uint64(1)
    k = config.shingle
    n = len(word_hash) - k + 1
    if n > 0:
        same_row = row[:n] == row[k - 1:]
        combined = np.zeros(n, dtype=np.uint64)
        for i in range(k):  # (n,) uint64, wrapping arithmetic
            combined += word_hash[i:i + n] * mults[i]
        hashes, owner = combined[same_row], row[:n][same_row]
    else:
        hashes, owner = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    lengths = np.bincount(row, minlength=len(texts))
    short = lengths[row] < k  # texts with fewer words than a shingle: their words are the shingles
    hashes = np.concatenate([hashes, word_hash[short]])
    owner = np.concatenate([owner, row[short]])
    order = np.argsort(owner, kind="stable")
    return hashes[order], owner[order]


def minhash_signatures(texts: pa.Array | pa.ChunkedArray | list[str], config: DedupConfig = DedupConfig(),
                       chunk_rows: int = 200_000) -> np.ndarray:
    """MinHash signatures, shape (n_texts, num_perm) uint32; a text without words gets all 0xFFFFFFFF.

    Texts are processed ``chunk_rows`` at a time (memory O(chunk)); the result does not depend on it.
    """
    if not isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = pa.array(texts, pa.string())
    rng = np.random.default_rng(config.seed + 2)
    a = rng.integers(1, 2**63, size=config.num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=config.num_perm, dtype=np.uint64)
    sig = np.full((len(texts), config.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    shift = np.uint64(32)
    for start in range(0, len(texts), chunk_rows):
        hashes, owner = _shingle_hashes(texts[start:start + chunk_rows], config)
        if len(hashes) == 0:
            continue
        present, starts = np.unique(owner, return_index=True)
        rows = present + start
        for j in range(config.num_perm):  # one (m,) pass per hash function keeps memory at O(m)
            values = ((a[j] * hashes + b[j]) >> shift).astype(np.uint32)
            sig[rows, j] = np.minimum.reduceat(values, starts)
    return sig


def near_duplicates(groups: np.ndarray, signatures: np.ndarray, config: DedupConfig = DedupConfig()
                    ) -> np.ndarray:
    """True for each text that is a near duplicate of an earlier text of the same group."""
    n = len(signatures)
    rows = config.num_perm // config.bands
    mix = np.random.default_rng(config.seed + 1).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
    groups = np.asarray(groups, dtype=np.int64)
    pairs_a, pairs_b = [], []
    for band in range(config.bands):
        block = signatures[:, band * rows:(band + 1) * rows].astype(np.uint64)  # (n, rows)
        key = (block * mix).sum(axis=1)  # (n,) uint64 band hash
        order = np.lexsort((np.arange(n), key, groups))
        k, g = key[order], groups[order]
        new_run = np.ones(n, dtype=bool)
        new_run[1:] = (k[1:] != k[:-1]) | (g[1:] != g[:-1])
        head = order[np.maximum.accumulate(np.where(new_run, np.arange(n), 0))]  # first member of each run
        member = ~new_run
        pairs_a.append(head[member])
        pairs_b.append(order[member])
    a = np.concatenate(pairs_a) if pairs_a else np.zeros(0, np.int64)
    b = np.concatenate(pairs_b) if pairs_b else np.zeros(0, np.int64)
    if len(a):
        a, b = np.unique(np.stack([a, b]), axis=1)
        agree = (signatures[a] == signatures[b]).mean(axis=1)
        a, b = a[agree >= config.threshold], b[agree >= config.threshold]
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    return ~_first_of_group(component.astype(np.int64))
