"""issue 14, items 1-7: the harvester against a hostile site (the emulator's hostile faults, on 127.0.0.1).

Every test compares ids in with ids out: after the run (plus at most one ``--retry-failed``), every good
item the site served is in the shards exactly once, every bad item is a failure row with its reason, and
nothing else is there. The expectation comes from the emulator's SYNTHETIC ranking, not from the harvester.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

from actionhub.harvest.emulator import EmulatorConfig, Faults
from actionhub.harvest.hostile import ITEM_FAULT_REASON, giant_text, item_fault, markup_text
from actionhub.harvest.run import harvest
from actionhub.harvest.sample import search_results
from actionhub.process import ProcessConfig, process
from actionhub.process.shards import done_shards, read_shards

ROOT = Path(__file__).resolve().parents[3]
ACTIONS = {0: ["play tennis"], 1: ["cook pasta", "cooking pasta"]}


def read_raw(out_dir):
    """Every finished task's rows under ``out_dir`` (the process stage's reader), schema RAW."""
    return read_shards(done_shards(Path(out_dir)), Path(out_dir))[0]


def served(query: str, bad_every: int = 0) -> tuple[list[str], list[tuple[str | None, str]]]:
    """What the emulator serves for ``query`` (API, people filter on): good ids in order, and (id, reason) of
    the bad items (id None where the fault removed it)."""
    good, bad = [], []
    people = [v for v in search_results(0, query, 45) if v.people > 0]
    for i, video in enumerate(people):
        fault = item_fault(i, bad_every)
        if fault is None:
            good.append(video.asset_id)
        else:
            bad.append((None if fault in ("missing_id", "not_object") else video.asset_id, ITEM_FAULT_REASON[fault]))
    return list(dict.fromkeys(good)), bad


def rows_by_query(out: Path) -> tuple[dict, dict]:
    """(query -> ok asset ids in order, query -> sorted (asset id, status) of failure rows)."""
    raw = read_raw(out).to_pylist()
    ok, failed = {}, {}
    for r in raw:
        if r["status"] == "ok":
            ok.setdefault(r["query"], []).append(r["asset_id"])
        else:
            failed.setdefault(r["query"], []).append((r["asset_id"], r["status"]))
    return ok, {q: sorted(v, key=str) for q, v in failed.items()}


def queries_of(actions: dict) -> list[str]:
    return [q for qs in actions.values() for q in qs]


def test_bad_utf8_and_missing_fields_cost_one_item_not_the_query(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(faults=Faults(bad_item_every=3)))
    summary = harvest(fast_config(emu.url), make_queries(ACTIONS), tmp_path)
    assert summary.failed == 0, summary.format()
    ok, failed = rows_by_query(tmp_path)
    for query in queries_of(ACTIONS):
        good, bad = served(query, 3)
        assert ok[query] == good  # every later page was fetched: nothing after a bad item is lost
        assert failed[query] == sorted(bad, key=str)
        assert {"bad_utf8", "missing_field"} <= {reason for _, reason in bad}
    rows = read_raw(tmp_path).to_pylist()
    bad_utf8 = [r for r in rows if r["status"] == "bad_utf8"]
    assert bad_utf8 and all(r["page"] and r["asset_id"] and "UTF-8" in r["error"] for r in bad_utf8)
    assert summary.rejected["missing_field"] > 0 and "rejected items" in summary.format()


def test_wrong_types_are_failures_never_strings(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(faults=Faults(bad_item_every=2)))
    harvest(fast_config(emu.url), make_queries(ACTIONS), tmp_path)
    rows = read_raw(tmp_path).to_pylist()
    texts = {r["description"] for r in rows if r["status"] == "ok"}
    assert not texts & {"None", "12345", "['a', 'b']", "null"}
    wrong = Counter(r["error"].split(": ", 1)[1] for r in rows if r["status"] == "wrong_type")
    assert wrong.keys() >= {"description is null, expected text", "description is int, expected text",
                            "description is list, expected text", "item is list, expected an object"}
    ok, failed = rows_by_query(tmp_path)
    for query in queries_of(ACTIONS):
        good, bad = served(query, 2)
        assert ok[query] == good and failed[query] == sorted(bad, key=str)


def test_a_gzip_bomb_is_refused_without_growing_memory(tmp_path):
    # In a fresh interpreter, so that peak RSS (ru_maxrss) measures this harvest alone.
    script = textwrap.dedent(f"""
        import json, resource, sys
        from pathlib import Path
        import pyarrow as pa
        from actionhub import schema
        from actionhub.harvest.config import HarvestConfig
        from actionhub.harvest.emulator import Emulator, EmulatorConfig, Faults
        from actionhub.harvest.hostile import gzip_bomb
        from actionhub.harvest.run import harvest
        from actionhub.process.shards import done_shards, read_shards
        bomb = 256 << 20
        gzip_bomb(bomb)  # built (and cached) before measuring: the server side is not under test
        queries = pa.Table.from_pylist([{{"action_id": i, "action": q, "key": q, "queries": [q], "aliases": [],
                                         "sources": ["user"]}} for i, q in enumerate(["warm up", "surf"])],
                                       schema=schema.QUERIES)
        config = HarvestConfig.from_options(per_page=10, max_pages=2, rate=0, concurrency=1, max_retries=0,
                                            max_decoded_bytes=1_000_000, progress=False)
        with Emulator(EmulatorConfig()) as clean:  # imports, pools and parsers warm before the baseline
            harvest(config.with_options(base_url=clean.url), queries.slice(0, 1), "{tmp_path}/warm")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with Emulator(EmulatorConfig(faults=Faults(bomb_every=1, bomb_bytes=bomb))) as emu:
            summary = harvest(config.with_options(base_url=emu.url), queries.slice(1), "{tmp_path}/bomb")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        bomb_dir = Path("{tmp_path}/bomb")
        rows = read_shards(done_shards(bomb_dir), bomb_dir)[0].to_pylist()
        print(json.dumps({{"growth_kb": after - before, "statuses": [r["status"] for r in rows],
                          "errors": [r["error"] for r in rows], "failed": summary.failed}}))
    """)
    env = {"PYTHONPATH": f"{ROOT}/packages/actionhub/src", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["statuses"] == ["too_large"] and result["failed"] == 1
    assert "max_decoded_bytes" in result["errors"][0]
    print(f"peak RSS growth for a 256 MB gzip,gzip bomb: {result['growth_kb']} KB")
    assert result["growth_kb"] < 5 * 1024  # a 256 MB bomb, a 1 MB cap: a few MB at most


def test_slowloris_ends_within_the_deadline(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(faults=Faults(slowloris_every=1, slowloris_interval=0.1)))
    config = fast_config(emu.url, request_deadline=0.8, timeout=2.0, max_retries=1)
    started = time.monotonic()
    summary = harvest(config, make_queries({0: ["surf"]}), tmp_path)
    elapsed = time.monotonic() - started
    # Two attempts of 0.8 s, tiny backoffs: each byte comes every 0.1 s, so per-read timeouts never fire.
    assert elapsed < 2 * 0.8 + 3.0, elapsed  # deadline x attempts + slack (unbounded without the deadline)
    assert summary.failures == {"timeout": 1} and summary.retries == {"timeout": 1}
    assert "deadline" in read_raw(tmp_path).column("error")[0].as_py()


def test_a_slowloris_response_is_retried_within_the_run(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(faults=Faults(slowloris_every=3, slowloris_interval=0.1)))
    summary = harvest(fast_config(emu.url, request_deadline=0.5), make_queries(ACTIONS), tmp_path)
    assert summary.failed == 0 and summary.retries["timeout"] > 0
    ok, failed = rows_by_query(tmp_path)
    assert failed == {} and all(ok[q] == served(q)[0] for q in queries_of(ACTIONS))


def test_cut_bodies_invalid_json_and_html_pages_are_retried_within_the_run(emulator, fast_config, make_queries,
                                                                          tmp_path):
    faults = Faults(cut_every=3, invalid_json_every=4, html_every=5)
    emu = emulator(EmulatorConfig(faults=faults))
    summary = harvest(fast_config(emu.url), make_queries(ACTIONS), tmp_path)
    assert summary.failed == 0, summary.format()
    assert summary.retries["parse_error"] >= 3  # no --retry-failed needed
    ok, failed = rows_by_query(tmp_path)
    assert failed == {} and all(ok[q] == served(q)[0] for q in queries_of(ACTIONS))


def test_broken_bodies_every_time_fail_the_task_and_retry_failed_recovers_it(emulator, fast_config, make_queries,
                                                                             tmp_path):
    down = emulator(EmulatorConfig(faults=Faults(html_every=1)))
    first = harvest(fast_config(down.url, max_retries=2), make_queries(ACTIONS), tmp_path)
    assert first.failures == {"parse_error": 3} and first.retries == {"parse_error": 6}
    up = emulator()
    again = harvest(fast_config(up.url, retry_failed=True), make_queries(ACTIONS), tmp_path)
    assert again.done == 3
    ok, failed = rows_by_query(tmp_path)
    assert failed == {} and all(ok[q] == served(q)[0] for q in queries_of(ACTIONS))


def test_duplicate_ids_with_other_text_keep_the_first_and_are_counted(emulator, fast_config, make_queries,
                                                                      tmp_path):
    emu = emulator(EmulatorConfig(faults=Faults(conflicting_repeats=3)))
    config = fast_config(emu.url)
    summary = harvest(config, make_queries(ACTIONS), tmp_path)
    rows = [r for r in read_raw(tmp_path).to_pylist() if r["status"] == "ok"]
    assert not any(r["description"].endswith("Seen again with another text.") for r in rows)
    ok, _ = rows_by_query(tmp_path)
    pages = 0
    for query in queries_of(ACTIONS):
        good = served(query)[0]
        assert ok[query] == good
        pages += -(-len(good) // config.limits.per_page)
    repeated = 3 * (pages - len(queries_of(ACTIONS)))  # every page but the first repeats 3 items
    assert summary.repeats == summary.conflicts == repeated
    assert f"repeated item ids dropped (first kept): {repeated}, {repeated} of them with a different text" \
        in summary.format()


def test_item_faults_are_counted_per_task_in_the_stats_file(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(faults=Faults(bad_item_every=3)))
    harvest(fast_config(emu.url), make_queries({0: ["surf"]}), tmp_path)
    stats = json.loads(next((tmp_path / "stats").rglob("*.json")).read_text())
    _, bad = served("surf", 3)
    assert stats["status"] == "ok" and stats["rejected"] == dict(Counter(reason for _, reason in bad))


def test_markup_and_giant_texts_from_a_site_never_reach_the_dataset(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(faults=Faults(markup_every=3, giant_every=4)))
    queries = make_queries({0: ["play tennis"]})
    harvest(fast_config(emu.url), queries, tmp_path)
    people = [v for v in search_results(0, "play tennis", 45) if v.people > 0]
    raw = read_raw(tmp_path).to_pylist()
    assert [r["asset_id"] for r in raw] == [v.asset_id for v in people]  # ids in == ids out (harvest)
    assert sum("<script>" in r["description"] for r in raw) > 0 and max(len(r["description"]) for r in raw) > 99_999
    descriptions, sentences, report = process(tmp_path, queries, ProcessConfig(near_dedup=False, max_chars=500))
    texts = descriptions["description"].to_pylist()
    assert not any("<" in t or "alert" in t or "color: red" in t or "&amp;" in t for t in texts)
    assert max(map(len, texts)) <= 500 and all(t.endswith(".") for t in texts if len(t) > 300)  # whole sentences
    assert not any("<" in s for s in sentences["sentence"].to_pylist())
    assert report.markup_stripped >= len(people) // 3 and report.truncated >= len(people) // 4
    # The giant texts are one sentence repeated: exact duplicates of nothing, cut to whole sentences.
    assert sorted(descriptions["asset_id"].to_pylist()) == sorted({v.asset_id for v in people}
                                                                  - _exact_dup_losers(people))
    assert markup_text("x").count("<") > 2 and len(giant_text("y.")) >= 100_000


def _exact_dup_losers(people) -> set[str]:
    """Assets whose normalized text equals an earlier one's (the generic clips repeat their templates)."""
    seen, losers = set(), set()
    for v in people:
        key = v.description.lower()
        if key in seen:
            losers.add(v.asset_id)
        seen.add(key)
    return losers


def test_search_pages_reject_bad_items_one_by_one():
    from bs4 import BeautifulSoup

    from actionhub.harvest.sites.shutterstock_web import parse_embedded_json, parse_html

    data = {"assets": [{"id": "1", "description": "A man surfing."}, {"id": "2", "description": None},
                       {"id": "3"}, {"id": "4", "description": "Dog running.", "keywords": "not a list"},
                       {"id": "5", "description": "Caf\udce9 latin-1"}]}
    soup = BeautifulSoup(f'<script type="application/json">{json.dumps(data)}</script>', "html.parser")
    page = parse_embedded_json(soup, 1)
    assert [i.asset_id for i in page.items] == ["1"]
    assert [(r.asset_id, r.kind) for r in page.rejected] == [("2", "wrong_type"), ("3", "missing_field"),
                                                            ("4", "wrong_type"), ("5", "bad_utf8")]
    cards = BeautifulSoup('<div data-asset-id="7"><p itemprop="description">Girl dancing.</p></div>'
                          '<div data-asset-id="8"><p>no description here</p></div>', "html.parser")
    page = parse_html(cards)
    assert [i.asset_id for i in page.items] == ["7"] and [(r.asset_id, r.kind) for r in page.rejected] == [
        ("8", "missing_field")]
