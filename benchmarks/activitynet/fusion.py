"""Reciprocal-rank fusion of a semantic scorer with the site's BM25 order, over whole score matrices.

The same formula as ``actionhub.relevance.fused_relevance`` (``w / (k + r_semantic) + (1 - w) / (k + r_site)``,
1-based ranks within each action), computed for all (action, sentence) pairs at once. :func:`tune` picks
``(w, k)`` by mean AP on the *train* captions' sentences; the validation figures use the library's constants,
which were set from that tuning (``results.json`` records both, and whether they agree).
"""

from __future__ import annotations

import numpy as np

from benchmarks.activitynet.metrics import average_precision, rank_order

WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
KS = (3.0, 10.0, 30.0, 60.0)


def row_ranks(scores: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """(Q, N) 1-based rank of every item in its row's descending order (ties by ``tiebreak``)."""
    order = rank_order(scores, tiebreak)
    out = np.empty(scores.shape, dtype=np.float32)
    np.put_along_axis(out, order, np.arange(1, scores.shape[1] + 1, dtype=np.float32)[None, :], axis=1)
    return out


def site_ranks(bm25: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """(Q, N) the site's 1-based ranks; infinite for items BM25 does not match (score 0), which the ``corpus``
    site never returns: like ``actionhub.relevance.site_ranks`` for descriptions without a site position."""
    return np.where(bm25 > 0, row_ranks(bm25, tiebreak), np.inf).astype(np.float32)


def fuse(semantic_ranks: np.ndarray, site_ranks: np.ndarray, weight: float, k: float) -> np.ndarray:
    """(Q, N) fused scores of two rank matrices."""
    return weight / (k + semantic_ranks) + (1.0 - weight) / (k + site_ranks)


def grid_map(semantic: np.ndarray, site: np.ndarray, relevant: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """(len(KS), len(WEIGHTS)) mean AP of every (k, w) of the grid on one labelled pool."""
    sem, bm = row_ranks(semantic, tiebreak), site_ranks(site, tiebreak)
    return np.array([[np.nanmean(average_precision(fuse(sem, bm, w, k), relevant, tiebreak)) for w in WEIGHTS]
                     for k in KS])


def tune(maps: np.ndarray) -> dict:
    """The best (w, k) of a :func:`grid_map` result, and the whole grid by name."""
    grid = {f"w={w:g},k={k:g}": float(maps[i, j]) for i, k in enumerate(KS) for j, w in enumerate(WEIGHTS)}
    best = max(grid, key=grid.get)
    w, k = (float(part.split("=")[1]) for part in best.split(","))
    return {"weight": w, "k": k, "map": grid[best], "grid": grid}
