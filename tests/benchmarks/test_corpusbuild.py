"""Experiment 2's corpus file and its precision@k against hidden labels, on SYNTHETIC rows."""

import json

import pytest

from benchmarks.activitynet import corpusbuild, data


def _split():
    videos = [data.Video("v1", "Playing drums", ("a",)), data.Video("v2", "Playing drums", ("b",)),
              data.Video("v3", "Bathing dog", ("c",)), data.Video("v4", "Cumbia", ("d",))]
    return data.Split("train", tuple(videos), ())


def _alias(source, name):
    return {"source": source, "name": name, "query": name.lower()}


ACTIONS = [
    {"action_id": 0, "action": "play drum", "aliases": [_alias("activitynet", "Playing drums"),
                                                        _alias("kinetics700", "playing drums")]},
    {"action_id": 1, "action": "bathe dog", "aliases": [_alias("activitynet", "Bathing dog")]},
    {"action_id": 2, "action": "juggle", "aliases": [_alias("ucf101", "Juggling")]},  # not ActivityNet: ignored
]
# action 0 ranks v3 (wrong) first, then v1, v2 (right); action 1 has one right description; action 2 ignored.
DESCRIPTIONS = [
    {"action_id": 0, "asset_id": "v1", "rank": 2}, {"action_id": 0, "asset_id": "v3", "rank": 1},
    {"action_id": 0, "asset_id": "v2", "rank": 3}, {"action_id": 1, "asset_id": "v3", "rank": 1},
    {"action_id": 2, "asset_id": "v4", "rank": 1},
]


def test_corpus_file_has_ids_and_paragraphs_but_no_labels(tmp_path):
    split = data.Split("train", (data.Video("v_a", "Cumbia", ("One.", "Two.")),), ())
    path = corpusbuild.write_corpus(split, tmp_path / "c" / "corpus.jsonl")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows == [{"id": "v_a", "caption": "One. Two."}]
    assert "Cumbia" not in path.read_text()


def test_ranked_hits_follow_rank_order():
    classes_of = corpusbuild.action_classes(ACTIONS)
    assert classes_of == {0: {"Playing drums"}, 1: {"Bathing dog"}}
    label_of = {v.video_id: v.label for v in _split().videos}
    assert corpusbuild.ranked_hits(DESCRIPTIONS, classes_of, label_of) == {0: [False, True, True], 1: [True]}


def test_evaluate_build_counts_and_precision():
    result = corpusbuild.evaluate_build(DESCRIPTIONS, ACTIONS, _split(), ks=(1, 2, 3))
    assert result["actions"] == 2
    assert result["classes_without_action"] == ["Cumbia"]
    assert result["descriptions_per_action"] == {"min": 1, "median": 2.0, "max": 3, "total": 4}
    assert result["precision_at_1"] == pytest.approx((0 + 1) / 2)
    assert result["precision_at_2"] == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert result["precision_at_3"] == pytest.approx((2 / 3 + 1 / 3) / 2)  # action 1 has 1 of 3 slots filled
    # Ceiling: the corpus has 2 drum videos and 1 dog video.
    assert result["ceiling_at_3"] == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert result["ceiling_at_1"] == 1.0


def test_rerank_by_site_uses_the_best_site_rank_over_queries():
    site_rows = [{"action_id": 0, "asset_id": "v1", "rank": 0}, {"action_id": 0, "asset_id": "v3", "rank": 5},
                 {"action_id": 0, "asset_id": "v3", "rank": 2},  # a second query ranked v3 higher
                 {"action_id": 0, "asset_id": "v2", "rank": 1}]
    reranked = corpusbuild.rerank_by_site(DESCRIPTIONS[:3], site_rows)
    assert {r["asset_id"]: r["rank"] for r in reranked} == {"v1": 0, "v2": 1, "v3": 2}
    result = corpusbuild.evaluate_build(reranked, ACTIONS[:1], _split(), ks=(2,))
    assert result["precision_at_2"] == 1.0  # v1, v2 first: both drum videos


def test_an_action_without_descriptions_scores_zero():
    result = corpusbuild.evaluate_build(DESCRIPTIONS[:3], ACTIONS, _split(), ks=(1,))
    assert result["actions_without_descriptions"] == ["Bathing dog"]
    assert result["precision_at_1"] == 0.0  # action 0: v3 (wrong) first; action 1: nothing


def test_site_ranks_are_read_from_a_real_build_of_a_corpus(tmp_path):
    from benchmarks.activitynet import adapters

    videos = [data.Video(f"v{i}", "Playing drums", (f"SYNTHETIC: a man is playing drums, take {i}.",))
              for i in range(3)]
    corpus = corpusbuild.write_corpus(data.Split("train", tuple(videos), ()), tmp_path / "corpus.jsonl")
    adapters.build_from_corpus(corpus, tmp_path / "build", corpusbuild.SOURCE, 5)
    rows = adapters.read_site_ranks(tmp_path / "build")
    assert {r["asset_id"] for r in rows} == {"v0", "v1", "v2"} and all(isinstance(r["rank"], int) for r in rows)
