"""The word-vector class filter on a hand-made vector table."""

from __future__ import annotations

import numpy as np

from coco.classfilter import WordVectors, filter_classes, nearest_test_classes

# 2-d vectors chosen so cosines are easy to work out by hand.
VECTORS = WordVectors({"ride": 0, "horse": 1, "bike": 2, "swim": 3, "jet": 4, "ski": 5},
                      np.array([[1, 0], [0, 1], [1, 1], [-1, 0], [0, -1], [1, -1]], dtype=np.float32))


def test_embedding_is_the_unit_mean_of_known_tokens():
    v = VECTORS.embed("Ride (horse)!")
    np.testing.assert_allclose(v, np.array([1, 1]) / np.sqrt(2))
    assert VECTORS.embed("unknownword") is None


def test_out_of_vocabulary_compounds_split_in_two():
    assert VECTORS.tokens("jetski") == ["jet", "ski"]
    assert VECTORS.tokens("ridehorse swim") == ["ride", "horse", "swim"]


def test_nearest_and_filter():
    train = ("ride horse", "swim", "ride bike", "situp", "barbequing")
    test = ("bike", "sit up", "jet")
    nearest = nearest_test_classes(train, test, VECTORS)
    assert nearest["ride horse"].test_class == "bike"  # mean (0.5, 0.5) is parallel to bike (1, 1)
    assert abs(nearest["ride horse"].distance) < 1e-6
    # swim (-1, 0): cos with bike = -1/sqrt(2), with jet = 0 -> nearest jet at distance 1.
    assert nearest["swim"].test_class == "jet" and abs(nearest["swim"].distance - 1.0) < 1e-6
    # ride bike = (2, 1)/2 -> cos with bike = 3/sqrt(10)
    assert abs(nearest["ride bike"].distance - (1 - 3 / np.sqrt(10))) < 1e-6
    assert nearest["situp"].distance == 0.0 and nearest["situp"].test_class == "sit up"  # same name
    assert nearest["barbequing"].test_class is None
    # 1 - 3/sqrt(10) = 0.0513: kept at threshold 0.05, removed at 0.06
    assert filter_classes(train, test, VECTORS, threshold=0.05) == ("swim", "ride bike", "barbequing")
    assert filter_classes(train, test, VECTORS, threshold=0.06) == ("swim", "barbequing")
