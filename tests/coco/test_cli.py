"""coco's command line: defaults equal the configs', presets, and a SYNTHETIC train + eval round trip."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from coco import cli
from coco.config import PRESETS, DataConfig, TrainConfig


@pytest.mark.parametrize("cls", [TrainConfig, DataConfig])
def test_train_parser_defaults_equal_dataclass_defaults(cls):
    args = cli.parse(["train"])
    for f in fields(cls):
        assert getattr(args, f.name) == getattr(cls(), f.name), f.name
    assert cli.config_from(args, cls) == cls()


def test_eval_parser_defaults_equal_data_config_defaults():
    args = cli.parse(["eval", "--out-dir", "x"])
    assert cli.config_from(args, DataConfig) == DataConfig()


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_sets_the_ablation_flags(name):
    config = cli.config_from(cli.parse(["train", "--preset", name]), TrainConfig)
    for field, value in PRESETS[name].items():
        assert getattr(config, field) == value


def test_explicit_flags_win_over_the_preset():
    config = cli.config_from(cli.parse(["train", "--preset", "ad", "--use-cim", "--alpha", "0.7", "--k", "5"]),
                             TrainConfig)
    assert (config.use_definitions, config.use_content, config.use_cim, config.alpha) == (True, False, True, 0.7)


def test_synthetic_train_then_eval_writes_metrics_json(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--epochs", "3", "--batch-size", "128", "--max-splits", "2", "--out-dir", str(out),
                     "--device", "cpu"]) == 0
    trained = json.loads((out / "metrics.json").read_text())
    assert trained["synthetic"] is True
    assert set(trained["splits"]) == {"synthetic/1", "synthetic/2"}
    per_split_top1 = [m["top1"] for m in trained["splits"].values()]
    assert trained["summary"]["top1"]["mean"] == pytest.approx(sum(per_split_top1) / 2)
    assert all(len(m["per_class"]) == 20 for m in trained["splits"].values())
    assert cli.main(["eval", "--out-dir", str(out), "--max-splits", "2", "--device", "cpu"]) == 0
    evaluated = json.loads((out / "eval_metrics.json").read_text())
    for name, metrics in trained["splits"].items():
        assert evaluated["splits"][name]["top1"] == pytest.approx(metrics["top1"])
    assert "SYNTHETIC" in capsys.readouterr().out


def test_bad_values_fail_before_training(tmp_path):
    with pytest.raises(ValueError, match="alpha"):
        cli.main(["train", "--alpha", "1.5"])
    with pytest.raises(ValueError, match="needs --dataset and --features"):
        cli.main(["train", "--protocol", "intra"])
    with pytest.raises(ValueError, match="at least one"):
        cli.main(["train", "--no-use-definitions", "--no-use-content"])
