"""TrainConfig validation, presets and the checkpoint comparison of configurations."""

from __future__ import annotations

import pytest

from coco.config import PRESETS, ConfigError, TrainConfig, differences, preset


@pytest.mark.parametrize("bad", [{"alpha": 1.2}, {"tau": 0}, {"batch_size": 0}, {"device": "tpu"},
                                 {"use_definitions": False, "use_content": False}, {"resume": True}])
def test_invalid_values_are_rejected(bad):
    with pytest.raises(ConfigError):
        TrainConfig(**bad)


def test_mix_follows_the_active_sources():
    assert preset("coco", alpha=0.3).mix == 0.3
    assert preset("ad", alpha=0.3).mix == 1.0
    assert preset("vc", alpha=0.3).mix == 0.0


def test_dict_round_trip_and_unknown_keys():
    config = preset("vc+cim", gamma=0.2)
    assert TrainConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="unknown config keys"):
        TrainConfig.from_dict(config.to_dict() | {"beta": 1})


def test_differences_ignore_bookkeeping():
    a = TrainConfig()
    assert differences(a, TrainConfig(device="cpu", progress=True)) == {}
    assert differences(a, TrainConfig(gamma=0.5)) == {"gamma": (0.1, 0.5)}


def test_presets_cover_the_papers_ablations():
    assert {"ad", "vc", "ad+vc", "ad+cim", "vc+cim", "coco"} == set(PRESETS)
