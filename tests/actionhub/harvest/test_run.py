"""harvest() end to end against the emulator: faults, resume after SIGKILL, credentials, summary."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from actionhub import cli
from actionhub.harvest.emulator import EmulatorConfig, Faults
from actionhub.harvest.errors import AuthError
from actionhub.harvest.run import harvest
from actionhub.harvest.sample import search_results
from actionhub.process.shards import done_shards, read_shards

ROOT = Path(__file__).resolve().parents[3]
ACTIONS = {0: ["play tennis", "playing tennis"], 1: ["cook pasta"], 2: ["ride a bike", "cycling"], 3: ["surf"]}
RECORD = ["action_id", "query", "site", "asset_id", "description", "page", "rank", "status"]


def read_raw(out_dir):
    """Every finished task's rows under ``out_dir`` (the process stage's reader), schema RAW."""
    return read_shards(done_shards(out_dir), out_dir)[0]


def records(out_dir: Path) -> list[tuple]:
    """Every row of the finished shards, without the fetch time (which differs between runs)."""
    raw = read_raw(out_dir)
    cols = [raw.column(c).to_pylist() for c in RECORD] + [[tuple(k or ()) for k in raw.column("keywords").to_pylist()]]
    return list(zip(*cols, strict=True))


def expected_ids(query: str) -> list[str]:
    """What the emulator must yield for a query: its clips with people, each once, in order."""
    return list(dict.fromkeys(v.asset_id for v in search_results(0, query, 45) if v.people > 0))


def test_clean_run_yields_the_emulators_ranking(emulator, fast_config, make_queries, tmp_path):
    emu = emulator()
    summary = harvest(fast_config(emu.url), make_queries(ACTIONS), tmp_path)
    assert (summary.tasks, summary.done, summary.failed) == (6, 6, 0)
    raw = read_raw(tmp_path)
    for action_id, queries in ACTIONS.items():
        for q in queries:
            got = [a for a, qq, aid in zip(raw["asset_id"].to_pylist(), raw["query"].to_pylist(),
                                           raw["action_id"].to_pylist(), strict=True) if qq == q and aid == action_id]
            assert got == expected_ids(q), q
    assert summary.items == raw.num_rows
    assert "6 done, 0 failed" in summary.format()


FAULTS = {
    "429 with Retry-After": Faults(rate_limit_every=3, retry_after=0),
    "5xx bursts": Faults(error_every=5, error_burst=2),
    "slow responses": Faults(slow_every=6, slow_seconds=0.6),
    "truncated responses": Faults(truncate_every=4),
    "connection resets": Faults(reset_every=4),
    "items repeated across pages": Faults(repeat_across_pages=4),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_every_fault_loses_nothing_and_duplicates_nothing(name, emulator, fast_config, make_queries, tmp_path):
    queries = make_queries(ACTIONS)
    clean = emulator()
    harvest(fast_config(clean.url), queries, tmp_path / "clean")
    faulty = emulator(EmulatorConfig(faults=FAULTS[name]))
    summary = harvest(fast_config(faulty.url, timeout=0.3), queries, tmp_path / "faulty")
    assert summary.failed == 0, summary.format()
    got = records(tmp_path / "faulty")
    assert Counter(r[:4] for r in got).most_common(1)[0][1] == 1  # no (action, query, site, asset) twice
    assert sorted(got) == sorted(records(tmp_path / "clean"))
    if name != "items repeated across pages":
        assert sum(summary.retries.values()) > 0


def test_resume_after_sigkill_equals_an_uninterrupted_run(emulator, fast_config, make_queries, tmp_path):
    emu = emulator(EmulatorConfig(faults=Faults(repeat_across_pages=2)))
    queries = make_queries({i: [f"action number {i}"] for i in range(16)})
    qpath = tmp_path / "queries.parquet"
    pq.write_table(queries, qpath)
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "packages/actionhub/src")}
    argv = ["harvest", "--queries", str(qpath), "--out", str(killed), "--base-url", emu.url, "--per-page", "10",
            "--rate", "40", "--burst", "1", "--concurrency", "2", "--no-progress"]
    proc = subprocess.Popen([sys.executable, "-m", "actionhub", *argv], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    stats_dir = killed / "stats" / "shutterstock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(stats_dir.glob("*.json"))) < 4:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished_before = len(list(stats_dir.glob("*.json")))
    assert 4 <= finished_before < 16, "the kill must land mid-run"
    summary = harvest(fast_config(emu.url), queries, killed)
    assert summary.skipped == finished_before and summary.done == 16 - finished_before
    harvest(fast_config(emu.url), queries, tmp_path / "whole")
    resumed, whole = records(killed), records(tmp_path / "whole")
    assert len(resumed) == len(set(resumed)) and sorted(resumed) == sorted(whole)
    assert harvest(fast_config(emu.url), queries, killed).skipped == 16  # a third run has nothing to do


def test_failed_tasks_are_kept_and_redone_only_on_request(emulator, fast_config, make_queries, tmp_path):
    queries = make_queries({0: ["surf"], 1: ["swim"]})
    down = emulator(EmulatorConfig(faults=Faults(error_every=1, error_burst=1)))
    first = harvest(fast_config(down.url, max_retries=1), queries, tmp_path)
    assert first.failures == {"http_503": 2}
    assert set(read_raw(tmp_path).column("status").to_pylist()) == {"http_503"}
    up = emulator()
    assert harvest(fast_config(up.url), queries, tmp_path).skipped == 2 and up.log == []
    again = harvest(fast_config(up.url, retry_failed=True), queries, tmp_path)
    assert again.done == 2 and set(read_raw(tmp_path).column("status").to_pylist()) == {"ok"}


def test_limits_on_pages_and_items(emulator, fast_config, make_queries, tmp_path):
    emu = emulator()
    harvest(fast_config(emu.url, max_pages=2), make_queries({0: ["surf"]}), tmp_path / "pages")
    assert read_raw(tmp_path / "pages").num_rows == 20 and emu.requests_to("/v2") == 2
    harvest(fast_config(emu.url, max_items=13), make_queries({0: ["surf"]}), tmp_path / "items")
    assert read_raw(tmp_path / "items").column("rank").to_pylist() == list(range(13))


def test_bad_credentials_fail_fast_with_a_clear_message(emulator, fast_config, make_queries, tmp_path, monkeypatch,
                                                        capsys):
    monkeypatch.setenv("SHUTTERSTOCK_CLIENT_ID", "someone")
    monkeypatch.setenv("SHUTTERSTOCK_CLIENT_SECRET", "wrong")
    emu = emulator(EmulatorConfig(auth=("someone", "right")))
    queries = make_queries({i: [f"q{i}"] for i in range(30)})
    with pytest.raises(AuthError, match="answered 401.*credentials"):
        harvest(fast_config(emu.url, concurrency=3), queries, tmp_path)
    assert emu.requests_to("/v2") <= 3  # at most one per worker, no retries
    assert list((tmp_path / "stats").rglob("*.json")) == []  # nothing marked done: a fixed rerun does all
    qpath = tmp_path / "q.parquet"
    pq.write_table(queries, qpath)
    code = cli.main(["harvest", "--queries", str(qpath), "--out", str(tmp_path), "--base-url", emu.url,
                     "--no-progress"])
    assert code == 3 and "stopped: http_401" in capsys.readouterr().err


def test_credentials_never_reach_output_or_logs(emulator, make_queries, tmp_path, monkeypatch, capfd, caplog):
    client_id, secret = "canary-id-5c2e91", "canary-secret-a7f03d"
    monkeypatch.setenv("SHUTTERSTOCK_CLIENT_ID", client_id)
    monkeypatch.setenv("SHUTTERSTOCK_CLIENT_SECRET", secret)
    emu = emulator(EmulatorConfig(auth=(client_id, secret), faults=Faults(error_every=4, error_burst=1)))
    qpath = tmp_path / "q.parquet"
    pq.write_table(make_queries(ACTIONS), qpath)
    caplog.set_level(logging.DEBUG)
    code = cli.main(["harvest", "--queries", str(qpath), "--out", str(tmp_path / "out"), "--base-url", emu.url,
                     "--rate", "0", "--backoff-base", "0.001", "--per-page", "20"])
    assert code == 0 and read_raw(tmp_path / "out").num_rows > 0  # the credentials were used
    captured = capfd.readouterr()
    texts = [captured.out, captured.err, caplog.text]
    texts += [p.read_bytes().decode("latin-1") for p in (tmp_path / "out").rglob("*") if p.is_file()]
    for text in texts:
        assert client_id not in text and secret not in text
    assert "6 done, 0 failed" in captured.out and "retries by cause: 503" in captured.out
