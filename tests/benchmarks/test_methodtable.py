"""The methods table: paired differences, intervals, summaries, and a run on SYNTHETIC tasks."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import methodtable
from benchmarks.activitynet import cimstudy


def runs(values, seeds=1):
    return [{"split": i // seeds, "seed": i % seeds, "top1": v, "top5": v + 10} for i, v in enumerate(values)]


def test_t_interval_matches_the_textbook_formula():
    v = [1.0, 2.0, 4.0, 3.5]
    mean, low, high = methodtable.t_interval(v)
    half = 3.182446305284263 * np.std(v, ddof=1) / 2  # t(0.975, 3)
    assert mean == pytest.approx(2.625) and high - mean == pytest.approx(half) and mean - low == pytest.approx(half)


def test_paired_difference_pairs_by_split_and_seed():
    base = runs([10, 20, 30, 40], seeds=2)
    other = list(reversed(runs([11, 19, 33, 44], seeds=2)))  # order must not matter
    d = methodtable.paired(other, base)
    assert d["mean"] == pytest.approx((1 - 1 + 3 + 4) / 4) and d["better"] == 3 and d["pairs"] == 4


def test_summary_averages_seeds_within_a_split_before_the_std():
    s = methodtable.summarize({"AD+VC": runs([10, 12, 20, 22], seeds=2)})["AD+VC"]
    assert s["top1"]["mean"] == pytest.approx(16) and s["top1"]["std"] == pytest.approx(np.std([11, 21], ddof=1))
    assert s["splits"] == 2 and s["seeds"] == 2


def test_rows_run_on_synthetic_tasks_and_the_base_row_has_no_difference():
    from coco.synthetic import SyntheticConfig, synthetic_task

    config = SyntheticConfig(seen=20, unseen=6, val=0, concepts=8, train_videos=10, test_videos=5)
    tasks = [synthetic_task(config, name="synthetic/1")]
    rows = {k: methodtable.coco_runner("coco", p, 1, 64) for k, p in (("AD+VC", "ad+vc"), ("AD", "ad"))}
    results = methodtable.run_rows(rows, tasks, [0, 1], log=lambda _: None)
    summary = methodtable.summarize(results)
    assert "vs_base" not in summary["AD+VC"] and summary["AD"]["vs_base"]["pairs"] == 2
    assert "| AD |" in methodtable.markdown(summary)


def test_cim_study_validation_split_and_evidence_on_synthetic():
    from coco.synthetic import SyntheticConfig, synthetic_task
    from coco.task import Task

    task = synthetic_task(SyntheticConfig(seen=30, unseen=6, val=0, concepts=8, train_videos=5, test_videos=5))
    test_only, with_val = cimstudy.with_validation(task, 0)
    assert len(test_only.split.seen) == 30 - cimstudy.VAL_CLASSES and with_val.split.val and with_val.val is None
    assert set(test_only.train.class_names) == set(test_only.split.seen)
    assert isinstance(with_val, Task)
    ev = cimstudy.evidence(task, 0, 1, 64)
    assert 0 <= ev["entropy_mean"] <= ev["log_u"] + 1e-6 and 0 < ev["max_weight_mean"] <= 1


def test_the_study_runs_as_many_trainings_as_planned_and_counts_each(monkeypatch):
    import coco.train
    from coco.synthetic import SyntheticConfig, synthetic_task

    task = synthetic_task(SyntheticConfig(seen=30, unseen=6, val=0, concepts=8, train_videos=5, test_videos=5))
    base = {k: methodtable.coco_runner("coco", p, 1, 64) for k, p in (("AD+VC", "ad+vc"), ("AD+VC+CIM", "coco"))}
    main = methodtable.run_rows(base, [task], [0], log=lambda _: None)
    calls, real = [], coco.train.train
    monkeypatch.setattr(coco.train, "train", lambda *a, **k: calls.append(1) or real(*a, **k))
    lines: list[str] = []
    progress = methodtable.Progress(cimstudy.planned_runs([1, 2], 1, 1), lines.append, first=5)
    cimstudy.run_study([task], {1: task.texts, 2: task.texts}, [0], main, 1, 64, 1, lambda _: None, progress)
    assert len(calls) == progress.total == progress.done
    assert lines and lines[0].startswith("  time estimate: 5/")  # after the first five, not before


def test_full_means_ten_splits_three_seeds_and_the_papers_k_sweep():
    from benchmarks.activitynet.methods import MethodsConfig, build_parser

    full = MethodsConfig.from_values(vars(build_parser().parse_args(["--full"])))
    assert (full.splits, full.seeds, full.study_splits, full.study_seeds) == (10, 3, 10, 3)
    assert [int(k) for k in full.ks.split(",")] == [1, 10, 50, 100, 200]
    study = cimstudy.planned_runs([1, 10, 50, 100, 200], 10, 3)
    assert full.planned_runs() == len(methodtable.STANDARD) * 10 * 3 + study
    with pytest.raises(ValueError, match="--full sets ks"):
        MethodsConfig.from_values(vars(build_parser().parse_args(["--full", "--ks", "1,10"])))
    quick = MethodsConfig.from_values(vars(build_parser().parse_args(["--splits", "1", "--study-splits", "1"])))
    assert (quick.splits, quick.seeds) == (1, 1)
