"""Every site adapter in the registry, then each site's own rules (people filter, page layouts, BM25)."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from actionhub.harvest.emulator import EmulatorConfig, Faults
from actionhub.harvest.errors import AuthError, ParseError
from actionhub.harvest.http import PoliteClient
from actionhub.harvest.run import harvest
from actionhub.harvest.sample import search_results
from actionhub.harvest.sites import SITES
from actionhub.harvest.sites.corpus import load_index
from actionhub.process.shards import done_shards, read_shards

# A hand-made caption corpus: for "playing tennis", row t1 is the obvious best hit.
CAPTIONS = [
    {"id": "c1", "caption": "A man is cooking pasta in a kitchen."},
    {"id": "t1", "caption": "A young woman playing tennis on a clay court, swinging her racket."},
    {"id": "t2", "caption": "Tennis balls lying in a basket."},
    {"id": "f1", "caption": "Children playing football in a park."},
    {"id": "s1", "caption": "A dog sleeping on a sofa."},
]


def read_raw(out_dir):
    """Every finished task's rows under ``out_dir`` (the process stage's reader), schema RAW."""
    return read_shards(done_shards(out_dir), out_dir)[0]


def _corpus_file(tmp_path, suffix=".csv"):
    path = tmp_path / f"captions{suffix}"
    table = pa.Table.from_pylist(CAPTIONS)
    if suffix == ".csv":
        path.write_text("id,caption\n" + "".join(f'{r["id"]},"{r["caption"]}"\n' for r in CAPTIONS))
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in CAPTIONS))
    else:
        pq.write_table(table, path)
    return path


def _with_people(query):
    return [v.asset_id for v in search_results(0, query, 45) if v.people > 0]


# For each registered site: how to stand it up locally, and the ids it must return for "playing tennis".
SETUPS = {
    "shutterstock": lambda emulator, tmp: (emulator().url, {}, _with_people("playing tennis")),
    "shutterstock-web": lambda emulator, tmp: (emulator().url, {"allow_web": True},
                                               [v.asset_id for v in search_results(0, "playing tennis", 45)]),
    "corpus": lambda emulator, tmp: (str(_corpus_file(tmp)), {}, ["t1", "t2", "f1"]),
}


def test_every_site_has_a_local_setup():
    assert set(SETUPS) == set(SITES)


@pytest.mark.parametrize("name", sorted(SITES))
def test_site_returns_its_ranking_page_by_page(name, emulator, fast_config, tmp_path):
    base_url, changes, expected = SETUPS[name](emulator, tmp_path)
    config = fast_config(base_url, site=name, per_page=2 if name == "corpus" else 10, **changes)
    site = SITES[name](base_url, PoliteClient(config), config)
    assert site.name == name
    ids, page, more = [], 1, True
    while more:
        result = site.search("playing tennis", page)
        assert all(item.description for item in result.items)
        ids += [item.asset_id for item in result.items]
        more, page = result.has_more, page + 1
    assert ids == expected


@pytest.mark.parametrize("ignore", [False, True])
def test_shutterstock_keeps_only_videos_with_people(emulator, fast_config, ignore):
    emu = emulator(EmulatorConfig(faults=Faults(ignore_people_filter=ignore)))
    config = fast_config(emu.url, per_page=50)
    page = SITES["shutterstock"](emu.url, PoliteClient(config), config).search("juggling", 1)
    # Whether the server applies the filter or not, the item-level check leaves the same clips.
    assert [i.asset_id for i in page.items] == _with_people("juggling")
    assert emu.log[-1][1]["people_model_released"] == "true"


def test_shutterstock_exact_people_number(emulator, fast_config):
    emu = emulator()
    config = fast_config(emu.url, per_page=50, people_number=2)
    page = SITES["shutterstock"](emu.url, PoliteClient(config), config).search("juggling", 1)
    people = {v.asset_id: v.people for v in search_results(0, "juggling", 45)}
    assert page.items and {people[i.asset_id] for i in page.items} == {2}
    assert emu.log[-1][1]["people_number"] == "2" and "people_model_released" not in emu.log[-1][1]


def test_shutterstock_without_credentials_against_the_real_api_stops_early(fast_config):
    config = fast_config("")
    with pytest.raises(AuthError, match="SHUTTERSTOCK_CLIENT_ID"):
        SITES["shutterstock"]("", PoliteClient(config), config)


def test_web_is_opt_in(fast_config):
    config = fast_config("http://127.0.0.1:9")
    with pytest.raises(ValueError, match="opt-in"):
        SITES["shutterstock-web"](config.access.base_url, PoliteClient(config), config)


def test_web_json_and_html_layouts_give_the_same_items(emulator, fast_config):
    pages = {}
    for layout in ("json", "html"):
        emu = emulator(EmulatorConfig(web_layout=layout))
        config = fast_config(emu.url, allow_web=True)
        site = SITES["shutterstock-web"](emu.url, PoliteClient(config), config)
        pages[layout] = [site.search("rock climbing", p) for p in (1, 3)]
    # The HTML cards carry no keywords; ids, descriptions, order and paging must agree.
    for json_page, html_page in zip(pages["json"], pages["html"], strict=True):
        assert [(i.asset_id, i.description) for i in json_page.items] == \
            [(i.asset_id, i.description) for i in html_page.items]
        assert json_page.has_more == html_page.has_more
    assert pages["json"][0].has_more and not pages["json"][1].has_more
    assert len(pages["json"][0].items) == 20 and pages["json"][0].items[0].keywords


def test_web_changed_layout_is_a_parse_error_row(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(web_layout="changed"))
    config = fast_config(emu.url, allow_web=True, site="shutterstock-web")
    site = SITES["shutterstock-web"](emu.url, PoliteClient(config), config)
    with pytest.raises(ParseError, match="layout changed"):
        site.search("surfing", 1)
    summary = harvest(config, make_queries({0: ["surfing"], 1: ["rowing"]}), tmp_path)
    assert summary.failures == {"parse_error": 2}
    raw = read_raw(tmp_path)
    assert raw.column("status").to_pylist() == ["parse_error", "parse_error"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_corpus_ranks_the_obvious_caption_first(tmp_path, fast_config, suffix):
    path = _corpus_file(tmp_path, suffix)
    config = fast_config(str(path), site="corpus")
    site = SITES["corpus"](str(path), None, config)
    assert [i.asset_id for i in site.search("play tennis", 1).items][:2] == ["t1", "t2"]
    assert [i.asset_id for i in site.search("cooking", 1).items] == ["c1"]
    assert site.search("quantum chromodynamics", 1).items == ()


def test_corpus_is_indexed_once(tmp_path):
    path = _corpus_file(tmp_path)
    assert load_index(path, "caption") is load_index(path, "caption")
    with pytest.raises(ValueError, match="no column 'text'"):
        load_index(path, "text")
