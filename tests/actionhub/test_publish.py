"""Publishing: round trip through `datasets.load_dataset` for all configurations, atomicity, top-k loading."""

from __future__ import annotations

import pyarrow as pa
import pytest

import actionhub
from actionhub import publish, schema


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))


def tiny_tables() -> dict[str, pa.Table]:
    desc = [{"description_id": f"s:{i}:{a}", "action_id": a, "action": ["run", "swim"][a], "site": "s",
             "asset_id": str(i), "queries": ["run", "running"] if a == 0 else ["swim"],
             "description": f"Text {i}. Second {i}.", "keywords": None if i == 1 else ["k", str(i)],
             "n_sentences": 2, "relevance": 0.1 * i, "rank": r}
            for i, (a, r) in enumerate([(0, 3), (0, 2), (0, 1), (1, 1), (1, 2)])]
    sent = [{"description_id": d["description_id"], "action_id": d["action_id"], "action": d["action"],
             "sentence_index": j, "sentence": d["description"].split(". ")[j]} for d in desc for j in range(2)]
    actions = [{"action_id": a, "action": n, "key": n, "queries": [n], "sources": ["kinetics700", "mit"],
                "aliases": [{"source": "kinetics700", "name": n.title(), "query": n}]}
               for a, n in enumerate(["run", "swim"])]
    return {"descriptions": pa.Table.from_pylist(desc, schema=schema.DESCRIPTIONS),
            "sentences": pa.Table.from_pylist(sent, schema=schema.SENTENCES),
            "actions": pa.Table.from_pylist(actions, schema=schema.QUERIES)}


def test_load_dataset_round_trip_for_every_config(tmp_path):
    from datasets import Features, load_dataset

    tables = tiny_tables()
    counts = publish.publish(tables, tmp_path / "ds", publish.PublishConfig(rows_per_shard=3))
    assert counts == {"descriptions": 5, "sentences": 10, "actions": 2}
    assert len(list((tmp_path / "ds/data/sentences").glob("*.parquet"))) == 4
    default = load_dataset(str(tmp_path / "ds"), split="train")
    assert default.features == Features.from_arrow_schema(schema.DESCRIPTIONS)
    assert default.to_list() == tables["descriptions"].to_pylist()  # shards are read in order
    for name, table_schema in publish.CONFIGS.items():
        ds = load_dataset(str(tmp_path / "ds"), name, split="train")
        assert ds.features == Features.from_arrow_schema(table_schema)
        expected = tables[name].to_pylist()
        key = next(iter(expected[0]))
        got = sorted(ds.to_list(), key=lambda r, k=key: (r[k], r.get("sentence_index", 0)))
        assert got == sorted(expected, key=lambda r, k=key: (r[k], r.get("sentence_index", 0)))


def _card_configs(path):
    import yaml

    return yaml.safe_load((path / "README.md").read_text().split("---")[1])["configs"]


def test_a_dataset_republished_in_place_loads_its_new_rows_through_the_same_cache(tmp_path):
    """datasets keys a local directory's cache by its card, not by file contents or times: a re-scored build with
    the same row counts and byte sizes must still load its new relevance, not the cached old one."""
    from datasets import load_dataset

    first = tiny_tables()
    new = [0.9, 0.8, 0.7, 0.6, 0.5]
    rescored = dict(first, descriptions=first["descriptions"].set_column(
        schema.DESCRIPTIONS.get_field_index("relevance"), "relevance", pa.array(new, pa.float32())))
    publish.publish(first, tmp_path / "ds")
    assert load_dataset(str(tmp_path / "ds"), split="train")["relevance"] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    publish.publish(rescored, tmp_path / "ds")
    assert load_dataset(str(tmp_path / "ds"), split="train")["relevance"] == pytest.approx(new)
    assert actionhub.load(tmp_path / "ds")["relevance"] == pytest.approx(new)
    # The card names the content: equal tables give equal cards, and only the changed config's digest moves.
    publish.publish(first, tmp_path / "one")
    publish.publish(first, tmp_path / "two")
    one, two, after = (_card_configs(tmp_path / d) for d in ("one", "two", "ds"))
    assert one == two and one[0] != after[0] and one[1:] == after[1:]


def test_card_features_read_back_as_the_arrow_schemas(tmp_path):
    import yaml
    from datasets import Features
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    publish.publish(tiny_tables(), tmp_path / "ds")
    meta = yaml.safe_load((tmp_path / "ds/README.md").read_text().split("---")[1])
    infos = DatasetInfosDict.from_dataset_card_data(DatasetCardData(**meta))
    for name, table_schema in publish.CONFIGS.items():
        assert infos[name].features == Features.from_arrow_schema(table_schema)
        assert infos[name].splits["train"].num_examples == tiny_tables()[name].num_rows


def test_card_declares_configs_and_caveats(tmp_path):
    import yaml

    publish.publish(tiny_tables(), tmp_path / "ds", publish.PublishConfig(sources=("kinetics700",)))
    text = (tmp_path / "ds/README.md").read_text()
    meta = yaml.safe_load(text.split("---")[1])
    assert [c["config_name"] for c in meta["configs"]] == ["descriptions", "sentences", "actions"]
    assert meta["configs"][0]["default"] is True
    names = [f["name"] for f in meta["dataset_info"][1]["features"]]
    assert names == schema.SENTENCES.names
    assert "Licence caveats" in text and "kinetics700" in text and "| `sentences` | 10 |" in text


def test_load_top_k_filters_descriptions_and_their_sentences(tmp_path):
    publish.publish(tiny_tables(), tmp_path / "ds")
    top1 = publish.load(tmp_path / "ds", top_k=1)
    assert sorted(top1["description_id"]) == ["s:2:0", "s:3:1"]
    sentences = publish.load(tmp_path / "ds", "sentences", top_k=1)
    assert sorted(set(sentences["description_id"])) == ["s:2:0", "s:3:1"] and len(sentences) == 4
    assert len(publish.load(tmp_path / "ds", "actions")) == 2
    assert actionhub.load(tmp_path / "ds", top_k=1).to_list() == top1.to_list()  # the package-level wrapper


def test_failed_publish_leaves_nothing_complete_looking(tmp_path, monkeypatch):
    tables = tiny_tables()
    publish.publish(tables, tmp_path / "ds")
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "ds").rglob("*"))

    def broken_card(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publish, "card_text", broken_card)
    with pytest.raises(OSError, match="disk full"):
        publish.publish(tables, tmp_path / "ds")
    with pytest.raises(OSError, match="disk full"):
        publish.publish(tables, tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "ds").rglob("*")) == before  # old one intact
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp dir left
    with pytest.raises(publish.IncompleteDatasetError):
        publish.load(tmp_path / "fresh")


def test_republish_replaces_the_old_dataset(tmp_path):
    tables = tiny_tables()
    publish.publish(tables, tmp_path / "ds")
    smaller = {**tables, "descriptions": tables["descriptions"].slice(0, 2)}
    assert publish.publish(smaller, tmp_path / "ds")["descriptions"] == 2
    assert len(publish.load(tmp_path / "ds")) == 2


@pytest.mark.parametrize("rows_per_shard", [1, 3, 4, 100])
def test_publishing_parquet_files_streams_the_same_dataset_as_tables(tmp_path, rows_per_shard):
    import pyarrow.parquet as pq

    tables = tiny_tables()
    files = {}
    for name in ("descriptions", "sentences"):  # the build hands these two over as files
        files[name] = tmp_path / f"{name}.parquet"
        pq.write_table(tables[name], files[name], row_group_size=2)  # row groups unaligned with the shards
    config = publish.PublishConfig(rows_per_shard=rows_per_shard)
    assert publish.publish(tables, tmp_path / "from-tables", config) == \
        publish.publish(files | {"actions": tables["actions"]}, tmp_path / "from-files", config)
    for name in publish.CONFIGS:
        a = sorted((tmp_path / "from-tables/data" / name).glob("*.parquet"))
        b = sorted((tmp_path / "from-files/data" / name).glob("*.parquet"))
        assert [p.name for p in a] == [p.name for p in b]
        assert len(a) == max(1, -(-tables[name].num_rows // rows_per_shard))
        assert [pq.read_table(p).num_rows for p in b][:-1] == [rows_per_shard] * (len(b) - 1)
        assert pa.concat_tables([pq.read_table(p) for p in b]).equals(tables[name])
    # Same shards, same digests, same sizes: the same card.
    assert (tmp_path / "from-tables/README.md").read_text() == (tmp_path / "from-files/README.md").read_text()


def test_an_empty_configuration_gets_one_empty_shard(tmp_path):
    tables = tiny_tables()
    tables["sentences"] = schema.SENTENCES.empty_table()
    counts = publish.publish(tables, tmp_path / "ds")
    assert counts["sentences"] == 0
    assert [p.name for p in (tmp_path / "ds/data/sentences").glob("*.parquet")] == ["train-00000-of-00001.parquet"]
