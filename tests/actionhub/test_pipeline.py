"""The pipeline end to end against the footage-site emulator, resume, and the CLI's defaults."""

from __future__ import annotations

import dataclasses
import json

import pytest

from actionhub import cli, pipeline, publish, stats
from actionhub.harvest import HarvestConfig


def _subparser(name: str):
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices[name]


def test_stats_parser_defaults_equal_config_defaults():
    defaults = vars(_subparser("stats").parse_args(["some/dir"]))
    for f in dataclasses.fields(stats.StatsConfig):
        assert defaults[f.name] == f.default, f.name


def test_build_config_is_validated(tmp_path):
    with pytest.raises(ValueError, match="scorer"):
        pipeline.BuildConfig(out=tmp_path, scorer="nope")
    with pytest.raises(ValueError, match="max_actions"):
        pipeline.BuildConfig(out=tmp_path, max_actions=-1)


@pytest.fixture
def emulator():
    from actionhub.harvest.emulator import Emulator

    with Emulator() as emu:
        yield emu


def _config(tmp_path, url, **changes) -> pipeline.BuildConfig:
    classes = tmp_path / "classes.txt"
    classes.write_text("playing tennis\nsurfing\njuggling balls\n")
    harvest = HarvestConfig.from_options(site="shutterstock", base_url=url, max_pages=2, per_page=10, rate=0.0,
                                         concurrency=2, progress=False)
    return pipeline.BuildConfig(**{"out": tmp_path / "out", "sources": (), "classes": classes, "harvest": harvest,
                                   **changes})


def test_build_end_to_end_then_resume(tmp_path, emulator, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    config = _config(tmp_path, emulator.url)
    first = pipeline.build(config)
    assert [s["state"] for s in first.stages.values()] == ["ran"] * 5
    from datasets import load_dataset

    ds = load_dataset(str(first.dataset), split="train")
    assert len(ds) == first.stages["process"]["report"]["descriptions"] > 0
    assert set(ds["action"]) <= {"playing tennis", "surfing", "juggling balls"}
    by_action: dict[int, list[int]] = {}
    for a, r in zip(ds["action_id"], ds["rank"], strict=True):
        by_action.setdefault(a, []).append(r)
    assert all(sorted(r) == list(range(1, len(r) + 1)) for r in by_action.values())
    sentences = load_dataset(str(first.dataset), "sentences", split="train")
    assert len(sentences) == sum(ds["n_sentences"])
    requests = len(emulator.log)

    again = pipeline.build(config)
    assert [s["state"] for s in again.stages.values()] == ["skipped"] * 5
    assert len(emulator.log) == requests  # nothing fetched again

    changed = pipeline.build(dataclasses.replace(config, near_dedup=False))
    assert [s["state"] for s in changed.stages.values()] == ["skipped"] * 2 + ["ran"] * 3


def test_interrupted_harvest_resumes_per_task(tmp_path, emulator):
    config = _config(tmp_path, emulator.url)
    pipeline.build(config)
    out = config.out
    # Simulate a run killed during the harvest: its stage marker and one task's marker are missing.
    (out / "done" / "harvest.json").unlink()
    task_marker = sorted((out / "harvest" / "stats" / "shutterstock").glob("*.json"))[0]
    task_marker.unlink()
    before = len(emulator.log)
    resumed = pipeline.build(config)
    harvest = resumed.stages["harvest"]
    assert harvest["state"] == "ran" and harvest["report"]["skipped"] == harvest["report"]["tasks"] - 1
    assert 0 < len(emulator.log) - before <= config.harvest.limits.max_pages
    assert [resumed.stages[s]["state"] for s in ("process", "score", "publish")] == ["ran"] * 3
    assert json.loads((out / "done" / "publish.json").read_text())["report"]["rows"]["actions"] == 3
    assert publish.is_complete(out / "dataset")
