"""Reading a published directory by class name: matching through query normalisation, top-k by rank."""

from __future__ import annotations

import pyarrow as pa
import pytest

from actionhub import publish, schema
from actionhub.queries import QueriesConfig, build_queries
from actionhub.reader import match_classes, top_descriptions
from actionhub.sources import SOURCES, compact


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))


def synthetic_dataset(root):
    """A published directory with SYNTHETIC descriptions of three actions (ranks out of order across shards)."""
    actions = [{"action_id": 0, "action": "apply eye makeup", "key": "apply eye makeup",
                "queries": ["apply eye makeup"], "sources": ["ucf101"],
                "aliases": [{"source": "ucf101", "name": "ApplyEyeMakeup", "query": "apply eye makeup"}]},
               {"action_id": 1, "action": "bench pressing", "key": "bench press", "queries": ["bench pressing"],
                "sources": ["kinetics700"],
                "aliases": [{"source": "kinetics700", "name": "bench pressing", "query": "bench pressing"}]},
               {"action_id": 2, "action": "juggle", "key": "juggle", "queries": ["juggle"], "sources": ["user"],
                "aliases": [{"source": "user", "name": "juggle", "query": "juggle"}]}]
    rows = [(0, 3, "synthetic eyeliner tips"), (0, 1, "synthetic eye makeup tutorial"), (0, 2, "synthetic smoky eye"),
            (1, 2, "synthetic gym bench"), (1, 1, "synthetic man bench pressing"), (2, 1, "synthetic ball cascade")]
    desc = [{"description_id": f"s:{i}:{a}", "action_id": a, "action": actions[a]["action"], "site": "s",
             "asset_id": str(i), "queries": actions[a]["queries"], "description": text, "keywords": None,
             "n_sentences": 1, "relevance": 0.5, "rank": rank} for i, (a, rank, text) in enumerate(rows)]
    sentences = [{"description_id": d["description_id"], "action_id": d["action_id"], "action": d["action"],
                  "sentence_index": 0, "sentence": d["description"]} for d in desc]
    publish.publish({"descriptions": pa.Table.from_pylist(desc, schema=schema.DESCRIPTIONS),
                     "sentences": pa.Table.from_pylist(sentences, schema=schema.SENTENCES),
                     "actions": pa.Table.from_pylist(actions, schema=schema.QUERIES)},
                    root, publish.PublishConfig(rows_per_shard=3))
    return root


def test_top_k_by_rank_across_shards_and_unmatched_reported(tmp_path):
    root = synthetic_dataset(tmp_path / "ds")
    got = top_descriptions(root, ["ApplyEyeMakeup", "bench press", "juggling", "dance"], k=2)
    assert got.descriptions == {"ApplyEyeMakeup": ["synthetic eye makeup tutorial", "synthetic smoky eye"],
                                "bench press": ["synthetic man bench pressing", "synthetic gym bench"],
                                "juggling": ["synthetic ball cascade"], "dance": []}
    assert got.matches.unmatched == ("dance",)
    assert got.matches.summary() == "matched 3/4 classes to ActionHub actions; unmatched: dance"


def test_names_match_by_spelling_blind_alias_name_or_by_dedup_key(tmp_path):
    root = synthetic_dataset(tmp_path / "ds")
    names = ["apply eye-makeup", "APPLY_EYE_MAKEUP", "BenchPress", "bench presses", "juggles (balls)", "bench"]
    matches = top_descriptions(root, names, k=1).matches
    assert matches.action_of == {"apply eye-makeup": 0, "APPLY_EYE_MAKEUP": 0, "BenchPress": 1, "bench presses": 1,
                                 "juggles (balls)": 2}
    assert matches.unmatched == ("bench",)


def test_incomplete_directory_and_bad_k_are_refused(tmp_path):
    with pytest.raises(publish.IncompleteDatasetError, match="actionhub build"):
        top_descriptions(tmp_path, ["a"], k=3)
    root = synthetic_dataset(tmp_path / "ds")
    with pytest.raises(ValueError, match="k must be"):
        top_descriptions(root, ["a"], k=0)


def test_the_reader_reads_what_load_dataset_reads(tmp_path):
    from datasets import load_dataset

    root = synthetic_dataset(tmp_path / "ds")
    rows = load_dataset(str(root), split="train").filter(lambda a, r: a == 1 and r <= 2,
                                                          input_columns=["action_id", "rank"])
    expected = [t for _, t in sorted(zip(rows["rank"], rows["description"], strict=True))]
    assert top_descriptions(root, ["bench pressing"], k=2).descriptions["bench pressing"] == expected


@pytest.fixture(scope="module")
def builds():
    """Query tables of the real class lists: the README's kinetics700,mit,ava build and an all-sources build."""
    return {"k700-mit-ava": build_queries(QueriesConfig(sources="kinetics700,mit,ava"))[0],
            "all": build_queries(QueriesConfig(sources="all"))[0]}


def test_ucf101_labels_find_kinetics_spellings(builds):
    table = builds["k700-mit-ava"]
    matches = match_classes(table, ["BenchPress", "SkyDiving", "PushUps", "HulaHoop"])
    action = dict(zip(table.column("action_id").to_pylist(), table.column("action").to_pylist(), strict=True))
    assert {n: action[a] for n, a in matches.action_of.items()} == {
        "BenchPress": "bench pressing", "SkyDiving": "skydiving", "PushUps": "push up", "HulaHoop": "hula hooping"}


def test_how_many_ucf101_classes_each_build_matches(builds):
    labels = SOURCES["ucf101"].names()
    # Every UCF101 class is an alias of the all-sources build: all 101 match.
    assert match_classes(builds["all"], labels).unmatched == ()
    # Expectation from the all-sources build's own merging: a UCF101 class has an action in the smaller build when
    # its action there also came from kinetics700, mit or ava, or when its label equals one of their class
    # names ignoring case and spacing.
    subset = {"kinetics700", "mit", "ava"}
    other_names = {compact(n) for s in subset for n in SOURCES[s].names()}
    expected = set()
    for aliases, sources in zip(builds["all"].column("aliases").to_pylist(),
                                builds["all"].column("sources").to_pylist(), strict=True):
        for alias in aliases:
            if alias["source"] == "ucf101" and (subset & set(sources) or compact(alias["name"]) in other_names):
                expected.add(alias["name"])
    matches = match_classes(builds["k700-mit-ava"], labels)
    assert set(matches.action_of) == expected
    assert 0 < len(expected) < 101
