"""Word tokenization of many texts at once, shared by deduplication, relevance and statistics.

A word is a maximal run of Unicode letters and digits, lower-cased (``[^\\p{L}\\p{N}]+`` separates words):
"T-shirt, 4K!" gives ``t``, ``shirt``, ``4k``. pyarrow's regex split does it for all texts in C++; a numpy
pass over the raw UTF-8 bytes of ASCII texts was tried and was no faster (1.6 s vs 1.5 s CPU for 7.2M words).
The split is ~90% of the cost and pyarrow runs it on one core, so large inputs are split in slices that
threads run at once (pyarrow releases the GIL): wall time divides by the cores.

Not to be confused with :func:`actionhub.normalize.words`, the words of one search query, which keeps inner
apostrophes and drops a possessive ``'s`` because a query's dedup key needs them; descriptions are scored and
deduplicated by these plainer, column-wide words.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

WORD_SPLIT = r"[^\p{L}\p{N}]+"
# Below this many texts one thread does the split (threads would cost more than they save).
PARALLEL_MIN = 20_000


def string_array(texts: pa.Array | pa.ChunkedArray | list[str]) -> pa.Array:
    """A text column as one contiguous Arrow array: the input form every column-wide text kernel here takes."""
    if not isinstance(texts, (pa.Array, pa.ChunkedArray)):
        return pa.array(texts, pa.string())
    return texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts


def explode_words(texts: pa.Array | pa.ChunkedArray | list[str]) -> tuple[pa.Array, np.ndarray]:
    """Lower-cased words of every text, exploded into one flat column with the row each word came from.

    Returns:
        (words (m,) string, text index of each word (m,) int64, ascending).

    Nulls and texts without letters or digits have no words.
    """
    texts = string_array(texts)
    workers = min(os.cpu_count() or 1, 8)
    if len(texts) < PARALLEL_MIN or workers == 1:
        return _words(texts)
    bounds = np.linspace(0, len(texts), workers + 1).astype(int)
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda i: _words(texts[bounds[i]:bounds[i + 1]]), range(workers)))
    flat = pa.concat_arrays([p[0] for p in parts])
    return flat, np.concatenate([rows + bounds[i] for i, (_, rows) in enumerate(parts)])


def _words(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    lists = pc.split_pattern_regex(pc.utf8_lower(pc.fill_null(texts, "")), WORD_SPLIT)
    flat = pc.list_flatten(lists)
    rows = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
    keep = np.asarray(pc.not_equal(pc.utf8_length(flat), 0))  # the split leaves "" at text edges
    return flat.filter(pa.array(keep)), rows[keep]
