"""Ranking metrics over whole score matrices: average precision and precision at k, with no per-query loop."""

from __future__ import annotations

import numpy as np


def rank_order(scores: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Column indices of each row sorted by descending score, (Q, N).

    Args:
        scores: (Q, N) scores of N items for Q queries.
        tiebreak: (N,) permutation of ``range(N)``; equal scores are ordered by it. Without it, ties keep
            item order, which favours whichever items come first (e.g. the sentences of one video, which
            sit together in the caption file), so callers pass a seeded random permutation.
    """
    if tiebreak is None:
        return np.argsort(-scores, axis=1, kind="stable")
    # Sort the permuted columns stably, then map back: ties follow the permutation's order.
    order = np.argsort(-scores[:, tiebreak], axis=1, kind="stable")
    return tiebreak[order]


def average_precision(scores: np.ndarray, relevant: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Average precision of each query's ranking, (Q,).

    AP = (1 / R) * sum over relevant items at 1-based rank r of (relevant items in the top r) / r,
    with R the query's number of relevant items; NaN for a query with none.

    Args:
        scores: (Q, N) float scores, higher is more relevant.
        relevant: (Q, N) bool ground truth.
        tiebreak: See :func:`rank_order`.
    """
    if scores.shape != relevant.shape or scores.ndim != 2:
        raise ValueError(f"scores {scores.shape} and relevant {relevant.shape} must be the same (Q, N) shape")
    order = rank_order(scores, tiebreak)
    hits = np.take_along_axis(relevant.astype(bool), order, axis=1)  # (Q, N) relevance in ranked order
    ranks = np.arange(1, scores.shape[1] + 1, dtype=np.float64)  # (N,)
    precision = np.cumsum(hits, axis=1) / ranks  # (Q, N) precision at every cut-off
    n_relevant = hits.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_relevant > 0, (precision * hits).sum(axis=1) / n_relevant, np.nan)


def precision_at_k(hits: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """Precision of each query's top k, (Q,).

    Args:
        hits: (Q, M) bool, correctness of each query's retrieved items in ranked order, padded with False
            past ``counts``.
        counts: (Q,) number of items each query actually retrieved.
        k: Cut-off. A query that retrieved fewer than k items is scored over the k slots (missing items
            count as wrong), so a short list cannot look better than it is; NaN when it retrieved none.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    correct = hits[:, :k].sum(axis=1).astype(np.float64)
    return np.where(counts > 0, correct / k, np.nan)


def chance_ap(relevant: np.ndarray) -> np.ndarray:
    """Expected AP of a random ranking, approximated by each query's positive rate, (Q,)."""
    return relevant.mean(axis=1)
