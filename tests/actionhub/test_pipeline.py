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
    for bad in (dict(encoder_precision="fp16"), dict(cascade_share=0.0), dict(cascade_share=1.5),
                dict(cascade_minimum=-1)):
        with pytest.raises(ValueError, match=next(iter(bad))):
            pipeline.BuildConfig(out=tmp_path, **bad)


def test_scoring_options_re_score_only_the_scorers_that_use_them(tmp_path):
    def score_key(**changes):
        return pipeline.BuildConfig(out=tmp_path, **changes).stage_settings("score")

    base = score_key()  # fusion-cascade, MiniLM int8
    assert score_key(cascade_minimum=100) != base and score_key(cascade_share=0.1) != base
    assert score_key(encoder_precision="fp32") != base
    assert score_key(scorer="fusion", cascade_minimum=100, encoder_precision="fp32") == score_key(scorer="fusion")
    assert score_key(scorer="fusion-encoder", encoder_precision="fp32") != score_key(scorer="fusion-encoder")


def test_a_change_in_how_minilm_embeds_re_scores_the_scorers_that_run_it(tmp_path, monkeypatch):
    from actionhub import encoder

    def score_key(scorer):
        return pipeline.BuildConfig(out=tmp_path, scorer=scorer).stage_settings("score")

    before = {name: score_key(name) for name in ("fusion-cascade", "fusion")}
    monkeypatch.setitem(encoder.BATCH_SIZES, "int8", 64)  # batched int8 gives other embeddings
    assert score_key("fusion-cascade") != before["fusion-cascade"]
    assert score_key("fusion") == before["fusion"]


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

    # The scorer's constants changed under the same name (a new library version): scoring runs again.
    from actionhub import relevance

    monkeypatch.setitem(relevance.FUSION, "static", dataclasses.replace(relevance.FUSION["static"], weight=0.6))
    rescored = pipeline.build(dataclasses.replace(config, near_dedup=False))
    assert [s["state"] for s in rescored.stages.values()] == ["skipped"] * 3 + ["ran"] * 2


def test_interrupted_harvest_resumes_per_task(tmp_path, emulator):
    config = _config(tmp_path, emulator.url)
    pipeline.build(config)
    out = config.out / pipeline.WORK_DIR
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
    assert publish.is_complete(config.out / "actionhub")


_LOAD_BY_NAME = """
import json, sys
from datasets import load_dataset
ds = load_dataset("actionhub", split="train")
sentences = load_dataset("actionhub", "sentences", split="train")
print(json.dumps({"descriptions": len(ds), "sentences": len(sentences), "columns": sorted(ds.column_names)}))
"""


def _offline_env(tmp_path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    return env | {"HF_HOME": str(tmp_path / "fresh-hf"), "HF_DATASETS_CACHE": str(tmp_path / "fresh-hf" / "datasets"),
                  "HF_HUB_OFFLINE": "1"}


def test_load_dataset_by_name_finds_the_build_offline_on_a_fresh_cache(tmp_path, emulator):
    import subprocess
    import sys

    config = _config(tmp_path, emulator.url)
    summary = pipeline.build(config)
    assert summary.dataset == config.out / "actionhub"
    out = subprocess.run([sys.executable, "-c", _LOAD_BY_NAME], cwd=config.out, env=_offline_env(tmp_path),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    rows = summary.stages["publish"]["report"]["rows"]
    assert loaded["descriptions"] == rows["descriptions"] > 0 and loaded["sentences"] == rows["sentences"]
    assert {"action", "description", "rank", "relevance"} <= set(loaded["columns"])
    assert not (tmp_path / "fresh-hf" / "hub").exists() or not any((tmp_path / "fresh-hf" / "hub").iterdir())


def test_a_failed_build_leaves_nothing_loadable(tmp_path, emulator, monkeypatch):
    import subprocess
    import sys

    config = _config(tmp_path, emulator.url)
    pipeline.build(config)
    assert (config.out / "actionhub").is_dir()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publish, "_write_shards", fail)
    with pytest.raises(OSError, match="disk full"):
        pipeline.build(dataclasses.replace(config, near_dedup=False))  # reruns process, score, publish: fails
    assert not (config.out / "actionhub").exists()  # the old dataset no longer matched; the new one failed
    assert sorted(p.name for p in config.out.iterdir()) == ["build"]  # no stray temporaries
    out = subprocess.run([sys.executable, "-c", _LOAD_BY_NAME], cwd=config.out, env=_offline_env(tmp_path),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0


def test_build_logs_each_stage_as_it_starts_and_ends(tmp_path, emulator):
    lines: list[str] = []
    pipeline.build(_config(tmp_path, emulator.url), log=lines.append)
    starts = [line for line in lines if line.endswith(": started")]
    ends = [line for line in lines if ": finished in " in line]
    assert [line.split("] ")[1].split(":")[0] for line in starts] == list(pipeline.STAGES)
    assert len(ends) == 5 and lines.index(starts[1]) < lines.index(ends[1]) < lines.index(starts[2])
    assert "actions 3" in ends[0]  # the counts of the stage's report
    again: list[str] = []
    pipeline.build(_config(tmp_path, emulator.url), log=again.append)
    assert len(again) == 5 and all("skipped" in line for line in again)


def test_published_marker_name_matches_publish():
    assert pipeline.PUBLISHED_MARKER == publish.MARKER


def test_a_removed_dataset_is_published_again(tmp_path, emulator):
    import shutil

    config = _config(tmp_path, emulator.url)
    pipeline.build(config)
    shutil.rmtree(config.out / "actionhub")
    again = pipeline.build(config)
    assert again.stages["publish"]["state"] == "ran" and publish.is_complete(config.out / "actionhub")
