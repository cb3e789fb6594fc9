"""Calibrated semantic relevance with feedback, against loops written from the formulas in actionhub.semantic."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actionhub.semantic import SemanticConfig, relevance_matrix, semantic_relevance


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def random_world(n: int = 60, actions: int = 5, d: int = 8, seed: int = 0):
    """SYNTHETIC embeddings: n unit texts, A unit action names, each text with an own action."""
    rng = np.random.default_rng(seed)
    return (unit(rng.normal(size=(n, d))).astype(np.float32), rng.integers(0, actions, n),
            unit(rng.normal(size=(actions, d))).astype(np.float32))


def loop_reference(text_emb, own, action_emb, config: SemanticConfig) -> np.ndarray:
    """One text at a time: c = s/T - log sum exp(s'/T); then + beta/T * cos(x, unit mean of the group's top m)."""
    t = config.temperature
    first = []
    for x, a in zip(text_emb, own, strict=True):
        sims = [float(np.dot(x, q)) for q in action_emb]
        first.append(sims[a] / t - math.log(sum(math.exp(s / t) for s in sims)))
    out = list(first)
    if config.feedback and config.feedback_weight:
        for a in set(own.tolist()):
            members = [i for i in range(len(own)) if own[i] == a]
            best = sorted(members, key=lambda i: -first[i])[:config.feedback]
            mean = np.mean([text_emb[i] for i in best], axis=0)
            mean = mean / np.linalg.norm(mean)
            for i in members:
                out[i] += config.feedback_weight / t * float(np.dot(text_emb[i], mean))
    return np.array(out)


@pytest.mark.parametrize("config", [SemanticConfig(), SemanticConfig(temperature=0.2, feedback=3, feedback_weight=2.0),
                                    SemanticConfig(feedback=0), SemanticConfig(feedback=1000)])
def test_semantic_relevance_equals_the_formula_written_as_loops(config):
    text_emb, own, action_emb = random_world()
    got = semantic_relevance(text_emb, own, action_emb, config)
    np.testing.assert_allclose(got, loop_reference(text_emb, own, action_emb, config), rtol=1e-4, atol=1e-3)


def test_blocks_do_not_change_the_result():
    from actionhub.semantic import calibrated

    text_emb, own, action_emb = random_world(n=50)
    whole = calibrated(text_emb, own, action_emb, 0.05)
    np.testing.assert_allclose(calibrated(text_emb, own, action_emb, 0.05, block_rows=7), whole, rtol=1e-6)


def test_relevance_matrix_equals_scoring_every_text_for_every_action():
    text_emb, _, action_emb = random_world(n=40, actions=4)
    config = SemanticConfig(temperature=0.1, feedback=5, feedback_weight=1.0)
    matrix = relevance_matrix(text_emb, action_emb, config)  # (A, n)
    a, t = np.meshgrid(np.arange(4), np.arange(40), indexing="ij")  # the table of all (action, text) pairs
    pairs = semantic_relevance(text_emb[t.ravel()], a.ravel(), action_emb, config).reshape(4, 40)
    np.testing.assert_allclose(matrix, pairs, rtol=1e-5, atol=1e-4)


def test_calibration_demotes_a_text_close_to_every_action():
    # SYNTHETIC: action 0 = e0, action 1 = e1. A generic text sits between them (cosine 0.7 to both); a specific
    # text is nearer to action 0 alone (cosine 0.6 to it, 0 to action 1). The raw cosine prefers the generic text
    # for action 0, the calibrated score the specific one.
    e = np.eye(3, dtype=np.float32)
    generic = unit(np.array([1.0, 1.0, 0.2], dtype=np.float32))
    specific = unit(np.array([0.6, 0.0, 0.8], dtype=np.float32))
    texts, own, names = np.stack([generic, specific]), np.array([0, 0]), e[:2]
    assert texts[0] @ names[0] > texts[1] @ names[0]
    scores = semantic_relevance(texts, own, names, SemanticConfig(temperature=0.1, feedback=0))
    assert scores[1] > scores[0]


def test_feedback_pulls_up_a_text_like_the_actions_top_descriptions():
    # SYNTHETIC: three texts of action 0 share direction e2 and score best; a fourth shares it with a low first
    # score; a fifth, slightly above the fourth at first, does not share it. Feedback reorders the last two.
    e = np.eye(4, dtype=np.float32)
    texts = unit(np.array([[0.9, 0, 0.4, 0], [0.9, 0, 0.45, 0], [0.85, 0, 0.5, 0],
                           [0.3, 0, 0.95, 0], [0.32, 0, 0, 0.95]], dtype=np.float32))
    own, names = np.zeros(5, dtype=np.int64), e[:2]
    plain = semantic_relevance(texts, own, names, SemanticConfig(feedback=0))
    fed = semantic_relevance(texts, own, names, SemanticConfig(feedback=3, feedback_weight=1.0))
    assert plain[4] > plain[3] and fed[3] > fed[4]


@pytest.mark.parametrize("bad", [dict(temperature=0), dict(feedback=-1), dict(feedback_weight=-0.5)])
def test_config_rejects_impossible_values(bad):
    with pytest.raises(ValueError):
        SemanticConfig(**bad)
