"""Average precision and precision@k against rankings worked out by hand."""

import numpy as np
import pytest

from benchmarks.activitynet.metrics import average_precision, chance_ap, precision_at_k, rank_order


def test_average_precision_matches_hand_worked_rankings():
    scores = np.array([[0.9, 0.8, 0.7, 0.6, 0.5],
                       [0.9, 0.8, 0.7, 0.6, 0.5],
                       [0.1, 0.5, 0.3, 0.9, 0.2]])
    relevant = np.array([[1, 0, 1, 0, 0],  # hits at ranks 1 and 3: (1/1 + 2/3) / 2
                         [0, 0, 0, 0, 1],  # one hit at rank 5: 1/5
                         [1, 1, 0, 0, 0]], dtype=bool)  # order 3,1,2,4,0: hits at ranks 2 and 5: (1/2 + 2/5) / 2
    expected = [(1 + 2 / 3) / 2, 1 / 5, (1 / 2 + 2 / 5) / 2]
    np.testing.assert_allclose(average_precision(scores, relevant), expected)


def test_query_without_relevant_items_is_nan():
    ap = average_precision(np.array([[0.3, 0.2]]), np.array([[False, False]]))
    assert np.isnan(ap[0])


def test_ties_follow_the_tiebreak_permutation_not_item_order():
    scores = np.zeros((1, 5))
    relevant = np.array([[True, False, False, False, False]])
    assert average_precision(scores, relevant)[0] == 1.0  # file order puts item 0 first
    tiebreak = np.array([4, 3, 2, 1, 0])
    assert rank_order(scores, tiebreak).tolist() == [[4, 3, 2, 1, 0]]
    assert average_precision(scores, relevant, tiebreak)[0] == pytest.approx(1 / 5)
    # A strictly better score still wins over the permutation.
    assert rank_order(np.array([[0.0, 0.0, 1.0, 0.0, 0.0]]), tiebreak)[0, 0] == 2


def test_chance_is_the_positive_rate():
    np.testing.assert_allclose(chance_ap(np.array([[1, 0, 0, 0], [1, 1, 0, 0]], dtype=bool)), [0.25, 0.5])


def test_precision_at_k_counts_missing_items_as_wrong():
    hits = np.array([[1, 1, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]], dtype=bool)
    counts = np.array([6, 2, 0])
    np.testing.assert_allclose(precision_at_k(hits, counts, 2), [1.0, 0.5, np.nan])
    np.testing.assert_allclose(precision_at_k(hits, counts, 4), [3 / 4, 1 / 4, np.nan])
    np.testing.assert_allclose(precision_at_k(hits, counts, 10), [3 / 10, 1 / 10, np.nan])
    with pytest.raises(ValueError):
        precision_at_k(hits, counts, 0)
