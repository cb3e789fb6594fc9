"""The LSA paragraph encoder on a SYNTHETIC corpus: documents about the same thing land close together."""

import numpy as np

from benchmarks.activitynet import videofeats


def test_tokenize_lowercases_and_keeps_inner_apostrophes():
    assert videofeats.tokenize("The man's Drum, 2 times!") == ["the", "man's", "drum", "2", "times"]


def test_lsa_puts_same_topic_paragraphs_closer():
    drums = ["man plays drums with sticks", "woman plays drums loudly with sticks", "drums and sticks on stage"]
    dogs = ["dog is washed in a tub with soap", "puppy washed with soap in tub", "owner washes dog in tub"]
    lsa = videofeats.Lsa(videofeats.LsaConfig(dim=2, min_df=1, max_df=1.0), drums + dogs)
    x = lsa.encode(["a boy plays drums with sticks", "a dog gets soap in the tub"])
    ref = lsa.encode(drums + dogs)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-5)
    assert (ref[:3] @ x[0]).mean() > (ref[3:] @ x[0]).mean()
    assert (ref[3:] @ x[1]).mean() > (ref[:3] @ x[1]).mean()


def test_mean_word_vectors_skip_unknown_words():
    table = {"drum": np.array([1.0, 0.0]), "dog": np.array([0.0, 2.0])}
    out = videofeats.mean_word_vectors(table.get, 2, ["drum dog zzz", "zzz"])
    np.testing.assert_allclose(out, [[1 / np.sqrt(5), 2 / np.sqrt(5)], [0.0, 0.0]])
