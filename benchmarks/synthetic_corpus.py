"""SYNTHETIC description corpus at the paper's scale, for the dataset benchmarks (not real footage text).

Words are drawn uniformly from the 20,000 most frequent alphabetic words of the bundled GloVe 6B vocabulary;
each description has 3 sentences of 8-16 words (about 36 words, like the paper's ~3 sentences). Action names
are two vocabulary words; a third of each description's words come from its action name's neighbourhood
(the same random draw repeated), so relevance scores vary. Built with pyarrow kernels: 3.6M descriptions in
well under a minute.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PAPER_DESCRIPTIONS = 3_600_000
PAPER_ACTIONS = 1_211


def glove_vocabulary(kv, size: int = 20_000) -> pa.Array:
    """The first ``size`` purely alphabetic words of the vectors (GloVe is sorted by frequency)."""
    words = pa.array(kv.index_to_key[: size * 2], pa.string())
    return words.filter(pc.match_substring_regex(words, r"^[a-z]{2,}$"))[:size]


def synthetic_corpus(n: int, vocab: pa.Array, n_actions: int = PAPER_ACTIONS, seed: int = 0
                     ) -> tuple[pa.Array, np.ndarray, dict[int, str]]:
    """Returns (descriptions (n,), action id of each (n,), action id -> name)."""
    rng = np.random.default_rng(seed)
    v = len(vocab)
    name_ids = rng.integers(0, v, size=(n_actions, 2))
    actions = {a: f"{vocab[int(i)]} {vocab[int(j)]}" for a, (i, j) in enumerate(name_ids)}
    action_ids = rng.integers(0, n_actions, size=n)
    lengths = rng.integers(8, 17, size=(n, 3))  # words per sentence
    words_per_doc = lengths.sum(axis=1)
    total = int(words_per_doc.sum())
    ids = rng.integers(0, v, size=total)
    doc_of_word = np.repeat(np.arange(n), words_per_doc)
    topical = rng.random(total) < 0.33
    ids[topical] = name_ids[action_ids[doc_of_word[topical]], rng.integers(0, 2, size=int(topical.sum()))]
    words = vocab.take(pa.array(ids))
    ends = np.zeros(total, dtype=bool)
    ends[np.cumsum(lengths.ravel()) - 1] = True  # last word of each sentence gets a period
    words = pc.binary_join_element_wise(words, pa.array(np.where(ends, ".", "")), "")
    offsets = np.concatenate([[0], np.cumsum(words_per_doc)]).astype(np.int64)
    docs = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), words), " ")
    return pc.utf8_capitalize(docs).cast(pa.string()), action_ids.astype(np.int32), actions


def rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Resets this process's RSS high-water mark (Linux); False where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def vm_hwm_mib() -> float:
    """The RSS high-water mark since start or the last reset (Linux VmHWM), in MiB."""
    with open("/proc/self/status") as fh:
        return int(next(line for line in fh if line.startswith("VmHWM")).split()[1]) / 1024
