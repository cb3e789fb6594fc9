"""Relevance: the paper's cosine by hand, vectorized equals naive, ranks, scorers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import regex
from gensim.models import KeyedVectors

from actionhub import relevance, schema
from actionhub.process import PROCESSED
from actionhub.semantic import SemanticConfig


def tiny_vectors() -> KeyedVectors:
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["play", "tennis", "man", "swim", "the"],
                   np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [5, 5, 5]], dtype=np.float32))
    return kv


def cosine(u, v):
    return float(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v))


def test_relevance_equals_hand_computed_cosine():
    vectors = relevance.WordVectors(tiny_vectors(), stop_words={"the"})
    texts = ["The man plays... no: the MAN play tennis!", "zebra xylophone", "man man swim"]
    got = relevance.word_vector_relevance(texts, np.array([0, 0, 1]), {0: "play tennis", 1: "swim"}, vectors)
    action0 = np.array([0.5, 0.5, 0])  # mean(play, tennis)
    # Known non-stop words of text 0: man, man, play, tennis ("plays", "no" are OOV; "the" is a stop word).
    text0 = (2 * np.array([0, 0, 1]) + np.array([1, 0, 0]) + np.array([0, 1, 0])) / 4
    text2 = (2 * np.array([0, 0, 1]) + np.array([1, 1, 1])) / 3
    np.testing.assert_allclose(got, [cosine(text0, action0), 0.0, cosine(text2, [1, 1, 1])], rtol=1e-6)


def naive_relevance(kv: KeyedVectors, texts: list[str], action_ids, actions, stop) -> np.ndarray:
    """One description at a time, with gensim lookups: the reference for the vectorized scorer."""
    def mean(text):
        words = [w for w in regex.split(r"[^\p{L}\p{N}]+", text.lower()) if w and w not in stop and w in kv]
        return np.mean([kv[w] for w in words], axis=0) if words else None

    out = []
    for text, a in zip(texts, action_ids, strict=True):
        u, v = mean(text), mean(actions[a])
        out.append(0.0 if u is None or v is None else cosine(u, v))
    return np.array(out)


def test_vectorized_equals_naive_loop_on_random_text():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(200)]
    kv = KeyedVectors(vector_size=8)
    kv.add_vectors(words[:150], rng.normal(size=(150, 8)).astype(np.float32))  # w150.. are OOV
    seps = [" ", ", ", ". ", "-", "  ", "! "]

    def word() -> str:
        w = str(rng.choice(words))
        return w.upper() if rng.random() < 0.2 else w

    texts = ["".join(word() + str(rng.choice(seps)) for _ in range(rng.integers(0, 30))) for _ in range(300)]
    actions = {3: "w1 w2", 5: "w10", 9: "w160 w170"}  # the last has no known word
    action_ids = rng.choice(list(actions), size=len(texts))
    stop = {"w3", "w4"}
    got = relevance.word_vector_relevance(pa.array(texts), action_ids, actions, relevance.WordVectors(kv, stop))
    np.testing.assert_allclose(got, naive_relevance(kv, texts, action_ids, actions, stop), atol=1e-5)
    assert np.all(got[action_ids == 9] == 0.0)


def test_ranks_within_each_action():
    action_ids = np.array([1, 0, 1, 0, 1, 0])
    scores = np.array([0.2, 0.9, 0.7, 0.1, 0.2, 0.5])
    tie = np.array([5, 0, 1, 2, 3, 4])  # the two 0.2 of action 1 tie: the smaller tie_break ranks first
    np.testing.assert_array_equal(relevance.ranks(action_ids, scores, tie), [3, 1, 1, 3, 2, 2])


def processed_table() -> pa.Table:
    texts = ["A man plays tennis on a clay court.", "Kids swim in the lake.", "Tennis player serves the ball.",
             "A swimmer dives into a pool.", "Sunset over the city skyline."]
    rows = [{"description_id": f"s:{i}:{a}", "action_id": a, "action": ["play tennis", "swim"][a], "site": "s",
             "asset_id": str(i), "queries": ["q"], "description": t, "keywords": None, "n_sentences": 1,
             "site_rank": i}  # the site's order agrees with the topic: the off-topic text comes last
            for i, (t, a) in enumerate(zip(texts, [0, 1, 0, 1, 0], strict=True))]
    return pa.Table.from_pylist(rows, schema=PROCESSED)


@pytest.mark.parametrize("name", sorted(relevance.SCORERS))
def test_every_scorer_ranks_on_topic_text_first(name):
    scored = relevance.score(processed_table(), relevance.SCORERS[name](), {0: "play tennis", 1: "swim"})
    assert scored.schema.equals(schema.DESCRIPTIONS)
    rows = scored.to_pylist()
    assert all(-1.0001 <= r["relevance"] <= 1.0001 for r in rows)
    off_topic = next(r for r in rows if r["description"].startswith("Sunset"))
    assert off_topic["rank"] == 3  # last of the three "play tennis" descriptions
    assert sorted(r["rank"] for r in rows if r["action_id"] == 1) == [1, 2]


def test_chunked_mean_vectors_equal_one_pass():
    vectors = relevance.WordVectors(tiny_vectors())
    texts = pa.array(["man", "play tennis", None, "zebra", "swim the man", "tennis tennis man"] * 5)
    whole = relevance.unit_rows(vectors.mean_vectors(texts)[0])
    np.testing.assert_allclose(vectors.unit_mean_vectors(texts, chunk_rows=4), whole, rtol=1e-6)


def test_fusion_is_reciprocal_rank_fusion_written_out():
    action_ids = np.array([0, 0, 0, 1, 1])
    semantic = np.array([0.9, 0.1, 0.5, 0.2, 0.3])  # semantic ranks: 1, 3, 2 | 2, 1
    site = relevance.site_ranks(action_ids, pa.array([2, 0, None, 7, 3], pa.int32()))  # 2, 1, none | 2, 1
    np.testing.assert_array_equal(site, [2, 1, np.inf, 2, 1])
    w, k = 0.3, 10.0
    expected = [w / (k + 1) + (1 - w) / (k + 2), w / (k + 3) + (1 - w) / (k + 1), w / (k + 2),
                w / (k + 2) + (1 - w) / (k + 2), w / (k + 1) + (1 - w) / (k + 1)]
    np.testing.assert_allclose(relevance.fused_relevance(action_ids, semantic, site, w, k), expected, rtol=1e-6)


def test_fusion_weight_moves_the_order_between_site_and_semantic():
    table = processed_table()
    table = table.set_column(table.schema.get_field_index("site_rank"), "site_rank",
                             pa.array([0, 0, 1, 1, -5], pa.int32()))  # the site puts the off-topic text first
    actions = {0: "play tennis", 1: "swim"}

    embed = relevance.WordVectors(tiny_vectors()).unit_mean_vectors

    def top(weight: float) -> str:
        constants = relevance.FusionConstants(weight, 30.0, SemanticConfig(feedback=0))
        scored = relevance.score(table, relevance.fusion_scorer(embed, constants), actions).to_pylist()
        return next(r["description"] for r in scored if r["action_id"] == 0 and r["rank"] == 1)

    assert top(0.0).startswith("Sunset")  # the site's order alone
    assert not top(1.0).startswith("Sunset")  # the semantic order alone
    with pytest.raises(ValueError, match="weight"):
        relevance.FusionConstants(1.5, 30.0, SemanticConfig())


def test_default_scorer_is_registered_and_every_scorer_has_card_text():
    from actionhub.pipeline import BuildConfig
    from actionhub.publish import PublishConfig

    assert relevance.DEFAULT_SCORER in relevance.SCORERS
    # The build and the card default to the registry's default (their modules avoid importing relevance).
    assert BuildConfig.__dataclass_fields__["scorer"].default == relevance.DEFAULT_SCORER
    assert PublishConfig.__dataclass_fields__["scorer"].default == relevance.DEFAULT_SCORER
    assert BuildConfig.__dataclass_fields__["encoder_precision"].default == relevance.DEFAULT_ENCODER_PRECISION
    assert set(relevance.CARD_TEXT) == set(relevance.SCORERS)
