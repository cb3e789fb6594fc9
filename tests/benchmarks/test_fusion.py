"""The benchmark's fusion grid: the weight follows the better signal, and tune() reads the best point back."""

from __future__ import annotations

import numpy as np

from benchmarks.activitynet import fusion


def pool(seed: int = 0, q: int = 6, n: int = 120):
    """SYNTHETIC labelled pool: each query has 10 relevant items; a perfect and a random score matrix."""
    rng = np.random.default_rng(seed)
    relevant = np.zeros((q, n), dtype=bool)
    for i in range(q):
        relevant[i, rng.choice(n, 10, replace=False)] = True
    perfect = relevant + 0.01 * rng.random((q, n))  # relevant items first, in random order
    return relevant, perfect.astype(np.float32), rng.random((q, n)).astype(np.float32), rng.permutation(n)


def test_grid_weight_follows_the_better_signal():
    relevant, perfect, noise, tie = pool()
    semantic_good = fusion.tune(fusion.grid_map(lambda *_: perfect, noise + 0.1, relevant, tie))
    site_good = fusion.tune(fusion.grid_map(lambda *_: noise, perfect + 0.1, relevant, tie))
    # A perfect semantic order: the semantic order alone (w=1) is optimal (heavy weights may tie with it).
    best = semantic_good["map"]
    assert best > 0.99 and semantic_good["grid"][fusion.label(0.05, 10, 0.5, 1.0)] == best
    assert semantic_good["grid"][fusion.label(0.05, 10, 0.5, 0.6)] < best
    assert site_good["weight"] == min(fusion.WEIGHTS)
    assert len(semantic_good["grid"]) == len(fusion.TEMPERATURES) * len(fusion.FEEDBACK) * len(fusion.WEIGHTS)


def test_tune_reads_the_best_label_back_into_numbers():
    grid = {fusion.label(0.05, 30, 0.5, 0.9): 0.4, fusion.label(0.03, 10, 1.0, 0.7): 0.3}
    assert fusion.tune(grid) | {"grid": None} == {"temperature": 0.05, "feedback": 30, "feedback_weight": 0.5,
                                                  "weight": 0.9, "k": fusion.K, "map": 0.4, "grid": None}


def test_unmatched_items_get_no_site_term():
    bm25 = np.array([[0.0, 2.0, 1.0]], dtype=np.float32)
    site = fusion.site_ranks(bm25, np.arange(3))
    assert site.tolist() == [[np.inf, 1.0, 2.0]]
    fused = fusion.fuse(np.array([[1.0, 2.0, 3.0]]), site, 0.5, 30.0)
    np.testing.assert_allclose(fused, [[0.5 / 31, 0.5 / 32 + 0.5 / 31, 0.5 / 33 + 0.5 / 32]])
