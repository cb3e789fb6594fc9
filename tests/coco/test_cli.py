"""coco's command line: defaults equal the configs', presets, and a SYNTHETIC train + eval round trip."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
import torch

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


@pytest.mark.parametrize(("argv", "message"), [
    (["train", "--alpha", "1.5"], "alpha"),
    (["train", "--protocol", "intra"], "needs --dataset and --features"),
    (["train", "--no-use-definitions", "--no-use-content"], "at least one"),
])
def test_bad_values_fail_before_training_with_a_message(argv, message, tmp_path, capsys):
    assert cli.main([*argv, "--out-dir", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()



# What a `pip install torch` machine has: torch, its requirements, and numpy (coco's other dependency).
TORCH_ALONE = ["torch", "torchgen", "functorch", "numpy", "numpy.libs", "sympy", "mpmath", "networkx", "jinja2",
               "markupsafe", "filelock", "fsspec", "typing_extensions.py", "setuptools", "_distutils_hack"]


def test_synthetic_training_runs_with_torch_alone(tmp_path):
    site = Path(torch.__file__).resolve().parents[1]
    env_dir = tmp_path / "site"
    env_dir.mkdir()
    for name in TORCH_ALONE:
        if (site / name).exists():
            (env_dir / name).symlink_to(site / name)
    src = Path(__file__).resolve().parents[2] / "packages/coco/src"
    actionhub_src = src.parents[1] / "actionhub/src"  # coco depends on actionhub; none of actionhub's dependencies
    out_dir = tmp_path / "run"
    # -S -I: no site-packages and no environment, so only the linked packages and the sources are importable.
    code = (f"import sys; sys.path[:0] = [{str(src)!r}, {str(actionhub_src)!r}, {str(env_dir)!r}]; import runpy; "
            f"sys.argv = ['coco', 'train', '--epochs', '1', '--max-splits', '1', '--progress', "
            f"'--out-dir', {str(out_dir)!r}]; runpy.run_module('coco', run_name='__main__')")
    out = subprocess.run([sys.executable, "-S", "-I", "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "SYNTHETIC" in out.stdout and (out_dir / "metrics.json").is_file()
