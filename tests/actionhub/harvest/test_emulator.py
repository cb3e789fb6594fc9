"""The emulator's synthetic sample data and its API format, checked by hand-made expectations."""

from __future__ import annotations

import httpx

from actionhub.harvest import emulator as emulator_module
from actionhub.harvest import sample
from actionhub.harvest.emulator import EmulatorConfig, Faults


def test_sample_data_is_deterministic_labelled_synthetic_and_mentions_the_query():
    assert "SYNTHETIC SAMPLE DATA" in sample.__doc__ and "SYNTHETIC SAMPLE DATA" in emulator_module.__doc__
    a, b = sample.search_results(3, "juggling balls", 30), sample.search_results(3, "juggling balls", 30)
    assert a == b and a != sample.search_results(4, "juggling balls", 30)
    with_people = [v for v in a if v.people > 0]
    assert 0 < len(with_people) < len(a)  # some clips show nobody: people filters have work to do
    own = [v for v in with_people if "crowd" not in v.keywords]
    assert own and all("juggling balls" in v.description for v in own)
    assert len({v.asset_id for v in a}) == len(a)


def test_generic_clips_recur_across_queries_with_one_description():
    tennis = {v.asset_id: v.description for v in sample.search_results(0, "play tennis", 45)}
    pasta = {v.asset_id: v.description for v in sample.search_results(0, "cook pasta", 45)}
    shared = tennis.keys() & pasta.keys()
    assert shared and all(tennis[k] == pasta[k] for k in shared)


def test_api_pages_follow_the_shutterstock_format(emulator):
    emu = emulator(EmulatorConfig(auth=("id", "pw"), faults=Faults(repeat_across_pages=3)))
    params = {"query": "surf", "per_page": 10, "view": "full", "people_model_released": "true"}
    assert httpx.get(f"{emu.url}/v2/videos/search", params=params).status_code == 401
    pages = [httpx.get(f"{emu.url}/v2/videos/search", params={**params, "page": p}, auth=("id", "pw")).json()
             for p in (1, 2)]
    expected = [v.asset_id for v in sample.search_results(0, "surf", 45) if v.people > 0]
    assert pages[0]["total_count"] == len(expected)
    assert [d["id"] for d in pages[0]["data"]] == expected[:10]
    assert [d["id"] for d in pages[1]["data"]] == expected[7:20]  # 3 repeated from page 1, then page 2
    first = pages[0]["data"][0]
    assert first["has_model_release"] is True and first["keywords"] and len(first["models"]) >= 1
