"""The default scorer's formula over whole matrices, and the tuning of its constants on the train captions.

The library's ``fusion`` scorers (``actionhub.relevance``) rank a description by its calibrated semantic relevance
with feedback (``actionhub.semantic``) fused with the site's rank: ``w / (k + r_semantic) + (1 - w) / (k + r_site)``,
1-based ranks within each action. Here every action ranks every sentence: the semantic part comes from the
library's ``relevance_matrix`` (through ``adapters``), the fusion is written out below. :func:`tune` picks the
constants by mean AP on the *train* captions' sentences; the validation figures use the library's constants,
which were set from that tuning (``results.json`` records both, and whether they agree).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from benchmarks.activitynet.metrics import average_precision, rank_order

TEMPERATURES = (0.03, 0.05, 0.1)
FEEDBACK = ((10, 0.5), (10, 1.0), (30, 0.5))  # (m, beta)
WEIGHTS = (0.6, 0.7, 0.8, 0.9, 1.0)
K = 30.0
# The formula before issue 13's calibration: raw static cosine and BM25, equal weights (for comparison).
PREVIOUS = {"weight": 0.5, "k": 30.0}


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
    """(Q, N) fused scores of two rank matrices (``weight`` 1: the semantic order alone)."""
    return weight / (k + semantic_ranks) + (1.0 - weight) / (k + site_ranks)


def label(temperature: float, feedback: int, beta: float, weight: float, k: float = K) -> str:
    return f"T={temperature:g},m={feedback},beta={beta:g},w={weight:g},k={k:g}"


def grid_map(semantic: Callable[[float, int, float], np.ndarray], site: np.ndarray, relevant: np.ndarray,
             tiebreak: np.ndarray, log: Callable[[str], None] = lambda _: None) -> dict[str, float]:
    """Mean AP of every grid point on one labelled pool.

    Args:
        semantic: (temperature, m, beta) -> (Q, N) calibrated relevance with feedback.
        site: (Q, N) BM25 scores (the site).
        relevant: (Q, N) ground truth.
        tiebreak: (N,) permutation for ties.
        log: progress lines.
    """
    bm = site_ranks(site, tiebreak)
    out = {}
    for t, (m, beta) in itertools.product(TEMPERATURES, FEEDBACK):
        sem = row_ranks(semantic(t, m, beta), tiebreak)
        for w in WEIGHTS:
            out[label(t, m, beta, w)] = float(np.nanmean(average_precision(fuse(sem, bm, w, K), relevant, tiebreak)))
        log(f"   tuning T={t:g} m={m} beta={beta:g}: best w {max(WEIGHTS, key=lambda w: out[label(t, m, beta, w)])}")
    return out


def tune(grid: dict[str, float]) -> dict:
    """The best point of a :func:`grid_map` result (parsed back into numbers), and the grid."""
    best = max(grid, key=grid.get)
    values = dict(part.split("=") for part in best.split(","))
    return {"temperature": float(values["T"]), "feedback": int(values["m"]), "feedback_weight": float(values["beta"]),
            "weight": float(values["w"]), "k": float(values["k"]), "map": grid[best], "grid": grid}
