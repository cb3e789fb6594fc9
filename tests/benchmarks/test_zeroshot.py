"""Experiment 3's class splits, least-squares baseline and class descriptions (no coco training here)."""

import numpy as np

from benchmarks.activitynet import zeroshot


def test_class_splits_are_disjoint_halves_and_reproducible():
    splits = zeroshot.class_splits(10, 4, seed=3)
    assert len(splits) == 4
    for seen, unseen in splits:
        assert len(seen) == len(unseen) == 5
        assert sorted(np.concatenate([seen, unseen]).tolist()) == list(range(10))
    assert len({tuple(s) for s, _ in splits}) > 1  # different draws
    again = zeroshot.class_splits(10, 4, seed=3)
    assert all((a[0] == b[0]).all() for a, b in zip(splits, again, strict=True))


def test_least_squares_recovers_a_linear_map():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(6, 3))
    classes = rng.normal(size=(4, 3))
    train_x = rng.normal(size=(200, 6))
    train_y = train_x @ w  # targets exactly linear in the features
    test_x = np.linalg.lstsq(w.T, classes.T, rcond=None)[0].T  # (4, 6): x_c with x_c W = classes[c]
    scores = zeroshot.least_squares_scores(train_x, train_y, test_x, classes, ridge=1e-6)
    assert scores.argmax(axis=1).tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(np.diag(scores), 1.0, atol=1e-5)  # cosine of identical directions


def test_class_descriptions_take_the_best_ranks_across_aliases():
    actions = [{"action_id": 0, "aliases": [{"source": "activitynet", "name": "Cumbia", "query": "cumbia"}]},
               {"action_id": 1, "aliases": [{"source": "activitynet", "name": "Cumbia", "query": "cumbia dance"},
                                            {"source": "kinetics700", "name": "dancing", "query": "dancing"}]}]
    descriptions = [{"action_id": 0, "rank": 2, "description": "b"}, {"action_id": 0, "rank": 1, "description": "a"},
                    {"action_id": 1, "rank": 1, "description": "c"}, {"action_id": 1, "rank": 3, "description": "d"}]
    out = zeroshot.class_descriptions(descriptions, actions, ["Cumbia", "Polo"], k=3)
    assert out == {"Cumbia": ["a", "c", "b"], "Polo": []}


def test_summarize_uses_the_sample_std():
    s = zeroshot.summarize([1.0, 3.0])
    assert s == {"mean": 2.0, "std": float(np.sqrt(2.0))}


def test_cim_gains_are_paired_per_split():
    rows = {"AD": [{"top1": 10.0}, {"top1": 20.0}], "AD+CIM": [{"top1": 11.0}, {"top1": 19.0}],
            "VC": [{"top1": 5.0}, {"top1": 5.0}]}  # no VC+CIM run: no VC entry
    gains = zeroshot.cim_gains(rows)
    assert list(gains) == ["AD"]
    assert gains["AD"]["mean"] == 0.0 and gains["AD"]["splits_better"] == 1 and gains["AD"]["splits"] == 2
    assert gains["AD"]["std"] == np.std([1.0, -1.0], ddof=1)
