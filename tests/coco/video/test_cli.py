"""``coco features`` command line: defaults equal the config's, bad input is one line and exit 2."""

from __future__ import annotations

import argparse
from dataclasses import fields

import pytest

from coco import cli
from coco.config import ConfigError
from coco.video.cli import add_features
from coco.video.stage import FeaturesConfig


def test_parser_defaults_equal_the_config_defaults():
    sub = argparse.ArgumentParser().add_subparsers()
    args = add_features(sub).parse_args(["--videos", "v", "--preset", "vits14", "--out", "o"])
    parsed = FeaturesConfig(**{f.name: getattr(args, f.name) for f in fields(FeaturesConfig)})
    assert parsed == FeaturesConfig(videos="v", preset="vits14", out="o")


@pytest.mark.parametrize("kw, message", [
    ({"preset": "nope"}, "unknown preset"), ({"workers": -1}, "workers"), ({"engine": "spark"}, "engine"),
    ({"device": "tpu"}, "device"), ({"weights": "w", "random_init": True}, "exclude")])
def test_config_is_validated(kw, message):
    with pytest.raises(ConfigError, match=message):
        FeaturesConfig(**{"videos": "v", "preset": "vits14", "out": "o", **kw})


def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["features", "--videos", str(tmp_path / "none"), "--preset", "vits14", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coco: error:") and err.count("\n") == 1 and not out.exists()
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "a.mp4").write_bytes(b"x")
    args = ["features", "--videos", str(tmp_path / "v"), "--preset", "vits14", "--out", str(out), "--weights",
            str(tmp_path / "missing.onnx")]
    assert cli.main(args) == 2 and "no file at" in capsys.readouterr().err and not out.exists()


def test_predict_needs_features_or_videos(tmp_path, capsys):
    code = cli.main(["predict", "--checkpoint", str(tmp_path / "c.pt"), "--actions", "a"])
    assert code == 2 and "give --features DIR or --video FILE" in capsys.readouterr().err
